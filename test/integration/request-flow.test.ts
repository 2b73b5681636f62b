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

describe('request → approval → mailbox, end to end', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('opens the modal from /request-email with the typed name pre-filled', async () => {
    const triggerId = h.slack.issueTriggerId();
    const answer = await h.driver.slashCommand({
      command: '/request-email',
      text: 'Jane.Doe',
      userId: People.requester,
      triggerId,
      responseUrl: h.slack.responseUrl('cmd'),
    });
    expect(answer.status).toBe(200);
    const opened = await h.slack.waitFor(() => h.slack.okCallsTo('views.open')[0]);
    expect(opened.args.trigger_id).toBe(triggerId);
    const view = opened.args.view as { callback_id: string; blocks: Array<{ block_id: string; element: Record<string, unknown> }> };
    expect(view.callback_id).toBe('request_email_modal');
    const localPart = view.blocks.find((block) => block.block_id === 'local_part');
    expect(localPart?.element.initial_value).toBe('jane.doe');
    const domain = view.blocks.find((block) => block.block_id === 'domain');
    expect(((domain?.element.options ?? []) as unknown[]).length).toBe(2);

    // Plain words are the new hire's name (and suggest the address); a managed domain is selected.
    const second = h.slack.issueTriggerId();
    await h.driver.slashCommand({
      command: '/request-email',
      text: 'Jane Doe jd@example.org',
      userId: People.requester,
      triggerId: second,
      responseUrl: h.slack.responseUrl('cmd2'),
    });
    const prefilled = await h.slack.waitFor(() => h.slack.okCallsTo('views.open').find((call) => call.args.trigger_id === second));
    const blocks = (prefilled.args.view as typeof view).blocks;
    const field = (id: string) => blocks.find((block) => block.block_id === id)?.element;
    expect(field('full_name')?.initial_value).toBe('Jane Doe');
    expect(field('local_part')?.initial_value).toBe('jd');
    expect(field('domain')?.initial_option).toEqual({ text: { type: 'plain_text', text: 'example.org' }, value: 'example.org' });
  });

  it('takes a request, DMs the superior, creates the mailbox on approval and tells the requester', async () => {
    const answer = await submitRequestForm(h, { note: 'Starts in <sales> & marketing' });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');

    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { address: 'jane.doe@example.com' } });
    expect(request).toMatchObject({
      requesterId: People.requester,
      superiorId: People.superior,
      approverIds: [People.superior],
      routedToAdmins: false,
      fullName: 'Jane Doe',
      localPart: 'jane.doe',
      domain: 'example.com',
      openAddress: 'jane.doe@example.com',
      personalEmail: 'jane.doe@gmail.com',
      phone: '+14155552671',
      status: 'PENDING_APPROVAL',
      note: 'Starts in <sales> & marketing',
    });

    // The superior's DM: a summary with Approve/Reject carrying only the request id.
    const dm = await approvalMessageFor(h, request.id, People.superior);
    expect(dm.channelId).toBe(h.slack.dmChannelFor(People.superior));
    const posted = h.slack.messagesIn(dm.channelId).find((message) => message.ts === dm.ts);
    const blocksText = JSON.stringify(posted?.blocks);
    expect(blocksText).toContain('Jane Doe');
    expect(blocksText).toContain('jane.doe@example.com');
    // The note is plain_text: shown as typed, nothing in it read as markup (so nothing to escape).
    expect(blocksText).toContain('{"type":"plain_text","text":"Starts in <sales> & marketing","emoji":false}');
    const buttons = ((posted?.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find(
      (block) => block.type === 'actions',
    )?.elements;
    expect(buttons?.map((button) => [button.action_id, button.value])).toEqual([
      ['request_approve', String(request.id)],
      ['request_reject', String(request.id)],
    ]);

    // The requester hears that it is on its way, and to whom.
    const requesterDm = h.slack.dmChannelFor(People.requester);
    await h.slack.waitFor(() => h.slack.messagesIn(requesterDm).find((message) => message.text?.includes('on its way')));
    expect(h.slack.messagesIn(requesterDm).at(-1)?.text).toContain(`<@${People.superior}>`);

    const click = await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    expect(click.status).toBe(200);

    const active = await eventually(
      () => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'ACTIVE' } }),
      'the request to become ACTIVE',
    );
    expect(active.decidedById).toBe(People.superior);
    expect(active.openAddress).toBeNull();
    // The sealed password was handed over to the new hire's one-time link in the same transaction (issue 3).
    expect(active.secretCipher).toBeNull();
    const oneTimeSecret = await h.db.prisma.oneTimeSecret.findFirstOrThrow({ where: { requestId: request.id } });
    expect(oneTimeSecret.ciphertext).toMatch(/^v1\./);

    // cPanel received exactly one add_pop, with an explicit domain, the quota and a strong password.
    const addPops = h.cpanel.callsTo('add_pop');
    expect(addPops).toHaveLength(1);
    const params = addPops[0]?.params ?? {};
    expect(params).toMatchObject({ email: 'jane.doe', domain: 'example.com', quota: '2048' });
    expect(addPops[0]?.method).toBe('POST');
    expect(addPops[0]?.headers.authorization).toBe(`cpanel acme:${h.cpanel.token}`);
    expect(h.cpanel.mailboxes.has('jane.doe@example.com')).toBe(true);
    const password = params.password ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(oneTimeSecret.ciphertext).not.toContain(password);

    const mailbox = await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: 'jane.doe@example.com' } });
    expect(mailbox).toMatchObject({
      localPart: 'jane.doe',
      domain: 'example.com',
      provider: 'cpanel',
      status: 'ACTIVE',
      quotaMb: 2048,
      requestId: request.id,
    });
    const staff = await h.db.prisma.staff.findUniqueOrThrow({ where: { workEmail: 'jane.doe@example.com' } });
    expect(staff).toMatchObject({
      fullName: 'Jane Doe',
      personalEmail: 'jane.doe@gmail.com',
      phone: '+14155552671',
      superiorSlackId: People.superior,
    });
    expect(mailbox.staffId).toBe(staff.id);

    // The DM was updated in place: decision, who, when; no buttons left.
    await h.slack.waitFor(() => {
      const current = h.slack.messagesIn(dm.channelId).find((message) => message.ts === dm.ts);
      return JSON.stringify(current?.blocks).includes('now exists') ? current : undefined;
    });
    const updated = h.slack.messagesIn(dm.channelId).find((message) => message.ts === dm.ts);
    const updatedText = JSON.stringify(updated?.blocks);
    expect(updatedText).toContain(`Approved* by <@${People.superior}>`);
    expect(updatedText).toContain('<!date^');
    expect(((updated?.blocks ?? []) as Array<{ type: string }>).some((block) => block.type === 'actions')).toBe(false);

    // The requester was told of the approval and of the ready mailbox.
    await h.slack.waitFor(() => h.slack.messagesIn(requesterDm).find((message) => message.text?.includes('is ready')));
    expect(h.slack.messagesIn(requesterDm).some((message) => message.text?.includes('approved your request'))).toBe(true);
    // The "on its way" notice now says what became of the request, and its Cancel button is gone.
    const notice = await requesterNotice(
      h,
      request.id,
      (json) => json.includes('now exists'),
      'the requester’s notice to show the mailbox',
    );
    expect(notice.message.channel).toBe(requesterDm);
    expect(notice.json).toContain(`Approved* by <@${People.superior}>`);
    expect(notice.hasButtons).toBe(false);

    // Audit: who did what, in order.
    const audit = await h.db.prisma.auditEvent.findMany({ where: { subject: `request:${request.id}` }, orderBy: { id: 'asc' } });
    expect(audit.map((event) => [event.actor, event.action, event.outcome])).toEqual([
      [People.requester, 'request.submitted', 'ok'],
      [People.superior, 'request.approved', 'ok'],
      ['system', 'mailbox.created', 'ok'],
    ]);

    // Secrets: the password and tokens reached cPanel only.
    const secrets = [password, h.cpanel.token, 'xoxb-test-1234-5678-abcdefghijkl', 'test-signing-secret-0123456789abcdef'];
    const logText = h.logs.join('');
    expect(logText.length).toBeGreaterThan(0);
    const slackText = JSON.stringify(h.slack.calls.map((call) => call.args));
    const tables = await Promise.all(
      ['EmailRequest', 'ApprovalMessage', 'Mailbox', 'Staff', 'Job', 'AuditEvent'].map((table) =>
        h.db.prisma.$queryRawUnsafe(`SELECT * FROM \`${table}\``),
      ),
    );
    const dbText = JSON.stringify(tables, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
    for (const secret of secrets) {
      expect(logText).not.toContain(secret);
      expect(slackText).not.toContain(secret);
      expect(dbText).not.toContain(secret);
    }
  });
});
