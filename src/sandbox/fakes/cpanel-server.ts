/**
 * A real HTTP(S) server that answers like cPanel's UAPI `/execute/<Module>/<function>` for the
 * Email module (fact sheet §7). Error texts are cPanel's where known; texts marked [INF] are
 * plausible guesses, so clients should only rely on the substrings the fact sheet recommends.
 *
 * With `whm` set it plays WHM instead (port 2087): the same Email state machine is reached through
 * WHM API 1 `/json-api/uapi_cpanel` with `Authorization: whm USER:TOKEN` (fact sheet §1.2, §2.3);
 * see whm-server.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { cpanelPasswordStrength } from '../../services/credentials/password.ts';
import { readBody } from '../../lib/http.ts';

export type FailureMode = 'http500' | 'http503' | 'timeout' | 'status0' | 'succeed-then-timeout';

export interface FakeCpanelOptions {
  user?: string;
  token?: string;
  /** The cPanel account's own password, accepted as HTTP Basic on `/execute`; random by default. */
  password?: string;
  /** Domains on the account, main domain first. Default `['example.com']`. */
  domains?: string[];
  /** Required password strength (cPanel's default is 65; 0 disables the check). */
  minStrength?: number;
  /** "Max Quota per Email Address" of the hosting package; unset means no maximum. */
  maxQuotaMb?: number;
  tls?: { key: string; cert: string };
  /**
   * Serve WHM API 1 (`/json-api/uapi_cpanel`) for this root/reseller token instead of `/execute`;
   * `accessHash` (random by default) is also accepted, as `Authorization: WHM user:hash`.
   */
  whm?: { user?: string; token?: string; accessHash?: string };
}

export interface FakeMailbox {
  quotaMb: number;
  suspendedLogin: boolean;
  suspendedIncoming: boolean;
  /** sha256 hex of the password; the fake never keeps the plain text in its state. */
  passwordHash: string;
  mtime: number;
}

export interface FakeAutoResponder {
  from: string;
  subject: string;
  body: string;
  isHtml: boolean;
  charset: string;
  interval: number;
  start: number;
  stop: number;
}

export interface FakeCall {
  module: string;
  fn: string;
  /** Query and form body merged (body wins), secrets included, exactly as received. */
  params: Record<string, string>;
  method: string;
  /** Only the parameters that came in the query string. */
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  authorized: boolean;
  /** How the accepted request signed in; null when it was refused. */
  authMethod: 'token' | 'password' | 'accesshash' | null;
  /** HTTP status sent; 0 while (or if never) answered. */
  status: number;
}

export interface FakeCpanel {
  readonly url: string;
  readonly user: string;
  readonly token: string;
  /** The account password HTTP Basic sign-in accepts. */
  readonly password: string;
  readonly domains: string[];
  /** The WHM login when the fake plays WHM; `user` is then the cPanel account WHM acts for. */
  readonly whm: { user: string; token: string; accessHash: string } | undefined;
  readonly calls: FakeCall[];
  callsTo(fn: string): FakeCall[];
  /** address (lowercase) → mailbox */
  readonly mailboxes: Map<string, FakeMailbox>;
  /** source address (lowercase) → targets */
  readonly forwarders: Map<string, string[]>;
  /** address (lowercase) → auto-responder */
  readonly autoResponders: Map<string, FakeAutoResponder>;
  addMailbox(address: string, password: string, quotaMb?: number): void;
  /** The next `times` calls to `fn` ('*' for any function) fail with `mode`. */
  failNext(fn: string, times: number, mode: FailureMode, message?: string): void;
  /** Every call to `fn` ('*' for any function) fails with `mode` until `clearFailures()`. */
  failAlways(fn: string, mode: FailureMode, message?: string): void;
  clearFailures(): void;
  /** Added before every answer. */
  delayMs: number;
  minStrength: number;
  maxQuotaMb: number | undefined;
  close(): Promise<void>;
}

type Params = Record<string, string>;
type Handler = (params: Params) => unknown;

interface Failure {
  fn: string;
  mode: FailureMode;
  message: string | undefined;
  remaining: number;
}

/** A UAPI-level failure: HTTP 200, `status: 0`, `errors: [message]`. */
class UapiError extends Error {}

