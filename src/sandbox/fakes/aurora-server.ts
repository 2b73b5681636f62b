/**
 * A real HTTP server that answers like Afterlogic Aurora's Web API (`POST /?/Api/` with Module,
 * Method and a JSON Parameters string), with MailDomains/MtaConnector behaviour: Core.CreateUser
 * creates the user, its mail account and the mailbox in one call. Reply shapes, error codes and
 * the empty HTTP 500 follow /work/shared/reference/aurora-web-api.md (§4: what a real server did);
 * behaviour marked [INF] is a plausible guess where the reference is silent.
 *
 * As on the real server: a create on a domain without a mail server leaves a bare user (no
 * account), `failNext('Core.CreateUser', n, { mode: 'lose-account' })` loses the account the way a
 * swallowed deadlock does, the auto-responder ignores Start/End unless AllowScheduledAutoresponder
 * is on, and Core.Login auto-creates a missing account (it is not read-only).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from '../../lib/http.ts';

export interface FakeAuroraOptions {
  adminLogin?: string;
  adminPassword?: string;
  /** Mail domains with a mail server (MailDomains); users elsewhere cannot get an account. */
  domains?: string[];
  /** Tenants that exist besides 0 (0 always means the default tenant). */
  tenantIds?: number[];
  /**
   * AllowScheduledAutoresponder: only then are Scheduled, Start, End kept and reported. Off by
   * default, as on a real server, where they are then ignored without an error.
   */
  allowScheduledAutoresponder?: boolean;
  /** Logging on: every reply carries `@LoggerGuid`. */
  logging?: boolean;
  /** StoreAuthTokenInDB: only then does Core.Logout revoke a token. */
  storeAuthTokenInDb?: boolean;
}

export interface FakeAuroraUser {
  id: number;
  uuid: string;
  publicId: string;
  tenantId: number;
  role: number;
  isDisabled: boolean;
  /** sha256 hex; the plain password is never kept. */
  passwordHash: string | null;
  quotaBytes: number;
}

export interface FakeAuroraAccount {
  accountId: number;
  userId: number;
  email: string;
  serverId: number;
  incomingLogin: string;
  forward: { enable: boolean; email: string; keepMessageCopy: boolean };
  autoresponder: { enable: boolean; subject: string; message: string; scheduled: boolean; start: number | null; end: number | null };
}

export interface FakeAuroraCall {
  module: string;
  method: string;
  /** Parameters as the server decoded them (null when the JSON was invalid). */
  parameters: Record<string, unknown> | null;
  /** The Parameters field exactly as received. */
  rawParameters: string;
  httpMethod: string;
  headers: http.IncomingHttpHeaders;
  /** The authenticated user id: -1 superadmin, 0 anonymous or invalid token. */
  authenticatedUserId: number;
  /** HTTP status sent; 0 while (or if never) answered. */
  status: number;
  /** ErrorCode of the reply, if it was an error. */
  errorCode: number | undefined;
}

export interface FakeAuroraMailServer {
  id: number;
  name: string;
  incomingServer: string;
  incomingPort: number;
  incomingUseSsl: boolean;
  outgoingServer: string;
  outgoingPort: number;
  outgoingUseSsl: boolean;
  /** '0' none, '1' specified credentials, '2' the user's credentials. */
  smtpAuthType: string;
  /** Lower-case mail domains this server serves. */
  domains: string[];
  tenantId: number;
}

export type AuroraFailure =
  | { mode: 'empty500' }
  /** Core.CreateUser only: the user is created and its id returned, but the account insert is lost (a swallowed deadlock). */
  | { mode: 'lose-account' }
  | { mode: 'timeout' }
  | { mode: 'result-false' }
  | { mode: 'error'; code: number; message?: string };

