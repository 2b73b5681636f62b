/**
 * AuroraProvider: the MailboxProvider over the Afterlogic Aurora (Corporate) Web API, plus the
 * webmail mode's server and user calls. Each method hands over to the module of its flow.
 */
import type {
  AutoReplyInfo,
  AutoReplyInput,
  CreateMailboxInput,
  HostedForwarder,
  MailboxInfo,
  MailboxProvider,
  MailHost,
  ProviderResult,
} from '../mailbox-provider.ts';
import { AuroraApiClient } from './api-client.ts';
import * as autoReply from './auto-reply.ts';
import { createMailbox } from './create.ts';
import * as forwarding from './forwarding.ts';
import { setPassword } from './password.ts';
import type { AuroraMailServer, AuroraProviderOptions } from './types.ts';
import * as users from './users.ts';
import * as webmail from './webmail.ts';

/**
 * MailboxProvider over the Afterlogic Aurora (Corporate) Web API: `POST <url>/?/Api/` with
 * `Module`, `Method` and `Parameters` (a JSON string built by JSON.stringify), authenticated by a
 * superadmin bearer token that is cached and renewed once when Aurora answers 101.
 *
 * Aurora keys everything on the user (PublicId = the address); forward and auto-reply live on the
 * user's mail account, found with Mail.GetAccountByEmail.
 */
export class AuroraProvider implements MailboxProvider {
  readonly name: string;
  readonly #client: AuroraApiClient;

  constructor(options: AuroraProviderOptions) {
    this.name = options.name ?? 'aurora';
    this.#client = new AuroraApiClient(options);
  }

  nameFor(_domain: string): string {
    return this.name;
  }

  atHost(_host: string | null | undefined): MailboxProvider {
    return this;
  }

  hostsFor(domains: readonly string[]): MailHost[] {
    return [{ name: this.name, domains: [...domains], provider: this }];
  }

  listMailboxes(domain: string): Promise<ProviderResult<MailboxInfo[]>> {
    return users.listMailboxes(this.#client, domain);
  }

  listDomainForwarders(domain: string): Promise<ProviderResult<HostedForwarder[]>> {
    return forwarding.listDomainForwarders(this.#client, domain);
  }

  find(address: string): Promise<ProviderResult<MailboxInfo | null>> {
    return users.findMailbox(this.#client, address);
  }

  /**
   * Core.CreateUser, then a check that the user really got its mail account: a real server answers
   * success with a bare user when the domain has no mail server, and loses the account when a
   * deadlock is swallowed (fact sheet §4). A bare user is repaired with Mail.CreateAccount, or
   * removed again, and the create fails with the cause.
   */
  create(input: CreateMailboxInput): Promise<ProviderResult<void>> {
    return createMailbox(this.#client, input);
  }

  /** Core.Login, which is not read-only: see users.ts. */
  verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>> {
    return users.verifyPassword(this.#client, address, password);
  }

  delete(address: string): Promise<ProviderResult<void>> {
    return users.deleteMailbox(this.#client, address);
  }

  /** Core.UpdateUser with Password, confirmed by the password backend's IsPasswordChanged: see password.ts. */
  setPassword(address: string, password: string): Promise<ProviderResult<void>> {
    return setPassword(this.#client, address, password);
  }

  listForwarders(address: string): Promise<ProviderResult<string[]>> {
    return forwarding.listForwarders(this.#client, address);
  }

  /** Aurora keeps one forward target per account: adding one replaces any other. */
  addForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    return forwarding.addForwarder(this.#client, address, to);
  }

  removeForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    return forwarding.removeForwarder(this.#client, address, to);
  }

  getAutoReply(address: string): Promise<ProviderResult<AutoReplyInfo | null>> {
    return autoReply.getAutoReply(this.#client, address);
  }

  setAutoReply(address: string, reply: AutoReplyInput): Promise<ProviderResult<void>> {
    return autoReply.setAutoReply(this.#client, address, reply);
  }

  removeAutoReply(address: string): Promise<ProviderResult<void>> {
    return autoReply.removeAutoReply(this.#client, address);
  }

  suspendLogin(address: string): Promise<ProviderResult<void>> {
    return users.setDisabled(this.#client, address, true);
  }

  resumeLogin(address: string): Promise<ProviderResult<void>> {
    return users.setDisabled(this.#client, address, false);
  }

  // --- Aurora as the webmail of another mail host (seed 001): servers, and users with an account on one.

  /** Mail.GetServers: the mail servers Aurora knows. */
  listServers(): Promise<ProviderResult<AuroraMailServer[]>> {
    return webmail.listServers(this.#client);
  }

  /** Mail.CreateServer, owned by the superadmin (TenantId 0); answers the new server's id. */
  createServer(server: Omit<AuroraMailServer, 'id'>): Promise<ProviderResult<number>> {
    return webmail.createServer(this.#client, server);
  }

  /** The webmail user of a mailbox hosted elsewhere, with its account on mail server `serverId`. */
  addWebmailUser(address: string, password: string, serverId: number): Promise<ProviderResult<void>> {
    return webmail.addWebmailUser(this.#client, address, password, serverId);
  }
}
