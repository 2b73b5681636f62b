/**
 * The Aurora fake's HTTP server on 127.0.0.1 and the handle tests hold: it decodes `POST /?/Api/`,
 * records the call, applies injected failures and delays, and sends the reply api.ts builds.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from '../../../lib/http.ts';
import { reply } from './api.ts';
import { AuroraState } from './state.ts';
import type {
  AuroraFailure,
  FakeAurora,
  FakeAuroraAccount,
  FakeAuroraCall,
  FakeAuroraMailServer,
  FakeAuroraOptions,
  FakeAuroraUser,
  Params,
} from './types.ts';
import { ANONYMOUS } from './util.ts';

interface Failure {
  method: string;
  failure: AuroraFailure;
  remaining: number;
}

/** Parameters as the server decodes them: null when the JSON is invalid or not an object. */
function decodeParameters(rawParameters: string): Params | null {
  if (rawParameters === '') return {};
  try {
    const parsed: unknown = JSON.parse(rawParameters);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Params) : null;
  } catch {
    return null;
  }
}

class FakeAuroraServer implements FakeAurora {
  url = '';
  readonly adminLogin: string;
  readonly adminPassword: string;
  readonly calls: FakeAuroraCall[] = [];
  readonly users: Map<number, FakeAuroraUser>;
  readonly accounts: Map<number, FakeAuroraAccount>;
  readonly servers: Map<number, FakeAuroraMailServer>;
  delayMs = 0;

  readonly #state: AuroraState;
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #failures: Failure[] = [];
  #closed = false;

  constructor(options: FakeAuroraOptions) {
    this.#state = new AuroraState(options);
    this.adminLogin = this.#state.adminLogin;
    this.adminPassword = this.#state.adminPassword;
    this.users = this.#state.users;
    this.accounts = this.#state.accounts;
    this.servers = this.#state.servers;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
      });
    });
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  get apiUrl(): string {
    return `${this.url}/?/Api/`;
  }

  get sieveDown(): boolean {
    return this.#state.sieveDown;
  }

  set sieveDown(down: boolean) {
    this.#state.sieveDown = down;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  callsTo(method: string): FakeAuroraCall[] {
    return this.calls.filter((call) => `${call.module}.${call.method}` === method);
  }

  userByEmail(address: string): FakeAuroraUser | undefined {
    return this.#state.userByEmail(address);
  }

  accountByEmail(address: string): FakeAuroraAccount | undefined {
    return this.#state.accountByEmail(address);
  }

  addUser(
    address: string,
    password: string,
    options: { tenantId?: number; isDisabled?: boolean; withoutAccount?: boolean } = {},
  ): FakeAuroraUser {
    return this.#state.createUser(
      address,
      password,
      options.tenantId ?? 0,
      2,
      0,
      options.isDisabled ?? false,
      options.withoutAccount ?? false,
    );
  }

  bareUsers(): FakeAuroraUser[] {
    return [...this.users.values()].filter((user) => ![...this.accounts.values()].some((account) => account.userId === user.id));
  }

  revokeTokens(): void {
    this.#state.tokens.clear();
  }

  failNext(method: string, times: number, failure: AuroraFailure): void {
    this.#failures.push({ method, failure, remaining: times });
  }

  failAlways(method: string, failure: AuroraFailure): void {
    this.#failures.push({ method, failure, remaining: Number.POSITIVE_INFINITY });
  }

  clearFailures(): void {
    this.#failures = [];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const body = await readBody(req);
    if (!/^\?\/Api\/?$/.test(url.search)) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not found</body></html>'); // [INF]
      return;
    }
    const form = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')
      ? new URLSearchParams(body)
      : new URLSearchParams();
    const module = form.get('Module') ?? '';
    const method = form.get('Method') ?? '';
    const rawParameters = form.get('Parameters') ?? '';
    const parameters = decodeParameters(rawParameters);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
    const tokenUser = bearer === undefined ? undefined : this.#state.tokens.get(bearer);
    const call: FakeAuroraCall = {
      module,
      method,
      parameters,
      rawParameters,
      httpMethod: req.method ?? 'GET',
      headers: req.headers,
      authenticatedUserId: tokenUser ?? ANONYMOUS,
      status: 0,
      errorCode: undefined,
    };
    this.calls.push(call);

    const failure = this.#takeFailure(`${module}.${method}`);
    if (failure?.mode === 'timeout') return;
    await this.#delay();
    if (failure?.mode === 'empty500') return this.#send(res, call, 500, '');

    const answer = reply(this.#state, call, failure, bearer !== undefined && tokenUser === undefined);
    if (answer === null) return this.#send(res, call, 500, '');
    // Aurora sets no HTTP status for JSON replies: errors are HTTP 200 too.
    this.#send(res, call, 200, JSON.stringify(answer), 'application/json; charset=utf-8');
  }

  #takeFailure(method: string): AuroraFailure | undefined {
    const entry = this.#failures.find((f) => f.remaining > 0 && (f.method === method || f.method === '*'));
    if (entry) entry.remaining--;
    return entry?.failure;
  }

  #delay(): Promise<void> {
    if (this.delayMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, this.delayMs);
      this.#timers.add(timer);
    });
  }

  #send(res: http.ServerResponse, call: FakeAuroraCall, status: number, body: string, type?: string): void {
    if (res.destroyed || this.#closed) return;
    call.status = status;
    res.writeHead(status, { ...(type ? { 'content-type': type } : {}), 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}

export async function startFakeAurora(options: FakeAuroraOptions = {}): Promise<FakeAurora> {
  const fake = new FakeAuroraServer(options);
  await fake.listen();
  return fake;
}
