import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProviderConfig } from '../../src/config.ts';
import { buildProvider } from '../../src/providers/index.ts';
import { RoutingProvider } from '../../src/providers/routing.ts';
import { type FakeAurora, startFakeAurora } from '../../src/sandbox/fakes/aurora-server.ts';
import { type FakeCpanel, startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { type FakeWhm, startFakeWhm } from '../../src/sandbox/fakes/whm-server.ts';
import { generatePassword } from '../../src/services/credentials/password.ts';

let cpanel: FakeCpanel;
let whm: FakeWhm;
let aurora: FakeAurora;

beforeEach(async () => {
  const domains = ['example.com', 'example.org', 'example.net'];
  [cpanel, whm, aurora] = await Promise.all([
    startFakeCpanel({ user: 'acme', domains }),
    startFakeWhm({ cpanelUser: 'acme', domains }),
    startFakeAurora({ domains }),
  ]);
});

afterEach(async () => {
  await Promise.all([cpanel.close(), whm.close(), aurora.close()]);
});

const env = () => ({
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/unused',
  MAIL_DOMAINS: 'example.com,example.org,example.net',
  MAILBOX_PROVIDER: 'cpanel',
  MAILBOX_PROVIDER_BY_DOMAIN: 'example.com=aurora, example.net=whm',
  CPANEL_URL: cpanel.url,
  CPANEL_USER: 'acme',
  CPANEL_API_TOKEN: cpanel.token,
  WHM_URL: whm.url,
  WHM_USER: 'root',
  WHM_API_TOKEN: whm.whm.token,
  WHM_CPANEL_USER: 'acme',
  AURORA_URL: `${aurora.url}/`,
  AURORA_ADMIN_LOGIN: aurora.adminLogin,
  AURORA_ADMIN_PASSWORD: aurora.adminPassword,
});

describe('buildProvider with MAILBOX_PROVIDER_BY_DOMAIN', () => {
  it('sends each domain to its mail host and names that host', async () => {
    const provider = buildProvider(loadProviderConfig(env()), pino({ level: 'silent' }));
    expect(provider).toBeInstanceOf(RoutingProvider);
    expect(provider.name).toBe('cpanel');
    expect(['example.com', 'EXAMPLE.ORG', 'example.net', 'elsewhere.test'].map((d) => provider.nameFor(d))).toEqual([
      'aurora',
      'cpanel',
      'whm',
      'cpanel',
    ]);

    for (const domain of ['example.com', 'example.org', 'example.net']) {
      expect(await provider.create({ localPart: 'jane', domain, password: generatePassword(), quotaMb: 100 })).toEqual({
        ok: true,
        value: undefined,
      });
    }
    expect(aurora.userByEmail('jane@example.com')).toBeDefined();
    expect([...cpanel.mailboxes.keys()]).toEqual(['jane@example.org']);
    expect([...whm.mailboxes.keys()]).toEqual(['jane@example.net']);
    expect(await provider.suspendLogin('Jane@Example.com')).toEqual({ ok: true, value: undefined });
    expect(aurora.userByEmail('jane@example.com')?.isDisabled).toBe(true);
  });

  it('builds a single provider when nothing is routed elsewhere', () => {
    const provider = buildProvider(
      loadProviderConfig({ ...env(), MAILBOX_PROVIDER: 'aurora', MAILBOX_PROVIDER_BY_DOMAIN: 'example.com=aurora' }),
      pino({ level: 'silent' }),
    );
    expect(provider).not.toBeInstanceOf(RoutingProvider);
    expect(provider.name).toBe('aurora');
  });
});
