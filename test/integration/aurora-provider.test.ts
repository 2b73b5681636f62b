import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuroraProvider, type AuroraProviderOptions } from '../../src/providers/aurora.ts';
import { type FakeAurora, startFakeAurora } from '../../src/sandbox/fakes/aurora-server.ts';

const ADDRESS = 'jane.doe@example.com';
let fake: FakeAurora;

const providerFor = (overrides: Partial<AuroraProviderOptions> = {}) =>
  new AuroraProvider({
    baseUrl: fake.url,
    adminLogin: fake.adminLogin,
    adminPassword: fake.adminPassword,
    tenantId: 1,
    timeoutMs: 1_000,
    ...overrides,
  });

const newMailbox = (password = 'Str0ng-Passw0rd-for-Jane') => ({ localPart: 'jane.doe', domain: 'example.com', password, quotaMb: 512 });

/** Posts straight to the fake, as any Web API client would. */
async function rawCall(module: string, method: string, parameters: string, token?: string) {
  const response = await fetch(fake.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: new URLSearchParams({ Module: module, Method: method, Parameters: parameters }),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function adminToken(): Promise<string> {
  const login = await rawCall('AdminAuth', 'LoginAsSuperadmin', JSON.stringify({ Login: fake.adminLogin, Password: fake.adminPassword }));
  return (login.json?.Result as { AuthToken: string } | undefined)?.AuthToken ?? '';
}

beforeEach(async () => {
  fake = await startFakeAurora({ domains: ['example.com', 'example.org'], tenantIds: [1] });
});

afterEach(async () => {
  await fake.close();
});

describe('the Aurora fake answers like the reference', () => {
  it('uses the documented success and error envelopes', async () => {
    const token = await adminToken();
    const created = await rawCall(
      'Core',
      'CreateUser',
      JSON.stringify({ TenantId: 1, PublicId: ADDRESS, Role: 2, Password: 'x1234567' }),
      token,
    );
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      AuthenticatedUserId: -1,
      '@Time': expect.any(String),
      Module: 'Core',
      Method: 'CreateUser',
      Result: 1,
      SubscriptionsResult: null,
      '@TimeApiInit': expect.any(String),
    });

    const duplicate = await rawCall('Core', 'CreateUser', JSON.stringify({ TenantId: 1, PublicId: ADDRESS, Role: 2 }), token);
    expect(duplicate.status).toBe(200);
    expect(duplicate.json).toMatchObject({ ErrorCode: 111, ErrorMessage: 'UserAlreadyExists', Module: 'Core', AuthenticatedUserId: -1 });
    expect(duplicate.json).not.toHaveProperty('Result');
    expect(duplicate.json).not.toHaveProperty('Method');
  });

  it('reproduces 101, 102, 103, 108, 113, 114, 116 and the empty HTTP 500', async () => {
    expect((await rawCall('Core', 'GetUsers', '{}', 'stale-token')).json).toMatchObject({
      ErrorCode: 101,
      Module: '',
      AuthenticatedUserId: 0,
    });
    expect((await rawCall('AdminAuth', 'LoginAsSuperadmin', '{"Login":"superadmin","Password":"nope"}')).json).toMatchObject({
      ErrorCode: 102,
      Module: '',
    });
    expect((await rawCall('Core', 'GetUsers', '{')).json).toMatchObject({ ErrorCode: 103, Module: '' });
    expect((await rawCall('Core', 'GetUsers', '{}')).json).toMatchObject({ ErrorCode: 108, Module: 'Core' });
    const token = await adminToken();
    expect((await rawCall('Nope', 'Thing', '{}', token)).json).toMatchObject({ ErrorCode: 113, Module: '' });
    expect((await rawCall('Core', 'Nope', '{}', token)).json).toMatchObject({ ErrorCode: 114, Module: 'Core' });
    expect((await rawCall('Core', 'GetUserByPublicId', JSON.stringify({ PublicId: ADDRESS }), token)).json).toMatchObject({
      ErrorCode: 116,
    });

    const user = fake.addUser(ADDRESS, 'x1234567');
    // is_int: the string "2" is refused.
    expect((await rawCall('Core', 'DeleteUser', JSON.stringify({ UserId: String(user.id) }), token)).json).toMatchObject({
      ErrorCode: 103,
    });
    const missing = await rawCall('Core', 'DeleteUser', JSON.stringify({ UserId: 999 }), token);
    expect(missing).toMatchObject({ status: 500, text: '' });
    // Without UserId the superadmin's own id (-1) is used: nothing to delete, PHP error.
    expect(await rawCall('Core', 'DeleteUser', '{}', token)).toMatchObject({ status: 500, text: '' });
  });
});