export interface FakeAurora {
  readonly url: string;
  /** `<url>/?/Api/` */
  readonly apiUrl: string;
  readonly adminLogin: string;
  readonly adminPassword: string;
  readonly calls: FakeAuroraCall[];
  /** Calls to `Module.Method`. */
  callsTo(method: string): FakeAuroraCall[];
  readonly users: Map<number, FakeAuroraUser>;
  readonly accounts: Map<number, FakeAuroraAccount>;
  /** Mail servers (Mail.CreateServer); server 1 serves the `domains` option. */
  readonly servers: Map<number, FakeAuroraMailServer>;
  userByEmail(address: string): FakeAuroraUser | undefined;
  accountByEmail(address: string): FakeAuroraAccount | undefined;
  addUser(address: string, password: string, options?: { tenantId?: number; isDisabled?: boolean }): FakeAuroraUser;
  /** Users with no mail account (what a create on an unserved domain, or a lost account, leaves). */
  bareUsers(): FakeAuroraUser[];
  /** Every issued token stops working (as after ExpireUserSessionsBeforeTimestamp): the next call gets 101. */
  revokeTokens(): void;
  /** ManageSieve unreachable: forward and auto-responder calls fail with ErrorCode 0. */
  sieveDown: boolean;
  /** The next `times` calls to `Module.Method` ('*' for any) fail this way. */
  failNext(method: string, times: number, failure: AuroraFailure): void;
  failAlways(method: string, failure: AuroraFailure): void;
  clearFailures(): void;
  delayMs: number;
  close(): Promise<void>;
}

type Params = Record<string, unknown>;

/** An Aurora exception: the reply carries ErrorCode (and ErrorMessage) but no Result. */
class AuroraError extends Error {
  constructor(
    readonly code: number,
    message?: string,
    /** Module reported in the reply; "" for token, unknown-module and login errors. */
    readonly module?: string,
  ) {
    super(message ?? '');
  }
}

/** A PHP Error (not an Exception): Aurora answers HTTP 500 with an empty body. */
class PhpFatal extends Error {}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const PUBLIC_ID = /^[a-zA-Z0-9._\-+@]+$/;
const SUPERADMIN = -1;
const ANONYMOUS = 0;

const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : value === undefined || value === null ? fallback : String(value));

interface Failure {
  method: string;
  failure: AuroraFailure;
  remaining: number;
}

class FakeAuroraServer implements FakeAurora {
  url = '';
  readonly adminLogin: string;
  readonly adminPassword: string;
  readonly calls: FakeAuroraCall[] = [];
  readonly users = new Map<number, FakeAuroraUser>();
  readonly accounts = new Map<number, FakeAuroraAccount>();
  readonly servers = new Map<number, FakeAuroraMailServer>();
  sieveDown = false;
  delayMs = 0;

  readonly #tenants: Set<number>;
  readonly #allowScheduled: boolean;
  readonly #storeTokens: boolean;
  readonly #logging: boolean;
  /** token → authenticated user id */
  readonly #tokens = new Map<string, number>();
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #failures: Failure[] = [];
  #nextUserId = 1;
  #nextAccountId = 1;
  #nextServerId = 1;
  #closed = false;

