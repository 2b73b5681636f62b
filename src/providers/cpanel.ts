import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import got, { type Got } from 'got';
import type { Logger } from 'pino';
import type {
  AutoReplyInfo,
  AutoReplyInput,
  CreateMailboxInput,
  MailboxInfo,
  MailboxProvider,
  ProviderFailureCode,
  ProviderResult,
} from './mailbox-provider.ts';
import { sameAddress, splitAddress } from '../lib/address.ts';

export interface CpanelProviderOptions {
  /** e.g. `https://host.example.com:2083` */
  baseUrl: string;
  user: string;
  /** A cPanel API token of `user` (recommended): `Authorization: cpanel USER:TOKEN`. */
  token?: string;
  /** Instead of a token, the cPanel user's own password: HTTP Basic. */
  password?: string;
  /** PEM file with the CA (or self-signed certificate) to trust instead of the system store. */
  caFile?: string;
  timeoutMs?: number;
  logger?: Logger;
}

/** The flat UAPI envelope of `/execute/...` (fact sheet §2.1). */
export interface UapiEnvelope {
  status: number;
  data: unknown;
  errors: string[] | null;
}

export type Params = Record<string, string>;

const DEFAULT_TIMEOUT_MS = 15_000;

const fail = (code: ProviderFailureCode, reason: string): { ok: false; code: ProviderFailureCode; reason: string } => ({
  ok: false,
  code,
  reason,
});
const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/** cPanel returns numbers and flags as numbers or numeric strings depending on version. */
const truthy = (value: unknown): boolean => value === true || Number(value) > 0;

const epochSeconds = (date: Date): string => String(Math.floor(date.getTime() / 1000));

