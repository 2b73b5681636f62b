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
import { domainOf, sameAddress } from '../lib/address.ts';

const notMailDomain = (domain: string): string => `${domain} is not set up as a mail domain in Aurora`;

export interface AuroraProviderOptions {
  /** The Aurora installation's main URL, e.g. `https://mail.example.com/`; the API is `<url>/?/Api/`. */
  baseUrl: string;
  adminLogin: string;
  adminPassword: string;
  /** Tenant new users go to; 0 is the default tenant. */
  tenantId: number;
  caFile?: string;
  timeoutMs?: number;
  logger?: Logger;
}

type Failure = { ok: false; code: ProviderFailureCode; reason: string };
const fail = (code: ProviderFailureCode, reason: string): Failure => ({ ok: false, code, reason });
const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/** Aurora's error names (aurora-framework Notifications.php), for reasons when ErrorMessage is off. */
const ERROR_NAMES: Record<number, string> = {
  0: 'a library on the server failed',
  101: 'InvalidToken',
  102: 'AuthError',
  103: 'InvalidInputParameter',
  104: 'DataBaseError',
  105: 'LicenseProblem',
  108: 'AccessDenied',
  111: 'UserAlreadyExists',
  112: 'SystemNotConfigured',
  113: 'ModuleNotFound',
  114: 'MethodNotFound',
  115: 'LicenseLimit',
  116: 'MethodAccessDenied',
  704: 'AccountExists',
  901: 'MailServerError',
  1000: 'login blocked after too many failures',
  1007: 'UserAlreadyExists',
  4001: 'CannotConnectToMailServer',
  4002: 'CannotLoginCredentialsIncorrect',
};

const INVALID_TOKEN = 101;
/** Ends the reason of an HTTP 5xx without a body: PHP Errors are not caught by Aurora's JSON handler. */
const EMPTY_500 = ' with an empty body (a PHP error on the server)';
const AUTH_ERROR = 102;

/** Aurora codes → the outcomes services understand (fact sheet §1 error codes). */
function classifyError(code: number): ProviderFailureCode {
  switch (code) {
    case 111: // UserAlreadyExists (Core.CreateUser, MtaConnector maildir)
    case 704: // AccountExists (Mail.CreateAccount)
    case 1007: // Core's own UserAlreadyExists
      return 'already_exists';
    case INVALID_TOKEN:
    case AUTH_ERROR:
    case 108: // AccessDenied: no token or a role too low
    case 116: // MethodAccessDenied: the method is closed to the Web API
    case 1000: // login throttled after repeated failures
      return 'auth_failed';
    case 0: // a low-level library threw, e.g. Sieve unreachable
    case 104: // DataBaseError
    case 901: // MailServerError
    case 4001: // CannotConnectToMailServer
      return 'unavailable';
    default:
      return 'rejected';
  }
}

/** What one POST to `?/Api/` came back with. */
type Answer =
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; code: number; message: string | undefined }
  | { kind: 'failure'; failure: Failure };

interface AuroraUser {
  id: number;
  publicId: string;
  isDisabled: boolean;
}

interface AuroraAccount {
  userId: number;
  accountId: number;
}

/** A mail server registered in Aurora (Mail.CreateServer / Mail.GetServers). */
export interface AuroraMailServer {
  id: number;
  name: string;
  incomingServer: string;
  incomingPort: number;
  incomingUseSsl: boolean;
  outgoingServer: string;
  outgoingPort: number;
  outgoingUseSsl: boolean;
  /** none: no SMTP auth; specified: SmtpLogin/SmtpPassword; user: each user's own credentials. */
  smtpAuth: SmtpAuth;
  domains: string[];
}

export const SMTP_AUTH = { none: '0', specified: '1', user: '2' } as const;
export type SmtpAuth = keyof typeof SMTP_AUTH;


/** Aurora ids must travel as JSON integers (`is_int` checks on the server). */
function toInt(value: unknown): number | null {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
function fromEpoch(value: unknown): Date | null {
  const seconds = toInt(value);
  return seconds === null || seconds <= 0 ? null : new Date(seconds * 1000);
}

const MIN_SCRUB_LENGTH = 4;
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUB_LENGTH) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/**
 * MailboxProvider over the Afterlogic Aurora (Corporate) Web API: `POST <url>/?/Api/` with
 * `Module`, `Method` and `Parameters` (a JSON string built by JSON.stringify), authenticated by a
 * superadmin bearer token that is cached and renewed once when Aurora answers 101.
 *
 * Aurora keys everything on the user (PublicId = the address); forward and auto-reply live on the
 * user's mail account, found with Mail.GetAccountByEmail.
 */
