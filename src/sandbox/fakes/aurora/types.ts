/** The Aurora fake's public types: its options, what it stores, the calls it records, and the handle tests hold. */
import type http from 'node:http';

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
  /**
   * A module that changes mailbox passwords (Aurora Corporate's MtaConnector), on by default: it
   * applies Core.UpdateUser's extra `Password` and reports IsPasswordChanged in SubscriptionsResult.
   * Off: UpdateUser answers true and the password stays as it was (seen on a real server without one).
   */
  passwordBackend?: boolean;
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
  /** `withoutAccount`: the bare user a create on an unserved domain or a swallowed deadlock leaves (§4). */
  addUser(
    address: string,
    password: string,
    options?: { tenantId?: number; isDisabled?: boolean; withoutAccount?: boolean },
  ): FakeAuroraUser;
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

/** The decoded Parameters of one call. */
export type Params = Record<string, unknown>;
