/**
 * One behavioural contract for every MailboxProvider adapter, each against its loopback fake
 * speaking the real protocol: cPanel UAPI, WHM API 1 uapi_cpanel, and the Aurora Web API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuroraProvider } from '../../src/providers/aurora.ts';
import { CpanelProvider } from '../../src/providers/cpanel.ts';
import type { MailboxProvider } from '../../src/providers/mailbox-provider.ts';
import { WhmProvider } from '../../src/providers/whm.ts';
import { startFakeAurora } from '../../src/sandbox/fakes/aurora-server.ts';
import { startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { startFakeWhm } from '../../src/sandbox/fakes/whm-server.ts';
import { generatePassword } from '../../src/services/credentials/password.ts';

const DOMAINS = ['example.com', 'example.org'];
const ADDRESS = 'jane.doe@example.com';
const TIMEOUT_MS = 1_500;

interface Subject {
  provider: MailboxProvider;
  /** The same adapter with a wrong secret. */
  withBadCredentials(): MailboxProvider;
  /** The secret that must never show up in a reason. */
  secret: string;
  /** The next create call answers with a server error (HTML 500 / empty 500). */
  failNextCreate(): void;
  /** Puts a mailbox at the provider behind the adapter's back. */
  seed(address: string, password: string): void;
  mailboxCount(): number;
  /** Everything the host stores, to prove a call changed nothing. */
  state(): string;
  /** Whether the host keeps an auto-reply's stop date (Aurora without AllowScheduledAutoresponder does not). */
  keepsStopDate: boolean;
  /**
   * Where the host can half-do a create (Aurora: the user without its mail account, as a swallowed
   * deadlock leaves it), makes the next create do so. cPanel's add_pop is one step and cannot.
   */
  halfDoNextCreate?: () => void;
  /** Where the host can hold a user that is no mailbox (Aurora's bare user), puts one there. */
  seedBare?: (address: string) => void;
  /** Stops the server; returns its URL's adapter, now pointing at nothing. */
  takeDown(): Promise<MailboxProvider>;
  close(): Promise<void>;
}

const adapters: Array<[string, () => Promise<Subject>]> = [
  [
    'cpanel',
    async () => {
      const fake = await startFakeCpanel({ user: 'acme', domains: DOMAINS });
      const build = (url: string, token = fake.token) => new CpanelProvider({ baseUrl: url, user: 'acme', token, timeoutMs: TIMEOUT_MS });
      return {
        provider: build(fake.url),
        withBadCredentials: () => build(fake.url, 'WRONGTOKEN0123456789'),
        secret: 'WRONGTOKEN0123456789',
        failNextCreate: () => fake.failNext('add_pop', 1, 'http500'),
        seed: (address, password) => fake.addMailbox(address, password),
        mailboxCount: () => fake.mailboxes.size,
        state: () => JSON.stringify([[...fake.mailboxes], [...fake.forwarders], [...fake.autoResponders]]),
        keepsStopDate: true,
        takeDown: async () => {
          await fake.close();
          return build(fake.url);
        },
        close: () => fake.close(),
      };
    },
  ],
  [
    'whm',
    async () => {
      const fake = await startFakeWhm({ whmUser: 'reseller1', cpanelUser: 'acme', domains: DOMAINS });
      const build = (url: string, token = fake.whm.token) =>
        new WhmProvider({ baseUrl: url, user: 'reseller1', token, cpanelUser: 'acme', timeoutMs: TIMEOUT_MS });
      return {
        provider: build(fake.url),
        withBadCredentials: () => build(fake.url, 'WRONGWHMTOKEN0123456789'),
        secret: 'WRONGWHMTOKEN0123456789',
        failNextCreate: () => fake.failNext('add_pop', 1, 'http500'),
        seed: (address, password) => fake.addMailbox(address, password),
        mailboxCount: () => fake.mailboxes.size,
        state: () => JSON.stringify([[...fake.mailboxes], [...fake.forwarders], [...fake.autoResponders]]),
        keepsStopDate: true,
        takeDown: async () => {
          await fake.close();
          return build(fake.url);
        },
        close: () => fake.close(),
      };
    },
  ],
  [
    'aurora',
    async () => {
      const fake = await startFakeAurora({ domains: DOMAINS, tenantIds: [3] });
      const build = (url: string, password = fake.adminPassword) =>
        new AuroraProvider({ baseUrl: url, adminLogin: fake.adminLogin, adminPassword: password, tenantId: 3, timeoutMs: TIMEOUT_MS });
      return {
        provider: build(fake.url),
        withBadCredentials: () => build(fake.url, 'wrong-admin-password-123'),
        secret: 'wrong-admin-password-123',
        failNextCreate: () => fake.failNext('Core.CreateUser', 1, { mode: 'empty500' }),
        seed: (address, password) => {
          fake.addUser(address, password, { tenantId: 3 });
        },
        mailboxCount: () => fake.users.size,
        state: () => JSON.stringify([[...fake.users], [...fake.accounts]]),
        // AllowScheduledAutoresponder is off by default: Start/End are ignored (fact sheet §4).
        keepsStopDate: false,
        halfDoNextCreate: () => fake.failNext('Core.CreateUser', 1, { mode: 'lose-account' }),
        seedBare: (address) => {
          fake.addUser(address, generatePassword(), { tenantId: 3, withoutAccount: true });
        },
        takeDown: async () => {
          await fake.close();
          return build(fake.url);
        },
        close: () => fake.close(),
      };
    },
  ],
];

