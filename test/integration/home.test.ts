import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeView } from '../../src/sandbox/fakes/slack-server.ts';
import {
  approvalMessageFor,
  BOT_TOKEN,
  CPANEL_TOKEN,
  clickButton,
  eventually,
  type Harness,
  People,
  SIGNING_SECRET,
  startHarness,
  submitRequestForm,
} from '../support/harness.ts';
import { dayAfter, OFFBOARDING_ENV, seedMailbox, startOffboarding, today } from '../support/offboarding.ts';

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Array<{ action_id?: string; text?: { text: string } | string }>;
};

interface PublishedHome {
  view: { type: string; blocks: Block[] };
  /** Every text in the view, for `toContain`. */
  json: string;
  /** The action ids of the view's buttons. */
  buttons: string[];
}

const publishesTo = (h: Harness, userId: string) => h.slack.okCallsTo('views.publish').filter((call) => call.args.user_id === userId);

/** Waits until no job is due or running, so no Home refresh job publishes while a test opens a tab. */
function settle(h: Harness) {
  return eventually(
    async () =>
      (await h.db.prisma.job.count({ where: { OR: [{ status: 'RUNNING' }, { status: 'PENDING', runAt: { lte: h.clock.now() } }] } })) === 0,
    'the job queue to settle',
  );
}

const asHome = (view: PublishedHome['view']): PublishedHome => ({
  view,
  json: JSON.stringify(view.blocks),
  buttons: view.blocks.flatMap((block) =>
    block.type === 'actions' ? (block.elements ?? []).map((element) => element.action_id ?? '') : [],
  ),
});

/** Opens `userId`'s Home tab as Slack does (a signed app_home_opened event) and returns what reached views.publish. */
async function openHome(h: Harness, userId: string): Promise<PublishedHome> {
  await settle(h);
  const before = publishesTo(h, userId).length;
  const answer = await h.driver.appHomeOpened({ userId, channelId: h.slack.dmChannelFor(userId) });
  expect(answer.status).toBe(200);
  const call = await h.slack.waitFor(() => publishesTo(h, userId)[before], 15_000);
  return asHome(call.args.view as PublishedHome['view']);
}

/** Waits, without opening the tab, until the Home tab Slack holds for `userId` satisfies `check` (refresh jobs). */
function homeBecomes(h: Harness, userId: string, check: (home: PublishedHome) => boolean, what: string): Promise<PublishedHome> {
  return eventually(async () => {
    const view = h.slack.homeViewOf(userId);
    const home = view ? asHome(view as unknown as PublishedHome['view']) : undefined;
    return home && check(home) ? home : undefined;
  }, what);
}

/** The text under one header of the Home view, up to the next divider. */
function sectionUnder(home: PublishedHome, header: string): string {
  const start = home.view.blocks.findIndex((block) => block.type === 'header' && block.text?.text === header);
  if (start === -1) return '';
  const rest = home.view.blocks.slice(start + 1);
  const end = rest.findIndex((block) => block.type === 'divider');
  return JSON.stringify(end === -1 ? rest : rest.slice(0, end));
}

/** Presses a button on the user's Home tab: a block_actions payload from a `home` view, without response_url. */
function clickHomeButton(h: Harness, userId: string, actionId: string, triggerId: string) {
  const home = h.slack.homeViewOf(userId) as FakeView;
  return h.driver.blockAction({
    userId,
    actionId,
    value: '',
    blockId: 'home_actions',
    triggerId,
    responseUrl: '',
    channelId: '',
    messageTs: '',
    container: { type: 'view', view_id: home.id },
    view: { id: home.id, type: 'home', blocks: home.blocks, private_metadata: '', callback_id: '', hash: home.hash, team_id: home.team_id },
  });
}

