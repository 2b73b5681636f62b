/**
 * Option values that are never cut. Slack limits an option's value to 150 characters; a domain or
 * an address can be longer, and a cut value would select a different string. A value that fits is
 * the thing itself (readable in payloads); one that does not is an id the app looks up again.
 */
/** Slack's limit on an option's `value`. */
const OPTION_VALUE_MAX = 150;

const fits = (value: string): boolean => value.length <= OPTION_VALUE_MAX;

/** The domain itself, or `#<index in MAIL_DOMAINS>` (a domain never contains `#`). */
export function domainOptionValue(domain: string, domains: readonly string[]): string {
  const index = domains.indexOf(domain);
  return fits(domain) || index < 0 ? domain : `#${index}`;
}

/** The domain a submitted value names; an unknown `#n` stays as it is (and fails the allow-list). */
export function domainFromOptionValue(value: string | undefined, domains: readonly string[]): string | undefined {
  const match = /^#(\d{1,4})$/.exec(value?.trim() ?? '');
  return match ? (domains[Number(match[1])] ?? value) : value;
}

/** What a mailbox option's value names. */
export type MailboxOptionRef =
  | { kind: 'address'; address: string }
  /** A Mailbox row. */
  | { kind: 'mailbox'; id: number }
  /** An address to import: a local part at one of MAIL_DOMAINS. */
  | { kind: 'import'; domainIndex: number; localPart: string };

/**
 * The address itself when it fits; else `m:<Mailbox id>` for a managed mailbox, or
 * `d:<domain index>:<local part>` for one to import (local parts are at most 64 characters).
 */
export function mailboxOptionValue(address: string, mailboxId: number | null, domains: readonly string[]): string {
  if (fits(address)) return address;
  if (mailboxId !== null) return `m:${mailboxId}`;
  const at = address.lastIndexOf('@');
  const index = domains.indexOf(address.slice(at + 1));
  return index < 0 ? address : `d:${index}:${address.slice(0, at)}`;
}

export function parseMailboxOptionValue(value: string): MailboxOptionRef {
  const managed = /^m:(\d{1,10})$/.exec(value);
  if (managed) return { kind: 'mailbox', id: Number(managed[1]) };
  const imported = /^d:(\d{1,4}):(.+)$/.exec(value);
  if (imported) return { kind: 'import', domainIndex: Number(imported[1]), localPart: imported[2] as string };
  return { kind: 'address', address: value };
}