const SYSTEM_MAX_QUOTA_MB = 4_294_967_296;
const DEFAULT_QUOTA_MB = 1024;
const RESERVED_LOCAL_PARTS = new Set(
  ['cpanel', 'shadow', 'passwd', 'quota', '_archive', '_mainaccount', '_privs.json', '_privs.cache'].flatMap((name) => [
    name,
    `${name}.lock`,
  ]),
);
/** Functions whose array answers cPanel marks as post-processed. */
const TRANSFORMED = new Set([
  'list_pops',
  'list_pops_with_disk',
  'list_forwarders',
  'list_auto_responders',
  'list_mail_domains',
  'add_forwarder',
]);

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const quote = (text: string): string => `“${text}”`;

function quotedList(names: string[]): string {
  const quoted = names.map(quote);
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}

function required(params: Params, ...names: string[]): void {
  const missing = names.filter((name) => (params[name] ?? '') === '');
  if (missing.length === 1) throw new UapiError(`Provide the ${quotedList(missing)} argument.`);
  if (missing.length > 1) throw new UapiError(`Provide the ${quotedList(missing)} arguments.`);
}

/** cPanel trims, drops NULs and lowercases local parts (Cpanel::Email::Normalize::EmailLocalPart). */
const normalize = (text: string): string => text.replace(/\0/g, '').trim();

const envelope = (status: 0 | 1, data: unknown, errors: string[] | null, transformed: boolean) => ({
  data,
  errors,
  messages: null,
  metadata: transformed ? { transformed: 1 } : {},
  status,
  warnings: null,
});

const htmlPage = (code: number, title: string): string =>
  `<html><head><title>${code} ${title}</title></head><body><h1>${code} ${title}</h1></body></html>\n`;

function compileRegex(pattern: string | undefined): RegExp | null {
  if (!pattern) return null;
  try {
    return new RegExp(pattern);
  } catch {
    throw new UapiError(`The regular expression ${quote(pattern)} is invalid.`); // [INF]
  }
}

class FakeCpanelServer implements FakeCpanel {
  url = '';
  readonly user: string;
  readonly token: string;
  readonly password: string;
  readonly domains: string[];
  readonly whm: { user: string; token: string; accessHash: string } | undefined;
  readonly calls: FakeCall[] = [];
  readonly mailboxes = new Map<string, FakeMailbox>();
  readonly forwarders = new Map<string, string[]>();
  readonly autoResponders = new Map<string, FakeAutoResponder>();
  delayMs = 0;
  minStrength: number;
  maxQuotaMb: number | undefined;

  readonly #server: http.Server | https.Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #failures: Failure[] = [];
  #closed = false;
  readonly #handlers: Record<string, Handler>;

  constructor(options: FakeCpanelOptions) {
    this.user = options.user ?? 'cpuser';
    this.token = options.token ?? randomBytes(16).toString('hex').toUpperCase();
    this.password = options.password ?? randomBytes(12).toString('base64url');
    this.domains = (options.domains ?? ['example.com']).map((d) => d.toLowerCase());
    this.minStrength = options.minStrength ?? 65;
    this.maxQuotaMb = options.maxQuotaMb;
    this.whm = options.whm
      ? {
          user: options.whm.user ?? 'root',
          token: options.whm.token ?? randomBytes(16).toString('hex').toUpperCase(),
          // A real hash is ~900 characters of [a-z0-9] spread over lines of 32.
          accessHash: options.whm.accessHash ?? randomBytes(160).toString('hex'),
        }
      : undefined;

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

    this.#handlers = {
      add_pop: (p) => this.#addPop(p),
      delete_pop: (p) => this.#deletePop(p),
      list_pops: (p) => this.#listPops(p),
      list_pops_with_disk: (p) => this.#listPopsWithDisk(p),
      verify_password: (p) => this.#verifyPassword(p),
      passwd_pop: (p) => this.#passwdPop(p),
      add_forwarder: (p) => this.#addForwarder(p),
      list_forwarders: (p) => this.#listForwarders(p),
      delete_forwarder: (p) => this.#deleteForwarder(p),
      add_auto_responder: (p) => this.#addAutoResponder(p),
      get_auto_responder: (p) => this.#getAutoResponder(p),
      delete_auto_responder: (p) => this.#deleteAutoResponder(p),
      list_auto_responders: (p) => this.#listAutoResponders(p),
      suspend_login: (p) => this.#setFlag(p, 'suspendedLogin', true),
      unsuspend_login: (p) => this.#setFlag(p, 'suspendedLogin', false),
      suspend_incoming: (p) => this.#setFlag(p, 'suspendedIncoming', true),
      unsuspend_incoming: (p) => {
        this.#setFlag(p, 'suspendedIncoming', false);
        return 1; // the spec documents integer 1 here, unlike its siblings
      },
      list_mail_domains: (p) => this.#listMailDomains(p),
    };
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