function fromEpoch(value: unknown): Date | null {
  const seconds = Number(value);
  return value === null || value === undefined || value === '' || !Number.isFinite(seconds)
    ? null
    : new Date(seconds * 1000);
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

/** One UAPI Email call as a transport saw it, before logging and scrubbing. */
export interface UapiTransportResult {
  result: ProviderResult<unknown>;
  /** The HTTP status, when an answer arrived. */
  status?: number;
}

/**
 * How a UAPI Email function reaches the server: cPanel's `/execute` with a user token (here), or
 * WHM's `uapi_cpanel` with a root/reseller token (whm.ts). The Email logic above it is shared.
 */
export interface UapiTransport {
  /** Scrubbed from every failure reason, on top of the call's own secrets. */
  readonly secrets: readonly string[];
  send(fn: string, params: Params): Promise<UapiTransportResult>;
}

/** got settings shared by the cPanel and WHM transports. */
export function uapiHttpClient(options: { prefixUrl: string; timeoutMs?: number; caFile?: string }): Got {
  return got.extend({
    prefixUrl: options.prefixUrl,
    retry: { limit: 0 },
    throwHttpErrors: false,
    // A redirect would carry the token to wherever it points; treat it as a misconfiguration.
    followRedirect: false,
    timeout: { request: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    responseType: 'text',
    https: options.caFile ? { certificateAuthority: readFileSync(options.caFile) } : {},
  });
}

/** Sends `params` as a POST form body and returns the status and body, or `unavailable` when nothing usable came back. */
export async function postForm(
  http: Got,
  path: string,
  params: Params,
  authorization: string,
  what: string,
): Promise<{ ok: true; statusCode: number; body: string } | { ok: false; code: ProviderFailureCode; reason: string }> {
  try {
    const response = await http.post(path, { form: params, headers: { authorization, accept: 'application/json' } });
    return { ok: true, statusCode: response.statusCode, body: response.body };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return fail('unavailable', `${what}: ${typeof code === 'string' ? `${code}: ` : ''}${message}`);
  }
}

/** Turns a UAPI result object (`status`, `errors`, `data`) into a ProviderResult. */
export function fromUapiEnvelope(envelope: UapiEnvelope, what: string): ProviderResult<unknown> {
  // HTTP 200 with status 0 is a failure (fact sheet §6.1).
  if (envelope.status === 1) return ok(envelope.data);
  const message = envelope.errors?.join(' ').trim() || `${what} failed without a message`;
  return fail(classify(message), message);
}

/**
 * cPanel's own `/execute/Email/<function>`, signed in with an API token (`Authorization: cpanel
 * USER:TOKEN`) or with the user's password (HTTP Basic, as cPanel's API client builds it).
 */
class ExecuteTransport implements UapiTransport {
  readonly secrets: readonly string[];
  readonly #http: Got;
  readonly #authorization: string;
  readonly #check: string;

  constructor(options: CpanelProviderOptions) {
    if (options.token) {
      this.#authorization = `cpanel ${options.user}:${options.token}`;
      this.secrets = [options.token];
      this.#check = 'check the cPanel user and API token';
    } else if (options.password) {
      this.#authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`, 'utf8').toString('base64')}`;
      this.secrets = [options.password, this.#authorization.slice('Basic '.length)];
      this.#check = 'check CPANEL_USER and CPANEL_PASSWORD';
    } else {
      throw new Error('CpanelProvider needs a token or a password');
    }
    this.#http = uapiHttpClient({
      prefixUrl: `${options.baseUrl.replace(/\/+$/, '')}/execute/Email`,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    });
  }

  async send(fn: string, params: Params): Promise<UapiTransportResult> {
    const answer = await postForm(this.#http, fn, params, this.#authorization, `cPanel ${fn}`);
    if (!answer.ok) return { result: answer };
    const { statusCode, body } = answer;
    // Check the status before the body: cpsrvd answers auth failures and 5xx with HTML.
    if (statusCode === 401 || statusCode === 403) {
      return { status: statusCode, result: fail('auth_failed', `cPanel ${fn}: HTTP ${statusCode} (${this.#check})`) };
    }
    if (statusCode < 200 || statusCode >= 300) return { status: statusCode, result: fail('unavailable', `cPanel ${fn}: HTTP ${statusCode}`) };
    const envelope = parseEnvelope(body);
    if (!envelope) return { status: statusCode, result: fail('unavailable', `cPanel ${fn}: unreadable answer (HTTP ${statusCode})`) };
    return { status: statusCode, result: fromUapiEnvelope(envelope, `cPanel ${fn}`) };
  }
}

/**
 * MailboxProvider over the UAPI Email module, whichever transport carries the calls.
 *
 * Every call is a single POST with a form body (passwords stay out of URLs and access logs) and
 * no retries: the app's job queue decides when to try again, guided by the failure code.
 */
export class UapiEmailProvider implements MailboxProvider {
  readonly name: string;
  readonly #transport: UapiTransport;
  readonly #logger: Logger | undefined;

  constructor(name: string, transport: UapiTransport, logger?: Logger) {
    this.name = name;
    this.#transport = transport;
    this.#logger = logger;
  }

  nameFor(_domain: string): string {
    return this.name;
  }

  async find(address: string): Promise<ProviderResult<MailboxInfo | null>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    // list_pops_with_disk with email + domain selects one address; filter again anyway, since the
    // main-account row and older servers' matching rules are not ours to trust.
    const result = await this.#call('list_pops_with_disk', { email: parts.local, domain: parts.domain, no_disk: '1' });
    if (!result.ok) return result;
    const rows = Array.isArray(result.value) ? (result.value as unknown[]) : [];
    for (const row of rows) {
      if (typeof row !== 'object' || row === null) continue;
      const r = row as Record<string, unknown>;
      if (r.login === 'Main Account' || !sameAddress(r.email, address)) continue;
      return ok({
        address: String(r.email).toLowerCase(),
        suspendedLogin: truthy(r.suspended_login),
        suspendedIncoming: truthy(r.suspended_incoming),
      });
    }
    return ok(null);
  }

  async create(input: CreateMailboxInput): Promise<ProviderResult<void>> {
    const result = await this.#call(
      'add_pop',
      {
        email: input.localPart,
        domain: input.domain,
        password: input.password,
        quota: String(input.quotaMb),
        send_welcome_email: '0',
      },
      [input.password],
    );
    return result.ok ? ok(undefined) : result;
  }

  async verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>> {
    const result = await this.#call('verify_password', { email: address, password }, [password]);
    return result.ok ? ok(truthy(result.value)) : result;
  }

  async delete(address: string): Promise<ProviderResult<void>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    return this.#void('delete_pop', { email: parts.local, domain: parts.domain });
  }

  async listForwarders(address: string): Promise<ProviderResult<string[]>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    const result = await this.#call('list_forwarders', { domain: parts.domain });
    if (!result.ok) return result;
    const rows = Array.isArray(result.value) ? (result.value as unknown[]) : [];
    const targets: string[] = [];
    for (const row of rows) {
      if (typeof row !== 'object' || row === null) continue;
      const r = row as Record<string, unknown>;
      // Live data: `dest` is the source address and `forward` the target (fact sheet §3.4).
      if (sameAddress(r.dest, address) && typeof r.forward === 'string') targets.push(r.forward);
    }
    return ok(targets);
  }

  async addForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    return this.#void('add_forwarder', { domain: parts.domain, email: address, fwdopt: 'fwd', fwdemail: to });
  }

  async removeForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    // cPanel's answer for a missing forwarder is undocumented, so look first.
    const current = await this.listForwarders(address);
    if (!current.ok) return current;
    const existing = current.value.find((target) => sameAddress(target, to));
    if (existing === undefined) return ok(undefined);
    return this.#void('delete_forwarder', { address, forwarder: existing });
  }

  async getAutoReply(address: string): Promise<ProviderResult<AutoReplyInfo | null>> {
    const result = await this.#call('get_auto_responder', { email: address });
    if (!result.ok) return result.code === 'not_found' ? ok(null) : result;
    if (typeof result.value !== 'object' || result.value === null) return ok(null);
    const r = result.value as Record<string, unknown>;
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    // What cPanel answers for an address without an auto-reply is undocumented; an object with
    // nothing in it is the likely shape.
    if (!text(r.from) && !text(r.subject) && !text(r.body)) return ok(null);
    return ok({
      from: text(r.from),
      subject: text(r.subject),
      body: text(r.body),
      intervalHours: Number(r.interval) || 0,
      start: fromEpoch(r.start),
      stop: fromEpoch(r.stop),
    });
  }

  async setAutoReply(address: string, reply: AutoReplyInput): Promise<ProviderResult<void>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    return this.#void('add_auto_responder', {
      email: parts.local,
      domain: parts.domain,
      from: reply.from,
      subject: reply.subject,
      body: reply.body,
      is_html: '0',
      charset: 'utf-8',
      interval: String(reply.intervalHours),
      start: epochSeconds(reply.start),
      stop: epochSeconds(reply.stop),
    });
  }

  async removeAutoReply(address: string): Promise<ProviderResult<void>> {
    const result = await this.#void('delete_auto_responder', { email: address });
    return !result.ok && result.code === 'not_found' ? ok(undefined) : result;
  }

  suspendLogin(address: string): Promise<ProviderResult<void>> {
    return this.#void('suspend_login', { email: address });
  }

  resumeLogin(address: string): Promise<ProviderResult<void>> {
    return this.#void('unsuspend_login', { email: address });
  }

  async #void(fn: string, params: Params): Promise<ProviderResult<void>> {
    const result = await this.#call(fn, params);
    return result.ok ? ok(undefined) : result;
  }

  /** One UAPI call; `secrets` are scrubbed from any reason text on top of the token. */
  async #call(fn: string, params: Params, secrets: string[] = []): Promise<ProviderResult<unknown>> {
    const started = performance.now();
    const { result, status } = await this.#transport.send(fn, params);
    const safe = result.ok ? result : { ...result, reason: scrub(result.reason, [...this.#transport.secrets, ...secrets]) };
    this.#logger?.[result.ok ? 'info' : 'warn'](
      {
        fn,
        status,
        durationMs: Math.round(performance.now() - started),
        outcome: result.ok ? 'ok' : result.code,
      },
      `${this.name} call`,
    );
    return safe;
  }
}

/** MailboxProvider over cPanel UAPI (`/execute/Email/<function>`) with a cPanel user's API token or password. */
export class CpanelProvider extends UapiEmailProvider {
  constructor(options: CpanelProviderOptions) {
    super('cpanel', new ExecuteTransport(options), options.logger);
  }
}

function classify(message: string): ProviderFailureCode {
  if (message.includes('already exists')) return 'already_exists';
  if (message.includes('You do not have an email account named')) return 'not_found';
  return 'rejected';
}

/** Secrets shorter than this would mangle ordinary words; cPanel never accepts such passwords anyway. */
const MIN_SCRUB_LENGTH = 4;

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUB_LENGTH) out = out.split(secret).join('[redacted]');
  }
  return out;
}
