// Every Slack post a job makes is at most once, as far as Slack allows: it carries its key as
// message metadata, and when the job dies between posting and finishing (fault point
// `<what>-posted`), the retry finds its own earlier post in the DM's history instead of posting a
// second copy. One case per kind of post; the approval DM has its own file (dm-once.test.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalMessageFor,
  clickButton,
  drainJobs,
  type Harness,
  People,
  settledJob,
  startHarness,
  submitRequestForm,
} from '../support/harness.ts';
import { OFFBOARDING_ENV, seedMailbox, settled, startOffboarding, today } from '../support/offboarding.ts';

const HOUR = 3_600_000;

describe('a Slack post whose job died right after posting', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ...OFFBOARDING_ENV, REQUEST_REMINDER_HOURS: '24', REQUEST_ESCALATE_AFTER_REMINDERS: '0' });
  });
  afterEach(() => {
    delete process.env.MAILROOM_FAULT;
  });
  afterAll(async () => {
    delete process.env.MAILROOM_FAULT;
    await h?.close();
  });

  /** What reached the fake Slack: the posts in `userId`'s DM whose metadata key starts with `prefix`. */
  const postsWithKey = (userId: string, prefix: string, mentioning = '') =>
    h.slack.messagesIn(userId).filter((m) => {
      const key = m.metadata?.event_payload.key;
      return m.metadata?.event_type === 'mailroom_post' && typeof key === 'string' && key.startsWith(prefix) && m.text.includes(mentioning);
    });

  /**
   * Runs `act` with the fault armed for `what`, checks that exactly one post reached Slack and that
   * its job is waiting for a retry, then lets the retry run and checks that nothing more was posted.
   */
  async function postedOnceAcrossRetry(what: string, userId: string, mentioning: string, act: () => Promise<void>) {
    process.env.MAILROOM_FAULT = `${what}-posted:throw`;
    const historyBefore = h.slack.callsTo('conversations.history').length;
    await act();
    await drainJobs(h);
    expect(postsWithKey(userId, `${what}:`, mentioning)).toHaveLength(1);
    const failed = await h.db.prisma.job.findFirstOrThrow({ where: { lastError: `fault injected at ${what}-posted` } });
    expect(failed).toMatchObject({ status: 'PENDING', attempts: 1 });
    delete process.env.MAILROOM_FAULT;

    h.clock.advance(61_000);
    await drainJobs(h);
    expect(await settledJob(h, { id: failed.id })).toMatchObject({ status: 'DONE', attempts: 2 });
    const posts = postsWithKey(userId, `${what}:`, mentioning);
    expect(posts).toHaveLength(1);
    expect(h.slack.callsTo('conversations.history').length).toBeGreaterThan(historyBefore);
    return posts[0] as (typeof posts)[number];
  }

  // First: the only pending request, so the sweep's one reminder is this one.
  it('the approver’s reminder: one per round', async () => {
    await submitRequestForm(h, { localPart: 'once.reminded' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'once.reminded' } });
    await approvalMessageFor(h, request.id, People.superior);
    await drainJobs(h);
    await postedOnceAcrossRetry('request-reminder', People.superior, 'once.reminded', async () => {
      h.clock.advance(25 * HOUR);
      expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { reminded: 1 } });
    });
  });

  it('the requester’s "on its way" notice: one, and it is the one the request records', async () => {
    const post = await postedOnceAcrossRetry('request-submitted', People.requester, 'once.submitted', async () => {
      await submitRequestForm(h, { localPart: 'once.submitted' });
    });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'once.submitted' } });
    expect(request.noticeTs).toBe(post.ts);
  });

  it('the requester’s decision notice: one', async () => {
    await submitRequestForm(h, { localPart: 'once.decided' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'once.decided' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await drainJobs(h);
    await postedOnceAcrossRetry('request-decided', People.requester, 'once.decided', async () => {
      const answer = await clickButton(h, {
        userId: People.superior,
        actionId: 'request_approve',
        requestId: request.id,
        channelId: dm.channelId,
        messageTs: dm.ts,
      });
      expect(answer.status).toBe(200);
    });
  });

  it('HR’s offboarding status message: one, and it is the one the offboarding records (and refreshes)', async () => {
    await seedMailbox(h, { address: 'olly.status@example.com', fullName: 'Olly Status' });
    let id = 0;
    const post = await postedOnceAcrossRetry('offboarding-status', People.hr, 'olly.status', async () => {
      id = (await startOffboarding(h, { mailbox: 'olly.status@example.com', lastDay: today(h), forwardTo: 'boss@example.com' })).id;
      await settled(h, id);
    });
    const row = await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id } });
    expect(row.statusTs).toBe(post.ts);
  });

  it('the forward target’s notice: one', async () => {
    await seedMailbox(h, { address: 'fred.forward@example.com', fullName: 'Fred Forward' });
    await postedOnceAcrossRetry('forward-notice', People.superior, 'fred.forward', async () => {
      const offboarding = await startOffboarding(h, {
        mailbox: 'fred.forward@example.com',
        lastDay: today(h),
        forwardTo: 'sam@example.com',
      });
      await settled(h, offboarding.id);
    });
  });

  it('HR’s "confirm delete?" question: one per round, and it is the one recorded', async () => {
    await seedMailbox(h, { address: 'quinn.question@example.com', fullName: 'Quinn Question' });
    let id = 0;
    const post = await postedOnceAcrossRetry('offboarding-ask', People.hr, 'quinn.question', async () => {
      id = (
        await startOffboarding(h, {
          mailbox: 'quinn.question@example.com',
          lastDay: today(h),
          forwardTo: 'boss@example.com',
          retentionDays: '0',
        })
      ).id;
      await settled(h, id);
    });
    const recorded = await h.db.prisma.offboardingMessage.findMany({ where: { offboardingId: id, userId: People.hr } });
    expect(recorded.map((m) => m.ts)).toEqual([post.ts]);
  });

  it('the admins’ alert that a credential SMS could not be delivered: one per admin', async () => {
    h.twilio.invalidNumbers.add('+14155550144');
    await submitRequestForm(h, { localPart: 'once.alerted', phone: '(415) 555-0144' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'once.alerted' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await drainJobs(h);
    process.env.MAILROOM_FAULT = 'delivery-alert-posted:throw';
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    await drainJobs(h);
    const failed = await h.db.prisma.job.findFirstOrThrow({ where: { lastError: 'fault injected at delivery-alert-posted' } });
    expect(failed).toMatchObject({ status: 'PENDING', attempts: 1 });
    delete process.env.MAILROOM_FAULT;

    h.clock.advance(61_000);
    await drainJobs(h);
    expect(await settledJob(h, { id: failed.id })).toMatchObject({ status: 'DONE', attempts: 2 });
    for (const admin of [People.admin, People.admin2])
      expect(postsWithKey(admin, 'delivery-alert:', `request #${request.id}`)).toHaveLength(1);
  });
});
