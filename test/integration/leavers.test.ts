// Leavers nobody offboarded (issue 13, item 1): the user_change event and the daily users.list
// check raise one HR DM per leaver and mailbox; Start offboarding, Not a leaver, LEAVER_AUTO_SUSPEND
// with Undo, and a reactivation that withdraws the alert — asserted at the Slack and cPanel fakes
// and in MariaDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainJobs, eventually, type Harness, People, startHarness } from '../support/harness.ts';
import { clickOffboardButton, OFFBOARDING_ENV, seedMailbox, settled, submitOffboard, today } from '../support/offboarding.ts';

const HR = [People.hr, People.hrGroupMember];
const ENV = { ...OFFBOARDING_ENV, LEAVER_CHECK_CRON: '0 0 0 1 1 *', LEAVER_CHECK_PAGE_INTERVAL_MS: '0' };

/** A Slack member who owns a mailbox by profile email, and the mailbox at cPanel and in Mailroom. */
async function leaver(h: Harness, id: string, address: string, name: string) {
  h.slack.addUser({ id, name: name.split(' ')[0]?.toLowerCase() ?? id, realName: name, email: address });
  await seedMailbox(h, { address, fullName: name });
}

const alertOf = (h: Harness, address: string) => h.db.prisma.leaverAlert.findFirst({ where: { address } });

/** Waits for the alert's DMs to every HR person, and returns them as the Slack fake holds them now. */
async function alertDms(h: Harness, address: string, check: (json: string) => boolean = () => true) {
  return eventually(async () => {
    await drainJobs(h);
    const alert = await alertOf(h, address);
    if (!alert) return undefined;
    const rows = await h.db.prisma.leaverAlertMessage.findMany({ where: { alertId: alert.id }, orderBy: { userId: 'asc' } });
    if (rows.length < HR.length) return undefined;
    const messages = rows.map((row) => ({ ...row, message: h.slack.messagesIn(row.channelId).find((m) => m.ts === row.ts) }));
    return messages.every((m) => check(JSON.stringify(m.message?.blocks ?? []))) ? { alert, messages } : undefined;
  }, `the leaver DMs about ${address}`);
}

const buttonsOf = (blocks: unknown[] | undefined) =>
  (blocks ?? [])
    .filter((block) => (block as { type: string }).type === 'actions')
    .flatMap((block) => (block as { elements: Array<{ action_id: string; value: string }> }).elements);

function click(h: Harness, userId: string, dm: { channelId: string; ts: string }, actionId: string, value: string) {
  return clickOffboardButton(h, { userId, actionId, value, channelId: dm.channelId, messageTs: dm.ts });
}

