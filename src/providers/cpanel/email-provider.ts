/** The MailboxProvider methods over the UAPI Email module, shared by the cPanel and WHM adapters. */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { sameAddress, splitAddress } from '../../lib/address.ts';
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
import type { UapiTransport } from './transport.ts';
import { epochSeconds, fail, fromEpoch, ok, type Params, scrub, truthy } from './uapi.ts';

/**
 * MailboxProvider over the UAPI Email module, whichever transport carries the calls.
 *
 * Every call is a single POST with a form body (passwords stay out of URLs and access logs) and
 * no retries: the app's job queue decides when to try again, guided by the failure code.
 */
export class UapiEmailProvider implements MailboxProvider {
  readonly name: string;
  readonly #transport: UapiTransport;
  readonly #logger: Logger | undefined;

  constructor(name: string, transport: UapiTransport, logger?: Logger) {
    this.name = name;
    this.#transport = transport;
    this.#logger = logger;
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

  /** list_pops_with_disk for one domain: it lists the account's "Main Account" too, which is no mailbox. */
  async listMailboxes(domain: string): Promise<ProviderResult<MailboxInfo[]>> {
    const wanted = domain.trim().toLowerCase();
    const result = await this.#call('list_pops_with_disk', { domain: wanted, no_disk: '1' });
    if (!result.ok) return result;
    const rows = Array.isArray(result.value) ? (result.value as unknown[]) : [];
    const mailboxes: MailboxInfo[] = [];
    for (const row of rows) {
      if (typeof row !== 'object' || row === null) continue;
      const r = row as Record<string, unknown>;
      const address = typeof r.email === 'string' ? r.email.trim().toLowerCase() : '';
      if (r.login === 'Main Account' || !address.endsWith(`@${wanted}`)) continue;
      mailboxes.push({ address, suspendedLogin: truthy(r.suspended_login), suspendedIncoming: truthy(r.suspended_incoming) });
    }
    return ok(mailboxes);
  }

  /** list_forwarders: in live data `dest` is the source address and `forward` the target (fact sheet §3.4). */
  async listDomainForwarders(domain: string): Promise<ProviderResult<HostedForwarder[]>> {
    const result = await this.#call('list_forwarders', { domain: domain.trim().toLowerCase() });
    if (!result.ok) return result;
    const rows = Array.isArray(result.value) ? (result.value as unknown[]) : [];
    const forwarders: HostedForwarder[] = [];
    for (const row of rows) {
      if (typeof row !== 'object' || row === null) continue;
      const r = row as Record<string, unknown>;
      if (typeof r.dest === 'string' && typeof r.forward === 'string') forwarders.push({ from: r.dest.toLowerCase(), to: r.forward });
    }
    return ok(forwarders);
  }

  async find(address: string): Promise<ProviderResult<MailboxInfo | null>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    // list_pops_with_disk with email + domain selects one address; filter again anyway, since the
    // main-account row and older servers' matching rules are not ours to trust.
    const result = await this.#call('list_pops_with_disk', { email: parts.local, domain: parts.domain, no_disk: '1' });
    if (!result.ok) return result;
    const rows = Array.isArray(result.value) ? (result.value as unknown[]) : [];
    for (const row of rows) {
      if (typeof row !== 'object' || row === null) continue;
      const r = row as Record<string, unknown>;
      if (r.login === 'Main Account' || !sameAddress(r.email, address)) continue;
      return ok({
        address: String(r.email).toLowerCase(),
        suspendedLogin: truthy(r.suspended_login),
        suspendedIncoming: truthy(r.suspended_incoming),
      });
    }
    return ok(null);
  }

