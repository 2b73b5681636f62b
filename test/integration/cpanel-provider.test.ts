import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CpanelProvider } from '../../src/providers/cpanel.ts';
import { type FakeCpanel, startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { generatePassword } from '../../src/services/credentials/password.ts';

const ADDRESS = 'jane.doe@example.com';

let fake: FakeCpanel;

const providerFor = (f: FakeCpanel, overrides: Partial<ConstructorParameters<typeof CpanelProvider>[0]> = {}) =>
  new CpanelProvider({ baseUrl: f.url, user: f.user, token: f.token, timeoutMs: 2_000, ...overrides });

const newMailbox = (password: string) => ({ localPart: 'jane.doe', domain: 'example.com', password, quotaMb: 1024 });

beforeEach(async () => {
  fake = await startFakeCpanel({ domains: ['example.com', 'example.org'] });
});

afterEach(async () => {
  await fake.close();
});

describe('CpanelProvider against the fake cPanel', () => {
  it('creates, finds, verifies and deletes a mailbox', async () => {
    const provider = providerFor(fake);
    const password = generatePassword();
    expect(provider.name).toBe('cpanel');

    expect(await provider.find(ADDRESS)).toEqual({ ok: true, value: null });
    expect(await provider.create(newMailbox(password))).toEqual({ ok: true, value: undefined });
    expect(fake.mailboxes.get(ADDRESS)?.quotaMb).toBe(1024);

    expect(await provider.find('Jane.Doe@Example.com')).toEqual({
      ok: true,
      value: { address: ADDRESS, suspendedLogin: false, suspendedIncoming: false },
    });

    const again = await provider.create(newMailbox(password));
    expect(again).toEqual({ ok: false, code: 'already_exists', reason: `The account ${ADDRESS} already exists!` });

    expect(await provider.verifyPassword(ADDRESS, password)).toEqual({ ok: true, value: true });
    expect(await provider.verifyPassword(ADDRESS, `${password}x`)).toEqual({ ok: true, value: false });

    expect(await provider.delete(ADDRESS)).toEqual({ ok: true, value: undefined });
    expect(await provider.find(ADDRESS)).toEqual({ ok: true, value: null });
    const gone = await provider.delete(ADDRESS);
    expect(gone).toEqual({
      ok: false,
      code: 'not_found',
      reason: `You do not have an email account named “${ADDRESS}”.`,
    });
    expect((await provider.verifyPassword(ADDRESS, password)).ok).toBe(false);
  });

  it('sends a POST form body with the exact Authorization header and the documented parameters', async () => {
    const password = generatePassword();
    await providerFor(fake).create(newMailbox(password));

    const [call] = fake.callsTo('add_pop');
    expect(call).toBeDefined();
    expect(call?.module).toBe('Email');
    expect(call?.method).toBe('POST');
    expect(call?.query).toEqual({});
    expect(call?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(call?.headers.authorization).toBe(`cpanel ${fake.user}:${fake.token}`);
    expect(call?.params).toEqual({
      email: 'jane.doe',
      domain: 'example.com',
      password,
      quota: '1024',
      send_welcome_email: '0',
    });
  });

  it('survives passwords with characters that break naive URL encoding', async () => {
    const password = 'Dw(7!mER3MFC+&%# =x';
    expect(await providerFor(fake).create(newMailbox(password))).toEqual({ ok: true, value: undefined });
    expect(fake.callsTo('add_pop')[0]?.params.password).toBe(password);
    expect(await providerFor(fake).verifyPassword(ADDRESS, password)).toEqual({ ok: true, value: true });
  });

  it('reports a refused token as auth_failed', async () => {
    const provider = providerFor(fake, { token: 'WRONGTOKEN' });
    const result = await provider.find(ADDRESS);
    expect(result).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(!result.ok && result.reason).not.toContain('WRONGTOKEN');
    expect(fake.calls[0]).toMatchObject({ authorized: false, status: 401 });
  });

  it('reports an HTML 500 or 503 page as unavailable', async () => {
    const provider = providerFor(fake);
    fake.failNext('add_pop', 1, 'http500');
    fake.failNext('add_pop', 1, 'http503');
    expect(await provider.create(newMailbox(generatePassword()))).toMatchObject({ ok: false, code: 'unavailable' });
    expect(await provider.create(newMailbox(generatePassword()))).toMatchObject({ ok: false, code: 'unavailable' });
    expect(fake.mailboxes.size).toBe(0);
    // The failures are used up: the next call goes through.
    expect((await provider.create(newMailbox(generatePassword()))).ok).toBe(true);
  });

  it('reports a timeout as unavailable', async () => {
    const provider = providerFor(fake, { timeoutMs: 150 });
    fake.failNext('list_pops_with_disk', 1, 'timeout');
    const started = Date.now();
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: false, code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1_500);

    fake.delayMs = 400;
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: false, code: 'unavailable' });
  });

  it('lets a retry discover that a timed-out create actually succeeded', async () => {
    const provider = providerFor(fake, { timeoutMs: 150 });
    const password = generatePassword();
    fake.failNext('add_pop', 1, 'succeed-then-timeout');

    expect(await provider.create(newMailbox(password))).toMatchObject({ ok: false, code: 'unavailable' });
    expect(await provider.create(newMailbox(password))).toMatchObject({ ok: false, code: 'already_exists' });
    expect(await provider.verifyPassword(ADDRESS, password)).toEqual({ ok: true, value: true });
  });

  it('reports a connection failure as unavailable', async () => {
    const url = fake.url;
    await fake.close();
    const provider = new CpanelProvider({ baseUrl: url, user: 'u', token: 't', timeoutMs: 1_000 });
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: false, code: 'unavailable' });
  });

  it("rejects a weak password with cPanel's own text, without echoing the password", async () => {
    const result = await providerFor(fake).create(newMailbox('12345luggage'));
    expect(result).toEqual({
      ok: false,
      code: 'rejected',
      reason:
        'The password that you entered has a strength rating of “63”. You cannot use it because it is too weak and too easy to guess. Please enter a password with a strength rating of “65” or higher.',
    });
    expect(fake.mailboxes.size).toBe(0);
  });

  it('treats HTTP 200 with status 0 as a failure and scrubs the password from the reason', async () => {
    const password = generatePassword();
    fake.failNext('add_pop', 1, 'status0', `Could not set the password to ${password} for some reason.`);
    const result = await providerFor(fake).create(newMailbox(password));
    expect(result).toMatchObject({ ok: false, code: 'rejected' });
    expect(!result.ok && result.reason).not.toContain(password);
    expect(!result.ok && result.reason).toContain('Could not set the password');
  });

  it('rejects bad input before calling cPanel', async () => {
    expect(await providerFor(fake).find('not-an-address')).toMatchObject({ ok: false, code: 'rejected' });
    expect(fake.calls).toHaveLength(0);
  });

  it('adds, lists and removes forwarders', async () => {
    const provider = providerFor(fake);
    fake.addMailbox(ADDRESS, generatePassword());

    expect(await provider.listForwarders(ADDRESS)).toEqual({ ok: true, value: [] });
    expect((await provider.addForwarder(ADDRESS, 'boss@example.org')).ok).toBe(true);
    expect((await provider.addForwarder(ADDRESS, 'archive@elsewhere.net')).ok).toBe(true);
    // A forwarder on another address in the same domain must not leak into the list.
    expect((await provider.addForwarder('other@example.com', 'x@example.org')).ok).toBe(true);

    expect(await provider.listForwarders(ADDRESS)).toEqual({
      ok: true,
      value: ['boss@example.org', 'archive@elsewhere.net'],
    });
    expect(fake.callsTo('add_forwarder')[0]?.params).toEqual({
      domain: 'example.com',
      email: ADDRESS,
      fwdopt: 'fwd',
      fwdemail: 'boss@example.org',
    });

    expect((await provider.removeForwarder(ADDRESS, 'boss@example.org')).ok).toBe(true);
    expect(fake.callsTo('delete_forwarder')[0]?.params).toEqual({ address: ADDRESS, forwarder: 'boss@example.org' });
    expect(await provider.listForwarders(ADDRESS)).toEqual({ ok: true, value: ['archive@elsewhere.net'] });
    // Removing one that is not there is a success without a delete call.
    expect((await provider.removeForwarder(ADDRESS, 'boss@example.org')).ok).toBe(true);
    expect(fake.callsTo('delete_forwarder')).toHaveLength(1);
  });

  it('sets, reads and removes an auto-reply', async () => {
    const provider = providerFor(fake);
    const start = new Date('2030-01-01T09:00:00Z');
    const stop = new Date('2030-03-01T09:00:00Z');

    expect(await provider.getAutoReply(ADDRESS)).toEqual({ ok: true, value: null });
    const reply = {
      from: 'Jane Doe',
      subject: 'Jane has left Example — ünïcode',
      body: 'Please write to boss@example.org instead.\nThanks!',
      intervalHours: 24,
      start,
      stop,
    };
    expect((await provider.setAutoReply(ADDRESS, reply)).ok).toBe(true);
    expect(fake.callsTo('add_auto_responder')[0]?.params).toEqual({
      email: 'jane.doe',
      domain: 'example.com',
      from: reply.from,
      subject: reply.subject,
      body: reply.body,
      is_html: '0',
      charset: 'utf-8',
      interval: '24',
      start: String(start.getTime() / 1000),
      stop: String(stop.getTime() / 1000),
    });

    expect(await provider.getAutoReply(ADDRESS)).toEqual({ ok: true, value: reply });
    expect(fake.callsTo('get_auto_responder')[0]?.params).toEqual({ email: ADDRESS });

    expect((await provider.removeAutoReply(ADDRESS)).ok).toBe(true);
    expect(await provider.getAutoReply(ADDRESS)).toEqual({ ok: true, value: null });
    expect((await provider.removeAutoReply(ADDRESS)).ok).toBe(true);
  });

  it('rejects an auto-reply whose stop is not after its start', async () => {
    const when = new Date('2030-01-01T00:00:00Z');
    const result = await providerFor(fake).setAutoReply(ADDRESS, {
      from: 'x',
      subject: 'y',
      body: 'z',
      intervalHours: 0,
      start: when,
      stop: when,
    });
    expect(result).toMatchObject({ ok: false, code: 'rejected' });
  });

  it('suspends and resumes login', async () => {
    const provider = providerFor(fake);
    fake.addMailbox(ADDRESS, generatePassword());

    expect((await provider.suspendLogin(ADDRESS)).ok).toBe(true);
    expect(fake.mailboxes.get(ADDRESS)?.suspendedLogin).toBe(true);
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: true, value: { suspendedLogin: true } });
    expect((await provider.suspendLogin(ADDRESS)).ok).toBe(true);

    expect((await provider.resumeLogin(ADDRESS)).ok).toBe(true);
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: true, value: { suspendedLogin: false } });
    expect(fake.callsTo('unsuspend_login')[0]?.params).toEqual({ email: ADDRESS });

    expect(await provider.suspendLogin('nobody@example.com')).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('never lets the password or token reach the log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const provider = providerFor(fake, { logger });
    const password = generatePassword();

    await provider.create(newMailbox(password));
    await provider.create(newMailbox(password));
    await provider.verifyPassword(ADDRESS, password);
    fake.failNext('add_pop', 1, 'status0', `bad password ${password}`);
    await provider.create({ ...newMailbox(password), localPart: 'other' });
    await providerFor(fake, { logger, token: 'BADTOKEN' }).create(newMailbox(password));

    expect(lines.length).toBeGreaterThanOrEqual(5);
    const log = lines.join('\n');
    expect(log).not.toContain(password);
    expect(log).not.toContain(fake.token);
    expect(log).not.toContain('BADTOKEN');
    expect(log.toLowerCase()).not.toContain('authorization');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ fn: 'add_pop', status: 200, outcome: 'ok' });
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ fn: 'add_pop', status: 200, outcome: 'already_exists' });
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({ fn: 'add_pop', status: 401, outcome: 'auth_failed' });

    // The fake, by contrast, saw it: that is what lets other tests prove where the password went.
    expect(fake.callsTo('add_pop')[0]?.params.password).toBe(password);
  });
});

