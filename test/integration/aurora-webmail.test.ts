/**
 * Aurora as the webmail of mailboxes hosted on cPanel (seed 001): `mailroom aurora-server add|list`
 * registers the cPanel host in Aurora, and with AURORA_WEBMAIL_SERVER_ID every mailbox Mailroom
 * creates on cPanel also gets an Aurora user with an account on that server; offboarding locks
 * both and the confirmed deletion removes both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { AuroraProvider } from '../../src/providers/aurora.ts';
import { AuroraWebmailProvider } from '../../src/providers/aurora-webmail.ts';
import { CpanelProvider } from '../../src/providers/cpanel.ts';
import { type FakeAurora, startFakeAurora } from '../../src/sandbox/fakes/aurora-server.ts';
import { startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { approvalMessageFor, clickButton, eventually, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';
import { clickOffboardButton, OFFBOARDING_ENV, settled, startOffboarding, today } from '../support/offboarding.ts';

const DAY_MS = 86_400_000;

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'mailroom', ...args], { env, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mailroom aurora-server', () => {
  let aurora: FakeAurora;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    aurora = await startFakeAurora({ domains: [] });
    env = { AURORA_URL: aurora.url, AURORA_ADMIN_LOGIN: aurora.adminLogin, AURORA_ADMIN_PASSWORD: aurora.adminPassword };
  });
  afterAll(async () => {
    await aurora?.close();
  });

  it('registers a mail server with Mail.CreateServer and lists it with Mail.GetServers', async () => {
    const add = await cli(
      [
        'aurora-server',
        'add',
        '--name',
        'acme cPanel',
        '--imap-host',
        'mail.example.com',
        '--imap-ssl',
        '--smtp-host',
        'mail.example.com',
        '--smtp-port',
        '587',
        '--domains',
        'example.com, Example.org',
      ],
      env,
    );
    expect(add.code, add.err).toBe(0);
    expect(add.out).toContain('Registered mail server 2 (acme cPanel) for example.com, example.org.');
    expect(add.out).toContain('AURORA_WEBMAIL_SERVER_ID=2');
    expect(aurora.callsTo('Mail.CreateServer')[0]?.parameters).toEqual({
      Name: 'acme cPanel',
      IncomingServer: 'mail.example.com',
      IncomingPort: 993,
      IncomingUseSsl: true,
      OutgoingServer: 'mail.example.com',
      OutgoingPort: 587,
      OutgoingUseSsl: false,
      SmtpAuthType: '2',
      Domains: 'example.com\nexample.org',
      TenantId: 0,
    });
    expect(aurora.servers.get(2)).toMatchObject({ name: 'acme cPanel', domains: ['example.com', 'example.org'] });

    const list = await cli(['aurora-server', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.out).toContain(
      '2\tacme cPanel\tIMAP mail.example.com:993 (SSL)\tSMTP mail.example.com:587 auth user\texample.com, example.org',
    );
    const json = await cli(['aurora-server', 'list', '--json'], env);
    expect(JSON.parse(json.out)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 2, domains: ['example.com', 'example.org'] })]),
    );
    expect(`${add.out}${add.err}${list.out}`).not.toContain(aurora.adminPassword);
  });

  it('names every bad option and missing setting at once, and registers nothing', async () => {
    const before = aurora.servers.size;
    const bad = await cli(
      [
        'aurora-server',
        'add',
        '--name',
        'x',
        '--imap-host',
        'bad host!',
        '--imap-port',
        '70000',
        '--smtp-host',
        'smtp',
        '--smtp-auth',
        'maybe',
        '--domains',
        'not_a_domain',
      ],
      {},
    );
    expect(bad.code).toBe(2);
    for (const problem of [
      '--imap-host must be a host name',
      '--imap-port must be a port number',
      '--smtp-auth must be one of none, specified, user',
      '--domains: not_a_domain is not a domain name',
      'AURORA_URL is required',
      'AURORA_ADMIN_PASSWORD is required',
    ]) {
      expect(bad.err).toContain(problem);
    }
    expect(aurora.servers.size).toBe(before);
  });
});

describe('AuroraWebmailProvider', () => {
  it('gives a cPanel mailbox an Aurora user and an account on the registered server, the seed’s way', async () => {
    const cpanel = await startFakeCpanel({ user: 'acme', domains: ['example.com'] });
    const aurora = await startFakeAurora({ domains: [] });
    try {
      const auroraProvider = new AuroraProvider({
        baseUrl: aurora.url,
        adminLogin: aurora.adminLogin,
        adminPassword: aurora.adminPassword,
        tenantId: 0,
      });
      // A server whose domain list Aurora's user hook does not match: the account is made explicitly.
      const serverId = await auroraProvider.createServer({
        name: 'cpanel',
        incomingServer: 'imap.example.com',
        incomingPort: 993,
        incomingUseSsl: true,
        outgoingServer: 'smtp.example.com',
        outgoingPort: 465,
        outgoingUseSsl: true,
        smtpAuth: 'user',
        domains: [],
      });
      expect(serverId.ok).toBe(true);
      const provider = new AuroraWebmailProvider(
        new CpanelProvider({ baseUrl: cpanel.url, user: 'acme', token: cpanel.token }),
        auroraProvider,
        serverId.ok ? serverId.value : 0,
      );
      const password = 'Webmail-Passw0rd-for-Jane!';

      // Aurora down: the mailbox exists, the create fails as unavailable, and the retry completes it.
      aurora.failNext('Core.GetUsers', 1, { mode: 'empty500' });
      expect(await provider.create({ localPart: 'jane', domain: 'example.com', password, quotaMb: 100 })).toMatchObject({
        ok: false,
        code: 'unavailable',
        reason: expect.stringMatching(/exists on cpanel, but its Aurora webmail user/),
      });
      expect(cpanel.mailboxes.has('jane@example.com')).toBe(true);
      expect(await provider.create({ localPart: 'jane', domain: 'example.com', password, quotaMb: 100 })).toMatchObject({
        ok: false,
        code: 'already_exists',
      });
      const account = aurora.accountByEmail('jane@example.com');
      expect(account).toMatchObject({ serverId: serverId.ok ? serverId.value : 0, incomingLogin: 'jane@example.com' });
      expect(aurora.callsTo('Mail.CreateAccount').at(-1)?.parameters).toMatchObject({
        Email: 'jane@example.com',
        IncomingLogin: 'jane@example.com',
        IncomingPassword: password,
        Server: { ServerId: serverId.ok ? serverId.value : 0 },
      });
      // Someone else's mailbox of the same name gets no webmail user.
      cpanel.addMailbox('ceo@example.com', 'Someone-Elses-Passw0rd!');
      expect(await provider.create({ localPart: 'ceo', domain: 'example.com', password, quotaMb: 100 })).toMatchObject({
        ok: false,
        code: 'already_exists',
      });
      expect(aurora.userByEmail('ceo@example.com')).toBeUndefined();
    } finally {
      await cpanel.close();
      await aurora.close();
    }
  });
});

describe('Aurora as webmail end to end: request → cPanel mailbox → Aurora user and account → offboard → both deleted', () => {
  let aurora: FakeAurora;
  let h: Harness;
  let serverId: number;

  beforeAll(async () => {
    aurora = await startFakeAurora({ domains: [] });
    const auroraEnv = { AURORA_URL: aurora.url, AURORA_ADMIN_LOGIN: aurora.adminLogin, AURORA_ADMIN_PASSWORD: aurora.adminPassword };
    const add = await cli(
      [
        'aurora-server',
        'add',
        '--json',
        '--name',
        'cpanel',
        '--imap-host',
        'mail.example.com',
        '--imap-ssl',
        '--smtp-host',
        'mail.example.com',
        '--smtp-ssl',
        '--domains',
        'example.com',
      ],
      auroraEnv,
    );
    serverId = (JSON.parse(add.out) as { id: number }).id;
    h = await startHarness({ ...OFFBOARDING_ENV, ...auroraEnv, AURORA_WEBMAIL_SERVER_ID: String(serverId), AURORA_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => {
    await h?.close();
    await aurora?.close();
  });

  async function requestAndApprove(localPart: string, fullName: string): Promise<void> {
    const answer = await submitRequestForm(h, { localPart, domain: 'example.com', fullName });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { address: `${localPart}@example.com` } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    await eventually(
      () => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'ACTIVE' } }),
      'the request to become ACTIVE',
    );
  }

  it('creates, locks and deletes the mailbox and its webmail user together', async () => {
    await requestAndApprove('wendy', 'Wendy Webmail');

    // The mailbox on cPanel, its user and account in Aurora, on the registered server.
    expect(h.cpanel.mailboxes.has('wendy@example.com')).toBe(true);
    const user = aurora.userByEmail('wendy@example.com');
    expect(user).toBeDefined();
    expect(aurora.accountByEmail('wendy@example.com')).toMatchObject({ userId: user?.id, serverId });
    expect(await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'wendy@example.com' } })).toMatchObject({
      provider: 'cpanel',
      status: 'ACTIVE',
    });

    // Offboarding locks both; mail (forward, auto-reply) stays with cPanel.
    const offboarding = await startOffboarding(h, { mailbox: 'wendy@example.com', lastDay: today(h), retentionDays: '1' });
    const steps = await settled(h, offboarding.id);
    expect(steps.every((step) => step.status === 'DONE')).toBe(true);
    expect(h.cpanel.mailboxes.get('wendy@example.com')?.suspendedLogin).toBe(true);
    expect(aurora.userByEmail('wendy@example.com')?.isDisabled).toBe(true);
    expect(h.cpanel.forwarders.get('wendy@example.com')).toEqual(['sam@example.com']);
    expect(aurora.callsTo('Mail.UpdateForward')).toEqual([]);

    // Confirmed deletion removes both.
    h.clock.advance(DAY_MS + 60_000);
    await h.mailroom.sweep.runOnce();
    const ask = await eventually(
      () => h.db.prisma.offboardingMessage.findFirst({ where: { offboardingId: offboarding.id, userId: People.hr } }),
      'the confirmation DM',
    );
    await clickOffboardButton(h, {
      userId: People.hr,
      actionId: 'offboard_confirm_delete',
      value: String(offboarding.id),
      channelId: ask.channelId,
      messageTs: ask.ts,
    }).done;
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'DELETED' } }), 'DELETED');
    expect(h.cpanel.mailboxes.has('wendy@example.com')).toBe(false);
    expect(aurora.userByEmail('wendy@example.com')).toBeUndefined();
    expect(aurora.accountByEmail('wendy@example.com')).toBeUndefined();
  });

  it('undo unlocks both', async () => {
    await requestAndApprove('uma', 'Uma Undo');
    const offboarding = await startOffboarding(h, { mailbox: 'uma@example.com', lastDay: today(h), retentionDays: '30' });
    await settled(h, offboarding.id);
    expect(aurora.userByEmail('uma@example.com')?.isDisabled).toBe(true);
    const command = await h.driver.slashCommand({
      command: '/offboard',
      text: 'undo uma@example.com',
      userId: People.hr,
      triggerId: h.slack.issueTriggerId(),
      responseUrl: h.slack.responseUrl('undo-uma'),
    });
    expect(command.status).toBe(200);
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'CANCELLED' } }), 'CANCELLED');
    expect(h.cpanel.mailboxes.get('uma@example.com')?.suspendedLogin).toBe(false);
    expect(aurora.userByEmail('uma@example.com')?.isDisabled).toBe(false);
  });
});
