import { domainOf } from '../lib/address.ts';
import type {
  AutoReplyInfo,
  AutoReplyInput,
  CreateMailboxInput,
  MailboxInfo,
  MailboxProvider,
  ProviderResult,
} from './mailbox-provider.ts';

/**
 * One MailboxProvider over several mail hosts: each call goes to the provider its address's
 * domain is routed to, and every other domain to the default.
 */
export class RoutingProvider implements MailboxProvider {
  readonly #fallback: MailboxProvider;
  readonly #routes: ReadonlyMap<string, MailboxProvider>;

  /** `routes` maps a lower-case domain to its provider. */
  constructor(fallback: MailboxProvider, routes: ReadonlyMap<string, MailboxProvider>) {
    this.#fallback = fallback;
    this.#routes = new Map([...routes].map(([domain, provider]) => [domain.trim().toLowerCase(), provider]));
  }

  /** The default provider's name; Mailbox rows take `nameFor(domain)`. */
  get name(): string {
    return this.#fallback.name;
  }

  /** The provider serving `domain` (exposed for tests and diagnostics). */
  providerFor(domain: string): MailboxProvider {
    return this.#routes.get(domain.trim().toLowerCase()) ?? this.#fallback;
  }

  nameFor(domain: string): string {
    return this.providerFor(domain).nameFor(domain);
  }

  #for(address: string): MailboxProvider {
    return this.providerFor(domainOf(address));
  }

  find(address: string): Promise<ProviderResult<MailboxInfo | null>> {
    return this.#for(address).find(address);
  }

  create(input: CreateMailboxInput): Promise<ProviderResult<void>> {
    return this.providerFor(input.domain).create(input);
  }

  verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>> {
    return this.#for(address).verifyPassword(address, password);
  }

  delete(address: string): Promise<ProviderResult<void>> {
    return this.#for(address).delete(address);
  }

  setPassword(address: string, password: string): Promise<ProviderResult<void>> {
    return this.#for(address).setPassword(address, password);
  }

  listForwarders(address: string): Promise<ProviderResult<string[]>> {
    return this.#for(address).listForwarders(address);
  }

  addForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    return this.#for(address).addForwarder(address, to);
  }

  removeForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    return this.#for(address).removeForwarder(address, to);
  }

  getAutoReply(address: string): Promise<ProviderResult<AutoReplyInfo | null>> {
    return this.#for(address).getAutoReply(address);
  }

  setAutoReply(address: string, reply: AutoReplyInput): Promise<ProviderResult<void>> {
    return this.#for(address).setAutoReply(address, reply);
  }

  removeAutoReply(address: string): Promise<ProviderResult<void>> {
    return this.#for(address).removeAutoReply(address);
  }

  suspendLogin(address: string): Promise<ProviderResult<void>> {
    return this.#for(address).suspendLogin(address);
  }

  resumeLogin(address: string): Promise<ProviderResult<void>> {
    return this.#for(address).resumeLogin(address);
  }
}
