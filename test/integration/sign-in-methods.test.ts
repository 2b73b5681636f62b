/**
 * Every way Mailroom can sign in to cPanel and WHM, against the fakes, which accept each method
 * only with the header that method sends: `cpanel USER:TOKEN`, HTTP Basic with the account
 * password, `whm USER:TOKEN` and the legacy `WHM USER:ACCESSHASH`. Wrong secrets are auth_failed
 * and never echoed; the settings pick the method, and anything but a token is warned about at start.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProviderConfig } from '../../src/config.ts';
import { REDACT_PATHS } from '../../src/lib/logger.ts';
import { CpanelProvider } from '../../src/providers/cpanel.ts';
import { buildProvider } from '../../src/providers/index.ts';
import type { MailboxProvider } from '../../src/providers/mailbox-provider.ts';
import { WhmProvider } from '../../src/providers/whm.ts';
import { type FakeCpanel, startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { type FakeWhm, startFakeWhm } from '../../src/sandbox/fakes/whm-server.ts';
import { generatePassword } from '../../src/services/credentials/password.ts';

const fakes: Array<FakeCpanel | FakeWhm> = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function cpanel(): Promise<FakeCpanel> {
  const fake = await startFakeCpanel({ user: 'acme', password: 'Acme cPanel p@ss: with colon', domains: ['example.com'] });
  fakes.push(fake);
  return fake;
}

async function whm(): Promise<FakeWhm> {
  // An access hash as its file holds it: lines of 32 characters.
  const accessHash = `${'a1b2c3d4'.repeat(4)}\n${'e5f6a7b8'.repeat(4)}\n${'c9d0e1f2'.repeat(4)}\n`;
  const fake = await startFakeWhm({ whmUser: 'root', cpanelUser: 'acme', accessHash, domains: ['example.com'] });
  fakes.push(fake);
  return fake;
}

async function createAndFind(provider: MailboxProvider): Promise<void> {
  expect(await provider.create({ localPart: 'jane', domain: 'example.com', password: generatePassword(), quotaMb: 100 })).toEqual({
    ok: true,
    value: undefined,
  });
  expect(await provider.find('jane@example.com')).toMatchObject({ ok: true, value: { address: 'jane@example.com' } });
}

function logCapture() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { logger, text: () => lines.join('') };
}

describe('cPanel sign-in', () => {
  it('with an API token sends Authorization: cpanel USER:TOKEN', async () => {
    const fake = await cpanel();
    await createAndFind(new CpanelProvider({ baseUrl: fake.url, user: 'acme', token: fake.token }));
    expect(fake.calls.map((call) => call.authMethod)).toEqual(['token', 'token']);
    expect(fake.calls[0]?.headers.authorization).toBe(`cpanel acme:${fake.token}`);
  });

  it('with the account password sends HTTP Basic, and a wrong one is auth_failed without the password', async () => {
    const fake = await cpanel();
    await createAndFind(new CpanelProvider({ baseUrl: fake.url, user: 'acme', password: fake.password }));
    expect(fake.calls.map((call) => call.authMethod)).toEqual(['password', 'password']);
    expect(fake.calls[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`acme:${fake.password}`).toString('base64')}`);

    const wrong = await new CpanelProvider({ baseUrl: fake.url, user: 'acme', password: 'Wrong-password-1' }).find('jane@example.com');
    expect(wrong).toMatchObject({ ok: false, code: 'auth_failed', reason: expect.stringMatching(/CPANEL_PASSWORD/) });
    expect(JSON.stringify(wrong)).not.toContain('Wrong-password-1');
    expect(JSON.stringify(wrong)).not.toContain(Buffer.from('acme:Wrong-password-1').toString('base64'));
    // A token header with the password, or Basic with the token, is refused.
    expect((await new CpanelProvider({ baseUrl: fake.url, user: 'acme', token: fake.password }).find('x@example.com')).ok).toBe(false);
    expect((await new CpanelProvider({ baseUrl: fake.url, user: 'acme', password: fake.token }).find('x@example.com')).ok).toBe(false);
  });
});

describe('WHM sign-in', () => {
  it('with an API token sends Authorization: whm USER:TOKEN', async () => {
    const fake = await whm();
    await createAndFind(new WhmProvider({ baseUrl: fake.url, user: 'root', token: fake.whm.token, cpanelUser: 'acme' }));
    expect(fake.calls.map((call) => call.authMethod)).toEqual(['token', 'token']);
    expect(fake.calls[0]?.headers.authorization).toBe(`whm root:${fake.whm.token}`);
  });

  it('with the access hash sends Authorization: WHM USER:HASH on one line, and a wrong one is auth_failed', async () => {
    const fake = await whm();
    await createAndFind(new WhmProvider({ baseUrl: fake.url, user: 'root', accessHash: fake.whm.accessHash, cpanelUser: 'acme' }));
    expect(fake.calls.map((call) => call.authMethod)).toEqual(['accesshash', 'accesshash']);
    expect(fake.calls[0]?.headers.authorization).toBe(`WHM root:${fake.whm.accessHash.replace(/\s+/g, '')}`);

    const wrong = await new WhmProvider({ baseUrl: fake.url, user: 'root', accessHash: 'deadbeef'.repeat(8), cpanelUser: 'acme' }).find(
      'jane@example.com',
    );
    expect(wrong).toMatchObject({ ok: false, code: 'auth_failed', reason: expect.stringMatching(/WHM_ACCESS_HASH/) });
    expect(JSON.stringify(wrong)).not.toContain('deadbeef');
  });
});

describe('the settings choose the method', () => {
  it('builds each method from settings, warns about password and access hash at start, and logs no secret', async () => {
    const cp = await cpanel();
    const wh = await whm();
    const base = { DATABASE_URL: 'mysql://root@127.0.0.1:3306/x', MAIL_DOMAINS: 'example.com,example.org' };

    const quiet = logCapture();
    buildProvider(loadProviderConfig({ ...base, CPANEL_URL: cp.url, CPANEL_USER: 'acme', CPANEL_API_TOKEN: cp.token }), quiet.logger);
    expect(quiet.text()).toBe('');

    const loud = logCapture();
    const provider = buildProvider(
      loadProviderConfig({
        ...base,
        CPANEL_URL: cp.url,
        CPANEL_USER: 'acme',
        CPANEL_AUTH: 'password',
        CPANEL_PASSWORD: cp.password,
        MAILBOX_PROVIDER_BY_DOMAIN: 'example.org=whm',
        WHM_URL: wh.url,
        WHM_USER: 'root',
        WHM_AUTH: 'accesshash',
        WHM_ACCESS_HASH: wh.whm.accessHash,
        WHM_CPANEL_USER: 'acme',
      }),
      loud.logger,
    );
    await createAndFind(provider);
    expect(await provider.find('ann@example.org')).toEqual({ ok: true, value: null });
    expect(cp.calls.map((call) => call.authMethod)).toEqual(['password', 'password']);
    expect(wh.calls.map((call) => call.authMethod)).toEqual(['accesshash']);

    const log = loud.text();
    expect(log).toMatch(/CPANEL_AUTH=password.*Prefer an API token/);
    expect(log).toMatch(/WHM_AUTH=accesshash.*Prefer a WHM API token/);
    for (const secret of [cp.password, wh.whm.accessHash.replace(/\s+/g, ''), Buffer.from(`acme:${cp.password}`).toString('base64')])
      expect(log).not.toContain(secret);
  });
});