  constructor(options: FakeAuroraOptions) {
    this.adminLogin = options.adminLogin ?? 'superadmin';
    this.adminPassword = options.adminPassword ?? randomBytes(12).toString('base64url');
    this.#tenants = new Set([0, ...(options.tenantIds ?? [1])]);
    this.#allowScheduled = options.allowScheduledAutoresponder ?? false;
    this.#storeTokens = options.storeAuthTokenInDb ?? false;
    this.#logging = options.logging ?? false;
    this.#addServer({
      name: 'mail',
      incomingServer: 'imap.local',
      incomingPort: 143,
      incomingUseSsl: false,
      outgoingServer: 'smtp.local',
      outgoingPort: 25,
      outgoingUseSsl: false,
      smtpAuthType: '2',
      domains: options.domains ?? ['example.com'],
      tenantId: 0,
    });
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
    const wanted = address.trim().toLowerCase();
    return [...this.users.values()].find((user) => user.publicId.toLowerCase() === wanted);
  }

  accountByEmail(address: string): FakeAuroraAccount | undefined {
    const wanted = address.trim().toLowerCase();
    return [...this.accounts.values()].find((account) => account.email.toLowerCase() === wanted);
  }

  addUser(address: string, password: string, options: { tenantId?: number; isDisabled?: boolean } = {}): FakeAuroraUser {
    return this.#createUser(address, password, options.tenantId ?? 0, 2, 0, options.isDisabled ?? false);
  }

  bareUsers(): FakeAuroraUser[] {
    return [...this.users.values()].filter((user) => ![...this.accounts.values()].some((account) => account.userId === user.id));
  }

  revokeTokens(): void {
    this.#tokens.clear();
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

  // --- HTTP

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const body = await readBody(req);
    if (!/^\?\/Api\/?$/.test(url.search)) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not found</body></html>'); // [INF]
      return;
    }
    const form = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded') ? new URLSearchParams(body) : new URLSearchParams();
    const module = form.get('Module') ?? '';
    const method = form.get('Method') ?? '';
    const rawParameters = form.get('Parameters') ?? '';
    let parameters: Params | null = {};
    if (rawParameters !== '') {
      try {
        const parsed: unknown = JSON.parse(rawParameters);
        parameters = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Params) : null;
      } catch {
        parameters = null;
      }
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
    const tokenUser = bearer === undefined ? undefined : this.#tokens.get(bearer);
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

    const reply = this.#reply(call, failure, bearer !== undefined && tokenUser === undefined);
    if (reply === null) return this.#send(res, call, 500, '');
    // Aurora sets no HTTP status for JSON replies: errors are HTTP 200 too.
    this.#send(res, call, 200, JSON.stringify(reply), 'application/json; charset=utf-8');
  }

  /** The JSON reply to one call; null for a PHP Error (an empty HTTP 500). */
  #reply(call: FakeAuroraCall, failure: AuroraFailure | undefined, unknownToken: boolean): Record<string, unknown> | null {
    const { module, method, parameters } = call;
    try {
      // A token that is present but unknown is refused before anything else (UserSession::Get).
      // Real 101 replies carry no ErrorMessage (§4).
      if (unknownToken) throw new AuroraError(101, undefined, '');
      if (parameters === null) throw new AuroraError(103, 'InvalidInputParameter', '');
      if (failure?.mode === 'error') throw new AuroraError(failure.code, failure.message, module);
      const result =
        failure?.mode === 'result-false'
          ? false
          : this.#dispatch(module, method, parameters, call.authenticatedUserId, failure?.mode === 'lose-account');
      return {
        AuthenticatedUserId: call.authenticatedUserId,
        '@Time': '0.0251',
        Module: module,
        Method: method,
        Result: result,
        SubscriptionsResult: null,
        '@TimeApiInit': '0.0103',
        ...this.#loggerGuid(),
      };
    } catch (error) {
      if (error instanceof PhpFatal) return null;
      if (!(error instanceof AuroraError)) throw error;
      call.errorCode = error.code;
      // Errors carry no Result and no Method (Response::FalseResponse / ExceptionResponse).
      return {
        // A refused login answers `false` here, a refused token 0 (§4).
        AuthenticatedUserId: error.code === 101 ? 0 : error.code === 102 ? false : call.authenticatedUserId,
        '@Time': '0.0091',
        SubscriptionsResult: null,
        '@TimeApiInit': '0.0053',
        ErrorCode: error.code,
        ...(error.message ? { ErrorMessage: error.message } : {}),
        Module: error.module ?? module,
        ...this.#loggerGuid(),
      };
    }
  }

  #loggerGuid(): Record<string, string> {
    return this.#logging ? { '@LoggerGuid': randomBytes(4).toString('hex') } : {};
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

  // --- Methods

  #dispatch(module: string, method: string, p: Params, authUser: number, loseAccount: boolean): unknown {
    const methods: Record<string, Record<string, () => unknown>> = {
      AdminAuth: {
        LoginAsSuperadmin: () => this.#loginAsSuperadmin(p),
      },
      Core: {
        Login: () => this.#login(p),
        Logout: () => this.#logout(authUser),
        CreateUser: () => this.#createUserApi(p, authUser, loseAccount),
        GetUsers: () => this.#getUsers(p, authUser),
        GetUser: () => this.#getUser(p, authUser),
        // Closed to the Web API (verified): MethodAccessDenied.
        GetUserByPublicId: () => {
          throw new AuroraError(116, 'MethodAccessDenied', 'Core');
        },
        UpdateUser: () => this.#updateUser(p, authUser),
        DeleteUser: () => this.#deleteUser(p, authUser),
      },
      Mail: {
        GetMailServerByDomain: () => this.#getMailServerByDomain(p),
        GetServers: () => this.#getServers(p, authUser),
        CreateServer: () => this.#createServerApi(p, authUser),
        CreateAccount: () => this.#createAccountApi(p, authUser),
        DeleteAccount: () => this.#deleteAccount(p, authUser),
        GetAccounts: () => this.#getAccounts(p, authUser),
        GetAccountByEmail: () => this.#getAccountByEmail(p, authUser),
        GetForward: () => this.#getForward(p, authUser),
        UpdateForward: () => this.#updateForward(p, authUser),
        GetAutoresponder: () => this.#getAutoresponder(p, authUser),
        UpdateAutoresponder: () => this.#updateAutoresponder(p, authUser),
      },
    };
    const moduleMethods = Object.hasOwn(methods, module) ? methods[module] : undefined;
    if (!moduleMethods) throw new AuroraError(113, 'ModuleNotFound', '');
    const handler = Object.hasOwn(moduleMethods, method) ? moduleMethods[method] : undefined;
    if (!handler) throw new AuroraError(114, 'MethodNotFound', module);
    return handler();
  }

  #requireSuperadmin(authUser: number, module: string): void {
    if (authUser !== SUPERADMIN) throw new AuroraError(108, 'AccessDenied', module);
  }

  /** A missing UserId is filled with the caller's id (-1 for the superadmin): CallMethod(). */
  #userId(p: Params, authUser: number, module: string): number {
    const value = Object.hasOwn(p, 'UserId') ? p.UserId : authUser;
    if (!isInt(value)) throw new AuroraError(103, 'InvalidInputParameter', module);
    return value;
  }

  #accountFor(p: Params, authUser: number): FakeAuroraAccount {
    this.#requireSuperadmin(authUser, 'Mail');
    if (!isInt(p.AccountID)) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    const account = this.accounts.get(p.AccountID);
    if (!account) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    if (this.sieveDown) throw new AuroraError(0, 'Can\'t connect to host "tcp://127.0.0.1:4190"', 'Mail');
    return account;
  }

  #issueToken(userId: number): string {
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, userId);
    return token;
  }

  #loginAsSuperadmin(p: Params): unknown {
    if (p.Login !== this.adminLogin || p.Password !== this.adminPassword) throw new AuroraError(102, 'AuthError', '');
    return { AuthToken: this.#issueToken(SUPERADMIN) };
  }

  /**
   * A user's login is checked by IMAP on the server of the address's domain. It is not read-only
   * (§4): a user without an account gets one when IMAP accepts the password.
   */
  #login(p: Params): unknown {
    const user = this.userByEmail(str(p.Login));
    const server = user ? this.#serverForDomain(user.publicId) : undefined;
    // "IMAP accepts" = the mailbox password the user was created with. Disabled users cannot log in. [INF]
    if (!user || !server || user.isDisabled || user.passwordHash === null || user.passwordHash !== sha256(str(p.Password))) {
      throw new AuroraError(102, 'AuthError', '');
    }
    if (!this.accountByEmail(user.publicId)) this.#addAccount(user.id, user.publicId, user.publicId, server.id);
    return { AuthToken: this.#issueToken(user.id) };
  }

  #logout(authUser: number): unknown {
    if (this.#storeTokens) {
      for (const [token, userId] of this.#tokens) if (userId === authUser && userId !== ANONYMOUS) this.#tokens.delete(token);
    }
    return true;
  }

  #createUser(
    publicId: string,
    password: string | null,
    tenantId: number,
    role: number,
    quotaBytes: number,
    isDisabled: boolean,
    loseAccount = false,
  ): FakeAuroraUser {
    if (this.userByEmail(publicId)) throw new AuroraError(111, 'UserAlreadyExists', 'Core');
    const user: FakeAuroraUser = {
      id: this.#nextUserId++,
      uuid: randomUUID(),
      publicId,
      tenantId,
      role,
      isDisabled,
      passwordHash: password === null ? null : sha256(password),
      quotaBytes,
    };
    this.users.set(user.id, user);
    // MailDomains' after-hook creates the account on the domain's server. No server for the
    // domain: the user stays bare and the call still succeeds (§4). A lost account (deadlock
    // swallowed by the framework) also leaves a bare user and returns the id.
    const server = this.#serverForDomain(publicId);
    if (server && !loseAccount) this.#addAccount(user.id, publicId, publicId, server.id);
    return user;
  }

  #addAccount(userId: number, email: string, incomingLogin: string, serverId: number): FakeAuroraAccount {
    const account: FakeAuroraAccount = {
      accountId: this.#nextAccountId++,
      userId,
      email,
      serverId,
      incomingLogin,
      forward: { enable: false, email: '', keepMessageCopy: true },
      autoresponder: { enable: false, subject: '', message: '', scheduled: false, start: null, end: null },
    };
    this.accounts.set(account.accountId, account);
    return account;
  }

  #addServer(input: Omit<FakeAuroraMailServer, 'id'>): FakeAuroraMailServer {
    const server: FakeAuroraMailServer = { ...input, id: this.#nextServerId++, domains: input.domains.map((d) => d.trim().toLowerCase()).filter(Boolean) };
    this.servers.set(server.id, server);
    return server;
  }

  #serverForDomain(address: string): FakeAuroraMailServer | undefined {
    if (!address.includes('@')) return undefined;
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    return [...this.servers.values()].find((server) => server.domains.includes(domain));
  }

  #createUserApi(p: Params, authUser: number, loseAccount: boolean): number {
    this.#requireSuperadmin(authUser, 'Core');
    const tenantId = p.TenantId ?? 0;
    const role = p.Role ?? 2;
    // Ids are compared with ===/is_int on the server; a string "1" is not a tenant. [INF for TenantId]
    if (!isInt(tenantId) || !this.#tenants.has(tenantId) || !isInt(role)) throw new AuroraError(103, 'InvalidInputParameter', 'Core');
    const publicId = str(p.PublicId);
    if (!PUBLIC_ID.test(publicId) || publicId.split('@').length > 2) throw new AuroraError(103, 'InvalidInputParameter', 'Core');
    const quota = p.QuotaBytes ?? 0;
    if (!isInt(quota) || quota < 0) throw new AuroraError(103, 'InvalidInputParameter', 'Core'); // [INF]
    const password = typeof p.Password === 'string' && p.Password !== '' ? p.Password : null;
    return this.#createUser(publicId, password, tenantId, role, quota, p.IsDisabled === true, loseAccount).id;
  }

  #userItem(user: FakeAuroraUser) {
    return { Id: user.id, UUID: user.uuid, Name: '', PublicId: user.publicId, Role: user.role, IsDisabled: user.isDisabled, Groups: [] };
  }

  #getUsers(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Core');
    const tenantId = p.TenantId ?? 0;
    if (!isInt(tenantId)) throw new AuroraError(103, 'InvalidInputParameter', 'Core');
    const search = str(p.Search).toLowerCase();
    const offset = isInt(p.Offset) ? p.Offset : 0;
    const limit = isInt(p.Limit) ? p.Limit : 0;
    // Search is a LIKE '%…%' filter on PublicId; TenantId 0 lists every tenant for the superadmin. [INF]
    const matching = [...this.users.values()]
      .filter((user) => (tenantId === 0 || user.tenantId === tenantId) && user.publicId.toLowerCase().includes(search))
      .sort((a, b) => a.publicId.localeCompare(b.publicId));
    const page = limit > 0 ? matching.slice(offset, offset + limit) : matching.slice(offset);
    return { Items: page.map((user) => this.#userItem(user)), Count: matching.length };
  }

  #getUser(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Core');
    const user = isInt(p.Id) ? this.users.get(p.Id) : undefined;
    if (!user) return false; // [INF]
    return { '@Object': 'Object/Aurora\\Modules\\Core\\Models\\User', ...this.#userItem(user), IdTenant: user.tenantId };
  }

  #updateUser(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Core');
    const userId = this.#userId(p, authUser, 'Core');
    const user = this.users.get(userId);
    if (!user) return false; // [INF]
    if (typeof p.IsDisabled === 'boolean') user.isDisabled = p.IsDisabled;
    if (typeof p.Password === 'string' && p.Password !== '') user.passwordHash = sha256(p.Password);
    return true;
  }

  #deleteUser(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Core');
    // is_int: the string "2" gives 103 (verified).
    const userId = this.#userId(p, authUser, 'Core');
    const user = this.users.get(userId);
    // A PHP Error on a missing id: HTTP 500, empty body (verified).
    if (!user) throw new PhpFatal();
    this.users.delete(userId);
    for (const [id, account] of this.accounts) if (account.userId === userId) this.accounts.delete(id);
    return true;
  }

  #serverObject(server: FakeAuroraMailServer) {
    return {
      '@Object': 'Object/Aurora\\Modules\\Mail\\Models\\Server',
      Id: server.id,
      ServerId: server.id,
      Name: server.name,
      IncomingServer: server.incomingServer,
      IncomingPort: server.incomingPort,
      IncomingUseSsl: server.incomingUseSsl,
      OutgoingServer: server.outgoingServer,
      OutgoingPort: server.outgoingPort,
      OutgoingUseSsl: server.outgoingUseSsl,
      SmtpAuthType: server.smtpAuthType,
      SmtpLogin: '',
      SmtpPassword: '*****',
      OwnerType: server.tenantId === 0 ? 'superadmin' : 'tenant',
      TenantId: server.tenantId,
      // A newline-separated list (fact sheet §2, Mail.GetServer).
      Domains: server.domains.join('\n'),
      EnableSieve: false,
      SievePort: 4190,
      EnableThreading: true,
      UseFullEmailAddressAsLogin: true,
    };
  }

  /** Real account objects carry about 33 keys (§4); the ones a client might read are real here. */
  #accountObject(account: FakeAuroraAccount) {
    const server = this.servers.get(account.serverId);
    return {
      '@Object': 'Object/Aurora\\Modules\\Mail\\Models\\MailAccount',
      AccountID: account.accountId,
      Id: account.accountId,
      UUID: `acct-${account.accountId}`,
      IdUser: account.userId,
      IsDisabled: false,
      UseToAuthorize: true,
      Email: account.email,
      FriendlyName: '',
      IncomingLogin: account.incomingLogin,
      IncomingPassword: '*****',
      IncludeInUnifiedMailbox: false,
      UseSignature: false,
      Signature: '',
      ServerId: account.serverId,
      Server: server ? this.#serverObject(server) : null,
      FoldersOrder: '',
      UseThreading: true,
      SaveRepliesToCurrFolder: false,
      ShowUnifiedMailboxLabel: false,
      UnifiedMailboxLabelText: '',
      UnifiedMailboxLabelColor: '',
      XOAuth: null,
      Properties: {},
      CanBeUsedToAuthorize: true,
      AllowFilters: true,
      AllowForward: true,
      AllowAutoresponder: true,
      EnableAllowBlockLists: false,
      Extend: [],
      HasAllowBlockListsSupport: false,
      LastLogin: 0,
      IdTenant: this.users.get(account.userId)?.tenantId ?? 0,
    };
  }

  /** Works anonymously; MailDomains makes it look in the domains table (fact sheet §2). */
  #getMailServerByDomain(p: Params): unknown {
    const server = this.#serverForDomain(`x@${str(p.Domain).trim()}`);
    // Not found: an empty array, not false (verified).
    return server ? { Server: this.#serverObject(server), FoundWithWildcard: false } : [];
  }

  #getServers(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Mail');
    const search = str(p.Search).toLowerCase();
    const items = [...this.servers.values()]
      .filter((server) => server.name.toLowerCase().includes(search))
      .map((server) => this.#serverObject(server));
    return { Items: items, Count: items.length };
  }

  #createServerApi(p: Params, authUser: number): number {
    this.#requireSuperadmin(authUser, 'Mail');
    const name = str(p.Name).trim();
    const incoming = str(p.IncomingServer).trim();
    const outgoing = str(p.OutgoingServer).trim();
    const port = (value: unknown) => (isInt(value) && value > 0 && value < 65536 ? value : null);
    const incomingPort = port(p.IncomingPort);
    const outgoingPort = port(p.OutgoingPort);
    const smtpAuthType = str(p.SmtpAuthType);
    const tenantId = p.TenantId ?? 0;
    if (name === '' || incoming === '' || outgoing === '' || incomingPort === null || outgoingPort === null || !['0', '1', '2'].includes(smtpAuthType) || !isInt(tenantId)) {
      throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    }
    return this.#addServer({
      name,
      incomingServer: incoming,
      incomingPort,
      incomingUseSsl: p.IncomingUseSsl === true,
      outgoingServer: outgoing,
      outgoingPort,
      outgoingUseSsl: p.OutgoingUseSsl === true,
      smtpAuthType,
      domains: str(p.Domains).split(/[\n\r]+/),
      tenantId,
    }).id;
  }

  /** `Server` null: the server is found by the address's domain; `{ServerId: n}`: that server. */
  #createAccountApi(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Mail');
    const userId = this.#userId(p, authUser, 'Mail');
    const user = this.users.get(userId);
    const email = str(p.Email).trim();
    if (!user || email === '' || !email.includes('@')) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    if (this.accountByEmail(email)) throw new AuroraError(704, 'AccountExists', 'Mail');
    const wanted = p.Server as { ServerId?: unknown } | null | undefined;
    const server =
      wanted && typeof wanted === 'object' && isInt(wanted.ServerId) ? this.servers.get(wanted.ServerId) : this.#serverForDomain(email);
    if (!server) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    const login = str(p.IncomingLogin).trim() || email;
    // DoImapLoginOnAccountCreate (default on): the IMAP login must succeed, else 4002 (verified
    // codes). "IMAP" here knows the password the user was created with, when there is one. [INF]
    const password = str(p.IncomingPassword);
    if (user.passwordHash !== null && user.passwordHash !== sha256(password)) throw new AuroraError(4002, 'CannotLoginCredentialsIncorrect', 'Mail');
    if (user.passwordHash === null && password !== '') user.passwordHash = sha256(password);
    return this.#accountObject(this.#addAccount(user.id, email, login, server.id));
  }

  #deleteAccount(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Mail');
    if (!isInt(p.AccountID) || !this.accounts.has(p.AccountID)) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    this.accounts.delete(p.AccountID);
    return true;
  }

  #getAccounts(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Mail');
    const userId = this.#userId(p, authUser, 'Mail');
    return [...this.accounts.values()].filter((a) => a.userId === userId).map((a) => this.#accountObject(a));
  }

  #getAccountByEmail(p: Params, authUser: number): unknown {
    this.#requireSuperadmin(authUser, 'Mail');
    const userId = this.#userId(p, authUser, 'Mail');
    const account = this.accountByEmail(str(p.Email));
    return account && account.userId === userId ? this.#accountObject(account) : false;
  }

  #getForward(p: Params, authUser: number): unknown {
    const { forward } = this.#accountFor(p, authUser);
    return { Enable: forward.enable, KeepMessageCopy: forward.keepMessageCopy, Email: forward.email };
  }

  #updateForward(p: Params, authUser: number): unknown {
    const account = this.#accountFor(p, authUser);
    const enable = p.Enable === true;
    const email = str(p.Email).trim();
    if (enable && email === '') throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    account.forward = { enable, email, keepMessageCopy: p.KeepMessageCopy !== false };
    return true;
  }

  #getAutoresponder(p: Params, authUser: number): unknown {
    const { autoresponder: a } = this.#accountFor(p, authUser);
    const base = { Enable: a.enable, Subject: a.subject, Message: a.message };
    return this.#allowScheduled ? { ...base, Scheduled: a.scheduled, Start: a.start, End: a.end } : base;
  }

  #updateAutoresponder(p: Params, authUser: number): unknown {
    const account = this.#accountFor(p, authUser);
    const enable = p.Enable === true;
    const subject = str(p.Subject);
    const message = str(p.Message);
    // Enable with an empty subject and body gives 103 (verified).
    if (enable && subject === '' && message === '') throw new AuroraError(103, 'InvalidInputParameter', 'Mail');
    const scheduled = this.#allowScheduled && p.Scheduled === true;
    const start = isInt(p.Start) ? p.Start : null;
    const end = isInt(p.End) ? p.End : null;
    if (scheduled && (start === null || end === null || end <= start)) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    account.autoresponder = { enable, subject, message, scheduled, start: scheduled ? start : null, end: scheduled ? end : null };
    return true;
  }
}


export async function startFakeAurora(options: FakeAuroraOptions = {}): Promise<FakeAurora> {
  const fake = new FakeAuroraServer(options);
  await fake.listen();
  return fake;
}