describe('leavers nobody offboarded', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(ENV);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('deactivation event → one DM per HR person (a repeated event and the daily check add none) → Start offboarding → steps run', async () => {
    await leaver(h, 'U0LEAVER01', 'lee@example.com', 'Lee Leaver');
    const event = await h.slack.setUserDeleted('U0LEAVER01', true);
    const { alert, messages } = await alertDms(h, 'lee@example.com');
    expect(alert).toMatchObject({ slackUserId: 'U0LEAVER01', status: 'OPEN', detectedBy: 'event', round: 1, holdOffboardingId: null });
    expect(messages.map((m) => m.userId).sort()).toEqual([...HR].sort());
    const json = JSON.stringify(messages[0]?.message?.blocks);
    expect(json).toContain('<@U0LEAVER01>');
    expect(json).toContain('lee@example.com');
    expect(json).toContain('<!date^'); // since when
    expect(buttonsOf(messages[0]?.message?.blocks).map((b) => b.action_id)).toEqual(['leaver_start_offboarding', 'leaver_not_a_leaver']);

    // Slack retries the delivery, and the daily check finds the same leaver: nothing new.
    await h.driver.event({ event, eventId: 'EvRETRY0001' });
    await h.driver.event({ event, eventId: 'EvRETRY0001' });
    expect(await h.mailroom.leaverCheck.runOnce()).toMatchObject({ ran: true, leavers: { raised: 0 } });
    await drainJobs(h);
    expect(await h.db.prisma.leaverAlert.count({ where: { address: 'lee@example.com' } })).toBe(1);
    expect(await h.db.prisma.leaverAlertMessage.count({ where: { alertId: alert.id } })).toBe(2);
    const posted = h.slack.okCallsTo('chat.postMessage').filter((call) => JSON.stringify(call.args).includes('Leaver: lee@example.com'));
    expect(posted).toHaveLength(2);
    expect(posted.map((call) => (call.args.metadata as { event_payload: { key: string } }).event_payload.key).sort()).toEqual(
      HR.map((id) => `leaver-dm:${alert.id}:1:${id}`).sort(),
    );

    // Start offboarding opens the usual modal, pre-filled with the mailbox and the deactivation day.
    const mine = messages.find((m) => m.userId === People.hr);
    if (!mine) throw new Error('no DM to HR');
    const started = click(h, People.hr, mine, 'leaver_start_offboarding', String(alert.id));
    expect((await started.done).status).toBe(200);
    const opened = await h.slack.waitFor(() => h.slack.okCallsTo('views.open').at(-1));
    const view = JSON.stringify(opened.args.view);
    expect(view).toContain('offboard_modal');
    expect(view).toContain('lee@example.com');
    expect(view).toContain('sam@example.com');
    expect(view).toContain(today(h));

    const answer = await submitOffboard(h, { mailbox: 'lee@example.com', lastDay: today(h) });
    expect(answer.body).toBe('');
    const offboarding = await h.db.prisma.offboarding.findFirstOrThrow({ where: { address: 'lee@example.com' } });
    const steps = await settled(h, offboarding.id);
    expect(steps.every((step) => step.status === 'DONE')).toBe(true);
    expect(h.cpanel.forwarders.get('lee@example.com')).toEqual(['sam@example.com']);
    expect(h.cpanel.mailboxes.get('lee@example.com')?.suspendedLogin).toBe(true);

    // Both HR people's copies say it was handled, without buttons.
    const after = await alertDms(h, 'lee@example.com', (j) => j.includes('started the offboarding'));
    expect(after.alert).toMatchObject({ status: 'HANDLED', decidedById: People.hr, offboardingId: offboarding.id });
    for (const m of after.messages) expect(buttonsOf(m.message?.blocks)).toEqual([]);
    const actions = await h.db.prisma.auditEvent.findMany({ where: { subject: 'mailbox:lee@example.com' }, select: { action: true } });
    expect(actions.map((a) => a.action)).toEqual(['leaver.detected', 'leaver.offboarding_started']);
  });

  it('a missed event is found by the daily check, page by page through users.list, waiting out a 429', async () => {
    for (let i = 0; i < 230; i += 1) h.slack.addUser({ id: `U1FILL${String(i).padStart(4, '0')}`, realName: `Filler ${i}` });
    await leaver(h, 'U0QUIET001', 'quinn@example.com', 'Quinn Quiet');
    await h.slack.setUserDeleted('U0QUIET001', true, { deliver: false });
    await drainJobs(h);
    expect(await alertOf(h, 'quinn@example.com')).toBeNull();

    h.slack.rateLimitNext('users.list', 1);
    const before = h.slack.callsTo('users.list').length;
    const outcome = await h.mailroom.leaverCheck.runOnce();
    expect(outcome).toMatchObject({ ran: true, leavers: { raised: 1 } });
    const calls = h.slack.callsTo('users.list').slice(before);
    expect(calls[0]?.response.error).toBe('ratelimited');
    const pages = calls.filter((call) => call.response.ok === true);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages[0]?.args.cursor).toBeUndefined();
    const firstPage = pages[0]?.response.response_metadata as { next_cursor: string } | undefined;
    expect(firstPage?.next_cursor).toBeTruthy();
    expect(pages[1]?.args.cursor).toBe(firstPage?.next_cursor);

    const { alert, messages } = await alertDms(h, 'quinn@example.com');
    expect(alert).toMatchObject({ status: 'OPEN', detectedBy: 'daily_check' });
    expect(JSON.stringify(messages[0]?.message?.blocks)).toContain('found by the daily check');
    // The next day's check finds it again and adds nothing.
    expect(await h.mailroom.leaverCheck.runOnce()).toMatchObject({ ran: true, leavers: { raised: 0 } });
    await drainJobs(h);
    expect(await h.db.prisma.leaverAlertMessage.count({ where: { alertId: alert.id } })).toBe(2);
  });

  it('Not a leaver: HR only; asks why, records it, audits it, and updates every HR copy', async () => {
    await leaver(h, 'U0NOTLEFT1', 'nat@example.com', 'Nat Staying');
    await h.slack.setUserDeleted('U0NOTLEFT1', true);
    const { alert, messages } = await alertDms(h, 'nat@example.com');
    const groupCopy = messages.find((m) => m.userId === People.hrGroupMember);
    if (!groupCopy) throw new Error('no DM to the HR group member');

    const outsider = click(h, People.outsider, groupCopy, 'leaver_not_a_leaver', String(alert.id));
    await outsider.done;
    const refusal = await h.slack.waitFor(() => h.slack.responsesTo(outsider.responseUrl)[0]);
    expect(JSON.stringify(refusal.body)).toContain('Only HR');

    const opens = h.slack.okCallsTo('views.open').length;
    const opening = click(h, People.hrGroupMember, groupCopy, 'leaver_not_a_leaver', String(alert.id));
    await opening.done;
    const modal = (await h.slack.waitFor(() => h.slack.okCallsTo('views.open')[opens])).args.view as {
      callback_id: string;
      private_metadata: string;
    };
    expect(modal.callback_id).toBe('leaver_dismiss_modal');
    const submit = (reason: string) =>
      h.driver.viewSubmission({
        userId: People.hrGroupMember,
        view: {
          callbackId: 'leaver_dismiss_modal',
          privateMetadata: modal.private_metadata,
          values: { leaver_dismiss_reason: { value: { type: 'plain_text_input', value: reason } } },
        },
      });
    const tooShort = await submit(' x ');
    expect(JSON.stringify(tooShort.json)).toContain('leaver_dismiss_reason');
    expect((await submit('Moved to the Berlin office; the account was deactivated by mistake.')).body).toBe('');

    const after = await alertDms(h, 'nat@example.com', (j) => j.includes('not a leaver'));
    expect(after.alert).toMatchObject({ status: 'DISMISSED', decidedById: People.hrGroupMember });
    expect(after.alert.reason).toContain('Berlin office');
    for (const m of after.messages) {
      expect(JSON.stringify(m.message?.blocks)).toContain('Berlin office');
      expect(buttonsOf(m.message?.blocks)).toEqual([]);
    }
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'leaver.dismissed' } });
    expect(audit).toMatchObject({ actor: People.hrGroupMember, subject: 'mailbox:nat@example.com', outcome: 'ok' });
    expect(await h.db.prisma.auditEvent.count({ where: { action: 'leaver.dismiss', outcome: 'refused', actor: People.outsider } })).toBe(1);
    // The daily check does not raise a dismissed leaver again.
    expect(await h.mailroom.leaverCheck.runOnce()).toMatchObject({ ran: true, leavers: { raised: 0 } });
  });

  it('a reactivation before anyone acted withdraws the alert; a new deactivation raises it again', async () => {
    await leaver(h, 'U0BACK0001', 'bo@example.com', 'Bo Back');
    await h.slack.setUserDeleted('U0BACK0001', true);
    const { alert } = await alertDms(h, 'bo@example.com');
    await h.slack.setUserDeleted('U0BACK0001', false);
    const after = await alertDms(h, 'bo@example.com', (j) => j.includes('reactivated'));
    expect(after.alert.status).toBe('WITHDRAWN');
    for (const m of after.messages) expect(buttonsOf(m.message?.blocks)).toEqual([]);
    expect(await h.db.prisma.auditEvent.count({ where: { action: 'leaver.withdrawn', subject: 'mailbox:bo@example.com' } })).toBe(1);

    await h.slack.setUserDeleted('U0BACK0001', true);
    await eventually(async () => (await alertOf(h, 'bo@example.com'))?.round === 2, 'the second round');
    await drainJobs(h);
    const rows = await h.db.prisma.leaverAlertMessage.findMany({ where: { alertId: alert.id } });
    expect(rows.filter((row) => row.round === 2)).toHaveLength(2);
  });
});

