import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalMessageFor,
  clickButton,
  eventually,
  type Harness,
  People,
  requesterNotice,
  startHarness,
  submitRequestForm,
} from '../support/harness.ts';

describe('deciding a request', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function newRequest(localPart: string) {
    const answer = await submitRequestForm(h, { localPart });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    return { request, dm };
  }

  it('refuses a click by someone who is not the approver, ephemerally, and audits it', async () => {
    const { request, dm } = await newRequest('refused.click');
    const responseUrl = h.slack.responseUrl('outsider-click');
    const answer = await h.driver.blockAction({
      userId: People.outsider,
      actionId: 'request_approve',
      value: String(request.id),
      channelId: dm.channelId,
      messageTs: dm.ts,
      responseUrl,
    });
    expect(answer.status).toBe(200);
    const response = await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0]);
    expect(response.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(response.body)).toContain(`Only <@${People.superior}> or an admin can decide`);
    expect(h.slack.callsTo('chat.postEphemeral')).toHaveLength(0);

    const row = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row.status).toBe('PENDING_APPROVAL');
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({
      where: { subject: `request:${request.id}`, action: 'request.decision_refused' },
    });
    expect(audit).toMatchObject({ actor: People.outsider, outcome: 'refused', details: { reason: 'not_approver' } });
    expect(h.cpanel.callsTo('add_pop')).toHaveLength(0);
  });

  it('answers a button whose value is not an id (forged or corrupted) without touching anything', async () => {
    const { request, dm } = await newRequest('forged.value');
    for (const actionId of ['request_approve', 'request_cancel', 'offboard_confirm_delete']) {
      const responseUrl = h.slack.responseUrl(`forged-${actionId}`);
      await h.driver.blockAction({
        userId: People.superior,
        actionId,
        value: '1 OR 1=1',
        channelId: dm.channelId,
        messageTs: dm.ts,
        responseUrl,
      });
      const response = await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0]);
      expect(response.body).toMatchObject({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'This button is malformed; nothing was done.',
      });
    }
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PENDING_APPROVAL');
    expect(await h.db.prisma.auditEvent.count({ where: { subject: `request:${request.id}`, NOT: { action: 'request.submitted' } } })).toBe(
      0,
    );
  });

  it('never lets the requester decide their own request, not even an admin', async () => {
    await submitRequestForm(h, { localPart: 'admin.own', superior: People.superior }, People.admin);
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'admin.own' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    const click = await clickButton(h, {
      userId: People.admin,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    expect(click.status).toBe(200);
    const audit = await eventually(
      () => h.db.prisma.auditEvent.findFirst({ where: { subject: `request:${request.id}`, action: 'request.decision_refused' } }),
      'the refusal audit row',
    );
    expect(audit).toMatchObject({ actor: People.admin, details: { reason: 'own_request' } });
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PENDING_APPROVAL');
  });

  it('lets an admin decide in the superior’s place', async () => {
    const { request, dm } = await newRequest('admin.decides');
    await clickButton(h, {
      userId: People.admin2,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    const active = await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'ACTIVE' } }), 'ACTIVE');
    expect(active.decidedById).toBe(People.admin2);
  });

  it('turns 20 concurrent Approve clicks into exactly one decision and one add_pop', async () => {
    const { request, dm } = await newRequest('many.clicks');
    const before = h.cpanel.callsTo('add_pop').length;
    const clickers = [People.superior, People.admin, People.admin2];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        clickButton(h, {
          userId: clickers[i % clickers.length] as string,
          actionId: 'request_approve',
          requestId: request.id,
          channelId: dm.channelId,
          messageTs: dm.ts,
        }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'ACTIVE' } }), 'ACTIVE');
    // Let any stray work finish before counting.
    await h.mailroom.runner.runDue();
    expect(h.cpanel.callsTo('add_pop').length - before).toBe(1);
    expect(await h.db.prisma.auditEvent.count({ where: { subject: `request:${request.id}`, action: 'request.approved' } })).toBe(1);
    expect(
      await h.db.prisma.auditEvent.count({ where: { subject: `request:${request.id}`, action: 'request.approve', outcome: 'ignored' } }),
    ).toBe(19);
    expect(await h.db.prisma.job.count({ where: { requestId: request.id, kind: 'mailbox.provision' } })).toBe(1);
    expect(await h.db.prisma.mailbox.count({ where: { address: 'many.clicks@example.com' } })).toBe(1);
  });

  it('answers a late click on a decided request with who decided', async () => {
    const { request, dm } = await newRequest('late.click');
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    await eventually(
      () => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: { not: 'PENDING_APPROVAL' } } }),
      'decision',
    );
    const responseUrl = h.slack.responseUrl('late');
    await h.driver.blockAction({
      userId: People.admin,
      actionId: 'request_reject',
      value: String(request.id),
      channelId: dm.channelId,
      messageTs: dm.ts,
      responseUrl,
      triggerId: h.slack.issueTriggerId(),
    });
    const response = await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0]);
    expect(JSON.stringify(response.body)).toMatch(new RegExp(`This request was already approved by <@${People.superior}>`));
  });

  it('rejects with a required reason through a modal, updates the DM and tells the requester', async () => {
    const { request, dm } = await newRequest('to.reject');
    const triggerId = h.slack.issueTriggerId();
    await h.driver.blockAction({
      userId: People.superior,
      actionId: 'request_reject',
      value: String(request.id),
      channelId: dm.channelId,
      messageTs: dm.ts,
      responseUrl: h.slack.responseUrl('rej'),
      triggerId,
    });
    const opened = await h.slack.waitFor(() => h.slack.okCallsTo('views.open').find((call) => call.args.trigger_id === triggerId));
    const view = opened.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('reject_reason_modal');
    expect(JSON.parse(view.private_metadata)).toEqual({ requestId: request.id });

    const submit = (reason: string | null, userId: string = People.superior) =>
      h.driver.viewSubmission({
        userId,
        view: {
          callbackId: 'reject_reason_modal',
          privateMetadata: view.private_metadata,
          values: { reason: { value: { type: 'plain_text_input', value: reason } } },
        },
      });
    const empty = await submit(null);
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringMatching(/reason/) } });
    // A forged submission from someone else is refused and writes no decision.
    const forged = await submit('I am not the approver', People.outsider);
    expect(forged.json).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringMatching(/Only/) } });
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PENDING_APPROVAL');

    const ok = await submit('Role <cancelled> & budget frozen');
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('');
    const rejected = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(rejected).toMatchObject({
      status: 'REJECTED',
      decidedById: People.superior,
      decisionReason: 'Role <cancelled> & budget frozen',
      openAddress: null,
    });

    await h.slack.waitFor(() => {
      const current = h.slack.messagesIn(dm.channelId).find((message) => message.ts === dm.ts);
      return JSON.stringify(current?.blocks).includes('Rejected') ? current : undefined;
    });
    const updated = h.slack.messagesIn(dm.channelId).find((message) => message.ts === dm.ts);
    expect(JSON.stringify(updated?.blocks)).toContain('Role &lt;cancelled&gt; &amp; budget frozen');
    expect(((updated?.blocks ?? []) as Array<{ type: string }>).some((block) => block.type === 'actions')).toBe(false);
    const requesterDm = h.slack.dmChannelFor(People.requester);
    await h.slack.waitFor(() =>
      h.slack
        .messagesIn(requesterDm)
        .find((message) => message.text?.includes('rejected your request') && message.text.includes('to.reject')),
    );
    const notice = await requesterNotice(
      h,
      request.id,
      (json) => json.includes('Rejected'),
      'the requester’s notice to show the rejection',
    );
    expect(notice.json).toContain('Role &lt;cancelled&gt; &amp; budget frozen');
    expect(notice.hasButtons).toBe(false);
    expect(h.cpanel.callsTo('add_pop').some((call) => call.params.email === 'to.reject')).toBe(false);
    // The address is free again.
    const again = await submitRequestForm(h, { localPart: 'to.reject' });
    expect(again.body).toBe('');
  });
});