describe('the Aurora fake answers like the real server did (fact sheet §4)', () => {
  it('creates a bare user, with success, on a domain without a mail server', async () => {
    const token = await adminToken();
    const created = await rawCall(
      'Core',
      'CreateUser',
      JSON.stringify({ TenantId: 1, PublicId: 'ann@example.net', Role: 2, Password: 'x1234567' }),
      token,
    );
    expect(created.json).toMatchObject({ Result: expect.any(Number), Method: 'CreateUser' });
    expect(created.json).not.toHaveProperty('ErrorCode');
    expect(fake.userByEmail('ann@example.net')).toBeDefined();
    expect(fake.accountByEmail('ann@example.net')).toBeUndefined();
    const accounts = await rawCall('Mail', 'GetAccounts', JSON.stringify({ UserId: created.json?.Result }), token);
    expect(accounts.json?.Result).toEqual([]);
    // Anonymous, and an empty array when no server serves the domain.
    expect((await rawCall('Mail', 'GetMailServerByDomain', JSON.stringify({ Domain: 'example.net' }))).json?.Result).toEqual([]);
    expect((await rawCall('Mail', 'GetMailServerByDomain', JSON.stringify({ Domain: 'example.com' }))).json?.Result).toMatchObject({
      Server: { ServerId: 1, Domains: 'example.com\nexample.org' },
      FoundWithWildcard: false,
    });
  });

  it('can lose the account the way a swallowed deadlock does', async () => {
    const token = await adminToken();
    fake.failNext('Core.CreateUser', 1, { mode: 'lose-account' });
    const created = await rawCall(
      'Core',
      'CreateUser',
      JSON.stringify({ TenantId: 1, PublicId: ADDRESS, Role: 2, Password: 'x1234567' }),
      token,
    );
    expect(created.json?.Result).toEqual(expect.any(Number));
    expect(fake.bareUsers().map((user) => user.publicId)).toEqual([ADDRESS]);
  });

  it('answers 102 with AuthenticatedUserId false, 101 without ErrorMessage, rich accounts, and @LoggerGuid when logging', async () => {
    const refused = await rawCall('AdminAuth', 'LoginAsSuperadmin', '{"Login":"superadmin","Password":"nope"}');
    expect(refused.json).toEqual({
      AuthenticatedUserId: false,
      '@Time': expect.any(String),
      SubscriptionsResult: null,
      '@TimeApiInit': expect.any(String),
      ErrorCode: 102,
      ErrorMessage: 'AuthError',
      Module: '',
    });
    const stale = await rawCall('Core', 'GetUsers', '{}', 'stale-token');
    expect(stale.json).toMatchObject({ AuthenticatedUserId: 0, ErrorCode: 101, Module: '' });
    expect(stale.json).not.toHaveProperty('ErrorMessage');

    const user = fake.addUser(ADDRESS, 'x1234567', { tenantId: 1 });
    const accounts = await rawCall('Mail', 'GetAccounts', JSON.stringify({ UserId: user.id }), await adminToken());
    const [account] = (accounts.json?.Result ?? []) as Array<Record<string, unknown>>;
    expect(Object.keys(account ?? {}).length).toBeGreaterThanOrEqual(33);
    expect(account).toMatchObject({
      AccountID: expect.any(Number),
      IdUser: user.id,
      Email: ADDRESS,
      ServerId: 1,
      Server: { ServerId: 1 },
      AllowForward: true,
      AllowAutoresponder: true,
    });

    const logging = await startFakeAurora({ logging: true });
    try {
      const answer = await fetch(logging.apiUrl, {
        method: 'POST',
        body: new URLSearchParams({ Module: 'Core', Method: 'GetUsers', Parameters: '{}' }),
      });
      expect(await answer.json()).toHaveProperty('@LoggerGuid', expect.stringMatching(/^[0-9a-f]{8}$/));
    } finally {
      await logging.close();
    }
  });

  it('ignores Start and End of an auto-reply unless AllowScheduledAutoresponder is on, and a login creates a missing account', async () => {
    const user = fake.addUser(ADDRESS, 'x1234567', { tenantId: 1 });
    const token = await adminToken();
    const accountId = fake.accountByEmail(ADDRESS)?.accountId;
    const set = await rawCall(
      'Mail',
      'UpdateAutoresponder',
      JSON.stringify({ AccountID: accountId, Enable: true, Subject: 'Gone', Message: 'Bye', Scheduled: true, Start: 1, End: 2 }),
      token,
    );
    expect(set.json?.Result).toBe(true);
    expect((await rawCall('Mail', 'GetAutoresponder', JSON.stringify({ AccountID: accountId }), token)).json?.Result).toEqual({
      Enable: true,
      Subject: 'Gone',
      Message: 'Bye',
    });

    // Core.Login is not read-only: a user without an account gets one when the password is accepted.
    fake.accounts.clear();
    expect((await rawCall('Core', 'Login', JSON.stringify({ Login: ADDRESS, Password: 'x1234567' }))).json?.Result).toHaveProperty(
      'AuthToken',
    );
    expect(fake.accountByEmail(ADDRESS)?.userId).toBe(user.id);
  });
});

