/** The cPanel fake's public types (FakeCpanel and what it records) and the internal ones its modules share. */
import type http from 'node:http';

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
  /** When it arrived (Date.now()). */
  receivedAt: number;
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
  /** Calls inside that delay right now, and the most there have been at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  minStrength: number;
  maxQuotaMb: number | undefined;
  close(): Promise<void>;
}

export type Params = Record<string, string>;
export type Handler = (params: Params) => unknown;

export interface Failure {
  fn: string;
  mode: FailureMode;
  message: string | undefined;
  remaining: number;
}
