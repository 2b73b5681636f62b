import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WhmProvider, type WhmProviderOptions } from '../../src/providers/whm.ts';
import { type FakeWhm, startFakeWhm } from '../../src/sandbox/fakes/whm-server.ts';
import { generatePassword } from '../../src/services/credentials/password.ts';

const ADDRESS = 'jane.doe@example.com';
let fake: FakeWhm;

const providerFor = (overrides: Partial<WhmProviderOptions> = {}) =>
  new WhmProvider({ baseUrl: fake.url, user: 'root', token: fake.whm.token, cpanelUser: 'acme', timeoutMs: 1_000, ...overrides });

const newMailbox = (password: string) => ({ localPart: 'jane.doe', domain: 'example.com', password, quotaMb: 1024 });

beforeEach(async () => {
  fake = await startFakeWhm({ cpanelUser: 'acme', domains: ['example.com', 'example.org'] });
});

afterEach(async () => {
  await fake.close();
});

describe('WhmProvider against the fake WHM', () => {
  it('calls uapi_cpanel with the WHM token header, api.version=1 and the cpanel.* arguments in a POST body', async () => {
    const password = generatePassword();
    expect(await providerFor({ cpanelUser: 'ACME' }).create(newMailbox(password))).toEqual({ ok: true, value: undefined });
    const [call] = fake.callsTo('add_pop');
    expect(call?.method).toBe('POST');
    expect(call?.query).toEqual({});
    expect(call?.headers.authorization).toBe(`whm root:${fake.whm.token}`);
    expect(call?.params).toEqual({
      'api.version': '1',
      'cpanel.user': 'acme',
      'cpanel.module': 'Email',
      'cpanel.function': 'add_pop',
      email: 'jane.doe',
      domain: 'example.com',
      password,
      quota: '1024',
      send_welcome_email: '0',
    });
    expect(fake.mailboxes.has(ADDRESS)).toBe(true);
  });

  it('judges by the inner data.uapi.status, not the outer metadata.result', async () => {
    const password = generatePassword();
    fake.failNext('add_pop', 1, 'status0', `Could not store ${password}.`);
    const result = await providerFor().create(newMailbox(password));
    expect(result).toMatchObject({ ok: false, code: 'rejected' });
    expect(!result.ok && result.reason).not.toContain(password);
    expect(fake.calls[0]?.status).toBe(200);

    expect(await providerFor().create(newMailbox('12345luggage'))).toMatchObject({
      ok: false,
      code: 'rejected',
      reason: expect.stringMatching(/strength rating/),
    });
  });

  it('reports an unknown cPanel account as a configuration problem', async () => {
    const result = await providerFor({ cpanelUser: 'nosuch' }).find(ADDRESS);
    expect(result).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(!result.ok && result.reason).toMatch(/You do not have a user named “nosuch”.*WHM_CPANEL_USER/);
  });

  it('reports a refused WHM token (HTTP 403 JSON) as auth_failed', async () => {
    const result = await providerFor({ token: 'BADTOKEN123' }).find(ADDRESS);
    expect(result).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(fake.calls[0]?.status).toBe(403);
  });

  it('shares the Email state machine: a mailbox added by hand is found through WHM', async () => {
    fake.addMailbox('ceo@example.org', generatePassword());
    expect(await providerFor().find('ceo@example.org')).toMatchObject({ ok: true, value: { address: 'ceo@example.org' } });
  });
});
