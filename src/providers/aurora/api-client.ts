/**
 * The Aurora Web API client: `POST <url>/?/Api/` with `Module`, `Method` and `Parameters` (a JSON
 * string built by JSON.stringify), authenticated by a superadmin bearer token that is cached and
 * renewed once when Aurora answers 101. Failure reasons never carry the admin password or a
 * caller's secrets.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import got, { type Got } from 'got';
import type { Logger } from 'pino';
import type { ProviderResult } from '../mailbox-provider.ts';
import { AUTH_ERROR, classifyError, EMPTY_500, ERROR_NAMES, INVALID_TOKEN, scrub } from './errors.ts';
import type { AuroraProviderOptions } from './types.ts';
import { type Failure, fail, ok, toInt } from './util.ts';

/** What one POST to `?/Api/` came back with. */
export type Answer =
  | { kind: 'result'; result: unknown; subscriptions?: unknown }
  | { kind: 'error'; code: number; message: string | undefined }
  | { kind: 'failure'; failure: Failure };

/** The answer in an HTTP reply Aurora sent (status and body). */
function answerOf(what: string, status: number, body: string): Answer {
  if (status >= 500 && body.trim() === '') {
    return { kind: 'failure', failure: fail('unavailable', `${what}: HTTP ${status}${EMPTY_500}`) };
  }
  if (status === 401 || status === 403) {
    return { kind: 'failure', failure: fail('auth_failed', `${what}: HTTP ${status}`) };
  }
  if (status < 200 || status >= 300) return { kind: 'failure', failure: fail('unavailable', `${what}: HTTP ${status}`) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'failure', failure: fail('unavailable', `${what}: unreadable answer (HTTP ${status})`) };
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return { kind: 'failure', failure: fail('unavailable', `${what}: unreadable answer (HTTP ${status})`) };
  }
  const reply = parsed as Record<string, unknown>;
  // Errors carry ErrorCode and no Result (current framework); check ErrorCode first.
  if ('ErrorCode' in reply) {
    const code = toInt(reply.ErrorCode) ?? -1;
    return { kind: 'error', code, message: typeof reply.ErrorMessage === 'string' ? reply.ErrorMessage : undefined };
  }
  if ('Result' in reply) return { kind: 'result', result: reply.Result, subscriptions: reply.SubscriptionsResult };
  return { kind: 'failure', failure: fail('unavailable', `${what}: answer without Result or ErrorCode`) };
}

export class AuroraApiClient {
  readonly #http: Got;
  readonly #url: string;
  readonly #options: AuroraProviderOptions;
  readonly logger: Logger | undefined;
  #token: Promise<ProviderResult<string>> | null = null;
  #currentToken: string | null = null;