describe('CpanelProvider over TLS', () => {
  let dir: string;
  let tlsFake: FakeCpanel;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailroom-cpanel-tls-'));
    // biome-ignore format: one openssl invocation
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    tlsFake = await startFakeCpanel({
      tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') },
    });
  });

  afterEach(async () => {
    await tlsFake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a self-signed certificate by default and trusts it through caFile', async () => {
    expect(tlsFake.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const untrusted = await providerFor(tlsFake).find(ADDRESS);
    expect(untrusted).toMatchObject({ ok: false, code: 'unavailable' });
    expect(tlsFake.calls).toHaveLength(0);

    const trusted = providerFor(tlsFake, { caFile: join(dir, 'cert.pem') });
    expect(await trusted.find(ADDRESS)).toEqual({ ok: true, value: null });
    expect(tlsFake.calls).toHaveLength(1);
  });
});

interface Envelope {
  data: unknown;
  errors: string[] | null;
  messages: unknown;
  metadata: Record<string, unknown>;
  status: number;
  warnings: unknown;
}

describe('fake cPanel itself', () => {
  const post = (path: string, form: Record<string, string>, auth = `cpanel ${fake.user}:${fake.token}`) =>
    fetch(`${fake.url}${path}`, { method: 'POST', headers: { authorization: auth }, body: new URLSearchParams(form) });
  const uapi = async (fn: string, form: Record<string, string>): Promise<Envelope> =>
    (await (await post(`/execute/Email/${fn}`, form)).json()) as Envelope;

  it('answers a bad token with a non-JSON 401', async () => {
    const response = await post('/execute/Email/list_pops', {}, `cpanel ${fake.user}:nope`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    expect(body).toMatch(/^<html>/);
    expect(() => JSON.parse(body)).toThrow();
  });

  it("uses cPanel's envelope and error texts", async () => {
    const unknown = await uapi('foo', {});
    expect(unknown).toEqual({
      data: null,
      errors: ['The system could not find the function “foo” in the module “Email”.'],
      messages: null,
      metadata: {},
      status: 0,
      warnings: null,
    });
    const missing = await uapi('add_pop', { email: 'a' });
    expect(missing.errors).toEqual(['Provide the “password” argument.']);
    const reserved = await uapi('add_pop', { email: 'cpanel', password: 'x' });
    expect(reserved.status).toBe(0);
    const badChars = await uapi('add_pop', { email: 'a+b', password: 'x' });
    expect(badChars.errors?.[0]).toMatch(/^The local part can only contain letters/);
    const notOwned = await uapi('add_pop', { email: 'a@other.net', password: generatePassword() });
    expect(notOwned.errors).toEqual(['You do not own the domain “other.net”.']);
  });

  it('merges query and form (form wins), lowercases local parts and stores only hashes', async () => {
    const password = generatePassword();
    const response = await fetch(`${fake.url}/execute/Email/add_pop?email=Ignored&domain=example.org`, {
      method: 'POST',
      headers: { authorization: `cpanel ${fake.user}:${fake.token}` },
      body: new URLSearchParams({ email: 'MiXed', password, quota: '10' }),
    });
    expect(await response.json()).toMatchObject({ status: 1, data: 'mixed+example.org' });
    const mailbox = fake.mailboxes.get('mixed@example.org');
    expect(mailbox?.quotaMb).toBe(10);
    expect(JSON.stringify([...fake.mailboxes])).not.toContain(password);

    const listed = await uapi('list_pops', {});
    expect(listed.data).toEqual([
      { email: 'mixed@example.org', login: 'mixed@example.org', suspended_incoming: 0, suspended_login: 0 },
      { email: fake.user, login: 'Main Account', suspended_incoming: 0, suspended_login: 0 },
    ]);
    expect(listed.metadata).toEqual({ transformed: 1 });
  });

  it('enforces the quota maximum', async () => {
    const limited = await startFakeCpanel({ maxQuotaMb: 500 });
    try {
      const provider = providerFor(limited);
      const result = await provider.create({ ...newMailbox(generatePassword()), quotaMb: 501 });
      expect(result).toMatchObject({ ok: false, code: 'rejected' });
      expect((await provider.create({ ...newMailbox(generatePassword()), quotaMb: 500 })).ok).toBe(true);
    } finally {
      await limited.close();
    }
  });
});
