/**
 * The whole Slack flow (request modal → superior approves → provisioning job) with
 * MAILBOX_PROVIDER_BY_DOMAIN routing example.org to Aurora while example.com stays on cPanel.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAurora, startFakeAurora } from '../../src/sandbox/fakes/aurora-server.ts';
import {
  approvalMessageFor,
  BOT_TOKEN,
  CPANEL_TOKEN,
  clickButton,
  eventually,
  type Harness,
  People,
  type RequestFormValues,
  SIGNING_SECRET,
  settledJob,
  startHarness,
  submitRequestForm,
} from '../support/harness.ts';

const BACKOFF_BASE_MS = 60_000;
const TENANT_ID = 3;

type ErrorAnswer = { response_action: string; errors: Record<string, string> };

describe('request flow routed per domain (example.org → Aurora, example.com → cPanel)', () => {
  let aurora: FakeAurora;
  let h: Harness;

  beforeAll(async () => {
    aurora = await startFakeAurora({ domains: ['example.com', 'example.org'], tenantIds: [TENANT_ID] });
    h = await startHarness({
      MAIL_DOMAINS: 'example.com,example.org',
      MAILBOX_PROVIDER: 'cpanel',
      MAILBOX_PROVIDER_BY_DOMAIN: 'example.org=aurora',
      AURORA_URL: aurora.url,
      AURORA_ADMIN_LOGIN: aurora.adminLogin,
      AURORA_ADMIN_PASSWORD: aurora.adminPassword,
      AURORA_TENANT_ID: String(TENANT_ID),
      AURORA_TIMEOUT_MS: '1000',
      JOB_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS),
      JOB_MAX_ATTEMPTS: '4',
    });
  });
  afterAll(async () => {
    await h?.close();
    await aurora?.close();
  });

  /** Submits the modal for `localPart@domain` and returns the new request's id. */
  async function submit(form: RequestFormValues & { localPart: string; domain: string }): Promise<number> {
    const answer = await submitRequestForm(h, form);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { address: `${form.localPart}@${form.domain}` } });
    expect(request.status).toBe('PENDING_APPROVAL');
    return request.id;
  }

  async function approve(requestId: number): Promise<void> {
    const dm = await approvalMessageFor(h, requestId, People.superior);
    const click = await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    expect(click.status).toBe(200);
  }

  const active = (requestId: number) =>
    eventually(
      () => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: 'ACTIVE' } }),
      `request ${requestId} to become ACTIVE`,
    );

  const provisionJob = (requestId: number) => h.db.prisma.job.findFirst({ where: { requestId, kind: 'mailbox.provision' } });

  async function waitForAttempt(requestId: number, attempts: number) {
    return eventually(async () => {
      const job = await provisionJob(requestId);
      return job && job.attempts === attempts && job.status !== 'RUNNING' ? job : undefined;
    }, `attempt ${attempts} of the provisioning job`);
  }

  const createUserCallsFor = (address: string) => aurora.callsTo('Core.CreateUser').filter((call) => call.parameters?.PublicId === address);
  const cpanelCallsAbout = (localPart: string, domain: string) =>
    h.cpanel.calls.filter(
      (call) => (call.params.email === localPart && call.params.domain === domain) || call.params.email === `${localPart}@${domain}`,
    );

  async function expectSecretNowhere(secrets: string[]): Promise<void> {
    const logText = h.logs.join('');
    expect(logText.length).toBeGreaterThan(0);
    const slackText = JSON.stringify(h.slack.calls.map((call) => call.args));
    const tables = await Promise.all(
      ['EmailRequest', 'ApprovalMessage', 'Mailbox', 'Staff', 'Job', 'AuditEvent', 'OneTimeSecret'].map((table) =>
        h.db.prisma.$queryRawUnsafe(`SELECT * FROM \`${table}\``),
      ),
    );
    const dbText = JSON.stringify(tables, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(0);
      expect(logText).not.toContain(secret);
      expect(slackText).not.toContain(secret);
      expect(dbText).not.toContain(secret);
    }
  }

  it('creates x@example.org at Aurora (not cPanel), records provider aurora, and leaks no password', async () => {
    const requestId = await submit({ localPart: 'x', domain: 'example.org' });
    // The modal's existence check asked Aurora, not cPanel.
    expect(aurora.callsTo('Core.GetUsers').some((call) => call.parameters?.Search === 'x@example.org')).toBe(true);
    expect(cpanelCallsAbout('x', 'example.org')).toEqual([]);

    await approve(requestId);
    const done = await active(requestId);
    expect(done.decidedById).toBe(People.superior);

    const creates = createUserCallsFor('x@example.org');
    expect(creates).toHaveLength(1);
    const params = creates[0]?.parameters ?? {};
    expect(params).toMatchObject({ TenantId: TENANT_ID, PublicId: 'x@example.org', Role: 2, QuotaBytes: 2048 * 1024 * 1024 });
    // Typed JSON, as Aurora's is_int checks need: numbers, not strings.
    expect(typeof params.TenantId).toBe('number');
    expect(typeof params.Role).toBe('number');
    expect(creates[0]?.rawParameters).toContain(`"TenantId":${TENANT_ID}`);
    const password = params.Password;
    expect(typeof password).toBe('string');
    expect((password as string).length).toBeGreaterThanOrEqual(16);
    const user = aurora.userByEmail('x@example.org');
    expect(user).toMatchObject({ tenantId: TENANT_ID, role: 2, isDisabled: false });
    expect(user?.passwordHash).toBe(
      createHash('sha256')
        .update(password as string)
        .digest('hex'),
    );

    // Nothing about the address ever reached cPanel.
    expect(h.cpanel.mailboxes.has('x@example.org')).toBe(false);
    expect(h.cpanel.callsTo('add_pop').filter((call) => call.params.domain === 'example.org')).toEqual([]);
    expect(cpanelCallsAbout('x', 'example.org')).toEqual([]);

    const mailbox = await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'x@example.org' } });
    expect(mailbox).toMatchObject({
      localPart: 'x',
      domain: 'example.org',
      provider: 'aurora',
      status: 'ACTIVE',
      quotaMb: 2048,
      requestId,
    });
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({ where: { subject: `request:${requestId}`, action: 'mailbox.created' } });
    expect(audit).toMatchObject({ actor: 'system', outcome: 'ok', details: { address: 'x@example.org', provider: 'aurora' } });

    // The requester hears the mailbox is ready.
    const requesterDm = h.slack.dmChannelFor(People.requester);
    await h.slack.waitFor(() =>
      h.slack.messagesIn(requesterDm).find((message) => message.text?.includes('is ready') && message.text.includes('x@example.org')),
    );

    await expectSecretNowhere([password as string, aurora.adminPassword, CPANEL_TOKEN, BOT_TOKEN, SIGNING_SECRET]);
  });

  it('still creates y@example.com at cPanel with provider cpanel, and never asks Aurora about it', async () => {
    const requestId = await submit({ localPart: 'y', domain: 'example.com' });
    await approve(requestId);
    await active(requestId);

    const addPops = h.cpanel.callsTo('add_pop').filter((call) => call.params.email === 'y');
    expect(addPops).toHaveLength(1);
    expect(addPops[0]?.params).toMatchObject({ email: 'y', domain: 'example.com', quota: '2048' });
    expect(h.cpanel.mailboxes.has('y@example.com')).toBe(true);
    expect(h.cpanel.callsTo('list_pops_with_disk').some((call) => call.params.email === 'y' && call.params.domain === 'example.com')).toBe(
      true,
    );

    expect(aurora.userByEmail('y@example.com')).toBeUndefined();
    expect(aurora.calls.filter((call) => JSON.stringify(call.parameters ?? {}).includes('y@example.com'))).toEqual([]);

    const mailbox = await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'y@example.com' } });
    expect(mailbox).toMatchObject({ domain: 'example.com', provider: 'cpanel', status: 'ACTIVE', requestId });
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({ where: { subject: `request:${requestId}`, action: 'mailbox.created' } });
    expect(audit.details).toMatchObject({ address: 'y@example.com', provider: 'cpanel' });

    await expectSecretNowhere([String(addPops[0]?.params.password), aurora.adminPassword]);
  });

  it('checks "already exists" at the provider of the chosen domain', async () => {
    aurora.addUser('taken.aurora@example.org', 'Existing-Passw0rd-123', { tenantId: TENANT_ID });

    const refused = await submitRequestForm(h, { localPart: 'taken.aurora', domain: 'example.org' });
    expect(refused.status).toBe(200);
    const json = refused.json as ErrorAnswer;
    expect(json.response_action).toBe('errors');
    expect(Object.keys(json.errors)).toEqual(['local_part']);
    expect(json.errors.local_part).toMatch(/taken\.aurora@example\.org already exists on the mail server/);
    expect(await h.db.prisma.emailRequest.count({ where: { address: 'taken.aurora@example.org' } })).toBe(0);
    expect(cpanelCallsAbout('taken.aurora', 'example.org')).toEqual([]);

    // The same local part on the cPanel domain is free there, whatever Aurora holds.
    const auroraCallsBefore = aurora.calls.length;
    const requestId = await submit({ localPart: 'taken.aurora', domain: 'example.com' });
    expect(
      h.cpanel.callsTo('list_pops_with_disk').some((call) => call.params.email === 'taken.aurora' && call.params.domain === 'example.com'),
    ).toBe(true);
    expect(
      aurora.calls.slice(auroraCallsBefore).filter((call) => JSON.stringify(call.parameters ?? {}).includes('taken.aurora@example.com')),
    ).toEqual([]);
    const request = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(request).toMatchObject({ localPart: 'taken.aurora', domain: 'example.com', status: 'PENDING_APPROVAL' });

    // And the other way round: a cPanel mailbox does not block the Aurora domain.
    h.cpanel.addMailbox('taken.cpanel@example.org', 'Existing-Passw0rd-456');
    await submit({ localPart: 'taken.cpanel', domain: 'example.org' });
  });

  it('retries an Aurora outage (empty HTTP 500) with backoff, then creates the mailbox once', async () => {
    aurora.failNext('Core.CreateUser', 2, { mode: 'empty500' });
    const requestId = await submit({ localPart: 'flaky.aurora', domain: 'example.org' });
    await approve(requestId);

    const first = await waitForAttempt(requestId, 1);
    expect(first).toMatchObject({ status: 'PENDING' });
    expect(first.lastError).toMatch(/unavailable/);
    expect(first.lastError).toMatch(/Aurora Core\.CreateUser: HTTP 500/);
    // The outage is attributed to the provider that actually failed.
    expect(first.lastError).toMatch(/^aurora is unavailable/);
    expect(first.runAt.getTime() - h.clock.now().getTime()).toBeGreaterThan(BACKOFF_BASE_MS * 0.9);
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('PROVISIONING');
    expect(aurora.userByEmail('flaky.aurora@example.org')).toBeUndefined();

    h.clock.advance(BACKOFF_BASE_MS + 1000);
    const second = await waitForAttempt(requestId, 2);
    expect(second.status).toBe('PENDING');
    expect(second.runAt.getTime() - h.clock.now().getTime()).toBeGreaterThan(BACKOFF_BASE_MS * 1.9);

    h.clock.advance(2 * BACKOFF_BASE_MS + 1000);
    await active(requestId);
    expect((await settledJob(h, { requestId, kind: 'mailbox.provision' })).status).toBe('DONE');

    const creates = createUserCallsFor('flaky.aurora@example.org');
    expect(creates.map((call) => call.status)).toEqual([500, 500, 200]);
    // Every attempt used the same sealed password.
    expect(new Set(creates.map((call) => call.parameters?.Password)).size).toBe(1);
    expect([...aurora.users.values()].filter((user) => user.publicId === 'flaky.aurora@example.org')).toHaveLength(1);
    expect(h.cpanel.callsTo('add_pop').filter((call) => call.params.email === 'flaky.aurora')).toEqual([]);

    const mailbox = await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'flaky.aurora@example.org' } });
    expect(mailbox).toMatchObject({ provider: 'aurora', status: 'ACTIVE', requestId });
    await expectSecretNowhere([String(creates[0]?.parameters?.Password), aurora.adminPassword]);
  });

  it('fails the request with the cause when Aurora has no mail domain for it, and records no mailbox', async () => {
    const server = aurora.servers.get(1);
    if (!server) throw new Error('the fake has no mail server 1');
    const served = server.domains;
    server.domains = served.filter((domain) => domain !== 'example.org');
    try {
      const requestId = await submit({ localPart: 'nodomain', domain: 'example.org' });
      await approve(requestId);
      const failed = await eventually(
        () => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: 'FAILED' } }),
        `request ${requestId} to fail`,
      );
      expect(failed.failureReason).toBe(
        'aurora refused to create nodomain@example.org: example.org is not set up as a mail domain in Aurora',
      );
      expect(createUserCallsFor('nodomain@example.org')).toEqual([]);
      expect(aurora.userByEmail('nodomain@example.org')).toBeUndefined();
      expect(await h.db.prisma.mailbox.findUnique({ where: { address: 'nodomain@example.org' } })).toBeNull();
      expect(await h.db.prisma.auditEvent.count({ where: { action: 'mailbox.created', details: { string_contains: 'nodomain@' } } })).toBe(
        0,
      );
    } finally {
      server.domains = served;
    }
  });
});