async function createRequest(
  h: Harness,
  localPart: string,
  requesterId: string = People.requester,
  form: Parameters<typeof submitRequestForm>[1] = {},
) {
  const answer = await submitRequestForm(h, { localPart, ...form }, requesterId);
  expect(answer.body).toBe('');
  return h.db.prisma.emailRequest.findFirstOrThrow({ where: { address: `${localPart}@example.com` } });
}

describe('App Home tab', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(OFFBOARDING_ENV);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('publishes the Home tab when it is opened, and nothing for the Messages tab', async () => {
    const messages = await h.driver.appHomeOpened({ userId: People.outsider, tab: 'messages' });
    expect(messages.status).toBe(200);
    const home = await openHome(h, People.outsider);
    // The Messages-tab event came first and was handled first: it published nothing.
    expect(publishesTo(h, People.outsider)).toHaveLength(1);
    await openHome(h, People.outsider);
    expect(publishesTo(h, People.outsider)).toHaveLength(2);
    expect(home.view.type).toBe('home');
    expect(h.slack.homeViewOf(People.outsider)?.type).toBe('home');
    expect(sectionUnder(home, 'Waiting for your decision')).toContain('Nothing is waiting for you.');
    expect(sectionUnder(home, 'Your requests')).toContain('You have not requested any mailbox yet.');
    expect(home.buttons).toEqual(['home_request_mailbox']);
    expect(home.json).not.toContain('Offboardings in progress');
    expect(home.json).not.toContain('For admins');
  });

  it('shows a pending request to its approver and to its requester, then the approval', async () => {
    const request = await createRequest(h, 'jane.home', People.requester, { fullName: 'Jane Home & Co' });
    const dm = await approvalMessageFor(h, request.id, People.superior);

    const superiorHome = await openHome(h, People.superior);
    const waiting = sectionUnder(superiorHome, 'Waiting for your decision');
    expect(waiting).toContain('jane.home@example.com');
    expect(waiting).toContain('Jane Home &amp; Co');
    expect(waiting).not.toContain('Home & Co');
    expect(waiting).toContain(`Requested by <@${People.requester}>`);
    expect(waiting).toMatch(/waiting (less than a minute|\d+ minutes?)/);
    expect(waiting).toContain('in your DMs with Mailroom');
    // The decision stays on the DM: no Approve/Reject on the Home tab.
    expect(superiorHome.buttons).toEqual(['home_request_mailbox']);
    expect(superiorHome.json).not.toContain('request_approve');

    const requesterHome = await openHome(h, People.requester);
    const mine = sectionUnder(requesterHome, 'Your requests');
    expect(mine).toContain('jane.home@example.com');
    expect(mine).toContain(`Waiting for <@${People.superior}> to approve`);
    // The requester is not an approver of their own request.
    expect(sectionUnder(requesterHome, 'Waiting for your decision')).toContain('Nothing is waiting for you.');
    // The admins hold no approval message for it, so it does not wait for them.
    expect(sectionUnder(await openHome(h, People.admin), 'Waiting for your decision')).toContain('Nothing is waiting for you.');

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

    const after = await openHome(h, People.requester);
    expect(sectionUnder(after, 'Your requests')).toContain(`Active: the mailbox exists (approved by <@${People.superior}>)`);
    expect(sectionUnder(await openHome(h, People.superior), 'Waiting for your decision')).toContain('Nothing is waiting for you.');

    // No secret ever reaches a Home tab: not the mailbox password, the one-time link, nor a token.
    const password = h.cpanel.callsTo('add_pop').at(-1)?.params.password ?? '';
    expect(password.length).toBeGreaterThan(0);
    const homes = JSON.stringify(h.slack.callsTo('views.publish').map((call) => call.args));
    for (const secret of [password, '/credentials/', 'mailroom.test', BOT_TOKEN, SIGNING_SECRET, CPANEL_TOKEN, 'gmail.com', '+1415'])
      expect(homes).not.toContain(secret);
  });

  it('says in plain words how each of the requester’s requests ended', async () => {
    const rejected = await createRequest(h, 'rex.rejected');
    const dm = await approvalMessageFor(h, rejected.id, People.superior);
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_reject',
      requestId: rejected.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    const reason = await h.driver.viewSubmission({
      userId: People.superior,
      view: {
        callbackId: 'reject_reason_modal',
        privateMetadata: JSON.stringify({ requestId: rejected.id }),
        values: { reason: { value: { type: 'plain_text_input', value: 'Wrong <team> & wrong *name*' } } },
      },
    });
    expect(reason.body).toBe('');

    const cancelled = await createRequest(h, 'cora.cancelled');
    await h.db.prisma.emailRequest.update({
      where: { id: cancelled.id },
      data: { status: 'CANCELLED', decidedById: People.requester, decidedAt: new Date(), openAddress: null },
    });
    const failed = await createRequest(h, 'fay.failed');
    await h.db.prisma.emailRequest.update({
      where: { id: failed.id },
      data: { status: 'FAILED', decidedById: People.superior, failureReason: 'cPanel said <no>', openAddress: null },
    });
    const expired = await createRequest(h, 'ed.expired');
    await h.db.prisma.emailRequest.update({ where: { id: expired.id }, data: { status: 'EXPIRED', openAddress: null } });

    const mine = sectionUnder(await openHome(h, People.requester), 'Your requests');
    // The reason as typed: its *name* is shown with its stars, never in bold.
    expect(mine).toContain(`Rejected by <@${People.superior}>. Reason: Wrong &lt;team&gt; &amp; wrong <!date^0^{_}|*>name<!date^0^{_}|*>`);
    expect(mine).toContain('Cancelled by you');
    expect(mine).toContain('creating the mailbox failed: cPanel said &lt;no&gt;. The admins were told.');
    expect(mine).toContain('Expired without a decision');
    // Newest first.
    expect(mine.indexOf('ed.expired')).toBeLessThan(mine.indexOf('rex.rejected'));

    // The admins see how many failed requests wait for a retry; nobody else does.
    const admin = await openHome(h, People.admin);
    expect(sectionUnder(admin, 'For admins')).toContain('1 request failed to provision and is waiting for a retry');
    expect((await openHome(h, People.superior)).json).not.toContain('For admins');
  });

  it('shows HR the offboardings in progress and the Offboard button; others see neither', async () => {
    await seedMailbox(h, { address: 'leo.leaver@example.com', fullName: 'Leo <Leaver>' });
    const lastDay = dayAfter(today(h), 7);
    const offboarding = await startOffboarding(h, { mailbox: 'leo.leaver@example.com', lastDay, retentionDays: '30' });
    expect(offboarding.status).toBe('SCHEDULED');

    for (const hrUser of [People.hr, People.hrGroupMember]) {
      const home = await openHome(h, hrUser);
      expect(home.buttons).toEqual(['home_request_mailbox', 'home_offboard_mailbox']);
      const inProgress = sectionUnder(home, 'Offboardings in progress');
      expect(inProgress).toContain('leo.leaver@example.com');
      expect(inProgress).toContain('Leo &lt;Leaver&gt;');
      expect(inProgress).toContain('Scheduled');
      expect(inProgress).toContain(hrUser === People.hr ? 'started by you' : `started by <@${People.hr}>`);
      expect(inProgress).toContain(`deletion due <!date^${Math.floor(offboarding.deleteAfter.getTime() / 1000)}^`);
    }
    for (const other of [People.requester, People.superior, People.admin]) {
      const home = await openHome(h, other);
      expect(home.buttons).not.toContain('home_offboard_mailbox');
      expect(home.json).not.toContain('Offboardings in progress');
      expect(home.json).not.toContain('leo.leaver');
    }

    // Undone offboardings leave the list.
    await h.db.prisma.offboarding.update({ where: { id: offboarding.id }, data: { status: 'CANCELLED', openAddress: null } });
    expect(sectionUnder(await openHome(h, People.hr), 'Offboardings in progress')).toContain('No offboarding is in progress.');
  });

  it('opens the request modal from the Home tab’s button, with that click’s trigger', async () => {
    await openHome(h, People.outsider);
    const triggerId = h.slack.issueTriggerId({ userId: People.outsider });
    const click = await clickHomeButton(h, People.outsider, 'home_request_mailbox', triggerId);
    expect(click.status).toBe(200);
    const opened = await h.slack.waitFor(() =>
      h.slack.calls.find((call) => call.method === 'views.open' && call.args.trigger_id === triggerId),
    );
    expect(opened.response.ok).toBe(true);
    expect((opened.args.view as { callback_id: string }).callback_id).toBe('request_email_modal');
  });

  it('opens the offboarding modal from the Home tab for HR, and explains the refusal to anyone else', async () => {
    await openHome(h, People.hr);
    const triggerId = h.slack.issueTriggerId({ userId: People.hr });
    await clickHomeButton(h, People.hr, 'home_offboard_mailbox', triggerId);
    const opened = await h.slack.waitFor(() =>
      h.slack.calls.find((call) => call.method === 'views.open' && call.args.trigger_id === triggerId),
    );
    expect(opened.response.ok).toBe(true);
    expect((opened.args.view as { callback_id: string }).callback_id).toBe('offboard_modal');

    // A stale Home tab (someone who left HR) still has the button: the service refuses, in a modal.
    await openHome(h, People.outsider);
    const outsiderTrigger = h.slack.issueTriggerId({ userId: People.outsider });
    await clickHomeButton(h, People.outsider, 'home_offboard_mailbox', outsiderTrigger);
    const refused = await h.slack.waitFor(() =>
      h.slack.calls.find((call) => call.method === 'views.open' && call.args.trigger_id === outsiderTrigger),
    );
    expect(refused.response.ok).toBe(true);
    expect(JSON.stringify((refused.args.view as { blocks: unknown[] }).blocks)).toContain('Only HR can offboard mailboxes');
    const audit = await h.db.prisma.auditEvent.findFirst({
      where: { actor: People.outsider, action: 'offboarding.open', outcome: 'refused' },
    });
    expect(audit).not.toBeNull();
  });

  it('logs a failed publish and keeps serving', async () => {
    await settle(h);
    h.slack.failNext('views.publish', 'internal_error');
    const before = h.logs.length;
    const answer = await h.driver.appHomeOpened({ userId: People.admin2 });
    expect(answer.status).toBe(200);
    await eventually(
      async () =>
        h.logs
          .slice(before)
          .some((line) => line.includes('a Slack interaction failed') && line.includes('internal_error') && line.includes('"incidentId"')),
      'the failure to be logged',
    );
    const home = await openHome(h, People.admin2);
    expect(home.json).toContain('Waiting for your decision');
  });

  it('refreshes the Home tabs a request touches when its state changes, without waiting for them to be opened', async () => {
    const request = await createRequest(h, 'rhea.refresh');
    await homeBecomes(
      h,
      People.superior,
      (home) => sectionUnder(home, 'Waiting for your decision').includes('rhea.refresh@example.com'),
      'the superior’s Home to list the new request',
    );
    await homeBecomes(
      h,
      People.requester,
      (home) => sectionUnder(home, 'Your requests').includes(`rhea.refresh@example.com* for Jane Doe (request #${request.id}`),
      'the requester’s Home to list it',
    );

    // Provisioning fails for good: the requester sees why, and the admins' count of failed requests goes up.
    h.cpanel.failNext('add_pop', 1, 'status0', 'The account is over its mailbox limit.');
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    await homeBecomes(
      h,
      People.superior,
      (home) => !home.json.includes('rhea.refresh'),
      'the request to leave the superior’s waiting list',
    );
    await homeBecomes(
      h,
      People.requester,
      (home) => home.json.includes('over its mailbox limit'),
      'the requester’s Home to show the failure',
    );
    const failed = await h.db.prisma.emailRequest.count({ where: { status: 'FAILED' } });
    expect(failed).toBeGreaterThan(0);
    const failedText = `${failed} request${failed === 1 ? '' : 's'} failed to provision`;
    for (const admin of [People.admin, People.admin2])
      await homeBecomes(h, admin, (home) => home.json.includes(failedText), `${admin}'s Home to count ${failed} failed`);
    await settle(h);
    expect(
      await h.db.prisma.job.count({
        where: { kind: 'home.refresh_request', OR: [{ status: { not: 'DONE' } }, { lastError: { not: null } }] },
      }),
    ).toBe(0);
  });

  it('stays inside Slack’s limits with more than ten rows in every list', async () => {
    const many = 'U0MANYROWS';
    h.slack.addUser({ id: many, name: 'manny', realName: 'Manny Rows' });
    const long = 'x'.repeat(2500);
    for (let i = 0; i < 13; i += 1) {
      const own = await h.db.prisma.emailRequest.create({
        data: {
          requesterId: many,
          superiorId: People.superior,
          approverIds: [People.superior],
          fullName: `Own ${i} ${'N'.repeat(180)}`,
          localPart: `own${i}`,
          domain: 'example.com',
          address: `own${i}@example.com`,
          personalEmail: 'p@gmail.com',
          phone: '+14155550000',
          status: 'REJECTED',
          decidedById: People.superior,
          decisionReason: `<${long}>`,
        },
      });
      const waiting = await h.db.prisma.emailRequest.create({
        data: {
          requesterId: People.requester,
          superiorId: many,
          approverIds: [many],
          fullName: `Waiting ${i} ${'&'.repeat(180)}`,
          localPart: `wait${i}`,
          domain: 'example.com',
          address: `wait${i}@example.com`,
          openAddress: `wait${i}@example.com`,
          personalEmail: 'p@gmail.com',
          phone: '+14155550000',
        },
      });
      await h.db.prisma.approvalMessage.create({
        data: { requestId: waiting.id, userId: many, channelId: h.slack.dmChannelFor(many), ts: `1.${own.id}` },
      });
      const mailbox = await h.db.prisma.mailbox.create({
        data: { address: `gone${i}@example.com`, localPart: `gone${i}`, domain: 'example.com', provider: 'cpanel', quotaMb: 1024 },
      });
      await h.db.prisma.offboarding.create({
        data: {
          mailboxId: mailbox.id,
          address: mailbox.address,
          openAddress: mailbox.address,
          initiatedById: People.hr,
          leaverName: `Leaver ${i} ${'<'.repeat(180)}`,
          forwardTo: 'sam@example.com',
          autoReplySubject: 's',
          autoReplyBody: 'b',
          lastDay: new Date('2030-01-01'),
          runAt: new Date('2030-01-01T08:00:00Z'),
          deleteAfter: new Date(Date.UTC(2030, 1, 1 + i)),
          retentionDays: 30,
          status: 'ACTIVE',
        },
      });
    }
    h.slack.setUsergroup('S0HRTEAM01', [People.hrGroupMember, many]);
    // The HR group is cached for a minute.
    h.clock.advance(61_000);

    const home = await openHome(h, many);
    // The fake enforces Slack's limits on views.publish, so reaching it means Slack would take it too.
    expect(home.view.blocks.length).toBeLessThanOrEqual(100);
    for (const block of home.view.blocks) if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    expect(sectionUnder(home, 'Waiting for your decision')).toContain('Showing the newest 10 of 13.');
    expect(sectionUnder(home, 'Your requests')).toContain('Showing your latest 10 of 13 requests.');
    const offboardings = sectionUnder(home, 'Offboardings in progress');
    expect(offboardings).toContain('of 13.');
    // The next deletion first.
    expect(offboardings.indexOf('gone0@')).toBeLessThan(offboardings.indexOf('gone9@'));
    expect(offboardings).not.toContain('gone12@');
    expect(home.json).not.toContain(long);
  });
});
