/**
 * What the cPanel fake remembers (the account, its domains, mailboxes, forwarders and
 * auto-responders) and the checks the Email functions share: resolving addresses, owned domains,
 * password strength, local-part rules and quotas. The Email functions (mailboxes.ts,
 * forwarders.ts, auto-responders.ts) read and change it; the server extends it.
 */
import { randomBytes } from 'node:crypto';
import { cpanelPasswordStrength } from '../../../services/credentials/password.ts';
import type { FakeAutoResponder, FakeCpanelOptions, FakeMailbox, Params } from './types.ts';
import { normalize, quote, sha256, UapiError } from './util.ts';

const SYSTEM_MAX_QUOTA_MB = 4_294_967_296;
const DEFAULT_QUOTA_MB = 1024;
const RESERVED_LOCAL_PARTS = new Set(
  ['cpanel', 'shadow', 'passwd', 'quota', '_archive', '_mainaccount', '_privs.json', '_privs.cache'].flatMap((name) => [
    name,
    `${name}.lock`,
  ]),
);

export class CpanelState {
  readonly user: string;
  readonly token: string;
  readonly password: string;
  readonly domains: string[];
  readonly whm: { user: string; token: string; accessHash: string } | undefined;
  readonly mailboxes = new Map<string, FakeMailbox>();
  readonly forwarders = new Map<string, string[]>();
  readonly autoResponders = new Map<string, FakeAutoResponder>();
  minStrength: number;
  maxQuotaMb: number | undefined;

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

  get mainDomain(): string {
    return this.domains[0] ?? 'example.com';
  }

  ownDomain(domain: string): void {
    if (!this.domains.includes(domain)) throw new UapiError(`You do not own the domain ${quote(domain)}.`); // [INF]
  }

  /** `email` as a local part or full address, with `domain` defaulting to the main domain. */
  resolve(params: Params, field = 'email'): { local: string; domain: string; address: string } {
    const raw = normalize(params[field] ?? '');
    const at = raw.lastIndexOf('@');
    const local = (at >= 0 ? raw.slice(0, at) : raw).toLowerCase();
    const domain = (at >= 0 ? raw.slice(at + 1) : normalize(params.domain ?? '') || this.mainDomain).toLowerCase();
    return { local, domain, address: `${local}@${domain}` };
  }

  /** Functions that want a full address (suspend_*, verify_password, delete_auto_responder). */
  fullAddress(params: Params): string {
    const raw = normalize(params.email ?? '');
    if (!/^[^@\s]+@[^@\s]+$/.test(raw)) throw new UapiError('Please use a valid email format.');
    const at = raw.lastIndexOf('@');
    return `${raw.slice(0, at).toLowerCase()}@${raw.slice(at + 1).toLowerCase()}`;
  }

  existing(address: string): FakeMailbox {
    const mailbox = this.mailboxes.get(address);
    if (!mailbox) throw new UapiError(`You do not have an email account named ${quote(address)}.`);
    return mailbox;
  }

  checkStrength(password: string): void {
    const strength = cpanelPasswordStrength(password);
    if (this.minStrength > 0 && strength < this.minStrength) {
      throw new UapiError(
        `The password that you entered has a strength rating of ${quote(String(strength))}. You cannot use it because it is too weak and too easy to guess. Please enter a password with a strength rating of ${quote(String(this.minStrength))} or higher.`,
      );
    }
  }

  validateNewLocalPart(local: string, domain: string): void {
    if (!/^[a-zA-Z0-9.\-_]*$/.test(local)) {
      throw new UapiError('The local part can only contain letters (a-z), numbers (0-9), periods, hyphens (-), and underscores (_).');
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

  parseQuota(raw: string | undefined): number {
    const max = this.maxQuotaMb;
    const tooBig = (limit: number) => new UapiError(`You cannot set an email account quota higher than ${limit} MB.`); // [INF]
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

  popRow(address: string, mailbox: FakeMailbox) {
    return {
      email: address,
      login: address,
      suspended_incoming: mailbox.suspendedIncoming ? 1 : 0,
      suspended_login: mailbox.suspendedLogin ? 1 : 0,
    };
  }

  sortedMailboxes(): Array<[string, FakeMailbox]> {
    return [...this.mailboxes].sort(([a], [b]) => a.localeCompare(b));
  }
}
