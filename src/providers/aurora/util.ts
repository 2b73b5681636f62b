/** Small helpers shared by the Aurora adapter's modules: results, Aurora's integers and epochs. */
import type { ProviderFailureCode, ProviderResult } from '../mailbox-provider.ts';

export type Failure = { ok: false; code: ProviderFailureCode; reason: string };
export const fail = (code: ProviderFailureCode, reason: string): Failure => ({ ok: false, code, reason });
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const notMailDomain = (domain: string): string => `${domain} is not set up as a mail domain in Aurora`;

/** Aurora ids must travel as JSON integers (`is_int` checks on the server). */
export function toInt(value: unknown): number | null {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
export function fromEpoch(value: unknown): Date | null {
  const seconds = toInt(value);
  return seconds === null || seconds <= 0 ? null : new Date(seconds * 1000);
}

export function expectTrue(value: unknown, module: string, method: string): ProviderResult<void> {
  // Result:false without an ErrorCode: the method declined (or a DB exception was swallowed).
  return value === false ? fail('rejected', `Aurora ${module}.${method} answered Result: false`) : ok(undefined);
}
