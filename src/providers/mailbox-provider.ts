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

export interface MailboxProvider {
  /** A short name stored on Mailbox rows, e.g. "cpanel". */
  readonly name: string;
  /** The mailbox if it exists, null if it does not. */
  find(address: string): Promise<ProviderResult<MailboxInfo | null>>;
  create(input: CreateMailboxInput): Promise<ProviderResult<void>>;
  /** Whether `password` opens `address`: lets a retry tell "our earlier attempt created it" from "someone else's". */
  verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>>;
  delete(address: string): Promise<ProviderResult<void>>;
}

export const isRetryable = (code: ProviderFailureCode): boolean => code === 'unavailable';
