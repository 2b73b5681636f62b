/** How UAPI Email calls travel: the transport interface and the HTTP plumbing the cPanel and WHM transports share. */
import { readFileSync } from 'node:fs';
import got, { type Got } from 'got';
import type { ProviderFailureCode, ProviderResult } from '../mailbox-provider.ts';
import { fail, type Params } from './uapi.ts';

const DEFAULT_TIMEOUT_MS = 15_000;

/** One UAPI Email call as a transport saw it, before logging and scrubbing. */
export interface UapiTransportResult {
  result: ProviderResult<unknown>;
  /** The HTTP status, when an answer arrived. */
  status?: number;
}

/**
 * How a UAPI Email function reaches the server: cPanel's `/execute` with a user token (execute.ts), or
 * WHM's `uapi_cpanel` with a root/reseller token (../whm.ts). The Email logic above it is shared.
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