describe('cancelling a request', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lets the requester withdraw a pending request from their notice; approvers see it, the address is free, a later Approve does nothing', async () => {
    await submitRequestForm(h, { localPart: 'changed.mind' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'changed.mind' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    const requesterDm = h.slack.dmChannelFor(People.requester);
    const notice = await h.slack.waitFor(() =>
      h.slack.messagesIn(requesterDm).find((m) => m.text.includes('on its way') && m.text.includes('changed.mind')),
    );
    expect(JSON.stringify(notice.blocks)).toContain('request_cancel');

    // Someone else cannot cancel it.
    const outsiderUrl = h.slack.responseUrl('cancel-outsider');
    await h.driver.blockAction({
      userId: People.outsider,
      actionId: 'request_cancel',
      value: String(request.id),
      channelId: requesterDm,
      messageTs: notice.ts,
      responseUrl: outsiderUrl,
    });
    expect(JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(outsiderUrl)[0])).body)).toContain('Only the person who filed');
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PENDING_APPROVAL');

    const responseUrl = h.slack.responseUrl('cancel', { channel: requesterDm, messageTs: notice.ts });
    await h.driver.blockAction({
      userId: People.requester,
      actionId: 'request_cancel',
      value: String(request.id),
      channelId: requesterDm,
      messageTs: notice.ts,
      responseUrl,
    });
    const replaced = await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0]);
    expect(replaced.body).toMatchObject({ replace_original: true });
    expect(JSON.stringify(replaced.body)).toContain('You cancelled request');
    expect(JSON.stringify(replaced.body)).not.toContain('request_cancel');

    const row = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row).toMatchObject({ status: 'CANCELLED', decidedById: People.requester, openAddress: null });
    await h.slack.waitFor(() => {
      const current = h.slack.messagesIn(dm.channelId).find((m) => m.ts === dm.ts);
      return JSON.stringify(current?.blocks).includes('Cancelled') ? current : undefined;
    });
    const approverCopy = h.slack.messagesIn(dm.channelId).find((m) => m.ts === dm.ts);
    expect((approverCopy?.blocks ?? []).some((block) => (block as { type: string }).type === 'actions')).toBe(false);
    // The refresh that follows the cancel keeps the requester's own words on their notice.
    await h.mailroom.runner.runDue();
    const refreshed = await requesterNotice(
      h,
      request.id,
      (json) => json.includes('You cancelled request'),
      'the requester’s notice after the refresh',
    );
    expect(refreshed.message.ts).toBe(notice.ts);
    expect(refreshed.hasButtons).toBe(false);

    const lateUrl = h.slack.responseUrl('late-approve');
    await h.driver.blockAction({
      userId: People.superior,
      actionId: 'request_approve',
      value: String(request.id),
      channelId: dm.channelId,
      messageTs: dm.ts,
      responseUrl: lateUrl,
    });
    expect(JSON.stringify((await h.slack.waitFor(() => h.slack.responsesTo(lateUrl)[0])).body)).toContain('already cancelled');
    await h.mailroom.runner.runDue();
    expect(h.cpanel.callsTo('add_pop')).toHaveLength(0);
    expect(
      await h.db.prisma.auditEvent.findMany({
        where: { subject: `request:${request.id}` },
        select: { actor: true, action: true, outcome: true },
        orderBy: { id: 'asc' },
      }),
    ).toEqual([
      { actor: People.requester, action: 'request.submitted', outcome: 'ok' },
      { actor: People.outsider, action: 'request.cancel', outcome: 'refused' },
      { actor: People.requester, action: 'request.cancelled', outcome: 'ok' },
      { actor: People.superior, action: 'request.approve', outcome: 'ignored' },
    ]);
    expect((await submitRequestForm(h, { localPart: 'changed.mind' })).body).toBe('');
  });
});