  addMailbox(address: string, password: string, quotaMb = DEFAULT_QUOTA_MB): void {
    this.mailboxes.set(address.trim().toLowerCase(), {
      quotaMb,
      suspendedLogin: false,
      suspendedIncoming: false,
      passwordHash: sha256(password),
      mtime: Math.floor(Date.now() / 1000),
    });
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
    };
    call.authorized = call.authMethod !== null;
    this.calls.push(call);
    const json = (status: number, body: unknown) => this.#send(res, call, status, 'application/json', JSON.stringify(body));

    // Observed answer to bad WHM credentials (fact sheet §1.3).
    if (!call.authorized) {
      await this.#delay();
      return json(403, { cpanelresult: { apiversion: '2', error: 'Access denied', data: { reason: 'Access denied', result: '0' }, type: 'text' } });
    }
    if (!match) return this.#send(res, call, 403, 'text/plain', 'WHM does not serve this path with a WHM token.\n'); // [INF]
    const command = match[1] ?? '';
    const whmFailure = (reason: string) =>
      json(200, { metadata: { command, reason: `API failure: (XID ${randomBytes(3).toString('hex')}) ${reason}`, result: 0, version: 1 } });
    // Without api.version=1 the call lands on the deprecated WHM API 0. [INF] wording
    if (params['api.version'] !== '1') return json(200, { status: 0, statusmsg: `Unknown app (${quote(command)}) requested for this version (0) of the API.` });
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
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
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
    if (module !== 'Email') {
      return envelope(0, null, [`Failed to load module ${quote(module)}: The module does not exist.`], false);
    }
    const handler = Object.hasOwn(this.#handlers, fn) ? this.#handlers[fn] : undefined;
    if (!handler) {
      return envelope(0, null, [`The system could not find the function ${quote(fn)} in the module “Email”.`], false);
    }
    try {
      return envelope(1, handler(params) ?? null, null, TRANSFORMED.has(fn));
    } catch (error) {
      if (error instanceof UapiError) return envelope(0, null, [error.message], false);
      throw error;
    }
  }

  // --- Helpers shared by the Email functions

