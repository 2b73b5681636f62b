import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalMessageFor, clickButton, eventually, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * The sandbox skips ahead by moving the app's Clock, not the machine's. Every time the app writes
 * must come from that clock, or a request made "just now" looks 30 days old to the sweep, the Home
 * tab and the audit log.
 */
describe('one clock: rows the app writes carry the app clock’s time', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ REQUEST_REMINDER_HOURS: '24', REQUEST_EXPIRY_DAYS: '14', REQUEST_ESCALATE_AFTER_REMINDERS: '0' });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Within a minute of the app clock's reading `expected`, and so nowhere near the real time. */
  const nearClock = (actual: Date | null | undefined, expected: Date) => {
    expect(actual).toBeInstanceOf(Date);
    expect(Math.abs((actual as Date).getTime() - expected.getTime())).toBeLessThan(MINUTE);
    expect((actual as Date).getTime()).toBeGreaterThan(Date.now() + 29 * DAY);
  };

  it('a request submitted 30 days ahead is created, audited, queued and notified at the clock’s time, and 3 minutes later is not expired', async () => {
    h.clock.advance(30 * DAY);
    const submittedAt = h.clock.now();
    expect((await submitRequestForm(h, { localPart: 'time.traveller' })).body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'time.traveller' } });
    nearClock(request.createdAt, submittedAt);
    nearClock(request.updatedAt, submittedAt);

    const dm = await approvalMessageFor(h, request.id, People.superior);
    nearClock(dm.createdAt, submittedAt);
    // The approver's SMS and email, and every job the submission queued.
    const deliveries = await eventually(async () => {
      const rows = await h.db.prisma.delivery.findMany({ where: { requestId: request.id } });
      return rows.length >= 2 ? rows : undefined;
    }, 'the approver’s SMS and email');
    for (const delivery of deliveries) nearClock(delivery.createdAt, submittedAt);
    const jobs = await h.db.prisma.job.findMany({ where: { requestId: request.id } });
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      nearClock(job.createdAt, submittedAt);
      nearClock(job.runAt, submittedAt);
    }

    // Three minutes later by the app's clock: neither reminded nor expired, and "waiting 3 minutes".
    h.clock.advance(3 * MINUTE);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { reminded: 0, expired: 0 } });
    expect(await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({
      status: 'PENDING_APPROVAL',
      reminderCount: 0,
      openAddress: request.address,
    });
    await h.driver.appHomeOpened({ userId: People.superior, channelId: h.slack.dmChannelFor(People.superior) });
    await eventually(
      async () => JSON.stringify(h.slack.homeViewOf(People.superior)?.blocks ?? []).includes('waiting 3 minutes'),
      'the Home tab saying waiting 3 minutes',
    );

    // The approval and the mailbox it leads to are on the same clock.
    const approvedAt = h.clock.now();
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    const active = await eventually(async () => {
      await h.mailroom.runner.runDue();
      return h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'ACTIVE' } });
    }, 'the mailbox');
    nearClock(active.decidedAt, approvedAt);
    nearClock(active.provisionedAt, approvedAt);
    const mailbox = await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: request.address } });
    nearClock(mailbox.createdAt, approvedAt);

    const audit = await h.db.prisma.auditEvent.findMany({ where: { subject: `request:${request.id}` }, orderBy: { id: 'asc' } });
    expect(audit.map((event) => event.action)).toEqual(['request.submitted', 'request.approved', 'mailbox.created']);
    nearClock(audit[0]?.at, submittedAt);
    for (const event of audit.slice(1)) nearClock(event.at, approvedAt);
    // In the order they happened, as the audit CLI shows them.
    const times = audit.map((event) => event.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // Two weeks after the submission by the same clock (and not before) the sweep expires a pending request.
    expect((await submitRequestForm(h, { localPart: 'slow.traveller' })).body).toBe('');
    const pending = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'slow.traveller' } });
    h.clock.advance(13 * DAY);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { expired: 0 } });
    h.clock.advance(1 * DAY + MINUTE);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { expired: 1 } });
    const expired = await h.db.prisma.auditEvent.findFirstOrThrow({
      where: { subject: `request:${pending.id}`, action: 'request.expired' },
    });
    nearClock(expired.at, h.clock.now());
  });
});