describe('request signatures', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 401 to a forged signature or a stale timestamp and writes nothing', async () => {
    const body = new URLSearchParams({
      command: '/request-email',
      text: '',
      user_id: People.requester,
      trigger_id: h.slack.issueTriggerId(),
      team_id: 'T0TEST',
    }).toString();
    const forged = await h.driver.post(body, {
      ...h.driver.sign(body),
      'X-Slack-Signature': `v0=${'0'.repeat(64)}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(forged.status).toBe(401);
    const staleTs = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await h.driver.post(body, { ...h.driver.sign(body, staleTs), 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(stale.status).toBe(401);
    // Signed ten minutes ahead (a replay prepared in advance): refused like a stale one.
    const future = await h.driver.post(body, {
      ...h.driver.sign(body, Math.floor(Date.now() / 1000) + 10 * 60),
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(future.status).toBe(401);

    const payload = JSON.stringify({
      type: 'view_submission',
      user: { id: People.requester },
      view: { callback_id: 'request_email_modal', state: { values: {} } },
    });
    const submission = `payload=${encodeURIComponent(payload)}`;
    const forgedSubmit = await h.driver.post(submission, {
      ...h.driver.sign(`${submission}x`),
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(forgedSubmit.status).toBe(401);

    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(await h.db.prisma.emailRequest.count()).toBe(0);
    expect(await h.db.prisma.auditEvent.count()).toBe(0);
    expect(await h.db.prisma.job.count()).toBe(0);

    // Half a minute of clock skew either way is normal: that command is served.
    const skewed = await h.driver.post(body, {
      ...h.driver.sign(body, Math.floor(Date.now() / 1000) + 30),
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(skewed.status).toBe(200);
    await h.slack.waitFor(() => h.slack.okCallsTo('views.open').length === 1);
  });

  it('serves /healthz once the database answers', async () => {
    const health = await fetch(`${h.driver.appUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
  });
});