const newMailbox = (password: string, localPart = 'jane.doe') => ({ localPart, domain: 'example.com', password, quotaMb: 1024 });
const at = (iso: string) => new Date(iso);

describe.each(adapters)('MailboxProvider contract: %s', (name, start) => {
  let subject: Subject;
  let provider: MailboxProvider;

  beforeEach(async () => {
    subject = await start();
    provider = subject.provider;
  });

  afterEach(async () => {
    await subject.close();
  });

  it('names itself for every domain', () => {
    expect(provider.name).toBe(name);
    expect(provider.nameFor('example.org')).toBe(name);
  });

  it('creates a mailbox that then exists', async () => {
    expect(await provider.find(ADDRESS)).toEqual({ ok: true, value: null });
    expect(await provider.create(newMailbox(generatePassword()))).toEqual({ ok: true, value: undefined });
    expect(await provider.find('Jane.Doe@Example.com')).toEqual({
      ok: true,
      value: { address: ADDRESS, suspendedLogin: false, suspendedIncoming: false },
    });
    expect(subject.mailboxCount()).toBe(1);
  });

  it('matches whole addresses only', async () => {
    await provider.create(newMailbox(generatePassword(), 'joann'));
    expect(await provider.find('ann@example.com')).toEqual({ ok: true, value: null });
    expect(await provider.find('joann@example.org')).toEqual({ ok: true, value: null });
  });

  it('answers already_exists for an address that exists, whoever created it', async () => {
    const password = generatePassword();
    expect((await provider.create(newMailbox(password))).ok).toBe(true);
    expect(await provider.create(newMailbox(generatePassword()))).toMatchObject({ ok: false, code: 'already_exists' });

    subject.seed('ceo@example.com', generatePassword());
    expect(await provider.create(newMailbox(generatePassword(), 'ceo'))).toMatchObject({ ok: false, code: 'already_exists' });
    expect(subject.mailboxCount()).toBe(2);
  });

  it('tells the right password from a wrong one', async () => {
    const password = 'Quote"Back\\slash&Plus+Hash#1';
    expect((await provider.create(newMailbox(password))).ok).toBe(true);
    expect(await provider.verifyPassword(ADDRESS, password)).toEqual({ ok: true, value: true });
    expect(await provider.verifyPassword(ADDRESS, `${password}x`)).toEqual({ ok: true, value: false });
  });

  it('sets a new password: the new one opens the mailbox, the old one no longer does', async () => {
    const old = generatePassword();
    const fresh = generatePassword();
    expect((await provider.create(newMailbox(old))).ok).toBe(true);
    expect(await provider.setPassword(ADDRESS, fresh)).toEqual({ ok: true, value: undefined });
    expect(await provider.verifyPassword(ADDRESS, fresh)).toEqual({ ok: true, value: true });
    expect(await provider.verifyPassword(ADDRESS, old)).toEqual({ ok: true, value: false });
    expect(await provider.setPassword('nobody@example.com', fresh)).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('forwards mail and stops forwarding it', async () => {
    await provider.create(newMailbox(generatePassword()));
    expect(await provider.listForwarders(ADDRESS)).toEqual({ ok: true, value: [] });
    expect(await provider.addForwarder(ADDRESS, 'boss@example.org')).toEqual({ ok: true, value: undefined });
    expect(await provider.listForwarders(ADDRESS)).toEqual({ ok: true, value: ['boss@example.org'] });
    expect(await provider.removeForwarder(ADDRESS, 'boss@example.org')).toEqual({ ok: true, value: undefined });
    expect(await provider.listForwarders(ADDRESS)).toEqual({ ok: true, value: [] });
    // Removing what is not there succeeds.
    expect(await provider.removeForwarder(ADDRESS, 'boss@example.org')).toEqual({ ok: true, value: undefined });
  });

  it('lists the mailboxes and forwarders of one domain, and nothing that is not a mailbox there', async () => {
    await provider.create(newMailbox(generatePassword()));
    await provider.create(newMailbox(generatePassword(), 'max'));
    await provider.create({ ...newMailbox(generatePassword(), 'other'), domain: 'example.org' });
    subject.seed('someone@example.com.au', generatePassword());
    subject.seedBare?.('bare@example.com');
    expect((await provider.suspendLogin('max@example.com')).ok).toBe(true);
    expect((await provider.addForwarder(ADDRESS, 'friend@elsewhere.test')).ok).toBe(true);

    const listed = await provider.listMailboxes('Example.com');
    expect(listed.ok && [...listed.value].sort((a, b) => a.address.localeCompare(b.address))).toEqual([
      { address: ADDRESS, suspendedLogin: false, suspendedIncoming: false },
      { address: 'max@example.com', suspendedLogin: true, suspendedIncoming: false },
    ]);
    expect(await provider.listDomainForwarders('example.com')).toEqual({
      ok: true,
      value: [{ from: ADDRESS, to: 'friend@elsewhere.test' }],
    });
    expect(await provider.listDomainForwarders('example.org')).toEqual({ ok: true, value: [] });
  });

  it('installs, reports and removes an auto-reply', async () => {
    await provider.create(newMailbox(generatePassword()));
    expect(await provider.getAutoReply(ADDRESS)).toEqual({ ok: true, value: null });
    const reply = {
      from: 'Jane Doe',
      subject: 'Jane has left — “Acme” & co',
      body: 'Please write to boss@example.org.\nThanks!',
      intervalHours: 24,
      start: at('2026-12-01T09:00:00Z'),
      stop: at('2027-01-01T09:00:00Z'),
    };
    expect(await provider.setAutoReply(ADDRESS, reply)).toEqual({ ok: true, value: undefined });
    const got = await provider.getAutoReply(ADDRESS);
    expect(got.ok && got.value).toMatchObject({ subject: reply.subject, body: reply.body });
    // The stop date reported is the one the host keeps, or none: never one it will not keep.
    expect(got.ok && got.value?.stop).toEqual(subject.keepsStopDate ? reply.stop : null);
    expect(await provider.removeAutoReply(ADDRESS)).toEqual({ ok: true, value: undefined });
    expect(await provider.getAutoReply(ADDRESS)).toEqual({ ok: true, value: null });
    expect(await provider.removeAutoReply(ADDRESS)).toEqual({ ok: true, value: undefined });
  });

  it('refuses a domain the host does not serve, names it, and leaves nothing behind', async () => {
    const result = await provider.create({ ...newMailbox(generatePassword()), domain: 'example.net' });
    expect(result).toMatchObject({ ok: false, code: 'rejected', reason: expect.stringContaining('example.net') });
    expect(subject.mailboxCount()).toBe(0);
    expect(await provider.find('jane.doe@example.net')).toEqual({ ok: true, value: null });
  });

  it('calls a mailbox created only once it can be used', async () => {
    if (!subject.halfDoNextCreate) return; // this host creates in one step
    subject.halfDoNextCreate();
    expect(await provider.create(newMailbox(generatePassword()))).toEqual({ ok: true, value: undefined });
    // Usable means: it takes a forwarder and an auto-reply.
    expect(await provider.addForwarder(ADDRESS, 'boss@example.org')).toEqual({ ok: true, value: undefined });
    expect(await provider.listForwarders(ADDRESS)).toEqual({ ok: true, value: ['boss@example.org'] });
  });

  it('checks a password without changing anything at the host', async () => {
    const password = generatePassword();
    await provider.create(newMailbox(password));
    subject.seed('ceo@example.com', generatePassword());
    const before = subject.state();
    expect(await provider.verifyPassword(ADDRESS, password)).toEqual({ ok: true, value: true });
    expect(await provider.verifyPassword(ADDRESS, `${password}x`)).toEqual({ ok: true, value: false });
    expect(await provider.verifyPassword('ceo@example.com', password)).toEqual({ ok: true, value: false });
    expect(subject.state()).toBe(before);
  });

  it('suspends and resumes login, idempotently', async () => {
    await provider.create(newMailbox(generatePassword()));
    expect(await provider.suspendLogin(ADDRESS)).toEqual({ ok: true, value: undefined });
    expect(await provider.suspendLogin(ADDRESS)).toEqual({ ok: true, value: undefined });
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: true, value: { suspendedLogin: true } });
    expect(await provider.resumeLogin(ADDRESS)).toEqual({ ok: true, value: undefined });
    expect(await provider.resumeLogin(ADDRESS)).toEqual({ ok: true, value: undefined });
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: true, value: { suspendedLogin: false } });
  });

  it('deletes a mailbox', async () => {
    await provider.create(newMailbox(generatePassword()));
    expect(await provider.delete(ADDRESS)).toEqual({ ok: true, value: undefined });
    expect(await provider.find(ADDRESS)).toEqual({ ok: true, value: null });
    expect(subject.mailboxCount()).toBe(0);
  });

  it('answers not_found for a mailbox that does not exist', async () => {
    const missing = 'nobody@example.com';
    expect(await provider.delete(missing)).toMatchObject({ ok: false, code: 'not_found' });
    expect(await provider.suspendLogin(missing)).toMatchObject({ ok: false, code: 'not_found' });
    expect(await provider.resumeLogin(missing)).toMatchObject({ ok: false, code: 'not_found' });
    // Lookups and removals of what is not there are not failures.
    expect(await provider.listForwarders(missing)).toEqual({ ok: true, value: [] });
    expect(await provider.getAutoReply(missing)).toEqual({ ok: true, value: null });
    expect(await provider.removeAutoReply(missing)).toEqual({ ok: true, value: undefined });
  });

  it('answers unavailable when the provider fails or is down, and creates nothing', async () => {
    subject.failNextCreate();
    expect(await provider.create(newMailbox(generatePassword()))).toMatchObject({ ok: false, code: 'unavailable' });
    expect(subject.mailboxCount()).toBe(0);

    const dead = await subject.takeDown();
    expect(await dead.find(ADDRESS)).toMatchObject({ ok: false, code: 'unavailable' });
    expect(await dead.create(newMailbox(generatePassword()))).toMatchObject({ ok: false, code: 'unavailable' });
  });

  it('answers auth_failed for refused credentials, without echoing them', async () => {
    const result = await subject.withBadCredentials().find(ADDRESS);
    expect(result).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(!result.ok && result.reason).not.toContain(subject.secret);
  });
});

describe('Aurora without a password backend', () => {
  it('refuses a password change it cannot make, instead of calling it done', async () => {
    // A real server without MtaConnector answers UpdateUser+Password with true and changes nothing.
    const fake = await startFakeAurora({ domains: DOMAINS, passwordBackend: false });
    try {
      const provider = new AuroraProvider({
        baseUrl: fake.url,
        adminLogin: fake.adminLogin,
        adminPassword: fake.adminPassword,
        tenantId: 0,
      });
      const old = generatePassword();
      const fresh = generatePassword();
      expect((await provider.create(newMailbox(old))).ok).toBe(true);
      const result = await provider.setPassword(ADDRESS, fresh);
      expect(result).toMatchObject({ ok: false, code: 'rejected' });
      expect(JSON.stringify(result)).toContain('no module that changes mailbox passwords');
      expect(JSON.stringify(result)).not.toContain(fresh);
      expect(await provider.verifyPassword(ADDRESS, old)).toEqual({ ok: true, value: true });
    } finally {
      await fake.close();
    }
  });
});
