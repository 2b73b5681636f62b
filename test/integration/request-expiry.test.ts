import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalMessageFor, clickButton, eventually, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';

const HOUR = 3_600_000;

describe('requests nobody decides: reminders, then expiry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ REQUEST_REMINDER_HOURS: '24', REQUEST_EXPIRY_DAYS: '3', REQUEST_ESCALATE_AFTER_REMINDERS: '0' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const remindersTo = (userId: string, address: string) =>
    h.slack.messagesIn(h.slack.dmChannelFor(userId)).filter((m) => m.text.includes('Reminder') && m.text.includes(address));

  it('reminds the approver once a day with a link to the request, then expires it, frees the address and tells the requester', async () => {
    await submitRequestForm(h, { localPart: 'slow.decision' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'slow.decision' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    const address = 'slow.decision@example.com';

    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { reminded: 0, expired: 0 } });
    h.clock.advance(25 * HOUR);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { reminded: 1, expired: 0 } });
    // A second sweep at once (another replica, a retry) sends nothing more.
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { reminded: 0 } });
    await h.mailroom.runner.runDue();
    const reminder = await h.slack.waitFor(() => remindersTo(People.superior, address)[0]);
    expect(reminder.text).toContain(`request #${request.id}`);
    expect(JSON.stringify(reminder.blocks)).toContain(`https://fake.slack.com/archives/${dm.channelId}/p${dm.ts.replace('.', '')}`);
    // No buttons on the reminder: the decision stays on the one message that is updated afterwards.
    expect(JSON.stringify(reminder.blocks)).not.toContain('request_approve');

    h.clock.advance(24 * HOUR);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { reminded: 1, expired: 0 } });
    await h.mailroom.runner.runDue();
    await h.slack.waitFor(() => remindersTo(People.superior, address).length === 2);
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).reminderCount).toBe(2);

    h.clock.advance(24 * HOUR);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ requests: { expired: 1, reminded: 0 } });
    const row = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row).toMatchObject({ status: 'EXPIRED', openAddress: null, decidedById: null });
    await h.mailroom.runner.runDue();

    await h.slack.waitFor(() => {
      const copy = h.slack.messagesIn(dm.channelId).find((m) => m.ts === dm.ts);
      return JSON.stringify(copy?.blocks).includes('Expired') ? copy : undefined;
    });
    const copy = h.slack.messagesIn(dm.channelId).find((m) => m.ts === dm.ts);
    expect((copy?.blocks ?? []).some((block) => (block as { type: string }).type === 'actions')).toBe(false);
    const requesterDm = h.slack.dmChannelFor(People.requester);
    await h.slack.waitFor(() =>
      h.slack.messagesIn(requesterDm).find((m) => m.text.includes('expired after 3 days') && m.text.includes(address)),
    );

    // A click on the stale buttons changes nothing; the address can be requested again.
    const click = await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    expect(click.status).toBe(200);
    // The click is handled after Slack's ack: wait for its (ignored) audit row before counting.
    await eventually(
      () => h.db.prisma.auditEvent.findFirst({ where: { subject: `request:${request.id}`, action: 'request.approve' } }),
      'the ignored click',
    );
    await h.mailroom.runner.runDue();
    expect(h.cpanel.callsTo('add_pop')).toHaveLength(0);
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('EXPIRED');
    expect((await submitRequestForm(h, { localPart: 'slow.decision' })).body).toBe('');

    const audit = await h.db.prisma.auditEvent.findMany({
      where: { subject: `request:${request.id}` },
      orderBy: { id: 'asc' },
      select: { actor: true, action: true, outcome: true },
    });
    expect(audit.map((event) => event.action)).toEqual([
      'request.submitted',
      'request.reminded',
      'request.reminded',
      'request.expired',
      'request.approve',
    ]);
    expect(audit.at(-1)).toMatchObject({ actor: People.superior, outcome: 'ignored' });
  });

  it('never reminds about or expires a request that was decided', async () => {
    await submitRequestForm(h, { localPart: 'quick.decision' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'quick.decision' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    await eventually(
      () => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: { not: 'PENDING_APPROVAL' } } }),
      'the decision',
    );
    h.clock.advance(10 * 24 * HOUR);
    await h.mailroom.sweep.runOnce();
    await h.mailroom.runner.runDue();
    const row = await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'ACTIVE' } }), 'ACTIVE');
    expect(row.reminderCount).toBe(0);
    expect(remindersTo(People.superior, 'quick.decision@example.com')).toHaveLength(0);
  });
});