describe('leavers with LEAVER_AUTO_SUSPEND=true', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ...ENV, LEAVER_AUTO_SUSPEND: 'true' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('suspends the login at once as a hold; Undo restores it at cPanel', async () => {
    await leaver(h, 'U0SUSP0001', 'sue@example.com', 'Sue Suspended');
    await h.slack.setUserDeleted('U0SUSP0001', true);
    const { alert, messages } = await alertDms(h, 'sue@example.com', (j) => j.includes('suspended its login'));
    expect(h.cpanel.mailboxes.get('sue@example.com')?.suspendedLogin).toBe(true);
    const hold = await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: alert.holdOffboardingId ?? 0 }, include: { steps: true } });
    expect(hold).toMatchObject({ kind: 'LEAVER_HOLD', status: 'ACTIVE', priorState: expect.objectContaining({ suspendedLogin: false }) });
    expect(hold.steps.find((s) => s.kind === 'suspend_login')?.status).toBe('DONE');
    // Retention never asks to delete a hold.
    h.clock.advance(40 * 86_400_000);
    await h.mailroom.sweep.runOnce();
    expect((await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: hold.id } })).status).toBe('ACTIVE');

    const mine = messages.find((m) => m.userId === People.hr);
    if (!mine) throw new Error('no DM to HR');
    const undoButton = buttonsOf(mine.message?.blocks).find((b) => b.action_id === 'offboard_undo');
    expect(undoButton?.value).toBe(String(hold.id));
    const undo = click(h, People.hr, mine, 'offboard_undo', String(hold.id));
    await undo.done;
    await drainJobs(h);
    await settled(h, hold.id);
    expect(h.cpanel.mailboxes.get('sue@example.com')?.suspendedLogin).toBe(false);
    expect(await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: hold.id } })).toMatchObject({
      status: 'CANCELLED',
      openAddress: null,
    });
    expect((await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'sue@example.com' } })).status).toBe('ACTIVE');
    await alertDms(h, 'sue@example.com', (j) => j.includes('suspension was undone'));
  });

  it('Start offboarding builds on the hold: one Undo restores the mailbox as it was before both', async () => {
    await leaver(h, 'U0HOLD0001', 'hal@example.com', 'Hal Held');
    h.cpanel.forwarders.set('hal@example.com', ['hal.private@gmail.com']);
    await h.slack.setUserDeleted('U0HOLD0001', true);
    const { alert } = await alertDms(h, 'hal@example.com', (j) => j.includes('suspended its login'));
    expect((await submitOffboard(h, { mailbox: 'hal@example.com', lastDay: today(h) })).body).toBe('');
    const id = alert.holdOffboardingId ?? 0;
    const steps = await settled(h, id);
    expect(steps.map((s) => [s.kind, s.status])).toEqual([
      ['save_prior_state', 'DONE'],
      ['forward', 'DONE'],
      ['auto_reply', 'DONE'],
      ['suspend_login', 'DONE'],
      ['remove_own_forwarders', 'DONE'],
    ]);
    expect(await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id } })).toMatchObject({
      kind: 'OFFBOARDING',
      initiatedById: People.hr,
    });
    expect(h.cpanel.forwarders.get('hal@example.com')).toEqual(['sam@example.com']);
    await alertDms(h, 'hal@example.com', (j) => j.includes('started the offboarding'));

    expect((await h.mailroom.offboarding.undo(id, People.hr)).ok).toBe(true);
    await drainJobs(h);
    await settled(h, id);
    expect(h.cpanel.mailboxes.get('hal@example.com')?.suspendedLogin).toBe(false);
    expect(h.cpanel.forwarders.get('hal@example.com')).toEqual(['hal.private@gmail.com']);
  });

  it('a reactivation withdraws the alert and releases the hold', async () => {
    await leaver(h, 'U0RETURN01', 'rae@example.com', 'Rae Returning');
    await h.slack.setUserDeleted('U0RETURN01', true);
    const { alert } = await alertDms(h, 'rae@example.com', (j) => j.includes('suspended its login'));
    await h.slack.setUserDeleted('U0RETURN01', false);
    await alertDms(h, 'rae@example.com', (j) => j.includes('reactivated') && j.includes('suspension was undone'));
    expect(h.cpanel.mailboxes.get('rae@example.com')?.suspendedLogin).toBe(false);
    const hold = await h.db.prisma.offboarding.findUniqueOrThrow({ where: { id: alert.holdOffboardingId ?? 0 } });
    expect(hold).toMatchObject({ status: 'CANCELLED', cancelledById: 'system' });
  });
});
