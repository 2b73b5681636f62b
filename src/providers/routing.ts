import { domainOf } from '../lib/address.ts';
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
 * One MailboxProvider over several mail hosts: each call goes to the host its address's domain is
 * routed to, and every other domain to the default (none with a hosts file: an unserved domain is
 * refused). Hosts are known by name (`nameFor`, stored on Mailbox rows), and `atHost(name)` sends a
 * mailbox's later operations to the host that created it.
 */
export class RoutingProvider implements MailboxProvider {
  readonly #fallback: MailboxProvider | undefined;
  readonly #routes: ReadonlyMap<string, MailboxProvider>;
  readonly #byName: ReadonlyMap<string, MailboxProvider>;

  /** `routes` maps a lower-case domain to its provider; `fallback` serves every other domain. */
  constructor(fallback: MailboxProvider | undefined, routes: ReadonlyMap<string, MailboxProvider>) {
    this.#fallback = fallback;
    this.#routes = new Map([...routes].map(([domain, provider]) => [domain.trim().toLowerCase(), provider]));
    const hosts = [...(fallback ? [fallback] : []), ...routes.values()];
    this.#byName = new Map(hosts.map((host) => [host.name, host]));
  }

  /** The default host's name (the first host's without a default). */
  get name(): string {
    return (this.#fallback ?? [...this.#byName.values()][0])?.name ?? 'none';
  }

  /** The provider serving `domain`, if any (exposed for tests and diagnostics). */
  providerFor(domain: string): MailboxProvider | undefined {
    return this.#routes.get(domain.trim().toLowerCase()) ?? this.#fallback;
  }

  nameFor(domain: string): string {
    return this.providerFor(domain)?.nameFor(domain) ?? this.name;
  }

  atHost(host: string | null | undefined): MailboxProvider {
    return (host ? this.#byName.get(host) : undefined) ?? this;
  }

  hostsFor(domains: readonly string[]): MailHost[] {
    const hosts = new Map<string, MailHost>();
    for (const domain of domains) {
      const provider = this.providerFor(domain);
      if (!provider) continue;
      const name = provider.nameFor(domain);
      const host = hosts.get(name) ?? { name, domains: [], provider };
      host.domains.push(domain.trim().toLowerCase());
      hosts.set(name, host);
    }
    return [...hosts.values()];
  }

  /** The call at the host serving `domain`; a domain no host serves is refused, naming it. */
  #via<T>(domain: string, call: (provider: MailboxProvider) => Promise<ProviderResult<T>>): Promise<ProviderResult<T>> {
    const provider = this.providerFor(domain);
    if (provider) return call(provider);
    return Promise.resolve({ ok: false, code: 'rejected', reason: `No mail host serves ${domain} (see MAIL_HOSTS_FILE)` });
  }

  #at<T>(address: string, call: (provider: MailboxProvider) => Promise<ProviderResult<T>>): Promise<ProviderResult<T>> {
    return this.#via(domainOf(address), call);
  }

  listMailboxes(domain: string): Promise<ProviderResult<MailboxInfo[]>> {
    return this.#via(domain, (p) => p.listMailboxes(domain));
  }

  listDomainForwarders(domain: string): Promise<ProviderResult<HostedForwarder[]>> {
    return this.#via(domain, (p) => p.listDomainForwarders(domain));
  }

  find(address: string): Promise<ProviderResult<MailboxInfo | null>> {
    return this.#at(address, (p) => p.find(address));
  }

  create(input: CreateMailboxInput): Promise<ProviderResult<void>> {
    return this.#via(input.domain, (p) => p.create(input));
  }

  verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>> {
    return this.#at(address, (p) => p.verifyPassword(address, password));
  }

  delete(address: string): Promise<ProviderResult<void>> {
    return this.#at(address, (p) => p.delete(address));
  }

  setPassword(address: string, password: string): Promise<ProviderResult<void>> {
    return this.#at(address, (p) => p.setPassword(address, password));
  }

  listForwarders(address: string): Promise<ProviderResult<string[]>> {
    return this.#at(address, (p) => p.listForwarders(address));
  }

  addForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    return this.#at(address, (p) => p.addForwarder(address, to));
  }

  removeForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    return this.#at(address, (p) => p.removeForwarder(address, to));
  }

  getAutoReply(address: string): Promise<ProviderResult<AutoReplyInfo | null>> {
    return this.#at(address, (p) => p.getAutoReply(address));
  }

  setAutoReply(address: string, reply: AutoReplyInput): Promise<ProviderResult<void>> {
    return this.#at(address, (p) => p.setAutoReply(address, reply));
  }

  removeAutoReply(address: string): Promise<ProviderResult<void>> {
    return this.#at(address, (p) => p.removeAutoReply(address));
  }

  suspendLogin(address: string): Promise<ProviderResult<void>> {
    return this.#at(address, (p) => p.suspendLogin(address));
  }

  resumeLogin(address: string): Promise<ProviderResult<void>> {
    return this.#at(address, (p) => p.resumeLogin(address));
  }
}
