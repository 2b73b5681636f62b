import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, People, startHarness } from '../support/harness.ts';
import {
  clickOffboardButton,
  OFFBOARDING_ENV,
  seedMailbox,
  settled,
  startOffboarding,
  statusMessage,
  submitOffboard,
  today,
  waitForStatusMessage,
} from '../support/offboarding.ts';

const DAY_MS = 86_400_000;

describe('offboarding: the full path', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(OFFBOARDING_ENV);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('/offboard → modal → submit → forward, auto-reply, suspension at cPanel → retention → HR DM → Confirm → gone', async () => {
    await seedMailbox(h, { address: 'jane.doe@example.com', fullName: 'Jane Doe', ownForwarders: ['jane.private@gmail.com'] });

    // The command opens the modal, pre-filled from the staff record.
    const triggerId = h.slack.issueTriggerId();
    const command = await h.driver.slashCommand({
      command: '/offboard',
      text: 'jane.doe@example.com',
      userId: People.hr,
      triggerId,
      responseUrl: h.slack.responseUrl('cmd'),
    });
    expect(command.status).toBe(200);
    const opened = await h.slack.waitFor(() => h.slack.okCallsTo('views.open').find((call) => call.args.trigger_id === triggerId));
    const view = JSON.stringify(opened.args.view);
    expect(view).toContain('offboard_modal');
    expect(view).toContain('jane.doe@example.com');
    expect(view).toContain('sam@example.com'); // forward-to: the superior's address
    expect(view).toContain('Sam Superior'); // the auto-reply names the superior…
    expect(view).toContain('info@example.com'); // …and the general contact

    // The type-ahead finds the managed mailbox.
    const suggestion = await h.driver.blockSuggestion({
      userId: People.hr,
      actionId: 'offboard_mailbox_search',
      blockId: 'offboard_mailbox',
      value: 'jane',
      view: { callbackId: 'offboard_modal', values: {} },
    });
    expect(JSON.stringify(suggestion.json)).toContain('jane.doe@example.com');

    const offboarding = await startOffboarding(h, { mailbox: 'jane.doe@example.com', lastDay: today(h), retentionDays: '30' });
    expect(offboarding).toMatchObject({
      forwardTo: 'sam@example.com',
      initiatedById: People.hr,
      retentionDays: 30,
      leaverName: 'Jane Doe',
    });
    const steps = await settled(h, offboarding.id);
    expect(steps.map((step) => [step.kind, step.status])).toEqual([
      ['save_prior_state', 'DONE'],
      ['forward', 'DONE'],
      ['auto_reply', 'DONE'],
      ['suspend_login', 'DONE'],
      ['remove_own_forwarders', 'DONE'],
    ]);

    // What reached cPanel.
    expect(h.cpanel.forwarders.get('jane.doe@example.com')).toEqual(['sam@example.com']);
    const responder = h.cpanel.autoResponders.get('jane.doe@example.com');
    const row = await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } });
    expect(responder).toMatchObject({ from: 'Jane Doe', interval: 24, stop: Math.floor(row.deleteAfter.getTime() / 1000) });
    expect(responder?.body).toContain('Sam Superior (sam@example.com)');
    expect(h.cpanel.mailboxes.get('jane.doe@example.com')).toMatchObject({ suspendedLogin: true, suspendedIncoming: false });
    expect(h.cpanel.callsTo('suspend_incoming')).toHaveLength(0);
    expect(h.cpanel.callsTo('add_forwarder').at(-1)?.params).toMatchObject({ fwdopt: 'fwd', fwdemail: 'sam@example.com' });
    expect(row.status).toBe('ACTIVE');
    expect(row.priorState).toMatchObject({ forwarders: ['jane.private@gmail.com'], autoReply: null, suspendedLogin: false });
    expect(row.deleteAfter.getTime() - row.runAt.getTime()).toBe(30 * DAY_MS);
    expect((await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'jane.doe@example.com' } })).status).toBe('OFFBOARDING');

    // HR's status message: one line per step, all done; the superior is told.
    const status = await waitForStatusMessage(
      h,
      offboarding.id,
      (json) => (json.match(/white_check_mark/g) ?? []).length === 5,
      'all five steps shown done',
    );
    expect(JSON.stringify(status?.blocks)).not.toContain(':x:');
    await h.slack.waitFor(() =>
      h.slack
        .messagesIn(People.superior)
        .find((message) => message.text.includes('jane.doe@example.com') && message.text.includes('now reaches you')),
    );
    const email = await eventually(
      () => h.db.prisma.delivery.findFirst({ where: { template: 'offboarding-forward-notice' } }),
      'the email to the superior',
    );
    expect(email).toMatchObject({ channel: 'EMAIL', recipient: 'sam@example.com' });
    const mail = await eventually(
      async () => h.smtp.messagesTo('sam@example.com').find((m) => m.subject === 'Mail for jane.doe@example.com now reaches you'),
      'the email at the SMTP server',
    );
    expect(mail.text).toContain('is now forwarded to you at sam@example.com');
    expect(mail.html).toContain('Jane Doe');

    // Retention not over: the sweep asks nobody and nothing is deleted.
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ ran: true, offboarding: { asked: 0 } });
    h.clock.advance(30 * DAY_MS + 60_000);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ ran: true, offboarding: { asked: 1 } });
    const ask = await eventually(
      () => h.db.prisma.offboardingMessage.findFirst({ where: { offboardingId: offboarding.id, userId: People.hr } }),
      'the confirmation DM',
    );
    const dm = h.slack.messagesIn(ask.channelId).find((message) => message.ts === ask.ts);
    expect(JSON.stringify(dm?.blocks)).toContain('offboard_confirm_delete');
    expect(h.cpanel.callsTo('delete_pop')).toHaveLength(0);
    expect((await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } })).status).toBe('AWAITING_CONFIRMATION');

    // Two Confirm clicks at once: one deletion.
    const clicks = [0, 1].map(() =>
      clickOffboardButton(h, {
        userId: People.hr,
        actionId: 'offboard_confirm_delete',
        value: String(offboarding.id),
        channelId: ask.channelId,
        messageTs: ask.ts,
      }),
    );
    await Promise.all(clicks.map((click) => click.done));
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'DELETED' } }), 'DELETED');
    await h.mailroom.runner.runDue();
    expect(h.cpanel.callsTo('delete_pop').filter((call) => call.params.email === 'jane.doe')).toHaveLength(1);
    expect(h.cpanel.mailboxes.has('jane.doe@example.com')).toBe(false);
    expect(h.cpanel.forwarders.has('jane.doe@example.com')).toBe(false);
    expect(h.cpanel.autoResponders.has('jane.doe@example.com')).toBe(false);
    const answers = await h.slack.waitFor(() => {
      const all = clicks.flatMap((click) => h.slack.responsesTo(click.responseUrl));
      return all.length === 2 ? all : undefined;
    });
    expect(JSON.stringify(answers)).toMatch(/already deleted|being deleted/);

    const done = await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: offboarding.id } });
    expect(done).toMatchObject({ status: 'DELETED', openAddress: null, decidedById: People.hr });
    expect((await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'jane.doe@example.com' } })).status).toBe('DELETED');
    const audit = await h.db.prisma.auditEvent.findMany({ where: { subject: `offboarding:${offboarding.id}` }, orderBy: { id: 'asc' } });
    const actions = audit.map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'offboarding.started',
        'offboarding.activated',
        'offboarding.confirmation_requested',
        'offboarding.delete_confirmed',
        'mailbox.deleted',
      ]),
    );
    expect(actions.filter((action) => action === 'offboarding.delete_confirmed')).toHaveLength(1);
    expect(audit.find((event) => event.action === 'offboarding.confirm_delete')).toMatchObject({ outcome: 'ignored' });
    for (const kind of ['forward', 'auto_reply', 'suspend_login', 'remove_own_forwarders', 'delete'])
      expect(actions).toContain(`offboarding.step.${kind}`);

    // Every copy of the question is updated: no buttons left.
    await h.slack.waitFor(() => {
      const current = h.slack.messagesIn(ask.channelId).find((message) => message.ts === ask.ts);
      return JSON.stringify(current?.blocks).includes('Deleted') ? current : undefined;
    });
    const finalStatus = await waitForStatusMessage(
      h,
      offboarding.id,
      (json) => json.includes('was deleted'),
      'the status message to say deleted',
    );
    expect(((finalStatus?.blocks ?? []) as Array<{ type: string }>).some((block) => block.type === 'actions')).toBe(false);

    // Deleted mailboxes cannot be offboarded again.
    const again = await submitOffboard(h, { mailbox: 'jane.doe@example.com', lastDay: today(h) });
    expect(JSON.stringify(again.json)).toContain('already deleted');
  });
});

