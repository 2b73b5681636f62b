// Hostile input through every free-text field a person types: line breaks where one line is
// expected (a subject that would carry a mail header), control characters, text-direction
// overrides ("evil" shown as "live"), and lengths past each field's documented maximum. Each is
// refused on its own field, and nothing is stored or sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalMessageFor, drainJobs, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';
import { OFFBOARDING_ENV, seedMailbox, submitOffboard, today } from '../support/offboarding.ts';

const errorsOf = (answer: { json?: unknown }) =>
  (answer.json as { response_action?: string; errors?: Record<string, string> } | undefined)?.errors ?? {};

describe('hostile input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(OFFBOARDING_ENV);
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['a right-to-left override', { fullName: 'Jane \u202Eevil' }, 'full_name', /text-direction/],
    ['a line break in the name', { fullName: 'Jane\r\nDoe' }, 'full_name', /one line/],
    ['a NUL in the name', { fullName: 'Jane\u0000Doe' }, 'full_name', /control characters/],
    ['a bell in the note', { note: 'Hello\u0007' }, 'note', /control characters/],
    ['an isolate in the note', { note: 'see \u2066hidden\u2069' }, 'note', /text-direction/],
    ['a 10,000-character note', { note: 'x'.repeat(10_000) }, 'note', /2000/],
  ])('refuses %s in the request modal, on its field', async (_what, form, field, message) => {
    const answer = await submitRequestForm(h, { localPart: 'hostile.one', ...form });
    expect(errorsOf(answer)[field]).toMatch(message);
    expect(await h.db.prisma.emailRequest.count({ where: { localPart: 'hostile.one' } })).toBe(0);
  });

  it('keeps line breaks in a note: that field is multi-line', async () => {
    const answer = await submitRequestForm(h, { localPart: 'fine.note', note: 'Starts Monday.\nDesk 4.' });
    expect(answer.body).toBe('');
    expect((await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'fine.note' } })).note).toBe('Starts Monday.\nDesk 4.');
  });

  it('refuses an auto-reply subject that would add a mail header, and reaches cPanel with nothing', async () => {
    await seedMailbox(h, { address: 'leaving@example.com' });
    const answer = await submitOffboard(h, {
      mailbox: 'leaving@example.com',
      lastDay: today(h),
      forwardTo: 'sam@example.com',
      subject: 'Gone\r\nBcc: everyone@evil.example',
      body: 'Bye\u202E',
    });
    expect(errorsOf(answer)).toEqual({
      offboard_reply_subject: expect.stringMatching(/one line/),
      offboard_reply_body: expect.stringMatching(/text-direction/),
    });
    expect(await h.db.prisma.offboarding.count()).toBe(0);
    expect(h.cpanel.callsTo('add_auto_responder')).toHaveLength(0);
  });

  it('refuses a 10,000-character or hidden-character reject reason, stores and sends nothing', async () => {
    await submitRequestForm(h, { localPart: 'to.reject' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'to.reject' } });
    await approvalMessageFor(h, request.id, People.superior);
    // The approver's own email (queued with the DM) is sent first, so only a mail about the reason would count.
    await drainJobs(h);
    const mailsBefore = h.smtp.messages.length;
    const submit = (reason: string) =>
      h.driver.viewSubmission({
        userId: People.superior,
        view: {
          callbackId: 'reject_reason_modal',
          privateMetadata: JSON.stringify({ requestId: request.id }),
          values: { reason: { value: { type: 'plain_text_input', value: reason } } },
        },
      });
    expect(errorsOf(await submit('no '.repeat(3400)))).toEqual({ reason: expect.stringMatching(/under 1000 characters/) });
    expect(errorsOf(await submit('Budget \u202Edesrever'))).toEqual({ reason: expect.stringMatching(/text-direction/) });
    const row = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row).toMatchObject({ status: 'PENDING_APPROVAL', decisionReason: null });
    expect(h.smtp.messages.length).toBe(mailsBefore);
  });
});

describe('user text shown in Slack', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('never renders as formatting, a quote, a mention or a link: a *bold* name and a hostile note reach Slack as typed', async () => {
    const fullName = 'Eve *Bold* _It_ ~Strike~ `Code`';
    const note = '> not a quote\n*not bold* <@U0ADMIN001> <https://evil.example|click>';
    expect((await submitRequestForm(h, { localPart: 'eve.bold', fullName, note })).body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'eve.bold' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    const message = h.slack.messagesIn(dm.channelId).find((m) => m.ts === dm.ts);
    const json = JSON.stringify([message?.text, message?.blocks]);
    // The markers reached Slack only as literals (a date token's plain fallback), never bare.
    for (const marked of ['*Bold*', '_It_', '~Strike~', '`Code`']) expect(json).not.toContain(marked);
    expect(json).toContain('Eve <!date^0^{_}|*>Bold<!date^0^{_}|*> <!date^0^{_}|_>It<!date^0^{_}|_>');
    // The note is a plain_text object: Slack reads no markup in it at all.
    const noteBlock = message?.blocks?.find((block) => JSON.stringify(block).includes('not a quote')) as
      | { text?: { type: string; text: string } }
      | undefined;
    expect(noteBlock?.text).toEqual({ type: 'plain_text', text: note, emoji: false });
    // The requester's notice, the other place the name is shown, escapes it the same way.
    const notice = await h.slack.waitFor(() => h.slack.messagesIn(People.requester).find((m) => m.text.includes('eve.bold')));
    expect(JSON.stringify([notice.text, notice.blocks])).not.toContain('*Bold*');
  });
});