export class AuroraProvider implements MailboxProvider {
  readonly name = 'aurora';
  readonly #http: Got;
  readonly #url: string;
  readonly #options: AuroraProviderOptions;
  readonly #logger: Logger | undefined;
  #token: Promise<ProviderResult<string>> | null = null;
  #currentToken: string | null = null;

  constructor(options: AuroraProviderOptions) {
    this.#options = options;
    this.#logger = options.logger;
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

  nameFor(_domain: string): string {
    return this.name;
  }

  async find(address: string): Promise<ProviderResult<MailboxInfo | null>> {
    const user = await this.#findUser(address);
    if (!user.ok) return user;
    if (!user.value) return ok(null);
    // Aurora has no "reject incoming mail" switch; IsDisabled is the login lock.
    return ok({ address: user.value.publicId.toLowerCase(), suspendedLogin: user.value.isDisabled, suspendedIncoming: false });
  }

  /**
   * Core.CreateUser, then a check that the user really got its mail account: a real server answers
   * success with a bare user when the domain has no mail server, and loses the account when a
   * deadlock is swallowed (fact sheet §4). A bare user is repaired with Mail.CreateAccount, or
   * removed again, and the create fails with the cause.
   */
  async create(input: CreateMailboxInput): Promise<ProviderResult<void>> {
    const address = `${input.localPart}@${input.domain}`;
    const served = await this.#servesDomain(input.domain);
    if (!served.ok) return served;
    if (served.value === false) return fail('rejected', notMailDomain(input.domain));
    // MailDomains / MtaConnector hooks turn this one call into user + mail account + mailbox;
    // Password and QuotaBytes are read by those hooks (fact sheet §2, one-call provisioning).
    const result = await this.#api(
      'Core',
      'CreateUser',
      {
        TenantId: this.#options.tenantId,
        PublicId: `${input.localPart}@${input.domain}`,
        Role: 2,
        Password: input.password,
        QuotaBytes: input.quotaMb * 1024 * 1024,
      },
      [input.password],
    );
    if (!result.ok) return result;
    // Result is the new user's id; false (a swallowed DB error) or anything else means no user.
    const userId = toInt(result.value);
    if (userId === null) {
      return fail('rejected', `Aurora Core.CreateUser did not create ${address} (Result: ${JSON.stringify(result.value)})`);
    }
    return this.#ensureAccount(userId, address, input.password);
  }

  /** The account CreateUser should have made: confirmed, else added, else the bare user is removed. */
  async #ensureAccount(userId: number, address: string, password: string): Promise<ProviderResult<void>> {
    const accounts = await this.#accountsOf(userId);
    if (!accounts.ok) return fail(accounts.code, `Aurora created user ${address} but could not confirm its mail account: ${accounts.reason}`);
    if (accounts.value.some((account) => sameAddress(account.email, address))) return ok(undefined);

