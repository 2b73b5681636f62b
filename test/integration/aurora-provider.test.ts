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
    const created = await rawCall('Core', 'CreateUser', JSON.stringify({ TenantId: 1, PublicId: ADDRESS, Role: 2, Password: 'x1234567' }), token);
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
    expect((await rawCall('Core', 'GetUsers', '{}', 'stale-token')).json).toMatchObject({ ErrorCode: 101, Module: '', AuthenticatedUserId: 0 });
    expect((await rawCall('AdminAuth', 'LoginAsSuperadmin', '{"Login":"superadmin","Password":"nope"}')).json).toMatchObject({ ErrorCode: 102, Module: '' });
    expect((await rawCall('Core', 'GetUsers', '{')).json).toMatchObject({ ErrorCode: 103, Module: '' });
    expect((await rawCall('Core', 'GetUsers', '{}')).json).toMatchObject({ ErrorCode: 108, Module: 'Core' });
    const token = await adminToken();
    expect((await rawCall('Nope', 'Thing', '{}', token)).json).toMatchObject({ ErrorCode: 113, Module: '' });
    expect((await rawCall('Core', 'Nope', '{}', token)).json).toMatchObject({ ErrorCode: 114, Module: 'Core' });
    expect((await rawCall('Core', 'GetUserByPublicId', JSON.stringify({ PublicId: ADDRESS }), token)).json).toMatchObject({ ErrorCode: 116 });

    const user = fake.addUser(ADDRESS, 'x1234567');
    // is_int: the string "2" is refused.
    expect((await rawCall('Core', 'DeleteUser', JSON.stringify({ UserId: String(user.id) }), token)).json).toMatchObject({ ErrorCode: 103 });
    const missing = await rawCall('Core', 'DeleteUser', JSON.stringify({ UserId: 999 }), token);
    expect(missing).toMatchObject({ status: 500, text: '' });
    // Without UserId the superadmin's own id (-1) is used: nothing to delete, PHP error.
    expect(await rawCall('Core', 'DeleteUser', '{}', token)).toMatchObject({ status: 500, text: '' });
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
    for (const method of ['Core.UpdateUser', 'Mail.GetAccountByEmail', 'Core.DeleteUser']) {
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
    expect(await provider.create(newMailbox())).toMatchObject({ ok: false, code: 'auth_failed', reason: expect.stringMatching(/108 \(AccessDenied\)/) });
    fake.failNext('Core.GetUsers', 1, { mode: 'error', code: 116, message: 'MethodAccessDenied' });
    expect(await provider.find(ADDRESS)).toMatchObject({ ok: false, code: 'auth_failed' });

    expect((await provider.create(newMailbox())).ok).toBe(true);
    const empty = { from: '', subject: '', body: '', intervalHours: 0, start: new Date('2026-12-01T00:00:00Z'), stop: new Date('2026-12-02T00:00:00Z') };
    expect(await provider.setAutoReply(ADDRESS, empty)).toMatchObject({ ok: false, code: 'rejected', reason: expect.stringMatching(/103/) });

    fake.sieveDown = true;
    expect(await provider.addForwarder(ADDRESS, 'boss@example.org')).toMatchObject({ ok: false, code: 'unavailable' });
    fake.sieveDown = false;

    fake.failNext('Core.UpdateUser', 1, { mode: 'result-false' });
    expect(await provider.suspendLogin(ADDRESS)).toMatchObject({ ok: false, code: 'rejected', reason: expect.stringMatching(/Result: false/) });
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