describe('escalating a request nobody answers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ REQUEST_REMINDER_HOURS: '24', REQUEST_EXPIRY_DAYS: '10', REQUEST_ESCALATE_AFTER_REMINDERS: '2' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('nudges the superior by Slack, SMS and email each round, then brings the admins in; an admin’s decision updates every copy', async () => {
    // The directory knows the superior's cell phone (contacts come from Staff before Slack).
    await h.db.prisma.staff.create({
      data: { slackUserId: People.superior, fullName: 'Sam Superior', phone: '+14155550122', workEmail: 'sam@example.com' },
    });
    await submitRequestForm(h, { localPart: 'needs.nudge' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'needs.nudge' } });
    const superiorDm = await approvalMessageFor(h, request.id, People.superior);
    await h.mailroom.runner.runDue();
    const superiorPhone = '+14155550122';
    const smsToSuperior = () => h.twilio.messages.filter((m) => m.to === superiorPhone && m.body.includes(`#${request.id}`));
    await h.slack.waitFor(() => smsToSuperior().length === 1);

    h.clock.advance(25 * HOUR);
    await h.mailroom.sweep.runOnce();
    await h.mailroom.runner.runDue();
    await h.slack.waitFor(() => smsToSuperior().length === 2);
    expect(await h.db.prisma.approvalMessage.count({ where: { requestId: request.id } })).toBe(1);

    h.clock.advance(24 * HOUR);
    await h.mailroom.sweep.runOnce();
    await h.mailroom.runner.runDue();
    await h.slack.waitFor(() => smsToSuperior().length === 3);
    const escalated = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(escalated.escalatedAt).not.toBeNull();
    const adminDm = await approvalMessageFor(h, request.id, People.admin);
    await approvalMessageFor(h, request.id, People.admin2);
    const adminCopy = h.slack.messagesIn(adminDm.channelId).find((m) => m.ts === adminDm.ts);
    expect(JSON.stringify(adminCopy?.blocks)).toContain('Escalated to the admins');
    expect(JSON.stringify(adminCopy?.blocks)).toContain('request_approve');
    await h.slack.waitFor(() => {
      const copy = h.slack.messagesIn(superiorDm.channelId).find((m) => m.ts === superiorDm.ts);
      return JSON.stringify(copy?.blocks).includes('Escalated') ? copy : undefined;
    });
    // A third reminder does not escalate twice.
    h.clock.advance(24 * HOUR);
    await h.mailroom.sweep.runOnce();
    expect(await h.db.prisma.auditEvent.count({ where: { subject: `request:${request.id}`, action: 'request.escalated' } })).toBe(1);

    await clickButton(h, {
      userId: People.admin,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: adminDm.channelId,
      messageTs: adminDm.ts,
    });
    // The decision is taken after Slack's ack, so wait for it rather than read at once.
    const active = await eventually(
      () => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, decidedById: People.admin } }),
      'the admin’s decision',
    );
    expect(['APPROVED', 'PROVISIONING', 'ACTIVE']).toContain(active.status);
    for (const copy of await h.db.prisma.approvalMessage.findMany({ where: { requestId: request.id } })) {
      await h.slack.waitFor(() => {
        const message = h.slack.messagesIn(copy.channelId).find((m) => m.ts === copy.ts);
        return JSON.stringify(message?.blocks).includes('Approved') ? message : undefined;
      });
    }
  });
});
