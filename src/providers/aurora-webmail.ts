import type { AuroraProvider } from './aurora.ts';
import type {
  AutoReplyInfo,
  AutoReplyInput,
  CreateMailboxInput,
  HostedForwarder,
  MailboxInfo,
  MailboxProvider,
  MailHost,
  ProviderResult,
} from './mailbox-provider.ts';

/**
 * A mail host (cPanel, WHM) whose staff read their mail in Aurora's webmail (seed 001): the mailbox
 * lives on the mail host, and Aurora holds a user with an account on the mail server registered for
 * it (`mailroom aurora-server add`). Creation makes both, deletion removes both, and a login
 * suspension locks both; forwarders and auto-replies stay with the mail host, which delivers mail.
 */
export class AuroraWebmailProvider implements MailboxProvider {
  readonly #host: MailboxProvider;
  readonly #aurora: AuroraProvider;
  readonly #serverId: number;

  constructor(host: MailboxProvider, aurora: AuroraProvider, serverId: number) {
    this.#host = host;
    this.#aurora = aurora;
    this.#serverId = serverId;
  }

  get name(): string {
    return this.#host.name;
  }

  nameFor(domain: string): string {
    return this.#host.nameFor(domain);
  }

  atHost(_host: string | null | undefined): MailboxProvider {
    return this;
  }

  hostsFor(domains: readonly string[]): MailHost[] {
    return [{ name: this.name, domains: [...domains], provider: this }];
  }

  /** The mail host's mailboxes and forwarders: the webmail users only mirror them. */
  listMailboxes(domain: string): Promise<ProviderResult<MailboxInfo[]>> {
    return this.#host.listMailboxes(domain);
  }

  listDomainForwarders(domain: string): Promise<ProviderResult<HostedForwarder[]>> {
    return this.#host.listDomainForwarders(domain);
  }

  find(address: string): Promise<ProviderResult<MailboxInfo | null>> {
    return this.#host.find(address);
  }

  /**
   * The mailbox first, then its webmail user. A retry after a failed Aurora step finds the mailbox
   * "already exists": when the password proves it is this attempt's own, the webmail user is made
   * and the host's answer passed on, so the caller's own ownership check still decides.
   */
  async create(input: CreateMailboxInput): Promise<ProviderResult<void>> {
    const address = `${input.localPart}@${input.domain}`;
    const created = await this.#host.create(input);
    if (!created.ok && created.code !== 'already_exists') return created;
    if (!created.ok) {
      const ours = await this.#host.verifyPassword(address, input.password);
      if (!ours.ok) return ours;
      if (!ours.value) return created;
    }
    const webmail = await this.#aurora.addWebmailUser(address, input.password, this.#serverId);
    if (!webmail.ok) {
      return {
        ...webmail,
        reason: `${address} exists on ${this.#host.nameFor(input.domain)}, but its Aurora webmail user could not be set up: ${webmail.reason}`,
      };
    }
    return created;
  }

  verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>> {
    return this.#host.verifyPassword(address, password);
  }

  /**
   * At the mail host only: Aurora's webmail keeps the account's stored password until the next
   * webmail login, which stores the password IMAP has just accepted (fact sheet §4).
   */
  setPassword(address: string, password: string): Promise<ProviderResult<void>> {
    return this.#host.setPassword(address, password);
  }

  /** The mailbox, then the webmail user (a user already gone is fine). */
  async delete(address: string): Promise<ProviderResult<void>> {
    const deleted = await this.#host.delete(address);
    if (!deleted.ok && deleted.code !== 'not_found') return deleted;
    const webmail = await this.#aurora.delete(address);
    if (!webmail.ok && webmail.code !== 'not_found')
      return { ...webmail, reason: `the Aurora webmail user of ${address}: ${webmail.reason}` };
    return deleted;
  }

  listForwarders(address: string): Promise<ProviderResult<string[]>> {
    return this.#host.listForwarders(address);
  }

  addForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    return this.#host.addForwarder(address, to);
  }

  removeForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    return this.#host.removeForwarder(address, to);
  }

  getAutoReply(address: string): Promise<ProviderResult<AutoReplyInfo | null>> {
    return this.#host.getAutoReply(address);
  }

  setAutoReply(address: string, reply: AutoReplyInput): Promise<ProviderResult<void>> {
    return this.#host.setAutoReply(address, reply);
  }

  removeAutoReply(address: string): Promise<ProviderResult<void>> {
    return this.#host.removeAutoReply(address);
  }

  suspendLogin(address: string): Promise<ProviderResult<void>> {
    return this.#both(address, (provider) => provider.suspendLogin(address));
  }

  resumeLogin(address: string): Promise<ProviderResult<void>> {
    return this.#both(address, (provider) => provider.resumeLogin(address));
  }

  /** At the host, then in Aurora; a mailbox without a webmail user (made before this mode) is fine. */
  async #both(address: string, act: (provider: MailboxProvider) => Promise<ProviderResult<void>>): Promise<ProviderResult<void>> {
    const host = await act(this.#host);
    if (!host.ok) return host;
    const webmail = await act(this.#aurora);
    if (!webmail.ok && webmail.code !== 'not_found')
      return { ...webmail, reason: `the Aurora webmail user of ${address}: ${webmail.reason}` };
    return host;
  }
}