  async create(input: CreateMailboxInput): Promise<ProviderResult<void>> {
    const result = await this.#call(
      'add_pop',
      {
        email: input.localPart,
        domain: input.domain,
        password: input.password,
        quota: String(input.quotaMb),
        send_welcome_email: '0',
      },
      [input.password],
    );
    return result.ok ? ok(undefined) : result;
  }

  async verifyPassword(address: string, password: string): Promise<ProviderResult<boolean>> {
    const result = await this.#call('verify_password', { email: address, password }, [password]);
    return result.ok ? ok(truthy(result.value)) : result;
  }

  /** Email::passwd_pop with the local part and an explicit domain (fact sheet: never rely on the main domain). */
  async setPassword(address: string, password: string): Promise<ProviderResult<void>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    const result = await this.#call('passwd_pop', { email: parts.local, domain: parts.domain, password }, [password]);
    return result.ok ? ok(undefined) : result;
  }

  async delete(address: string): Promise<ProviderResult<void>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    return this.#void('delete_pop', { email: parts.local, domain: parts.domain });
  }

  async listForwarders(address: string): Promise<ProviderResult<string[]>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    const result = await this.listDomainForwarders(parts.domain);
    if (!result.ok) return result;
    return ok(result.value.filter((row) => sameAddress(row.from, address)).map((row) => row.to));
  }

  async addForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    return this.#void('add_forwarder', { domain: parts.domain, email: address, fwdopt: 'fwd', fwdemail: to });
  }

  async removeForwarder(address: string, to: string): Promise<ProviderResult<void>> {
    // cPanel's answer for a missing forwarder is undocumented, so look first.
    const current = await this.listForwarders(address);
    if (!current.ok) return current;
    const existing = current.value.find((target) => sameAddress(target, to));
    if (existing === undefined) return ok(undefined);
    return this.#void('delete_forwarder', { address, forwarder: existing });
  }

  async getAutoReply(address: string): Promise<ProviderResult<AutoReplyInfo | null>> {
    const result = await this.#call('get_auto_responder', { email: address });
    if (!result.ok) return result.code === 'not_found' ? ok(null) : result;
    if (typeof result.value !== 'object' || result.value === null) return ok(null);
    const r = result.value as Record<string, unknown>;
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    // What cPanel answers for an address without an auto-reply is undocumented; an object with
    // nothing in it is the likely shape.
    if (!text(r.from) && !text(r.subject) && !text(r.body)) return ok(null);
    return ok({
      from: text(r.from),
      subject: text(r.subject),
      body: text(r.body),
      intervalHours: Number(r.interval) || 0,
      start: fromEpoch(r.start),
      stop: fromEpoch(r.stop),
    });
  }

  async setAutoReply(address: string, reply: AutoReplyInput): Promise<ProviderResult<void>> {
    const parts = splitAddress(address);
    if (!parts) return fail('rejected', `Not an email address: ${address}`);
    return this.#void('add_auto_responder', {
      email: parts.local,
      domain: parts.domain,
      from: reply.from,
      subject: reply.subject,
      body: reply.body,
      is_html: '0',
      charset: 'utf-8',
      interval: String(reply.intervalHours),
      start: epochSeconds(reply.start),
      stop: epochSeconds(reply.stop),
    });
  }

  async removeAutoReply(address: string): Promise<ProviderResult<void>> {
    const result = await this.#void('delete_auto_responder', { email: address });
    return !result.ok && result.code === 'not_found' ? ok(undefined) : result;
  }

  suspendLogin(address: string): Promise<ProviderResult<void>> {
    return this.#void('suspend_login', { email: address });
  }

  resumeLogin(address: string): Promise<ProviderResult<void>> {
    return this.#void('unsuspend_login', { email: address });
  }

  async #void(fn: string, params: Params): Promise<ProviderResult<void>> {
    const result = await this.#call(fn, params);
    return result.ok ? ok(undefined) : result;
  }

  /** One UAPI call; `secrets` are scrubbed from any reason text on top of the token. */
  async #call(fn: string, params: Params, secrets: string[] = []): Promise<ProviderResult<unknown>> {
    const started = performance.now();
    const { result, status } = await this.#transport.send(fn, params);
    const safe = result.ok ? result : { ...result, reason: scrub(result.reason, [...this.#transport.secrets, ...secrets]) };
    this.#logger?.[result.ok ? 'info' : 'warn'](
      {
        fn,
        status,
        durationMs: Math.round(performance.now() - started),
        outcome: result.ok ? 'ok' : result.code,
      },
      `${this.name} call`,
    );
    return safe;
  }
}
