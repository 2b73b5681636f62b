import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zonedTimeToUtc } from '../../src/lib/zoned-time.ts';
import { eventually, type Harness, People, startHarness } from '../support/harness.ts';
import {
  clickOffboardButton,
  dayAfter,
  OFFBOARDING_ENV,
  seedMailbox,
  settled,
  startOffboarding,
  statusMessage,
  today,
  waitForStatusMessage,
} from '../support/offboarding.ts';

const TIME_ZONE = 'America/New_York';

describe('offboarding steps: undo, failures, retry, and a future last day', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ...OFFBOARDING_ENV, TIME_ZONE, OFFBOARD_HOUR: '17', JOB_MAX_ATTEMPTS: '2' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('undo restores exactly the prior state at cPanel, the leaver’s own forwarders included', async () => {
    const priorReply = {
      from: 'Una Undo',
      subject: 'On holiday',
      body: 'Back on Monday.',
      interval: 12,
      start: 1_700_000_000,
      stop: 2_000_000_000,
    };
    await seedMailbox(h, {
      address: 'una.undo@example.com',
      fullName: 'Una Undo',
      ownForwarders: ['una@gmail.com', 'una@proton.me'],
      autoReply: priorReply,
    });
    const offboarding = await startOffboarding(h, { mailbox: 'una.undo@example.com', lastDay: today(h, TIME_ZONE) });
    await settled(h, offboarding.id);
    expect(h.cpanel.forwarders.get('una.undo@example.com')).toEqual(['sam@example.com']);
    expect(h.cpanel.autoResponders.get('una.undo@example.com')?.subject).toContain('Una Undo');
    expect(h.cpanel.mailboxes.get('una.undo@example.com')?.suspendedLogin).toBe(true);

    const status = await waitForStatusMessage(h, offboarding.id, (json) => json.includes('offboard_undo'), 'the Undo button');
    const row = await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } });
    const click = clickOffboardButton(h, {
      userId: People.hr,
      actionId: 'offboard_undo',
      value: String(offboarding.id),
      channelId: row.statusChannelId as string,
      messageTs: status?.ts as string,
    });
    await click.done;
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'CANCELLED' } }), 'CANCELLED');

    expect([...(h.cpanel.forwarders.get('una.undo@example.com') ?? [])].sort()).toEqual(['una@gmail.com', 'una@proton.me']);
    expect(h.cpanel.autoResponders.get('una.undo@example.com')).toMatchObject(priorReply);
    expect(h.cpanel.mailboxes.get('una.undo@example.com')).toMatchObject({ suspendedLogin: false, suspendedIncoming: false });
    expect(await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'una.undo@example.com' } })).toMatchObject({ status: 'ACTIVE' });
    expect(await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } })).toMatchObject({
      openAddress: null,
      cancelledById: People.hr,
    });
    await waitForStatusMessage(
      h,
      offboarding.id,
      (json) => json.includes('active again') && !json.includes('offboard_undo'),
      'the status message to say cancelled',
    );
    expect(
      await h.db.prisma.auditEvent.count({
        where: { subject: `offboarding:${offboarding.id}`, action: { in: ['offboarding.cancelled', 'offboarding.restored'] } },
      }),
    ).toBe(2);

    // A second undo is answered, not repeated; the mailbox can be offboarded again.
    const again = clickOffboardButton(h, {
      userId: People.hr,
      actionId: 'offboard_undo',
      value: String(offboarding.id),
      channelId: row.statusChannelId as string,
      messageTs: status?.ts as string,
    });
    await again.done;
    expect(JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(again.responseUrl)[0])).body)).toContain('already cancelled');
    const redo = await startOffboarding(h, { mailbox: 'una.undo@example.com', lastDay: dayAfter(today(h, TIME_ZONE), 30) });
    expect(redo.status).toBe('SCHEDULED');
  });

  it('keeps a forwarder to the superior that existed before, and `/offboard undo` re-suspends nothing that was not suspended', async () => {
    await seedMailbox(h, { address: 'kim.keep@example.com', ownForwarders: ['sam@example.com', 'kim@gmail.com'], suspendedLogin: true });
    const offboarding = await startOffboarding(h, { mailbox: 'kim.keep@example.com', lastDay: today(h, TIME_ZONE) });
    await settled(h, offboarding.id);
    expect(h.cpanel.forwarders.get('kim.keep@example.com')).toEqual(['sam@example.com']);
    const responseUrl = h.slack.responseUrl('undo-cmd');
    await h.driver.slashCommand({
      command: '/offboard',
      text: 'undo kim.keep@example.com',
      userId: People.hr,
      triggerId: h.slack.issueTriggerId(),
      responseUrl,
    });
    expect(JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0])).body)).toContain(
      'Restoring kim.keep@example.com',
    );
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'CANCELLED' } }), 'CANCELLED');
    expect([...(h.cpanel.forwarders.get('kim.keep@example.com') ?? [])].sort()).toEqual(['kim@gmail.com', 'sam@example.com']);
    expect(h.cpanel.mailboxes.get('kim.keep@example.com')?.suspendedLogin).toBe(true);
    expect(h.cpanel.callsTo('unsuspend_login').filter((call) => call.params.email === 'kim.keep@example.com')).toHaveLength(0);
  });

  it('shows a failing step as failed with cPanel’s reason, reports nothing done that cPanel did not do, and Retry completes it', async () => {
    await seedMailbox(h, { address: 'fay.fail@example.com' });
    h.cpanel.failNext('suspend_login', 1, 'status0', 'The account “fay.fail@example.com” is locked by the administrator.');
    h.cpanel.failNext('add_auto_responder', 2, 'http503');
    const offboarding = await startOffboarding(h, { mailbox: 'fay.fail@example.com', lastDay: today(h, TIME_ZONE) });

    const suspend = await eventually(
      () => h.db.prisma.offboardingStep.findFirst({ where: { offboardingId: offboarding.id, kind: 'suspend_login', status: 'FAILED' } }),
      'suspend_login FAILED',
    );
    expect(suspend.lastError).toContain('is locked by the administrator');
    expect(h.cpanel.mailboxes.get('fay.fail@example.com')?.suspendedLogin).toBe(false);
    // cPanel is down for the auto-reply: retried with backoff, then FAILED after the last attempt.
    const replyStep = await eventually(
      () =>
        h.db.prisma.offboardingStep.findFirst({
          where: { offboardingId: offboarding.id, kind: 'auto_reply', attempts: 1, lastError: { not: null } },
        }),
      'the first auto-reply attempt',
    );
    expect(replyStep.status).toBe('PENDING');
    expect(replyStep.lastError).toMatch(/unavailable|503/);
    await waitForStatusMessage(h, offboarding.id, (json) => json.includes('retrying after'), 'a retrying line');
    h.clock.advance(61_000);
    await eventually(
      () => h.db.prisma.offboardingStep.findFirst({ where: { offboardingId: offboarding.id, kind: 'auto_reply', status: 'FAILED' } }),
      'auto_reply FAILED',
    );
    expect(h.cpanel.autoResponders.has('fay.fail@example.com')).toBe(false);

    // Honest: every DONE step is one cPanel acted on; the failed ones show the reason and a Retry button.
    const steps = await settled(h, offboarding.id);
    expect(Object.fromEntries(steps.map((step) => [step.kind, step.status]))).toEqual({
      save_prior_state: 'DONE',
      forward: 'DONE',
      auto_reply: 'FAILED',
      suspend_login: 'FAILED',
      remove_own_forwarders: 'DONE',
    });
    expect(h.cpanel.forwarders.get('fay.fail@example.com')).toEqual(['sam@example.com']);
    const status = await waitForStatusMessage(h, offboarding.id, (json) => (json.match(/:x:/g) ?? []).length === 2, 'two failed lines');
    const json = JSON.stringify(status?.blocks);
    expect(json).toContain('is locked by the administrator');
    expect(json).toContain('offboard_retry');
    expect(status?.text).toContain('2 steps failed');
    expect(
      await h.db.prisma.auditEvent.count({
        where: { subject: `offboarding:${offboarding.id}`, action: 'offboarding.step.suspend_login', outcome: 'failed' },
      }),
    ).toBe(1);

    // A non-HR click is refused; HR's Retry re-runs only the failed steps.
    const row = await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } });
    const forwardsBefore = h.cpanel.callsTo('add_forwarder').length;
    const refused = clickOffboardButton(h, {
      userId: People.outsider,
      actionId: 'offboard_retry',
      value: String(offboarding.id),
      channelId: row.statusChannelId as string,
      messageTs: row.statusTs as string,
    });
    await refused.done;
    expect(JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(refused.responseUrl)[0])).body)).toContain('Only HR');
    const retry = clickOffboardButton(h, {
      userId: People.hr,
      actionId: 'offboard_retry',
      value: String(offboarding.id),
      channelId: row.statusChannelId as string,
      messageTs: row.statusTs as string,
    });
    await retry.done;
    await eventually(async () => {
      const now = await h.db.prisma.offboardingStep.findMany({ where: { offboardingId: offboarding.id } });
      return now.every((step) => step.status === 'DONE');
    }, 'every step DONE after Retry');
    expect(h.cpanel.mailboxes.get('fay.fail@example.com')?.suspendedLogin).toBe(true);
    expect(h.cpanel.autoResponders.has('fay.fail@example.com')).toBe(true);
    expect(h.cpanel.callsTo('add_forwarder').length).toBe(forwardsBefore);
    const after = await waitForStatusMessage(
      h,
      offboarding.id,
      (text) => (text.match(/white_check_mark/g) ?? []).length === 5,
      'five done lines',
    );
    expect(JSON.stringify(after?.blocks)).not.toContain(':x:');
    expect(JSON.stringify(after?.blocks)).not.toContain('offboard_retry');
  });

  it('refuses Undo while a step is talking to cPanel, so the step cannot land after the restore', async () => {
    await seedMailbox(h, { address: 'rex.race@example.com', ownForwarders: ['rex@gmail.com'] });
    // The forward step fails once and waits for its retry; the retry is then held in flight at cPanel.
    h.cpanel.failNext('add_forwarder', 1, 'http503');
    const offboarding = await startOffboarding(h, { mailbox: 'rex.race@example.com', lastDay: today(h, TIME_ZONE) });
    await eventually(
      () =>
        h.db.prisma.offboardingStep.findFirst({
          where: { offboardingId: offboarding.id, kind: 'forward', status: 'PENDING', attempts: 1, lastError: { not: null } },
        }),
      'the first forward attempt to fail',
    );
    await eventually(
      async () => (await h.db.prisma.offboardingStep.count({ where: { offboardingId: offboarding.id, status: 'PENDING' } })) === 1,
      'the other steps to settle',
    );
    expect(h.cpanel.forwarders.get('rex.race@example.com') ?? []).toEqual([]);

    const undo = async (label: string) => {
      const responseUrl = h.slack.responseUrl(label);
      await h.driver.slashCommand({
        command: '/offboard',
        text: 'undo rex.race@example.com',
        userId: People.hr,
        triggerId: h.slack.issueTriggerId(),
        responseUrl,
      });
      return JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0])).body);
    };
    const listed = h.cpanel.callsTo('list_forwarders').length;
    h.cpanel.delayMs = 450;
    try {
      h.clock.advance(61_000);
      // The retry has read the forwarders and is about to add the one to the superior.
      await eventually(async () => h.cpanel.callsTo('list_forwarders').length > listed, 'the forward retry to reach cPanel');
      expect(await undo('undo-race-1')).toContain('talking to the mail server');
      // This runner's pass waits on the held step; a second pass stands in for another replica.
      await h.mailroom.runner.runDue();
      expect((await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } })).status).toBe('ACTIVE');
    } finally {
      h.cpanel.delayMs = 0;
    }
    await eventually(
      () => h.db.prisma.job.findFirst({ where: { dedupeKey: { startsWith: `offboarding:${offboarding.id}:forward:` }, status: 'DONE' } }),
      'the forward retry to finish',
    );
    expect(h.cpanel.forwarders.get('rex.race@example.com')).toEqual(['sam@example.com']);

    expect(await undo('undo-race-2')).toContain('Restoring rex.race@example.com');
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'CANCELLED' } }), 'CANCELLED');
    await h.mailroom.runner.runDue();
    expect(h.cpanel.forwarders.get('rex.race@example.com')).toEqual(['rex@gmail.com']);
    expect(h.cpanel.mailboxes.get('rex.race@example.com')?.suspendedLogin).toBe(false);
    expect(h.cpanel.autoResponders.has('rex.race@example.com')).toBe(false);
  });

  it('accepts Undo once every step is done, even while a runner is still closing (or died closing) a step’s job', async () => {
    await seedMailbox(h, { address: 'ned.now@example.com', ownForwarders: ['ned@gmail.com'] });
    const offboarding = await startOffboarding(h, { mailbox: 'ned.now@example.com', lastDay: today(h, TIME_ZONE) });
    await settled(h, offboarding.id);
    // A step commits DONE before its runner marks the job finished; a runner that dies in between
    // leaves the job RUNNING until its lock goes stale. Neither is a call at cPanel any more.
    const { count } = await h.db.prisma.job.updateMany({
      where: { dedupeKey: { startsWith: `offboarding:${offboarding.id}:suspend_login:` } },
      data: { status: 'RUNNING', lockedAt: h.clock.now(), lockedBy: 'a-runner-that-died' },
    });
    expect(count).toBe(1);
    const responseUrl = h.slack.responseUrl('undo-settled');
    await h.driver.slashCommand({
      command: '/offboard',
      text: 'undo ned.now@example.com',
      userId: People.hr,
      triggerId: h.slack.issueTriggerId(),
      responseUrl,
    });
    expect(JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0])).body)).toContain(
      'Restoring ned.now@example.com',
    );
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'CANCELLED' } }), 'CANCELLED');
    expect(h.cpanel.forwarders.get('ned.now@example.com')).toEqual(['ned@gmail.com']);
    expect(h.cpanel.mailboxes.get('ned.now@example.com')?.suspendedLogin).toBe(false);
  });

  it('a step retry that comes due after an Undo leaves cPanel alone', async () => {
    await seedMailbox(h, { address: 'ula.late@example.com' });
    h.cpanel.failNext('suspend_login', 1, 'http503');
    const offboarding = await startOffboarding(h, { mailbox: 'ula.late@example.com', lastDay: today(h, TIME_ZONE) });
    await eventually(
      () =>
        h.db.prisma.offboardingStep.findFirst({
          where: { offboardingId: offboarding.id, kind: 'suspend_login', status: 'PENDING', attempts: 1, lastError: { not: null } },
        }),
      'the first suspend attempt to fail',
    );
    await eventually(
      async () => (await h.db.prisma.offboardingStep.count({ where: { offboardingId: offboarding.id, status: 'PENDING' } })) === 1,
      'the other steps to settle',
    );
    const responseUrl = h.slack.responseUrl('undo-late');
    await h.driver.slashCommand({
      command: '/offboard',
      text: 'undo ula.late@example.com',
      userId: People.hr,
      triggerId: h.slack.issueTriggerId(),
      responseUrl,
    });
    expect(JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0])).body)).toContain(
      'Restoring ula.late@example.com',
    );
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'CANCELLED' } }), 'CANCELLED');

    const suspends = h.cpanel.callsTo('suspend_login').length;
    h.clock.advance(61_000);
    await h.mailroom.runner.runDue();
    await eventually(
      () =>
        h.db.prisma.job.findFirst({ where: { dedupeKey: { startsWith: `offboarding:${offboarding.id}:suspend_login:` }, status: 'DONE' } }),
      'the suspend retry to run',
    );
    expect(h.cpanel.callsTo('suspend_login')).toHaveLength(suspends);
    expect(h.cpanel.mailboxes.get('ula.late@example.com')?.suspendedLogin).toBe(false);
    expect(await h.db.prisma.offboardingStep.findFirst({ where: { offboardingId: offboarding.id, kind: 'suspend_login' } })).toMatchObject({
      status: 'SKIPPED',
    });
  });

  it('does nothing before a future last day and everything at OFFBOARD_HOUR on it (company time zone)', async () => {
    await seedMailbox(h, { address: 'leo.later@example.com', ownForwarders: ['leo@gmail.com'] });
    const lastDay = dayAfter(today(h, TIME_ZONE), 3);
    const offboarding = await startOffboarding(h, { mailbox: 'leo.later@example.com', lastDay, retentionDays: '10' });
    const runAt = zonedTimeToUtc(lastDay, 17, TIME_ZONE);
    expect(offboarding).toMatchObject({ status: 'SCHEDULED' });
    expect(offboarding.runAt.toISOString()).toBe(runAt.toISOString());
    expect(offboarding.deleteAfter.getTime()).toBe(runAt.getTime() + 10 * 86_400_000);
    await waitForStatusMessage(h, offboarding.id, (json) => json.includes('scheduled for'), 'the scheduled status');

    const touched = () => h.cpanel.calls.filter((call) => JSON.stringify(call.params).includes('leo.later'));
    await h.mailroom.runner.runDue();
    expect(touched()).toHaveLength(0);
    h.clock.advance(runAt.getTime() - h.clock.now().getTime() - 60_000);
    await h.mailroom.runner.runDue();
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ offboarding: { asked: 0 } });
    expect(touched()).toHaveLength(0);
    expect((await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } })).status).toBe('SCHEDULED');

    h.clock.advance(120_000);
    const steps = await settled(h, offboarding.id);
    expect(steps.every((step) => step.status === 'DONE')).toBe(true);
    expect(h.cpanel.forwarders.get('leo.later@example.com')).toEqual(['sam@example.com']);
    expect(h.cpanel.mailboxes.get('leo.later@example.com')?.suspendedLogin).toBe(true);
    expect(h.cpanel.autoResponders.get('leo.later@example.com')?.stop).toBe(Math.floor(offboarding.deleteAfter.getTime() / 1000));
    expect((await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } })).status).toBe('ACTIVE');
    // The status message is refreshed by its own job, just after the state change.
    await eventually(async () => (await statusMessage(h, offboarding.id))?.text?.includes('active'), 'the status message to say active');
  });
});
