/**
 * What the Aurora fake remembers (users, mail accounts, mail servers, tokens) and the checks every
 * Web API method shares: the superadmin, the UserId parameter, the account of AccountID.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FakeAuroraAccount, FakeAuroraMailServer, FakeAuroraOptions, FakeAuroraUser, Params } from './types.ts';
import { AuroraError, isInt, SUPERADMIN, sha256 } from './util.ts';

export class AuroraState {
  readonly adminLogin: string;
  readonly adminPassword: string;
  readonly users = new Map<number, FakeAuroraUser>();
  readonly accounts = new Map<number, FakeAuroraAccount>();
  readonly servers = new Map<number, FakeAuroraMailServer>();
  /** ManageSieve unreachable: forward and auto-responder calls fail with ErrorCode 0. */
  sieveDown = false;
  readonly tenants: Set<number>;
  readonly allowScheduled: boolean;
  readonly storeTokens: boolean;
  /** A password backend (MtaConnector) applies Core.UpdateUser's Password. */
  readonly passwordBackend: boolean;
  readonly logging: boolean;
  /** token → authenticated user id */
  readonly tokens = new Map<string, number>();
  #nextUserId = 1;
  #nextAccountId = 1;
  #nextServerId = 1;

  constructor(options: FakeAuroraOptions) {
    this.adminLogin = options.adminLogin ?? 'superadmin';
    this.adminPassword = options.adminPassword ?? randomBytes(12).toString('base64url');
    this.tenants = new Set([0, ...(options.tenantIds ?? [1])]);
    this.allowScheduled = options.allowScheduledAutoresponder ?? false;
    this.storeTokens = options.storeAuthTokenInDb ?? false;
    this.passwordBackend = options.passwordBackend ?? true;
    this.logging = options.logging ?? false;
    this.addServer({
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
  }

  userByEmail(address: string): FakeAuroraUser | undefined {
    const wanted = address.trim().toLowerCase();
    return [...this.users.values()].find((user) => user.publicId.toLowerCase() === wanted);
  }

  accountByEmail(address: string): FakeAuroraAccount | undefined {
    const wanted = address.trim().toLowerCase();
    return [...this.accounts.values()].find((account) => account.email.toLowerCase() === wanted);
  }

  createUser(
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
    const server = this.serverForDomain(publicId);
    if (server && !loseAccount) this.addAccount(user.id, publicId, publicId, server.id);
    return user;
  }

  addAccount(userId: number, email: string, incomingLogin: string, serverId: number): FakeAuroraAccount {
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

  addServer(input: Omit<FakeAuroraMailServer, 'id'>): FakeAuroraMailServer {
    const server: FakeAuroraMailServer = {
      ...input,
      id: this.#nextServerId++,
      domains: input.domains.map((d) => d.trim().toLowerCase()).filter(Boolean),
    };
    this.servers.set(server.id, server);
    return server;
  }

  serverForDomain(address: string): FakeAuroraMailServer | undefined {
    if (!address.includes('@')) return undefined;
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    return [...this.servers.values()].find((server) => server.domains.includes(domain));
  }

  issueToken(userId: number): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, userId);
    return token;
  }

  requireSuperadmin(authUser: number, module: string): void {
    if (authUser !== SUPERADMIN) throw new AuroraError(108, 'AccessDenied', module);
  }

  /** A missing UserId is filled with the caller's id (-1 for the superadmin): CallMethod(). */
  userId(p: Params, authUser: number, module: string): number {
    const value = Object.hasOwn(p, 'UserId') ? p.UserId : authUser;
    if (!isInt(value)) throw new AuroraError(103, 'InvalidInputParameter', module);
    return value;
  }

  accountFor(p: Params, authUser: number): FakeAuroraAccount {
    this.requireSuperadmin(authUser, 'Mail');
    if (!isInt(p.AccountID)) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    const account = this.accounts.get(p.AccountID);
    if (!account) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
    if (this.sieveDown) throw new AuroraError(0, 'Can\'t connect to host "tcp://127.0.0.1:4190"', 'Mail');
    return account;
  }
}
