/** cPanel's own UAPI endpoint, `/execute/Email/<function>`, and the CpanelProvider built on it. */
import type { Got } from 'got';
import type { Logger } from 'pino';
import { UapiEmailProvider } from './email-provider.ts';
import { postForm, type UapiTransport, type UapiTransportResult, uapiHttpClient } from './transport.ts';
import { fail, fromUapiEnvelope, type Params, parseEnvelope } from './uapi.ts';

export interface CpanelProviderOptions {
  /** The host's name on Mailbox rows; `cpanel` by default (one host of this kind). */
  name?: string;
  /** What a refused sign-in should tell an admin to check, instead of the CPANEL_* settings. */
  credentialsHint?: string;
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
      this.#check = options.credentialsHint ?? 'check the cPanel user and API token';
    } else if (options.password) {
      this.#authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`, 'utf8').toString('base64')}`;
      this.secrets = [options.password, this.#authorization.slice('Basic '.length)];
      this.#check = options.credentialsHint ?? 'check CPANEL_USER and CPANEL_PASSWORD';
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
    if (statusCode < 200 || statusCode >= 300)
      return { status: statusCode, result: fail('unavailable', `cPanel ${fn}: HTTP ${statusCode}`) };
    const envelope = parseEnvelope(body);
    if (!envelope) return { status: statusCode, result: fail('unavailable', `cPanel ${fn}: unreadable answer (HTTP ${statusCode})`) };
    return { status: statusCode, result: fromUapiEnvelope(envelope, `cPanel ${fn}`) };
  }
}

/** MailboxProvider over cPanel UAPI (`/execute/Email/<function>`) with a cPanel user's API token or password. */
export class CpanelProvider extends UapiEmailProvider {
  constructor(options: CpanelProviderOptions) {
    super(options.name ?? 'cpanel', new ExecuteTransport(options), options.logger);
  }
}
