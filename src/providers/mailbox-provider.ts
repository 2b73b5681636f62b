/**
 * The one interface services see for a mail host. Adapters (cPanel UAPI, WHM, Aurora) map their
 * vendor errors to these outcomes so services never parse vendor text.
 */
export type ProviderFailureCode =
  /** The address already exists at the provider. */
  | 'already_exists'
  /** The address (or forwarder, auto-responder) does not exist. */
  | 'not_found'
  /** The provider refused the call for a reason retrying will not fix (weak password, quota, bad input). */
  | 'rejected'
  /** Credentials were refused. Retrying will not help until an admin fixes the configuration. */
  | 'auth_failed'
  /** Down, timing out, 5xx, or an unreadable answer: worth retrying later. */
  | 'unavailable';

export type ProviderResult<T> = { ok: true; value: T } | { ok: false; code: ProviderFailureCode; reason: string };

export interface MailboxInfo {
  address: string;
  suspendedLogin: boolean;
  suspendedIncoming: boolean;
}

export interface CreateMailboxInput {
  localPart: string;
  domain: string;
  password: string;
  quotaMb: number;
}

/** An auto-reply ("vacation message") to install on an address. Times are absolute. */
export interface AutoReplyInput {
  from: string;
  subject: string;
  /** Plain text. */
  body: string;
  /** Answer the same sender at most once per this many hours; 0 answers every message. */
  intervalHours: number;
  start: Date;
  stop: Date;
}

/** An auto-reply as the provider reports it. Start/stop are null when the provider has none. */
export interface AutoReplyInfo extends Omit<AutoReplyInput, 'start' | 'stop'> {
  start: Date | null;
  stop: Date | null;
}

/** A forwarder as a host lists it: mail for `from` is copied to `to`. */
export interface HostedForwarder {
  from: string;
  to: string;
}

/** One mail host and the domains it serves (among those asked about). */
export interface MailHost {
  /** The name stored on Mailbox rows for its mailboxes. */
  name: string;
  domains: string[];
  provider: MailboxProvider;
}

export interface MailboxProvider {
  /** A short name stored on Mailbox rows, e.g. "cpanel". */
  readonly name: string;
  /**
   * The name of the provider that serves `domain`, stored on its Mailbox rows. Equals `name` for a
   * single mail host; a per-domain router answers with the host that domain is routed to.
   */
  nameFor(domain: string): string;
  /** The mailbox if it exists, null if it does not. */
  find(address: string): Promise<ProviderResult<MailboxInfo | null>>;
  create(input: CreateMailboxInput): Promise<ProviderResult<void>>;
  /** Whether `password` opens `address`: lets a retry tell "our earlier attempt created it" from "someone else's". */
  verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>>;
  delete(address: string): Promise<ProviderResult<void>>;
  /**
   * Sets a new password on an existing mailbox (self-service reset). `not_found` when there is no
   * such mailbox; `rejected` when the host refuses it (too weak) or cannot change passwords at all.
   */
  setPassword(address: string, password: string): Promise<ProviderResult<void>>;

  // --- Offboarding. Forwarders and auto-replies are keyed by the source address and can exist
  // without a mailbox; deleting a mailbox does not remove them.

  /** Where mail for `address` is forwarded to (empty when it is not forwarded). */
  listForwarders(address: string): Promise<ProviderResult<string[]>>;
  /** Forward a copy of mail for `address` to `to`. */
  addForwarder(address: string, to: string): Promise<ProviderResult<void>>;
  /** Stop forwarding `address` to `to`. Succeeds when there was no such forwarder. */
  removeForwarder(address: string, to: string): Promise<ProviderResult<void>>;
  /** The auto-reply on `address`, or null when there is none. */
  getAutoReply(address: string): Promise<ProviderResult<AutoReplyInfo | null>>;
  /** Install (or replace) the auto-reply on `address`. */
  setAutoReply(address: string, reply: AutoReplyInput): Promise<ProviderResult<void>>;
  /** Remove the auto-reply on `address`. Succeeds when there was none. */
  removeAutoReply(address: string): Promise<ProviderResult<void>>;
  /** Block login, sending and reading for `address`; incoming mail is still delivered. Idempotent. */
  suspendLogin(address: string): Promise<ProviderResult<void>>;
  /** Undo `suspendLogin`. Idempotent. */
  resumeLogin(address: string): Promise<ProviderResult<void>>;

  // --- Several hosts, and what a host has (the reconcile report).

  /**
   * The provider of the host named `host` (a Mailbox row's `provider`), so that a mailbox's later
   * operations go to the host that created it. A name no host has (a renamed host, a row from
   * before the hosts file) falls back to routing by domain. A single host answers itself.
   */
  atHost(host: string | null | undefined): MailboxProvider;
  /** The hosts serving `domains`, each with the domains it serves among them. */
  hostsFor(domains: readonly string[]): MailHost[];
  /** Every mailbox the host has in `domain` (never the cPanel account's own "Main Account"). */
  listMailboxes(domain: string): Promise<ProviderResult<MailboxInfo[]>>;
  /** Every forwarder from an address in `domain`. */
  listDomainForwarders(domain: string): Promise<ProviderResult<HostedForwarder[]>>;
}

export const isRetryable = (code: ProviderFailureCode): boolean => code === 'unavailable';