    this.#logger?.warn({ userId }, 'aurora user created without a mail account; adding it');
    const repaired = await this.#api(
      'Mail',
      'CreateAccount',
      { UserId: userId, FriendlyName: '', Email: address, IncomingLogin: address, IncomingPassword: password, Server: null },
      [password],
    );
    if (repaired.ok) {
      const again = await this.#accountsOf(userId);
      if (again.ok && again.value.some((account) => sameAddress(account.email, address))) return ok(undefined);
    }

    // Leave nothing half-made behind: a bare user would look like a mailbox to every later lookup.
    const removed = await this.#api('Core', 'DeleteUser', { UserId: userId });
    const cleanup = removed.ok
      ? 'the user without an account was removed again'
      : `the user without an account (id ${userId}) could not be removed: ${removed.reason}`;
    const domain = domainOf(address);
    const served = await this.#servesDomain(domain);
    if (served.ok && served.value === false) return fail('rejected', `${notMailDomain(domain)}; ${cleanup}`);
    const why = repaired.ok ? 'Mail.GetAccounts still lists none' : repaired.reason;
    return fail(
      !repaired.ok && repaired.code === 'unavailable' && removed.ok ? 'unavailable' : 'rejected',
      `Aurora created user ${address} without a mail account and could not add one (${why}); ${cleanup}`,
    );
  }

  /**
   * Whether Aurora has a mail server for `domain` (Mail.GetMailServerByDomain, which MailDomains
   * answers from its domains table): null when this Aurora cannot say.
   */
  async #servesDomain(domain: string): Promise<ProviderResult<boolean | null>> {
    const result = await this.#api('Mail', 'GetMailServerByDomain', { Domain: domain, AllowWildcardDomain: false });
    if (!result.ok) return result.code === 'unavailable' ? result : ok(null);
    // Not found is an empty array (verified); found is {Server, FoundWithWildcard}.
    if (Array.isArray(result.value) && result.value.length === 0) return ok(false);
    const server = (result.value as { Server?: unknown } | null)?.Server;
    return ok(typeof server === 'object' && server !== null ? true : null);
  }

  async #accountsOf(userId: number): Promise<ProviderResult<Array<{ accountId: number; email: string }>>> {
    const result = await this.#api('Mail', 'GetAccounts', { UserId: userId });
    if (!result.ok) return result;
    if (!Array.isArray(result.value)) return fail('unavailable', 'Aurora Mail.GetAccounts: answer is not a list');
    return ok(
      (result.value as Array<Record<string, unknown> | null>).flatMap((account) => {
        const accountId = toInt(account?.AccountID ?? account?.Id);
        return accountId !== null && typeof account?.Email === 'string' ? [{ accountId, email: account.Email }] : [];
      }),
    );
  }

  /**
   * Core.Login is the only password check the Web API offers, and it is not read-only (fact sheet
   * §4): on a user without a mail account, a login IMAP accepts creates the account. So a user
   * without its account is answered "no" without a login. On a user with its account the login
   * can at most store the password IMAP has just accepted, which is the one being checked.
   */
  async verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>> {
    const user = await this.#findUser(address);
    if (!user.ok) return user;
    if (!user.value) return ok(false);
    const accounts = await this.#accountsOf(user.value.id);
    if (!accounts.ok) return accounts;
    if (!accounts.value.some((account) => sameAddress(account.email, address))) return ok(false);
    const answer = await this.#post('Core', 'Login', { Login: address, Password: password }, undefined);
    if (answer.kind === 'failure') return this.#scrubbed(answer.failure, [password]);
    if (answer.kind === 'error') {
      if (answer.code === AUTH_ERROR) return ok(false);
      return this.#scrubbed(this.#errorFailure('Core', 'Login', answer), [password]);
    }
    const token = (answer.result as { AuthToken?: unknown } | null)?.AuthToken;
    if (typeof token !== 'string' || token === '') return ok(false);
    // Only revokes anything where StoreAuthTokenInDB is on; harmless elsewhere.
    await this.#post('Core', 'Logout', {}, token);
    return ok(true);
  }

  async delete(address: string): Promise<ProviderResult<void>> {
    const user = await this.#findUser(address);
    if (!user.ok) return user;
    if (!user.value) return fail('not_found', `Aurora has no user ${address}`);
    const result = await this.#api('Core', 'DeleteUser', { UserId: user.value.id });
    if (!result.ok) {
      // DeleteUser on an id that no longer exists dies with an empty HTTP 500 (a PHP Error):
      // look again to tell "gone meanwhile" from a real server fault.
      if (result.code === 'unavailable' && result.reason.endsWith(EMPTY_500)) {
        const again = await this.#findUser(address);
        if (again.ok && !again.value) return fail('not_found', `Aurora has no user ${address}`);
      }
      return result;
    }
    return this.#expectTrue(result.value, 'Core', 'DeleteUser');
  }

  async listForwarders(address: string): Promise<ProviderResult<string[]>> {
    const account = await this.#findAccount(address);
    if (!account.ok) return account;
    if (!account.value) return ok([]);
    const result = await this.#api('Mail', 'GetForward', { AccountID: account.value.accountId });
    if (!result.ok) return result;
    const forward = result.value as { Enable?: unknown; Email?: unknown } | null;
    const target = typeof forward?.Email === 'string' ? forward.Email.trim() : '';
    return ok(forward?.Enable === true && target !== '' ? [target] : []);
  }

  /** Aurora keeps one forward target per account: adding one replaces any other. */
  async addForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    const account = await this.#findAccount(address);
    if (!account.ok) return account;
    if (!account.value) return fail('not_found', `Aurora has no mail account ${address}`);
    const result = await this.#api('Mail', 'UpdateForward', {
      AccountID: account.value.accountId,
      Enable: true,
      Email: to,
      KeepMessageCopy: true,
    });
    return result.ok ? this.#expectTrue(result.value, 'Mail', 'UpdateForward') : result;
  }

  async removeForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    const current = await this.listForwarders(address);
    if (!current.ok) return current;
    if (!current.value.some((target) => sameAddress(target, to))) return ok(undefined);
    const account = await this.#findAccount(address);
    if (!account.ok) return account;
    if (!account.value) return ok(undefined);
    const result = await this.#api('Mail', 'UpdateForward', {
      AccountID: account.value.accountId,
      Enable: false,
      Email: '',
      KeepMessageCopy: true,
    });
    return result.ok ? this.#expectTrue(result.value, 'Mail', 'UpdateForward') : result;
  }

  async getAutoReply(address: string): Promise<ProviderResult<AutoReplyInfo | null>> {
    const account = await this.#findAccount(address);
    if (!account.ok) return account;
    if (!account.value) return ok(null);
    const result = await this.#api('Mail', 'GetAutoresponder', { AccountID: account.value.accountId });
    if (!result.ok) return result;
    const r = result.value as Record<string, unknown> | null;
    if (r?.Enable !== true) return ok(null);
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    const scheduled = r.Scheduled === true;
    return ok({
      // Aurora's Sieve vacation script has no From and no interval the API would report.
      from: '',
      subject: text(r.Subject),
      body: text(r.Message),
      intervalHours: 0,
      start: scheduled ? fromEpoch(r.Start) : null,
      stop: scheduled ? fromEpoch(r.End) : null,
    });
  }

  async setAutoReply(address: string, reply: AutoReplyInput): Promise<ProviderResult<void>> {
    const account = await this.#findAccount(address);
    if (!account.ok) return account;
    if (!account.value) return fail('not_found', `Aurora has no mail account ${address}`);
    const result = await this.#api('Mail', 'UpdateAutoresponder', {
      AccountID: account.value.accountId,
      Enable: true,
      Subject: reply.subject,
      Message: reply.body,
      Scheduled: true,
      Start: epochSeconds(reply.start),
      End: epochSeconds(reply.stop),
    });
    return result.ok ? this.#expectTrue(result.value, 'Mail', 'UpdateAutoresponder') : result;
  }

  async removeAutoReply(address: string): Promise<ProviderResult<void>> {
    const account = await this.#findAccount(address);
    if (!account.ok) return account;
    if (!account.value) return ok(undefined);
    const result = await this.#api('Mail', 'UpdateAutoresponder', { AccountID: account.value.accountId, Enable: false });
    return result.ok ? this.#expectTrue(result.value, 'Mail', 'UpdateAutoresponder') : result;
  }

  suspendLogin(address: string): Promise<ProviderResult<void>> {
    return this.#setDisabled(address, true);
  }

  resumeLogin(address: string): Promise<ProviderResult<void>> {
    return this.#setDisabled(address, false);
  }

  // --- Aurora as the webmail of another mail host (seed 001): servers, and users with an account on one.

  /** Mail.GetServers: the mail servers Aurora knows. */
  async listServers(): Promise<ProviderResult<AuroraMailServer[]>> {
    const result = await this.#api('Mail', 'GetServers', { TenantId: 0, Offset: 0, Limit: 0, Search: '' });
    if (!result.ok) return result;
    const items = (result.value as { Items?: unknown } | null)?.Items;
    if (!Array.isArray(items)) return fail('unavailable', 'Aurora Mail.GetServers: answer without Items');
    const auth = (value: unknown): SmtpAuth => (Object.entries(SMTP_AUTH).find(([, code]) => code === String(value))?.[0] as SmtpAuth | undefined) ?? 'user';
    return ok(
      (items as Array<Record<string, unknown>>).flatMap((item) => {
        const id = toInt(item?.ServerId ?? item?.Id);
        if (id === null) return [];
        return [
          {
            id,
            name: String(item.Name ?? ''),
            incomingServer: String(item.IncomingServer ?? ''),
            incomingPort: toInt(item.IncomingPort) ?? 0,
            incomingUseSsl: item.IncomingUseSsl === true,
            outgoingServer: String(item.OutgoingServer ?? ''),
            outgoingPort: toInt(item.OutgoingPort) ?? 0,
            outgoingUseSsl: item.OutgoingUseSsl === true,
            smtpAuth: auth(item.SmtpAuthType),
            domains: String(item.Domains ?? '')
              .split(/[\r\n]+/)
              .map((domain) => domain.trim())
              .filter(Boolean),
          },
        ];
      }),
    );
  }

  /** Mail.CreateServer, owned by the superadmin (TenantId 0); answers the new server's id. */
  async createServer(server: Omit<AuroraMailServer, 'id'>): Promise<ProviderResult<number>> {
    const result = await this.#api('Mail', 'CreateServer', {
      Name: server.name,
      IncomingServer: server.incomingServer,
      IncomingPort: server.incomingPort,
      IncomingUseSsl: server.incomingUseSsl,
      OutgoingServer: server.outgoingServer,
      OutgoingPort: server.outgoingPort,
      OutgoingUseSsl: server.outgoingUseSsl,
      SmtpAuthType: SMTP_AUTH[server.smtpAuth],
      // One domain per line (Afterlogic's "Managing mail servers and user accounts").
      Domains: server.domains.join('\n'),
      TenantId: 0,
    });
    if (!result.ok) return result;
    const id = toInt(result.value);
    return id === null ? fail('rejected', `Aurora Mail.CreateServer did not create ${server.name} (Result: ${JSON.stringify(result.value)})`) : ok(id);
  }

  /**
   * The webmail user of a mailbox hosted elsewhere: Core.CreateUser, then its account on mail
   * server `serverId` (Mail.CreateAccount with the mailbox's own login), as Afterlogic's guide does.
   * Idempotent: an existing user keeps its account, a user without one gets it.
   */
  async addWebmailUser(address: string, password: string, serverId: number): Promise<ProviderResult<void>> {
    const found = await this.#findUser(address);
    if (!found.ok) return found;
    let userId = found.value?.id;
    if (userId === undefined) {
      const created = await this.#api('Core', 'CreateUser', { TenantId: this.#options.tenantId, PublicId: address, Role: 2 });
      if (!created.ok) return created;
      const id = toInt(created.value);
      if (id === null) return fail('rejected', `Aurora Core.CreateUser did not create ${address} (Result: ${JSON.stringify(created.value)})`);
      userId = id;
    }
    const accounts = await this.#accountsOf(userId);
    if (!accounts.ok) return accounts;
    if (accounts.value.some((account) => sameAddress(account.email, address))) return ok(undefined);
    const added = await this.#api(
      'Mail',
      'CreateAccount',
      { UserId: userId, FriendlyName: '', Email: address, IncomingLogin: address, IncomingPassword: password, Server: { ServerId: serverId } },
      [password],
    );
    return added.ok ? ok(undefined) : added;
  }

  // --- helpers

  async #setDisabled(address: string, disabled: boolean): Promise<ProviderResult<void>> {
    const user = await this.#findUser(address);
    if (!user.ok) return user;
    if (!user.value) return fail('not_found', `Aurora has no user ${address}`);
    const result = await this.#api('Core', 'UpdateUser', { UserId: user.value.id, IsDisabled: disabled });
    return result.ok ? this.#expectTrue(result.value, 'Core', 'UpdateUser') : result;
  }

  /** Core.GetUserByPublicId is closed to the Web API (116), so search and match exactly. */
  async #findUser(address: string): Promise<ProviderResult<AuroraUser | null>> {
    const result = await this.#api('Core', 'GetUsers', {
      TenantId: this.#options.tenantId,
      Offset: 0,
      Limit: 0,
      Search: address.trim(),
    });
    if (!result.ok) return result;
    const items = (result.value as { Items?: unknown } | null)?.Items;
    if (!Array.isArray(items)) return fail('unavailable', 'Aurora Core.GetUsers: answer without Items');
    // Search is a LIKE filter: "ann@x" also finds "joann@x".
    for (const item of items as Array<Record<string, unknown>>) {
      if (!sameAddress(item?.PublicId, address)) continue;
      const id = toInt(item.Id);
      if (id === null) return fail('unavailable', 'Aurora Core.GetUsers: a user without an integer Id');
      return ok({ id, publicId: String(item.PublicId), isDisabled: item.IsDisabled === true || Number(item.IsDisabled) === 1 });
    }
    return ok(null);
  }

  async #findAccount(address: string): Promise<ProviderResult<AuroraAccount | null>> {
    const user = await this.#findUser(address);
    if (!user.ok) return user;
    if (!user.value) return ok(null);
    const result = await this.#api('Mail', 'GetAccountByEmail', { Email: address.trim(), UserId: user.value.id });
    if (!result.ok) return result;
    if (result.value === false || result.value === null) return ok(null);
    const account = result.value as Record<string, unknown>;
    const accountId = toInt(account.AccountID ?? account.Id);
    if (accountId === null) return fail('unavailable', 'Aurora Mail.GetAccountByEmail: an account without an integer AccountID');
    return ok({ userId: user.value.id, accountId });
  }

  #expectTrue(value: unknown, module: string, method: string): ProviderResult<void> {
    // Result:false without an ErrorCode: the method declined (or a DB exception was swallowed).
    return value === false ? fail('rejected', `Aurora ${module}.${method} answered Result: false`) : ok(undefined);
  }

  /** A superadmin call: logs in when needed and once more when the token is refused (101). */
  async #api(
    module: string,
    method: string,
    parameters: Record<string, unknown>,
    secrets: readonly string[] = [],
  ): Promise<ProviderResult<unknown>> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.#getToken();
      if (!token.ok) return token;
      const answer = await this.#post(module, method, parameters, token.value);
      if (answer.kind === 'result') return ok(answer.result);
      if (answer.kind === 'failure') return this.#scrubbed(answer.failure, secrets);
      if (answer.code === INVALID_TOKEN && attempt === 1) {
        this.#forgetToken(token.value);
        continue;
      }
      return this.#scrubbed(this.#errorFailure(module, method, answer), secrets);
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
    const answer = await this.#post('AdminAuth', 'LoginAsSuperadmin', { Login: adminLogin, Password: adminPassword }, undefined);
    if (answer.kind === 'failure') return this.#scrubbed(answer.failure, []);
    if (answer.kind === 'error') {
      const failure = this.#errorFailure('AdminAuth', 'LoginAsSuperadmin', answer);
      return this.#scrubbed(
        answer.code === AUTH_ERROR ? { ...failure, reason: `${failure.reason} (check AURORA_ADMIN_LOGIN and AURORA_ADMIN_PASSWORD)` } : failure,
        [],
      );
    }
    const token = (answer.result as { AuthToken?: unknown } | null)?.AuthToken;
    if (typeof token !== 'string' || token === '') return fail('auth_failed', 'Aurora AdminAuth.LoginAsSuperadmin returned no AuthToken');
    return ok(token);
  }

  #errorFailure(module: string, method: string, answer: { code: number; message: string | undefined }): Failure {
    const name = answer.message || ERROR_NAMES[answer.code] || 'error';
    return fail(classifyError(answer.code), `Aurora ${module}.${method}: error ${answer.code} (${name})`);
  }

  #scrubbed<T>(failure: Failure, secrets: readonly string[]): ProviderResult<T> {
    return { ...failure, reason: scrub(failure.reason, [this.#options.adminPassword, ...secrets]) };
  }

  /** One POST. Never logs Parameters: they carry passwords. */
  async #post(module: string, method: string, parameters: Record<string, unknown>, token: string | undefined): Promise<Answer> {
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
      if ('Result' in reply) return { kind: 'result', result: reply.Result };
      return { kind: 'failure', failure: fail('unavailable', `${what}: answer without Result or ErrorCode`) };
    })();
    this.#logger?.[answer.kind === 'result' ? 'info' : 'warn'](
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