  get #mainDomain(): string {
    return this.domains[0] ?? 'example.com';
  }

  #ownDomain(domain: string): void {
    if (!this.domains.includes(domain)) throw new UapiError(`You do not own the domain ${quote(domain)}.`); // [INF]
  }

  /** `email` as a local part or full address, with `domain` defaulting to the main domain. */
  #resolve(params: Params, field = 'email'): { local: string; domain: string; address: string } {
    const raw = normalize(params[field] ?? '');
    const at = raw.lastIndexOf('@');
    const local = (at >= 0 ? raw.slice(0, at) : raw).toLowerCase();
    const domain = (at >= 0 ? raw.slice(at + 1) : normalize(params.domain ?? '') || this.#mainDomain).toLowerCase();
    return { local, domain, address: `${local}@${domain}` };
  }

  /** Functions that want a full address (suspend_*, verify_password, delete_auto_responder). */
  #fullAddress(params: Params): string {
    const raw = normalize(params.email ?? '');
    if (!/^[^@\s]+@[^@\s]+$/.test(raw)) throw new UapiError('Please use a valid email format.');
    const at = raw.lastIndexOf('@');
    return `${raw.slice(0, at).toLowerCase()}@${raw.slice(at + 1).toLowerCase()}`;
  }

  #existing(address: string): FakeMailbox {
    const mailbox = this.mailboxes.get(address);
    if (!mailbox) throw new UapiError(`You do not have an email account named ${quote(address)}.`);
    return mailbox;
  }

  #checkStrength(password: string): void {
    const strength = cpanelPasswordStrength(password);
    if (this.minStrength > 0 && strength < this.minStrength) {
      throw new UapiError(
        `The password that you entered has a strength rating of ${quote(String(strength))}. You cannot use it because it is too weak and too easy to guess. Please enter a password with a strength rating of ${quote(String(this.minStrength))} or higher.`,
      );
    }
  }

  #validateNewLocalPart(local: string, domain: string): void {
    if (!/^[a-zA-Z0-9.\-_]*$/.test(local)) {
      throw new UapiError(
        'The local part can only contain letters (a-z), numbers (0-9), periods, hyphens (-), and underscores (_).',
      );
    }
    if (local.length > 64) throw new UapiError('The local part cannot exceed 64 characters.');
    if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
      throw new UapiError(`The local part ${quote(local)} is not valid.`); // [INF]
    }
    if (RESERVED_LOCAL_PARTS.has(local)) {
      throw new UapiError(`You cannot use the reserved name ${quote(local)}.`); // [INF]
    }
    if (`${local}@${domain}`.length > 254) throw new UapiError('The full username cannot exceed 254 characters.');
  }

  #parseQuota(raw: string | undefined): number {
    const max = this.maxQuotaMb;
    const tooBig = (limit: number) =>
      new UapiError(`You cannot set an email account quota higher than ${limit} MB.`); // [INF]
    if (raw === undefined || raw === '') return max === undefined ? DEFAULT_QUOTA_MB : Math.min(DEFAULT_QUOTA_MB, max);
    if (raw === 'unlimited' || raw === '0') {
      if (max !== undefined) throw tooBig(max);
      return 0;
    }
    if (!/^\d+$/.test(raw)) throw new UapiError('Quota must be a number or unlimited.');
    const quota = Number(raw);
    if (quota > (max ?? SYSTEM_MAX_QUOTA_MB)) {
      throw tooBig(max ?? SYSTEM_MAX_QUOTA_MB);
    }
    return quota;
  }

  #popRow(address: string, mailbox: FakeMailbox) {
    return {
      email: address,
      login: address,
      suspended_incoming: mailbox.suspendedIncoming ? 1 : 0,
      suspended_login: mailbox.suspendedLogin ? 1 : 0,
    };
  }

  #sortedMailboxes(): Array<[string, FakeMailbox]> {
    return [...this.mailboxes].sort(([a], [b]) => a.localeCompare(b));
  }

  // --- Email functions

  #addPop(params: Params): string {
    // Order of checks per fact sheet §7.
    if (params.password_hash) required(params, 'email');
    else required(params, 'email', 'password');
    const { local, domain, address } = this.#resolve(params);
    this.#validateNewLocalPart(local, domain);
    this.#ownDomain(domain);
    if (this.mailboxes.has(address)) throw new UapiError(`The account ${address} already exists!`);
    if (!params.password_hash) this.#checkStrength(params.password ?? '');
    const quotaMb = this.#parseQuota(params.quota);
    this.mailboxes.set(address, {
      quotaMb,
      suspendedLogin: false,
      suspendedIncoming: false,
      // A pre-hashed password cannot be verified against later; keep it distinguishable.
      passwordHash: params.password_hash ? `crypt:${params.password_hash}` : sha256(params.password ?? ''),
      mtime: Math.floor(Date.now() / 1000),
    });
    return `${local}+${domain}`;
  }

  #deletePop(params: Params): null {
    required(params, 'email');
    const { address } = this.#resolve(params);
    this.#existing(address);
    // Like cPanel (as far as documented), forwarders and auto-responders stay behind.
    this.mailboxes.delete(address);
    return null;
  }

  #listPops(params: Params) {
    const regex = compileRegex(params.regex);
    const rows = this.#sortedMailboxes()
      .map(([address, mailbox]) => this.#popRow(address, mailbox))
      .filter((row) => !regex || regex.test(row.email));
    if (params.skip_main !== '1') {
      rows.push({ email: this.user, login: 'Main Account', suspended_incoming: 0, suspended_login: 0 });
    }
    return rows;
  }

  #listPopsWithDisk(params: Params) {
    const regex = compileRegex(params.regex);
    const domain = normalize(params.domain ?? '').toLowerCase();
    const email = normalize(params.email ?? '').toLowerCase();
    const rows: Array<Record<string, unknown>> = [];
    for (const [address, mailbox] of this.#sortedMailboxes()) {
      const at = address.lastIndexOf('@');
      const [local, mailDomain] = [address.slice(0, at), address.slice(at + 1)];
      if (domain && mailDomain !== domain) continue;
      if (email && email !== (email.includes('@') ? address : local)) continue;
      if (regex && !regex.test(address)) continue;
      const quotaBytes = mailbox.quotaMb * 1024 * 1024;
      rows.push({
        ...this.#popRow(address, mailbox),
        user: local,
        domain: mailDomain,
        _diskquota: quotaBytes,
        _diskused: 0,
        diskquota: mailbox.quotaMb === 0 ? 'unlimited' : mailbox.quotaMb,
        txtdiskquota: mailbox.quotaMb === 0 ? 'unlimited' : mailbox.quotaMb,
        diskused: 0,
        diskusedpercent: 0,
        diskusedpercent20: 0,
        diskusedpercent_float: 0,
        humandiskquota: mailbox.quotaMb === 0 ? 'None' : `${mailbox.quotaMb}\u00a0MB`,
        humandiskused: '0\u00a0bytes',
        mtime: mailbox.mtime,
      });
    }
    if (!email && (!domain || domain === this.#mainDomain)) {
      rows.push({
        email: this.user,
        login: 'Main Account',
        user: this.user,
        domain: this.#mainDomain,
        suspended_incoming: 0,
        suspended_login: 0,
      });
    }
    return rows;
  }

  #verifyPassword(params: Params): 0 | 1 {
    required(params, 'email', 'password');
    const mailbox = this.#existing(this.#fullAddress(params));
    return mailbox.passwordHash === sha256(params.password ?? '') ? 1 : 0;
  }

  #passwdPop(params: Params): null {
    required(params, 'email', 'password');
    const mailbox = this.#existing(this.#resolve(params).address);
    this.#checkStrength(params.password ?? '');
    mailbox.passwordHash = sha256(params.password ?? '');
    return null;
  }

  #addForwarder(params: Params) {
    required(params, 'domain', 'email', 'fwdopt');
    let domain = normalize(params.domain ?? '').toLowerCase();
    const raw = normalize(params.email ?? '');
    const at = raw.lastIndexOf('@');
    // An owned @domain in `email` overrides the `domain` argument (legacy Cpanel::Email::addforward).
    if (at >= 0 && this.domains.includes(raw.slice(at + 1).toLowerCase())) domain = raw.slice(at + 1).toLowerCase();
    this.#ownDomain(domain);
    const source = `${(at >= 0 ? raw.slice(0, at) : raw).toLowerCase()}@${domain}`;

    let targets: string[];
    switch (params.fwdopt) {
      case 'fwd':
        required(params, 'fwdemail');
        targets = (params.fwdemail ?? '')
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
          .map((t) => (t.includes('@') ? t : `${t}@${domain}`));
        break;
      case 'fail':
        targets = [`:fail: ${params.failmsgs || 'No such person at this address'}`];
        break;
      case 'blackhole':
        targets = [':blackhole:'];
        break;
      case 'pipe':
        required(params, 'pipefwd');
        targets = [`|${params.pipefwd}`];
        break;
      case 'system':
        required(params, 'fwdsystem');
        targets = [params.fwdsystem ?? ''];
        break;
      default:
        // [INF]
        throw new UapiError(`The ${quote('fwdopt')} argument must be one of: fwd, fail, blackhole, pipe, system.`);
    }

    const list = this.forwarders.get(source) ?? [];
    const added = [];
    for (const target of targets) {
      if (target.toLowerCase() === source) continue; // forwarding an address to itself does nothing
      if (!list.includes(target)) list.push(target);
      added.push({ forward: target, domain, email: source });
    }
    if (list.length > 0) this.forwarders.set(source, list);
    return added;
  }

  #listForwarders(params: Params) {
    required(params, 'domain');
    const domain = normalize(params.domain ?? '').toLowerCase();
    this.#ownDomain(domain);
    const regex = compileRegex(params.regex);
    const rows = [];
    for (const [source, targets] of [...this.forwarders].sort(([a], [b]) => a.localeCompare(b))) {
      if (!source.endsWith(`@${domain}`) || (regex && !regex.test(source))) continue;
      for (const target of targets) {
        rows.push({
          dest: source,
          forward: target,
          html_dest: source,
          html_forward: target,
          uri_dest: encodeURIComponent(source),
          uri_forward: encodeURIComponent(target),
        });
      }
    }
    return rows;
  }

  #deleteForwarder(params: Params): null {
    required(params, 'address', 'forwarder');
    const source = normalize(params.address ?? '').toLowerCase();
    const list = this.forwarders.get(source);
    if (list) {
      // Removing a forwarder that is not there is treated as a no-op. [INF]
      const remaining = list.filter((target) => target !== params.forwarder);
      if (remaining.length > 0) this.forwarders.set(source, remaining);
      else this.forwarders.delete(source);
    }
    return null;
  }

  #addAutoResponder(params: Params): null {
    required(params, 'email', 'domain', 'from', 'subject', 'body', 'is_html', 'interval', 'start', 'stop');
    const { domain, address } = this.#resolve(params);
    this.#ownDomain(domain);
    const [interval, start, stop] = [Number(params.interval), Number(params.start), Number(params.stop)];
    if (!Number.isInteger(interval) || interval < 0) {
      throw new UapiError(`The ${quote('interval')} argument must be a whole number of hours.`); // [INF]
    }
    if (!Number.isInteger(start) || !Number.isInteger(stop)) {
      throw new UapiError(`The ${quote('start')} and ${quote('stop')} arguments must be Unix timestamps.`); // [INF]
    }
    if (stop <= start) throw new UapiError('The stop time must be later than the start time.'); // [INF]
    this.autoResponders.set(address, {
      from: params.from ?? '',
      subject: params.subject ?? '',
      body: params.body ?? '',
      isHtml: params.is_html === '1',
      charset: params.charset || 'utf-8',
      interval,
      start,
      stop,
    });
    return null;
  }

  #getAutoResponder(params: Params) {
    required(params, 'email');
    const responder = this.autoResponders.get(this.#resolve(params).address);
    // What cPanel answers for an address without an auto-responder is unknown; an empty record. [INF]
    if (!responder) {
      const empty = { body: null, charset: null, from: null, interval: null, start: null, stop: null, subject: null };
      return { ...empty, is_html: 0 };
    }
    return {
      body: responder.body,
      charset: responder.charset,
      from: responder.from,
      interval: responder.interval,
      is_html: responder.isHtml ? 1 : 0,
      start: responder.start,
      stop: responder.stop,
      subject: responder.subject,
    };
  }

  #deleteAutoResponder(params: Params): null {
    required(params, 'email');
    this.autoResponders.delete(this.#fullAddress(params));
    return null;
  }

  #listAutoResponders(params: Params) {
    required(params, 'domain');
    const domain = normalize(params.domain ?? '').toLowerCase();
    const regex = compileRegex(params.regex);
    return [...this.autoResponders]
      .filter(([address]) => address.endsWith(`@${domain}`) && (!regex || regex.test(address)))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([email, responder]) => ({ email, subject: responder.subject }));
  }

  #setFlag(params: Params, flag: 'suspendedLogin' | 'suspendedIncoming', value: boolean): null {
    required(params, 'email');
    this.#existing(this.#fullAddress(params))[flag] = value;
    return null;
  }

  #listMailDomains(params: Params) {
    const [main, ...rest] = this.domains;
    const ordered = main === undefined ? [] : [main, ...[...rest].sort()];
    const select = normalize(params.select ?? '').toLowerCase();
    return ordered.map((domain) => (domain === select ? { domain, select: 1 } : { domain }));
  }
}


export async function startFakeCpanel(options: FakeCpanelOptions = {}): Promise<FakeCpanel> {
  const fake = new FakeCpanelServer(options);
  await fake.listen();
  return fake;
}