describe('offboarding: who may, and what is never done without a confirmation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(OFFBOARDING_ENV);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses anyone outside HR ephemerally, audits it, and accepts members of the HR user group', async () => {
    await seedMailbox(h, { address: 'nina.noaccess@example.com' });
    const responseUrl = h.slack.responseUrl('outsider');
    const triggerId = h.slack.issueTriggerId();
    await h.driver.slashCommand({
      command: '/offboard',
      text: 'nina.noaccess@example.com',
      userId: People.outsider,
      triggerId,
      responseUrl,
    });
    const refusal = await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0]);
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(refusal.body)).toContain('Only HR');
    expect(h.slack.callsTo('views.open').filter((call) => call.args.trigger_id === triggerId)).toHaveLength(0);
    expect(await h.db.prisma.auditEvent.findFirst({ where: { actor: People.outsider, action: 'offboarding.open' } })).toMatchObject({
      outcome: 'refused',
    });

    // A forged submission is refused too, and the type-ahead shows nothing.
    const forged = await submitOffboard(h, { mailbox: 'nina.noaccess@example.com', lastDay: today(h) }, People.outsider);
    expect(forged.json).toMatchObject({ response_action: 'errors', errors: { offboard_mailbox: expect.stringContaining('Only HR') } });
    const suggestion = await h.driver.blockSuggestion({
      userId: People.outsider,
      actionId: 'offboard_mailbox_search',
      blockId: 'offboard_mailbox',
      value: 'nina',
      view: { callbackId: 'offboard_modal', values: {} },
    });
    expect(suggestion.json).toEqual({ options: [] });
    expect(await h.db.prisma.offboarding.count()).toBe(0);

    // HR_USERGROUP_ID membership counts as HR.
    const groupTrigger = h.slack.issueTriggerId();
    await h.driver.slashCommand({
      command: '/offboard',
      userId: People.hrGroupMember,
      triggerId: groupTrigger,
      responseUrl: h.slack.responseUrl('group'),
    });
    await h.slack.waitFor(() => h.slack.okCallsTo('views.open').find((call) => call.args.trigger_id === groupTrigger));
    expect(h.slack.callsTo('usergroups.users.list').at(-1)?.args).toMatchObject({ usergroup: 'S0HRTEAM01' });
  });

  it('deletes nothing without a confirmation: reminds after 24 h, again daily; Extend keeps it longer', async () => {
    await seedMailbox(h, { address: 'rex.retained@example.com', fullName: 'Rex Retained' });
    const offboarding = await startOffboarding(h, { mailbox: 'rex.retained@example.com', lastDay: today(h), retentionDays: '0' });
    await settled(h, offboarding.id);
    // Retention 0: the question comes at once, without waiting for the sweep.
    const first = await eventually(
      () => h.db.prisma.offboardingMessage.findFirst({ where: { offboardingId: offboarding.id, round: 0 } }),
      'the first question',
    );

    const outsiderClick = clickOffboardButton(h, {
      userId: People.outsider,
      actionId: 'offboard_confirm_delete',
      value: String(offboarding.id),
      channelId: first.channelId,
      messageTs: first.ts,
    });
    await outsiderClick.done;
    const refusal = await h.slack.waitFor(() => h.slack.responsesTo(outsiderClick.responseUrl)[0]);
    expect(JSON.stringify(refusal.body)).toContain('Only HR');

    h.clock.advance(23 * 3600_000);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ offboarding: { reminded: 0 } });
    h.clock.advance(2 * 3600_000);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ offboarding: { reminded: 1 } });
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ offboarding: { reminded: 0 } });
    const reminder = await eventually(
      () => h.db.prisma.offboardingMessage.findFirst({ where: { offboardingId: offboarding.id, round: 1 } }),
      'the reminder',
    );
    expect(h.slack.messagesIn(reminder.channelId).find((message) => message.ts === reminder.ts)?.blocks).toBeDefined();
    h.clock.advance(DAY_MS + 1000);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ offboarding: { reminded: 1 } });
    await h.mailroom.runner.runDue();
    expect(h.cpanel.callsTo('delete_pop')).toHaveLength(0);
    expect(h.cpanel.mailboxes.has('rex.retained@example.com')).toBe(true);

    // Extend: ACTIVE again, deletion due later, the auto-reply's stop moves with it.
    const extend = clickOffboardButton(h, {
      userId: People.hr,
      actionId: 'offboard_extend_7',
      value: `${offboarding.id}:7`,
      channelId: reminder.channelId,
      messageTs: reminder.ts,
    });
    await extend.done;
    const extended = await eventually(
      () => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'ACTIVE', decidedById: People.hr } }),
      'ACTIVE after Extend',
    );
    expect(extended.deleteAfter.getTime() - h.clock.now().getTime()).toBeGreaterThan(6.9 * DAY_MS);
    await eventually(
      async () => h.cpanel.autoResponders.get('rex.retained@example.com')?.stop === Math.floor(extended.deleteAfter.getTime() / 1000),
      'the auto-reply to stop at the new deletion date',
    );
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ offboarding: { asked: 0, reminded: 0 } });
    await h.slack.waitFor(() => {
      const current = h.slack.messagesIn(first.channelId).find((message) => message.ts === first.ts);
      return JSON.stringify(current?.blocks).includes('Retention extended') ? current : undefined;
    });
    expect(h.cpanel.callsTo('delete_pop')).toHaveLength(0);
  });

  it('gives clear answers for a second offboarding, an unknown address, and imports one it does not manage', async () => {
    await seedMailbox(h, { address: 'twice@example.com' });
    await startOffboarding(h, { mailbox: 'twice@example.com', lastDay: today(h) });
    const second = await submitOffboard(h, { mailbox: 'twice@example.com', lastDay: today(h) });
    expect(JSON.stringify(second.json)).toContain('already being offboarded');
    expect(await h.db.prisma.offboarding.count({ where: { address: 'twice@example.com' } })).toBe(1);

    const missing = await submitOffboard(h, { mailbox: 'nobody.here@example.com', lastDay: today(h), forwardTo: 'sam@example.com' });
    expect(JSON.stringify(missing.json)).toContain('There is no mailbox nobody.here@example.com');
    const foreign = await submitOffboard(h, { mailbox: 'someone@elsewhere.net', lastDay: today(h), forwardTo: 'sam@example.com' });
    expect(JSON.stringify(foreign.json)).toContain('manages only');
    const noForward = await submitOffboard(h, { mailbox: 'twice@example.com', forwardTo: 'twice@example.com' });
    expect(JSON.stringify(noForward.json)).toContain('Forward to someone else');
    const badRetention = await submitOffboard(h, { mailbox: 'twice@example.com', retentionDays: '4000' });
    expect(JSON.stringify(badRetention.json)).toContain('0 to 3650');

    // Unmanaged but at cPanel: typed in full, offered by the type-ahead, imported.
    await seedMailbox(h, { address: 'legacy.box@example.com', managed: false });
    const suggestion = await h.driver.blockSuggestion({
      userId: People.hr,
      actionId: 'offboard_mailbox_search',
      blockId: 'offboard_mailbox',
      value: 'legacy.box@example.com',
      view: { callbackId: 'offboard_modal', values: {} },
    });
    expect(JSON.stringify(suggestion.json)).toContain('not managed by Mailroom yet');
    const noSuperior = await submitOffboard(h, { mailbox: 'legacy.box@example.com', lastDay: today(h) });
    expect(JSON.stringify(noSuperior.json)).toContain('enter where its mail should go');
    const imported = await startOffboarding(h, { mailbox: 'legacy.box@example.com', lastDay: today(h), forwardTo: 'sam@example.com' });
    await settled(h, imported.id);
    expect(await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'legacy.box@example.com' } })).toMatchObject({
      status: 'OFFBOARDING',
      provider: 'cpanel',
    });
    expect(h.cpanel.forwarders.get('legacy.box@example.com')).toEqual(['sam@example.com']);
    expect(await h.db.prisma.auditEvent.count({ where: { action: 'mailbox.imported', subject: 'mailbox:legacy.box@example.com' } })).toBe(
      1,
    );
    expect((await statusMessage(h, imported.id))?.text).toContain('legacy.box@example.com');
  });
});
