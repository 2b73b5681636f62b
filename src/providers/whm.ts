import type { Got } from 'got';
import type { Logger } from 'pino';
import {
  fromUapiEnvelope,
  type Params,
  postForm,
  toEnvelope,
  UapiEmailProvider,
  type UapiTransport,
  type UapiTransportResult,
  uapiHttpClient,
} from './cpanel.ts';

export interface WhmProviderOptions {
  /** The host's name on Mailbox rows; `whm` by default (one host of this kind). */
  name?: string;
  /** What a refused sign-in should tell an admin to check, instead of the WHM_* settings. */
  credentialsHint?: string;
  /** e.g. `https://host.example.com:2087` */
  baseUrl: string;
  /** root or a reseller. */
  user: string;
  /** A WHM API token of `user` (recommended): `Authorization: whm USER:TOKEN`. */
  token?: string;
  /** Instead of a token, the legacy access hash of `user` (line breaks are dropped): `Authorization: WHM USER:HASH`. */
  accessHash?: string;
  /** The cPanel account whose mailboxes are managed. */
  cpanelUser: string;
  /** PEM file with the CA (or self-signed certificate) to trust instead of the system store. */
  caFile?: string;
  timeoutMs?: number;
  logger?: Logger;
}

const failure = (code: 'auth_failed' | 'unavailable' | 'rejected', reason: string): UapiTransportResult['result'] => ({
  ok: false,
  code,
  reason,
});

/**
 * WHM API 1 `uapi_cpanel` (fact sheet §1.2, §2.3): a root or reseller token acts for one cPanel
 * user. The outer `metadata.result` only says WHM ran the call; the inner `data.uapi.status` is
 * the UAPI outcome.
 */
class UapiCpanelTransport implements UapiTransport {
  readonly secrets: readonly string[];
  readonly #http: Got;
  readonly #authorization: string;
  readonly #check: string;
  readonly #cpanelUser: string;

  constructor(options: WhmProviderOptions) {
    if (options.token) {
      this.#authorization = `whm ${options.user}:${options.token}`;
      this.secrets = [options.token];
      this.#check = options.credentialsHint ?? 'check WHM_USER and WHM_API_TOKEN';
    } else if (options.accessHash) {
      // The hash file holds the hash over many lines; the header carries it in one (DOC-HASH).
      const hash = options.accessHash.replace(/\s+/g, '');
      this.#authorization = `WHM ${options.user}:${hash}`;
      this.secrets = [hash];
      this.#check = options.credentialsHint ?? 'check WHM_USER and WHM_ACCESS_HASH';
    } else {
      throw new Error('WhmProvider needs a token or an access hash');
    }
    // WHM wants the account name in lower case (fact sheet §1.2 for the legacy proxy; harmless here).
    this.#cpanelUser = options.cpanelUser.toLowerCase();
    this.#http = uapiHttpClient({
      prefixUrl: `${options.baseUrl.replace(/\/+$/, '')}/json-api`,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    });
  }

  async send(fn: string, params: Params): Promise<UapiTransportResult> {
    const what = `WHM uapi_cpanel Email::${fn}`;
    // api.version=1 or the call lands on the deprecated WHM API 0.
    const form: Params = {
      ...params,
      'api.version': '1',
      'cpanel.user': this.#cpanelUser,
      'cpanel.module': 'Email',
      'cpanel.function': fn,
    };
    const answer = await postForm(this.#http, 'uapi_cpanel', form, this.#authorization, what);
    if (!answer.ok) return { result: answer };
    const { statusCode: status, body } = answer;
    if (status === 401 || status === 403) {
      return { status, result: failure('auth_failed', `${what}: HTTP ${status} (${this.#check})`) };
    }
    if (status < 200 || status >= 300) return { status, result: failure('unavailable', `${what}: HTTP ${status}`) };

    let parsed: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(body);
      if (typeof value !== 'object' || value === null) throw new Error('not an object');
      parsed = value as Record<string, unknown>;
    } catch {
      return { status, result: failure('unavailable', `${what}: unreadable answer (HTTP ${status})`) };
    }
    const metadata = parsed.metadata as Record<string, unknown> | undefined;
    if (typeof metadata !== 'object' || metadata === null) {
      const cpanelresult = parsed.cpanelresult as { error?: unknown } | undefined;
      if (cpanelresult?.error === 'Access denied') {
        return { status, result: failure('auth_failed', `${what}: access denied (${this.#check})`) };
      }
      return { status, result: failure('unavailable', `${what}: answer without WHM API 1 metadata (HTTP ${status})`) };
    }
    if (Number(metadata.result) !== 1) {
      const reason = String(metadata.reason ?? 'WHM refused the call without a reason').replace(/^API failure:\s*/, '');
      // The cPanel account is missing or out of this token's reach: configuration, not the mailbox.
      if (/You do not have (a user|access to an account) named/.test(reason)) {
        return { status, result: failure('auth_failed', `${what}: ${reason} (check WHM_CPANEL_USER)`) };
      }
      return { status, result: failure('rejected', `${what}: ${reason}`) };
    }
    // metadata.result is 1 even when the UAPI call failed: only data.uapi.status tells.
    const envelope = toEnvelope((parsed.data as { uapi?: unknown } | undefined)?.uapi);
    if (!envelope) return { status, result: failure('unavailable', `${what}: answer without data.uapi (HTTP ${status})`) };
    return { status, result: fromUapiEnvelope(envelope, what) };
  }
}

/** MailboxProvider over WHM's `uapi_cpanel`: the same Email functions as cPanel, reached through WHM. */
export class WhmProvider extends UapiEmailProvider {
  constructor(options: WhmProviderOptions) {
    super(options.name ?? 'whm', new UapiCpanelTransport(options), options.logger);
  }
}
