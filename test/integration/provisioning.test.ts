import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalMessageFor,
  clickButton,
  drainJobs,
  eventually,
  type Harness,
  People,
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

  /** Approves as the superior would, and waits for the click's listener to record the decision (and queue provisioning). */
  async function approve(requestId: number): Promise<void> {
    const dm = await approvalMessageFor(h, requestId, People.superior);
    await clickButton(h, { userId: People.superior, actionId: 'request_approve', requestId, channelId: dm.channelId, messageTs: dm.ts });
    await eventually(
      () => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: { not: 'PENDING_APPROVAL' } } }),
      `the decision on request ${requestId}`,
    );
  }

  async function approveNew(localPart: string): Promise<number> {
    const answer = await submitRequestForm(h, { localPart });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart } });
    await approve(request.id);
    return request.id;
  }

  const provisionJob = async (requestId: number) => h.db.prisma.job.findFirstOrThrow({ where: { requestId, kind: 'mailbox.provision' } });
  const requestRow = (requestId: number) => h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId } });
  const addPopsFor = (localPart: string) => h.cpanel.callsTo('add_pop').filter((call) => call.params.email === localPart);

  it('retries with backoff while cPanel is down, then creates the mailbox once', async () => {
    h.cpanel.failNext('add_pop', 2, 'http503');
    const requestId = await approveNew('flaky.cpanel');

    // Everything due has run: one attempt, rescheduled a backoff ahead, and nothing more until then.
    await drainJobs(h);
    const first = await provisionJob(requestId);
    expect(first).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(first.lastError).toMatch(/unavailable/);
    expect(first.runAt.getTime() - h.clock.now().getTime()).toBeGreaterThan(BACKOFF_BASE_MS * 0.9);
    expect((await requestRow(requestId)).status).toBe('PROVISIONING');

    h.clock.advance(BACKOFF_BASE_MS + 1000);
    await drainJobs(h);
    const second = await provisionJob(requestId);
    expect(second).toMatchObject({ status: 'PENDING', attempts: 2 });
    // Exponential: the second wait is twice the first.
    expect(second.runAt.getTime() - h.clock.now().getTime()).toBeGreaterThan(BACKOFF_BASE_MS * 1.9);

    h.clock.advance(2 * BACKOFF_BASE_MS + 1000);
    await drainJobs(h);
    expect((await requestRow(requestId)).status).toBe('ACTIVE');
    expect(addPopsFor('flaky.cpanel')).toHaveLength(3);
    expect(h.cpanel.mailboxes.has('flaky.cpanel@example.com')).toBe(true);
    expect(await h.db.prisma.mailbox.count({ where: { address: 'flaky.cpanel@example.com' } })).toBe(1);
    expect(await provisionJob(requestId)).toMatchObject({ status: 'DONE', attempts: 3 });
    // Every attempt used the same password, sealed once.
    const passwords = new Set(addPopsFor('flaky.cpanel').map((call) => call.params.password));
    expect(passwords.size).toBe(1);
  });

  it('treats "already exists" after a timed-out attempt as its own success (verify_password)', async () => {
    h.cpanel.failNext('add_pop', 1, 'succeed-then-timeout');
    const requestId = await approveNew('slow.cpanel');
    await drainJobs(h);
    expect(await provisionJob(requestId)).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(h.cpanel.mailboxes.has('slow.cpanel@example.com')).toBe(true);

    h.clock.advance(BACKOFF_BASE_MS + 1000);
    await drainJobs(h);
    expect((await requestRow(requestId)).status).toBe('ACTIVE');
    expect(addPopsFor('slow.cpanel')).toHaveLength(2);
    expect(h.cpanel.callsTo('verify_password').filter((call) => call.params.email === 'slow.cpanel@example.com')).toHaveLength(1);
    expect([...h.cpanel.mailboxes.keys()].filter((address) => address === 'slow.cpanel@example.com')).toHaveLength(1);
  });

  it('fails clearly when someone else created the address before provisioning', async () => {
    const answer = await submitRequestForm(h, { localPart: 'sniped' });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'sniped' } });
    h.cpanel.addMailbox('sniped@example.com', 'Someone-Elses-Passw0rd');
    await approve(request.id);

    await drainJobs(h);
    const failed = await requestRow(request.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.failureReason).toMatch(/already exists on the mail server and was not created by this request/);
    expect(failed.openAddress).toBeNull();
    expect((await provisionJob(request.id)).attempts).toBe(1);
    expect(await h.db.prisma.mailbox.count({ where: { address: 'sniped@example.com' } })).toBe(0);
  });

  it('retries cPanel’s “temporarily unable” (HTTP 200, status 0) like an outage, then creates the mailbox once', async () => {
    h.cpanel.failNext('add_pop', 1, 'status0', 'The system is temporarily unable to process your request. Please try again later.');
    const requestId = await approveNew('busy.host');
    await drainJobs(h);
    expect(await provisionJob(requestId)).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect((await requestRow(requestId)).status).not.toBe('FAILED');
    h.clock.advance(BACKOFF_BASE_MS + 1000);
    await drainJobs(h);
    expect((await requestRow(requestId)).status).toBe('ACTIVE');
    expect(addPopsFor('busy.host')).toHaveLength(2);
    expect(h.cpanel.mailboxes.has('busy.host@example.com')).toBe(true);
  });

  it('fails at once with cPanel’s own reason when cPanel refuses the call', async () => {
    h.cpanel.failNext('add_pop', 1, 'status0', 'You are using your maximum allotment (10) of email accounts.');
    const requestId = await approveNew('over.limit');
    await drainJobs(h);
    const failed = await requestRow(requestId);
    expect(failed.status).toBe('FAILED');
    expect(failed.failureReason).toContain('maximum allotment (10) of email accounts');
    expect((await provisionJob(requestId)).attempts).toBe(1);
  });

  it('marks the request FAILED after the last attempt, tells admins and requester, and an admin can retry', async () => {
    h.cpanel.failAlways('add_pop', 'http500');
    const requestId = await approveNew('never.works');
    for (let attempt = 1; attempt < 4; attempt += 1) {
      await drainJobs(h);
      expect(await provisionJob(requestId)).toMatchObject({ status: 'PENDING', attempts: attempt });
      h.clock.advance(BACKOFF_BASE_MS * 2 ** (attempt - 1) + 1000);
    }
    await drainJobs(h);
    const failed = await requestRow(requestId);
    expect(failed.status).toBe('FAILED');
    expect(failed.failureReason).toMatch(/unavailable/);
    expect(addPopsFor('never.works')).toHaveLength(4);
    expect(await provisionJob(requestId)).toMatchObject({ status: 'DEAD', attempts: 4 });

    for (const admin of [People.admin, People.admin2]) {
      const channel = h.slack.dmChannelFor(admin);
      const alert = await h.slack.waitFor(() =>
        h.slack.messagesIn(channel).find((message) => message.text?.includes(`request #${requestId}`) && message.text.includes('failed')),
      );
      expect(alert.text).toContain('after 4 attempts');
      expect(JSON.stringify(alert.blocks)).toContain('request_retry_provisioning');
    }
    const requesterDm = h.slack.dmChannelFor(People.requester);
    await h.slack.waitFor(() =>
      h.slack
        .messagesIn(requesterDm)
        .find((message) => message.text?.includes('never.works@example.com') && message.text.includes('failed')),
    );
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({
      where: { subject: `request:${requestId}`, action: 'mailbox.create_failed' },
    });
    expect(audit).toMatchObject({ actor: 'system', outcome: 'failed', details: { attempts: 4 } });

    // cPanel recovers; a non-admin cannot retry, an admin can.
    h.cpanel.clearFailures();
    const adminChannel = h.slack.dmChannelFor(People.admin);
    const alertTs = h.slack.messagesIn(adminChannel).find((message) => message.text?.includes(`request #${requestId}`))?.ts as string;
    const refusedUrl = h.slack.responseUrl('retry-refused');
    await h.driver.blockAction({
      userId: People.superior,
      actionId: 'request_retry_provisioning',
      value: String(requestId),
      channelId: adminChannel,
      messageTs: alertTs,
      responseUrl: refusedUrl,
    });
    const refusal = await h.slack.waitFor(() => h.slack.responsesTo(refusedUrl)[0]);
    expect(JSON.stringify(refusal.body)).toContain('Only an admin');
    await clickButton(h, {
      userId: People.admin,
      actionId: 'request_retry_provisioning',
      requestId,
      channelId: adminChannel,
      messageTs: alertTs,
    });
    await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: requestId, status: 'ACTIVE' } }), 'ACTIVE after retry');
    expect(h.cpanel.mailboxes.has('never.works@example.com')).toBe(true);
    expect(await h.db.prisma.auditEvent.count({ where: { subject: `request:${requestId}`, action: 'request.retry', outcome: 'ok' } })).toBe(
      1,
    );
  });
});
