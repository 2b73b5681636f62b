/**
 * The cPanel fake's HTTP(S) server: `/execute/<Module>/<function>` with token or password sign-in,
 * or, when it plays WHM, `/json-api/uapi_cpanel` with a WHM token or access hash; failure
 * injection, delays, and the record of every call. The state and the Email functions it serves
 * live in state.ts and email-functions.ts.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from '../../../lib/http.ts';
import { dispatch, emailFunctions, envelope } from './email-functions.ts';
import { CpanelState } from './state.ts';
import type { Failure, FailureMode, FakeCall, FakeCpanel, FakeCpanelOptions, Handler, Params } from './types.ts';
import { quote } from './util.ts';

const htmlPage = (code: number, title: string): string =>
  `<html><head><title>${code} ${title}</title></head><body><h1>${code} ${title}</h1></body></html>\n`;

class FakeCpanelServer extends CpanelState implements FakeCpanel {
  url = '';
  readonly calls: FakeCall[] = [];
  delayMs = 0;
  /** Calls being answered right now (inside the delay), and the most at once: what a benchmark reads. */
  inFlight = 0;
  maxInFlight = 0;

  readonly #server: http.Server | https.Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #failures: Failure[] = [];
  #closed = false;
  readonly #handlers: Record<string, Handler>;

  constructor(options: FakeCpanelOptions) {
    super(options);
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          this.#send(res, undefined, 500, 'text/html', htmlPage(500, 'Internal Server Error'));
        }
      });
    };
    this.#server = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
      : http.createServer(listener);
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });

    this.#handlers = emailFunctions(this);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.url = `${this.#server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  callsTo(fn: string): FakeCall[] {
    return this.calls.filter((call) => call.fn === fn);
  }

  failNext(fn: string, times: number, mode: FailureMode, message?: string): void {
    this.#failures.push({ fn, mode, message, remaining: times });
  }

  failAlways(fn: string, mode: FailureMode, message?: string): void {
    this.#failures.push({ fn, mode, message, remaining: Number.POSITIVE_INFINITY });
  }

  clearFailures(): void {
    this.#failures = [];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Held ('timeout') requests would keep close() waiting forever.
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    await closed;
  }

  // --- HTTP

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const body = await readBody(req);
    const query: Params = Object.fromEntries(url.searchParams);
    const params: Params = { ...query };
    if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      for (const [key, value] of new URLSearchParams(body)) params[key] = value;
    }

    if (this.whm) return this.#handleWhm(req, res, url, query, params);
    const match = /^\/execute\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    const call: FakeCall = {
      module: match?.[1] ?? '',
      fn: match?.[2] ?? '',
      params,
      method: req.method ?? 'GET',
      query,
      headers: req.headers,
      authorized: false,
      authMethod: this.#authorized(req.headers.authorization),
      status: 0,
      receivedAt: Date.now(),
    };
    call.authorized = call.authMethod !== null;
    this.calls.push(call);

    // Token auth makes cpsrvd answer with plain HTTP errors rather than a UAPI envelope.
    if (!call.authorized) {
      await this.#delay();
      return this.#send(res, call, 401, 'text/html', htmlPage(401, 'Access denied'));
    }
    if (!match) {
      const forbidden = 'Token authentication allows access to UAPI or API 2 calls only.\n';
      return this.#send(res, call, 403, 'text/plain', forbidden);
    }

    const failure = this.#takeFailure(call.fn);
    if (failure?.mode === 'timeout') return;
    if (failure?.mode === 'succeed-then-timeout') {
      this.#dispatch(call.module, call.fn, params);
      return;
    }
    await this.#delay();
    if (failure?.mode === 'http500') {
      return this.#send(res, call, 500, 'text/html', htmlPage(500, 'Internal Server Error'));
    }
    if (failure?.mode === 'http503') {
      return this.#send(res, call, 503, 'text/html', htmlPage(503, 'Service Unavailable'));
    }
    const answer =
      failure?.mode === 'status0'
        ? envelope(0, null, [failure.message ?? 'The system experienced an unexpected error.'], false)
        : this.#dispatch(call.module, call.fn, params);
    this.#send(res, call, 200, 'application/json', JSON.stringify(answer));
  }

  // --- WHM API 1 (only when the fake plays WHM)

  async #handleWhm(req: http.IncomingMessage, res: http.ServerResponse, url: URL, query: Params, params: Params): Promise<void> {
    const match = /^\/json-api\/([^/]+)\/?$/.exec(url.pathname);
    const call: FakeCall = {
      module: params['cpanel.module'] ?? '',
      fn: params['cpanel.function'] ?? '',
      params,
      method: req.method ?? 'GET',
      query,
      headers: req.headers,
      authorized: false,
      authMethod: this.#whmAuthorized(req.headers.authorization),
      status: 0,
      receivedAt: Date.now(),
    };
    call.authorized = call.authMethod !== null;
    this.calls.push(call);
    const json = (status: number, body: unknown) => this.#send(res, call, status, 'application/json', JSON.stringify(body));

    // Observed answer to bad WHM credentials (fact sheet §1.3).
    if (!call.authorized) {
      await this.#delay();
      return json(403, {
        cpanelresult: { apiversion: '2', error: 'Access denied', data: { reason: 'Access denied', result: '0' }, type: 'text' },
      });
    }
    if (!match) return this.#send(res, call, 403, 'text/plain', 'WHM does not serve this path with a WHM token.\n'); // [INF]
    const command = match[1] ?? '';
    const whmFailure = (reason: string) =>
      json(200, { metadata: { command, reason: `API failure: (XID ${randomBytes(3).toString('hex')}) ${reason}`, result: 0, version: 1 } });
    // Without api.version=1 the call lands on the deprecated WHM API 0. [INF] wording
    if (params['api.version'] !== '1')
      return json(200, { status: 0, statusmsg: `Unknown app (${quote(command)}) requested for this version (0) of the API.` });
    if (command !== 'uapi_cpanel') return whmFailure(`Unknown app (${quote(command)}) requested for this version (1) of the API.`); // [INF]
    for (const name of ['cpanel.user', 'cpanel.module', 'cpanel.function']) {
      if (!params[name]) return whmFailure(`Provide the ${quote(name)} argument.`);
    }
    if (params['cpanel.user'] !== this.user) return whmFailure(`You do not have a user named ${quote(params['cpanel.user'] ?? '')}.`);

    const inner: Params = Object.fromEntries(
      Object.entries(params).filter(([key]) => !key.startsWith('cpanel.') && !key.startsWith('api.')),
    );
    const failure = this.#takeFailure(call.fn);
    if (failure?.mode === 'timeout') return;
    if (failure?.mode === 'succeed-then-timeout') {
      this.#dispatch(call.module, call.fn, inner);
      return;
    }
    await this.#delay();
    if (failure?.mode === 'http500') return this.#send(res, call, 500, 'text/html', htmlPage(500, 'Internal Server Error'));
    if (failure?.mode === 'http503') return this.#send(res, call, 503, 'text/html', htmlPage(503, 'Service Unavailable'));
    const uapi =
      failure?.mode === 'status0'
        ? envelope(0, null, [failure.message ?? 'The system experienced an unexpected error.'], false)
        : this.#dispatch(call.module, call.fn, inner);
    // WHM reports OK whatever the inner UAPI status (fact sheet §2.3).
    return json(200, { data: { uapi }, metadata: { command: 'uapi_cpanel', reason: 'OK', result: 1, version: 1 } });
  }

  /** `cpanel USER:TOKEN` or HTTP Basic with the account password (fact sheet §1.1). */
  #authorized(header: string | undefined): FakeCall['authMethod'] {
    const value = header?.trim() ?? '';
    const token = /^cpanel\s+([^:\s]+):(\S+)$/i.exec(value);
    if (token) return token[1] === this.user && token[2] === this.token ? 'token' : null;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
    if (!basic) return null;
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    return decoded === `${this.user}:${this.password}` ? 'password' : null;
  }

  /** `whm USER:TOKEN` or the legacy `WHM USER:ACCESSHASH` (hash in one line): the scheme is the same word. */
  #whmAuthorized(header: string | undefined): FakeCall['authMethod'] {
    const whm = this.whm as { user: string; token: string; accessHash: string };
    const match = /^whm\s+([^:\s]+):(\S+)$/i.exec(header?.trim() ?? '');
    if (!match || match[1] !== whm.user) return null;
    if (match[2] === whm.token) return 'token';
    return match[2] === whm.accessHash.replace(/\s+/g, '') ? 'accesshash' : null;
  }

  #takeFailure(fn: string): Failure | undefined {
    const failure = this.#failures.find((f) => f.remaining > 0 && (f.fn === fn || f.fn === '*'));
    if (failure) failure.remaining--;
    return failure;
  }

  #delay(): Promise<void> {
    if (this.delayMs <= 0) return Promise.resolve();
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.inFlight -= 1;
        resolve();
      }, this.delayMs);
      this.#timers.add(timer);
    });
  }

  #send(res: http.ServerResponse, call: FakeCall | undefined, status: number, type: string, body: string): void {
    if (res.destroyed || this.#closed) return;
    if (call) call.status = status;
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  #dispatch(module: string, fn: string, params: Params): ReturnType<typeof envelope> {
    return dispatch(this.#handlers, module, fn, params);
  }
}

export async function startFakeCpanel(options: FakeCpanelOptions = {}): Promise<FakeCpanel> {
  const fake = new FakeCpanelServer(options);
  await fake.listen();
  return fake;
}