describe('AuroraProvider verifies what it creates', () => {
  it('refuses a domain Aurora has no mail server for before creating anything', async () => {
    const result = await providerFor().create({ ...newMailbox(), domain: 'example.net' });
    expect(result).toEqual({ ok: false, code: 'rejected', reason: 'example.net is not set up as a mail domain in Aurora' });
    expect(fake.callsTo('Mail.GetMailServerByDomain')[0]?.parameters).toEqual({ Domain: 'example.net', AllowWildcardDomain: false });
    expect(fake.callsTo('Core.CreateUser')).toEqual([]);
    expect(fake.users.size).toBe(0);
  });

  it('removes the bare user and names the domain when Aurora could not be asked first', async () => {
    fake.failAlways('Mail.GetMailServerByDomain', { mode: 'error', code: 114, message: 'MethodNotFound' });
    const result = await providerFor().create({ ...newMailbox(), domain: 'example.net' });
    expect(result).toMatchObject({ ok: false, code: 'rejected', reason: expect.stringMatching(/account/) });
    expect(fake.callsTo('Core.CreateUser')).toHaveLength(1);
    expect(fake.callsTo('Mail.CreateAccount')).toHaveLength(1);
    expect(fake.callsTo('Core.DeleteUser')[0]?.parameters).toEqual({ UserId: expect.any(Number) });
    expect(fake.users.size).toBe(0);

    fake.clearFailures();
    fake.failNext('Mail.GetMailServerByDomain', 1, { mode: 'error', code: 114, message: 'MethodNotFound' });
    const named = await providerFor().create({ ...newMailbox(), domain: 'example.net' });
    expect(named).toMatchObject({
      ok: false,
      code: 'rejected',
      reason: expect.stringMatching(
        /^example\.net is not set up as a mail domain in Aurora; the user without an account was removed again$/,
      ),
    });
    expect(fake.users.size).toBe(0);
  });

  it('adds the account a swallowed deadlock lost, with the same password, and calls it created', async () => {
    const password = 'Str0ng-Passw0rd-for-Jane';
    fake.failNext('Core.CreateUser', 1, { mode: 'lose-account' });
    expect(await providerFor().create(newMailbox(password))).toEqual({ ok: true, value: undefined });
    const user = fake.userByEmail(ADDRESS);
    expect(fake.callsTo('Mail.CreateAccount').map((call) => call.parameters)).toEqual([
      { UserId: user?.id, FriendlyName: '', Email: ADDRESS, IncomingLogin: ADDRESS, IncomingPassword: password, Server: null },
    ]);
    expect(fake.accountByEmail(ADDRESS)?.userId).toBe(user?.id);
    expect(fake.bareUsers()).toEqual([]);
  });

  it('removes the user and answers unavailable when the lost account cannot be added now', async () => {
    fake.failNext('Core.CreateUser', 1, { mode: 'lose-account' });
    fake.failNext('Mail.CreateAccount', 1, { mode: 'error', code: 4001, message: 'CannotConnectToMailServer' });
    const result = await providerFor().create(newMailbox());
    expect(result).toMatchObject({
      ok: false,
      code: 'unavailable',
      reason: expect.stringMatching(/without a mail account.*4001.*removed again/),
    });
    expect(fake.users.size).toBe(0);
    // The retry then creates it properly.
    expect(await providerFor().create(newMailbox())).toEqual({ ok: true, value: undefined });
    expect(fake.accountByEmail(ADDRESS)).toBeDefined();
  });

  it('checks a password read-only: a user without an account is answered no, without a login', async () => {
    const provider = providerFor();
    fake.addUser(ADDRESS, 'x1234567', { tenantId: 1 });
    fake.accounts.clear();
    expect(await provider.verifyPassword(ADDRESS, 'x1234567')).toEqual({ ok: true, value: false });
    expect(fake.callsTo('Core.Login')).toEqual([]);
    expect(fake.accounts.size).toBe(0);
  });

  it('reports the auto-reply stop date only when Aurora keeps it', async () => {
    const reply = {
      from: '',
      subject: 'Gone',
      body: 'Bye',
      intervalHours: 0,
      start: new Date('2026-12-01T00:00:00Z'),
      stop: new Date('2026-12-24T00:00:00Z'),
    };
    await providerFor().create(newMailbox());
    await providerFor().setAutoReply(ADDRESS, reply);
    expect(await providerFor().getAutoReply(ADDRESS)).toMatchObject({ ok: true, value: { subject: 'Gone', start: null, stop: null } });

    const scheduled = await startFakeAurora({ domains: ['example.com'], tenantIds: [1], allowScheduledAutoresponder: true });
    try {
      const provider = new AuroraProvider({
        baseUrl: scheduled.url,
        adminLogin: scheduled.adminLogin,
        adminPassword: scheduled.adminPassword,
        tenantId: 1,
      });
      await provider.create(newMailbox());
      await provider.setAutoReply(ADDRESS, reply);
      expect(await provider.getAutoReply(ADDRESS)).toMatchObject({ ok: true, value: { start: reply.start, stop: reply.stop } });
    } finally {
      await scheduled.close();
    }
  });
});