  constructor(options: AuroraProviderOptions) {
    this.#options = options;
    this.logger = options.logger;
    this.#url = new URL('?/Api/', `${options.baseUrl.replace(/\/+$/, '')}/`).toString();
    this.#http = got.extend({
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      timeout: { request: options.timeoutMs ?? 15_000 },
      responseType: 'text',
      https: options.caFile ? { certificateAuthority: readFileSync(options.caFile) } : {},
    });
  }

  /** Tenant new users go to, and where users are looked up. */
  get tenantId(): number {
    return this.#options.tenantId;
  }

  /** A superadmin call: logs in when needed and once more when the token is refused (101). */
  async api(
    module: string,
    method: string,
    parameters: Record<string, unknown>,
    secrets: readonly string[] = [],
  ): Promise<ProviderResult<unknown>> {
    const answer = await this.apiWithSubscriptions(module, method, parameters, secrets);
    return answer.ok ? ok(answer.value.result) : answer;
  }

  /** As api(), with the reply's SubscriptionsResult: what event subscribers (e.g. MtaConnector) report. */
  async apiWithSubscriptions(
    module: string,
    method: string,
    parameters: Record<string, unknown>,
    secrets: readonly string[] = [],
  ): Promise<ProviderResult<{ result: unknown; subscriptions: unknown }>> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.#getToken();
      if (!token.ok) return token;
      const answer = await this.post(module, method, parameters, token.value);
      if (answer.kind === 'result') return ok({ result: answer.result, subscriptions: answer.subscriptions ?? null });
      if (answer.kind === 'failure') return this.scrubbed(answer.failure, secrets);
      if (answer.code === INVALID_TOKEN && attempt === 1) {
        this.#forgetToken(token.value);
        continue;
      }
      return this.scrubbed(this.errorFailure(module, method, answer), secrets);
    }
  }

  /** One login at a time, shared by every call waiting for it. */
  #getToken(): Promise<ProviderResult<string>> {
    if (!this.#token) {
      const login = this.#login();
      this.#token = login;
      void login.then((result) => {
        if (this.#token !== login) return;
        // A failed login is not cached: the next call tries again.
        if (result.ok) this.#currentToken = result.value;
        else this.#token = null;
      });
    }
    return this.#token;
  }

  /** Drops `token` unless a concurrent call has already replaced it. */
  #forgetToken(token: string): void {
    if (this.#currentToken !== token) return;
    this.#token = null;
    this.#currentToken = null;
  }

  async #login(): Promise<ProviderResult<string>> {
    const { adminLogin, adminPassword } = this.#options;
    const answer = await this.post('AdminAuth', 'LoginAsSuperadmin', { Login: adminLogin, Password: adminPassword }, undefined);
    if (answer.kind === 'failure') return this.scrubbed(answer.failure, []);
    if (answer.kind === 'error') {
      const failure = this.errorFailure('AdminAuth', 'LoginAsSuperadmin', answer);
      return this.scrubbed(
        answer.code === AUTH_ERROR
          ? { ...failure, reason: `${failure.reason} (check AURORA_ADMIN_LOGIN and AURORA_ADMIN_PASSWORD)` }
          : failure,
        [],
      );
    }
    const token = (answer.result as { AuthToken?: unknown } | null)?.AuthToken;
    if (typeof token !== 'string' || token === '') return fail('auth_failed', 'Aurora AdminAuth.LoginAsSuperadmin returned no AuthToken');
    return ok(token);
  }

  errorFailure(module: string, method: string, answer: { code: number; message: string | undefined }): Failure {
    const name = answer.message || ERROR_NAMES[answer.code] || 'error';
    return fail(classifyError(answer.code), `Aurora ${module}.${method}: error ${answer.code} (${name})`);
  }

  scrubbed<T>(failure: Failure, secrets: readonly string[]): ProviderResult<T> {
    return { ...failure, reason: scrub(failure.reason, [this.#options.adminPassword, ...secrets]) };
  }

  /** One POST. Never logs Parameters: they carry passwords. */
  async post(module: string, method: string, parameters: Record<string, unknown>, token: string | undefined): Promise<Answer> {
    const what = `Aurora ${module}.${method}`;
    const started = performance.now();
    let status: number | undefined;
    const answer = await (async (): Promise<Answer> => {
      let body: string;
      try {
        const response = await this.#http.post(this.#url, {
          form: { Module: module, Method: method, Parameters: JSON.stringify(parameters) },
          // No cookie jar: an AuthToken cookie would take precedence over this header.
          headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        });
        status = response.statusCode;
        body = response.body;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const message = error instanceof Error ? error.message : String(error);
        return { kind: 'failure', failure: fail('unavailable', `${what}: ${typeof code === 'string' ? `${code}: ` : ''}${message}`) };
      }
      return answerOf(what, status, body);
    })();
    this.logger?.[answer.kind === 'result' ? 'info' : 'warn'](
      {
        module,
        method,
        status,
        durationMs: Math.round(performance.now() - started),
        outcome: answer.kind === 'result' ? 'ok' : answer.kind === 'error' ? `error ${answer.code}` : answer.failure.code,
      },
      'aurora call',
    );
    return answer;
  }
}
