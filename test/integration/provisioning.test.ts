import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalMessageFor,
  clickButton,
  eventually,
  type Harness,
  People,
  settledJob,
  startHarness,
  submitRequestForm,
} from '../support/harness.ts';

const BACKOFF_BASE_MS = 60_000;

describe('provisioning through cPanel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ JOB_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS), JOB_MAX_ATTEMPTS: '4' });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function approveNew(localPart: string): Promise<number> {
    const answer = await submitRequestForm(h, { localPart });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await clickButton(h, { userId: People.superior, actionId: 'request_approve', requestId: request.id, channelId: dm.channelId, messageTs: dm.ts });
    return request.id;
  }

  const provisionJob = (requestId: number) => h.db.prisma.job.findFirst({ where: { requestId, kind: 'mailbox.provision' } });
  const addPopsFor = (localPart: string) => h.cpanel.callsTo('add_pop').filter((call) => call.params.email === localPart);

  async function waitForAttempt(requestId: number, attempts: number) {
    return eventually(async () => {
      const job = await provisionJob(requestId);
      return job && job.attempts === attempts && job.status !== 'RUNNING' ? job : undefined;
    }, `attempt ${attempts} of the provisioning job`);
  }

  it('retries with backoff while cPanel is down, then creates the mailbox once', async () => {
    h.cpanel.failNext('add_pop', 2, 'http503');
    const requestId = await approveNew('flaky.cpanel');

    const first = await waitForAttempt(requestId, 1);
    expect(first).toMatchObject({ status: 'PENDING' });
    expect(first.lastError).toMatch(/unavailable/);
    expect(first.runAt.getTime() - h.clock.now().getTime()).toBeGreaterThan(BACKOFF_BASE_MS * 0.9);
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('PROVISIONING');

    h.clock.advance(BACKOFF_BASE_MS + 1000);
    const second = await waitForAttempt(requestId, 2);
    // Exponential: the second wait is twice the first.
    expect(second.runAt.getTime() - h.clock.now().getTime()).toBeGreaterThan(BACKOFF_BASE_MS * 1.9);

    h.clock.advance(2 * BACKOFF_BASE_MS + 1000);
    await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: 'ACTIVE' } }), 'ACTIVE');
    expect(addPopsFor('flaky.cpanel')).toHaveLength(3);
    expect(h.cpanel.mailboxes.has('flaky.cpanel@example.com')).toBe(true);
    expect(await h.db.prisma.mailbox.count({ where: { address: 'flaky.cpanel@example.com' } })).toBe(1);
    expect((await settledJob(h, { requestId, kind: 'mailbox.provision' })).status).toBe('DONE');
    // Every attempt used the same password, sealed once.
    const passwords = new Set(addPopsFor('flaky.cpanel').map((call) => call.params.password));
    expect(passwords.size).toBe(1);
  });

  it('treats "already exists" after a timed-out attempt as its own success (verify_password)', async () => {
    h.cpanel.failNext('add_pop', 1, 'succeed-then-timeout');
    const requestId = await approveNew('slow.cpanel');
    await waitForAttempt(requestId, 1);
    expect(h.cpanel.mailboxes.has('slow.cpanel@example.com')).toBe(true);

    h.clock.advance(BACKOFF_BASE_MS + 1000);
    await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: 'ACTIVE' } }), 'ACTIVE');
    expect(addPopsFor('slow.cpanel')).toHaveLength(2);
    expect(h.cpanel.callsTo('verify_password').filter((call) => call.params.email === 'slow.cpanel@example.com')).toHaveLength(1);
    expect([...h.cpanel.mailboxes.keys()].filter((address) => address === 'slow.cpanel@example.com')).toHaveLength(1);
  });

  it('fails clearly when someone else created the address before provisioning', async () => {
    const answer = await submitRequestForm(h, { localPart: 'sniped' });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'sniped' } });
    h.cpanel.addMailbox('sniped@example.com', 'Someone-Elses-Passw0rd');
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await clickButton(h, { userId: People.superior, actionId: 'request_approve', requestId: request.id, channelId: dm.channelId, messageTs: dm.ts });

    const failed = await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'FAILED' } }), 'FAILED');
    expect(failed.failureReason).toMatch(/already exists on the mail server and was not created by this request/);
    expect(failed.openAddress).toBeNull();
    expect((await provisionJob(request.id))?.attempts).toBe(1);
    expect(await h.db.prisma.mailbox.count({ where: { address: 'sniped@example.com' } })).toBe(0);
  });

  it('fails at once with cPanel’s own reason when cPanel refuses the call', async () => {
    h.cpanel.failNext('add_pop', 1, 'status0', 'You are using your maximum allotment (10) of email accounts.');
    const requestId = await approveNew('over.limit');
    const failed = await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: 'FAILED' } }), 'FAILED');
    expect(failed.failureReason).toContain('maximum allotment (10) of email accounts');
    expect((await provisionJob(requestId))?.attempts).toBe(1);
  });

  it('marks the request FAILED after the last attempt, tells admins and requester, and an admin can retry', async () => {
    h.cpanel.failAlways('add_pop', 'http500');
    const requestId = await approveNew('never.works');
    for (let attempt = 1; attempt < 4; attempt += 1) {
      await waitForAttempt(requestId, attempt);
      h.clock.advance(BACKOFF_BASE_MS * 2 ** (attempt - 1) + 1000);
    }
    const failed = await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: 'FAILED' } }), 'FAILED');
    expect(failed.failureReason).toMatch(/unavailable/);
    expect(addPopsFor('never.works')).toHaveLength(4);
    expect((await settledJob(h, { requestId, kind: 'mailbox.provision' })).status).toBe('DEAD');

    for (const admin of [People.admin, People.admin2]) {
      const channel = h.slack.dmChannelFor(admin);
      const alert = await h.slack.waitFor(() => h.slack.messagesIn(channel).find((message) => message.text?.includes(`request #${requestId}`) && message.text.includes('failed')));
      expect(alert.text).toContain('after 4 attempts');
      expect(JSON.stringify(alert.blocks)).toContain('request_retry_provisioning');
    }
    const requesterDm = h.slack.dmChannelFor(People.requester);
    await h.slack.waitFor(() => h.slack.messagesIn(requesterDm).find((message) => message.text?.includes('never.works@example.com') && message.text.includes('failed')));
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({ where: { subject: `request:${requestId}`, action: 'mailbox.create_failed' } });
    expect(audit).toMatchObject({ actor: 'system', outcome: 'failed', details: { attempts: 4 } });

    // cPanel recovers; a non-admin cannot retry, an admin can.
    h.cpanel.clearFailures();
    const adminChannel = h.slack.dmChannelFor(People.admin);
    const alertTs = h.slack.messagesIn(adminChannel).find((message) => message.text?.includes(`request #${requestId}`))?.ts as string;
    const refusedUrl = h.slack.responseUrl('retry-refused');
    await h.driver.blockAction({ userId: People.superior, actionId: 'request_retry_provisioning', value: String(requestId), channelId: adminChannel, messageTs: alertTs, responseUrl: refusedUrl });
    const refusal = await h.slack.waitFor(() => h.slack.responsesTo(refusedUrl)[0]);
    expect(JSON.stringify(refusal.body)).toContain('Only an admin');
    await clickButton(h, { userId: People.admin, actionId: 'request_retry_provisioning', requestId, channelId: adminChannel, messageTs: alertTs });
    await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: 'ACTIVE' } }), 'ACTIVE after retry');
    expect(h.cpanel.mailboxes.has('never.works@example.com')).toBe(true);
    expect(await h.db.prisma.auditEvent.count({ where: { subject: `request:${requestId}`, action: 'request.retry', outcome: 'ok' } })).toBe(1);
  });
});