describe('AuroraProvider against the fake Aurora', () => {
  it('posts Module, Method and JSON Parameters with a bearer token and typed values', async () => {
    const password = 'He said "hi" \\ & + # % =ok';
    expect(await providerFor().create(newMailbox(password))).toEqual({ ok: true, value: undefined });

    const [login] = fake.callsTo('AdminAuth.LoginAsSuperadmin');
    expect(login?.headers.authorization).toBeUndefined();
    const [create] = fake.callsTo('Core.CreateUser');
    expect(create?.httpMethod).toBe('POST');
    expect(create?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(create?.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(create?.headers.cookie).toBeUndefined();
    expect(create?.parameters).toEqual({ TenantId: 1, PublicId: ADDRESS, Role: 2, Password: password, QuotaBytes: 512 * 1024 * 1024 });
    expect(fake.userByEmail(ADDRESS)?.quotaBytes).toBe(512 * 1024 * 1024);
    expect(await providerFor().verifyPassword(ADDRESS, password)).toEqual({ ok: true, value: true });
  });

  it('sends UserId as an integer wherever a method takes one', async () => {
    const provider = providerFor();
    await provider.create(newMailbox());
    const id = fake.userByEmail(ADDRESS)?.id;
    expect(id).toEqual(expect.any(Number));
    await provider.suspendLogin(ADDRESS);
    await provider.addForwarder(ADDRESS, 'boss@example.org');
    await provider.delete(ADDRESS);
    for (const method of ['Core.UpdateUser', 'Mail.GetAccounts', 'Mail.GetAccountByEmail', 'Core.DeleteUser']) {
      const calls = fake.callsTo(method);
      expect(calls.length, method).toBeGreaterThan(0);
      for (const call of calls) expect(call.parameters?.UserId, method).toBe(id);
    }
    expect(fake.callsTo('Core.GetUserByPublicId')).toEqual([]);
  });

  it('logs in once and shares the token, also between concurrent calls', async () => {
    const provider = providerFor();
    await Promise.all([provider.find('a@example.com'), provider.find('b@example.com'), provider.find('c@example.com')]);
    await provider.find('d@example.com');
    expect(fake.callsTo('AdminAuth.LoginAsSuperadmin')).toHaveLength(1);
  });

  it('logs in again once when the token is refused (101)', async () => {
    const provider = providerFor();
    await provider.create(newMailbox());
    fake.revokeTokens();
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: true, value: { address: ADDRESS } });
    expect(fake.callsTo('AdminAuth.LoginAsSuperadmin')).toHaveLength(2);

    // A token refused even right after a fresh login is a configuration problem, not a loop.
    fake.failAlways('Core.GetUsers', { mode: 'error', code: 101, message: 'InvalidToken' });
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(fake.callsTo('AdminAuth.LoginAsSuperadmin')).toHaveLength(3);
  });

  it('reports a refused superadmin login without the password, and tries again next time', async () => {
    const provider = providerFor({ adminPassword: 'not-the-password' });
    const result = await provider.find(ADDRESS);
    expect(result).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(!result.ok && result.reason).toMatch(/AURORA_ADMIN_LOGIN/);
    expect(!result.ok && result.reason).not.toContain('not-the-password');
    await provider.find(ADDRESS);
    expect(fake.callsTo('AdminAuth.LoginAsSuperadmin')).toHaveLength(2);
  });

  it('maps 704, 108, 116, 103, ErrorCode 0 and Result:false to typed outcomes', async () => {
    const provider = providerFor();
    fake.failNext('Core.CreateUser', 1, { mode: 'error', code: 704, message: 'AccountExists' });
    expect(await provider.create(newMailbox())).toMatchObject({ ok: false, code: 'already_exists' });
    fake.failNext('Core.CreateUser', 1, { mode: 'error', code: 108 });
    expect(await provider.create(newMailbox())).toMatchObject({
      ok: false,
      code: 'auth_failed',
      reason: expect.stringMatching(/108 \(AccessDenied\)/),
    });
    fake.failNext('Core.GetUsers', 1, { mode: 'error', code: 116, message: 'MethodAccessDenied' });
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: false, code: 'auth_failed' });

    expect((await provider.create(newMailbox())).ok).toBe(true);
    const empty = {
      from: '',
      subject: '',
      body: '',
      intervalHours: 0,
      start: new Date('2026-12-01T00:00:00Z'),
      stop: new Date('2026-12-02T00:00:00Z'),
    };
    expect(await provider.setAutoReply(ADDRESS, empty)).toMatchObject({
      ok: false,
      code: 'rejected',
      reason: expect.stringMatching(/103/),
    });

    fake.sieveDown = true;
    expect(await provider.addForwarder(ADDRESS, 'boss@example.org')).toMatchObject({ ok: false, code: 'unavailable' });
    fake.sieveDown = false;

    fake.failNext('Core.UpdateUser', 1, { mode: 'result-false' });
    expect(await provider.suspendLogin(ADDRESS)).toMatchObject({
      ok: false,
      code: 'rejected',
      reason: expect.stringMatching(/Result: false/),
    });
    expect(fake.userByEmail(ADDRESS)?.isDisabled).toBe(false);
  });

  it('treats an empty HTTP 500 as unavailable, and as not_found once the user is gone', async () => {
    const provider = providerFor();
    await provider.create(newMailbox());
    fake.failNext('Core.DeleteUser', 1, { mode: 'empty500' });
    expect(await provider.delete(ADDRESS)).toMatchObject({ ok: false, code: 'unavailable', reason: expect.stringMatching(/empty body/) });
    expect(fake.userByEmail(ADDRESS)).toBeDefined();
    expect(await provider.delete(ADDRESS)).toEqual({ ok: true, value: undefined });
    expect(await provider.delete(ADDRESS)).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('reports a timeout as unavailable', async () => {
    fake.failNext('AdminAuth.LoginAsSuperadmin', 1, { mode: 'timeout' });
    const started = Date.now();
    expect(await providerFor({ timeoutMs: 200 }).find(ADDRESS)).toMatchObject({ ok: false, code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('keeps one forward per account: a new target replaces the old one', async () => {
    const provider = providerFor();
    await provider.create(newMailbox());
    await provider.addForwarder(ADDRESS, 'first@example.org');
    await provider.addForwarder(ADDRESS, 'second@example.org');
    expect(await provider.listForwarders(ADDRESS)).toEqual({ ok: true, value: ['second@example.org'] });
    // Removing a target that is not the current one leaves the forward alone.
    await provider.removeForwarder(ADDRESS, 'first@example.org');
    expect(fake.accountByEmail(ADDRESS)?.forward).toEqual({ enable: true, email: 'second@example.org', keepMessageCopy: true });
  });
});
