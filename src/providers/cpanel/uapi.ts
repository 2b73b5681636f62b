/**
 * The UAPI result envelope (fact sheet §2.1) and the small helpers every UAPI Email call shares:
 * reading the envelope, turning it into a ProviderResult, classifying failures and scrubbing
 * secrets from failure reasons.
 */
import type { ProviderFailureCode, ProviderResult } from '../mailbox-provider.ts';

/** The flat UAPI envelope of `/execute/...` (fact sheet §2.1). */
export interface UapiEnvelope {
  status: number;
  data: unknown;
  errors: string[] | null;
}

export type Params = Record<string, string>;

export const fail = (code: ProviderFailureCode, reason: string): { ok: false; code: ProviderFailureCode; reason: string } => ({
  ok: false,
  code,
  reason,
});
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/** cPanel returns numbers and flags as numbers or numeric strings depending on version. */
export const truthy = (value: unknown): boolean => value === true || Number(value) > 0;

export const epochSeconds = (date: Date): string => String(Math.floor(date.getTime() / 1000));

export function fromEpoch(value: unknown): Date | null {
  const seconds = Number(value);
  return value === null || value === undefined || value === '' || !Number.isFinite(seconds) ? null : new Date(seconds * 1000);
}

export function parseEnvelope(body: string): UapiEnvelope | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  return toEnvelope(parsed);
}

/** Reads an already-parsed UAPI result object (WHM nests it under `data.uapi`). */
export function toEnvelope(parsed: unknown): UapiEnvelope | null {
  if (typeof parsed !== 'object' || parsed === null || !('status' in parsed)) return null;
  const { status, data, errors } = parsed as Record<string, unknown>;
  return {
    status: Number(status),
    data,
    errors: Array.isArray(errors) ? errors.map(String) : null,
  };
}

/** Turns a UAPI result object (`status`, `errors`, `data`) into a ProviderResult. */
export function fromUapiEnvelope(envelope: UapiEnvelope, what: string): ProviderResult<unknown> {
  // HTTP 200 with status 0 is a failure (fact sheet §6.1).
  if (envelope.status === 1) return ok(envelope.data);
  const message = envelope.errors?.join(' ').trim() || `${what} failed without a message`;
  return fail(classify(message), message);
}

/**
 * status 0 answers that mean "not now" rather than "no": cPanel busy, a lock held by another task,
 * an internal timeout. They are retried with backoff like an HTTP 5xx. A lock an administrator put
 * on an account is a "no" and is not matched.
 */
const TRANSIENT =
  /temporarily (unable|unavailable)|try again later|(could not|unable to|failed to) (obtain|acquire|get) (a |the )?lock|locked by another (process|task|request)|timed out|timeout|resource temporarily unavailable|server is (too )?busy/i;

export function classify(message: string): ProviderFailureCode {
  if (TRANSIENT.test(message)) return 'unavailable';
  if (message.includes('already exists')) return 'already_exists';
  if (message.includes('You do not have an email account named')) return 'not_found';
  return 'rejected';
}

/** Secrets shorter than this would mangle ordinary words; cPanel never accepts such passwords anyway. */
const MIN_SCRUB_LENGTH = 4;

export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUB_LENGTH) out = out.split(secret).join('[redacted]');
  }
  return out;
}
