// Guests of the Slack workspace (is_restricted, is_ultra_restricted) can neither request a mailbox,
// nor be chosen as superior, nor approve; the modal says so on the field, and a click is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalMessageFor, clickButton, eventually, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';

const GUEST = 'U0GUEST001';
const SINGLE_CHANNEL_GUEST = 'U0GUEST002';

describe('guests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.slack.addUser({ id: GUEST, name: 'gus', realName: 'Gus Guest', guest: 'multi' });
    h.slack.addUser({ id: SINGLE_CHANNEL_GUEST, name: 'gina', realName: 'Gina Guest', guest: 'single' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('cannot be chosen as superior: the error is on the superior field and nothing is filed', async () => {
    const answer = await submitRequestForm(h, { localPart: 'by.guest', superior: GUEST });
    expect(answer.json).toEqual({ response_action: 'errors', errors: { superior: expect.stringContaining('guest') } });
    expect(await h.db.prisma.emailRequest.count({ where: { localPart: 'by.guest' } })).toBe(0);
  });

  it('cannot request a mailbox, even as a single-channel guest', async () => {
    const answer = await submitRequestForm(h, { localPart: 'from.guest' }, SINGLE_CHANNEL_GUEST);
    expect(answer.json).toEqual({ response_action: 'errors', errors: { full_name: expect.stringContaining('Guests') } });
    expect(await h.db.prisma.emailRequest.count()).toBe(0);
  });

  it('cannot approve, even as the superior named on the request before becoming a guest', async () => {
    await submitRequestForm(h, { localPart: 'later.guest' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'later.guest' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await h.slack.updateUser({ id: People.superior, name: 'sam', realName: 'Sam Superior', email: 'sam@example.com', guest: 'multi' });
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    const answer = await eventually(async () => h.slack.responsesTo(`click-${People.superior}-request_approve`)[0], 'the refusal');
    expect((answer.body as { text: string }).text).toContain('Guests in this Slack workspace cannot decide');
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PENDING_APPROVAL');
    expect(
      await h.db.prisma.auditEvent.count({ where: { action: 'request.decision_refused', details: { path: '$.reason', equals: 'guest' } } }),
    ).toBe(1);
    expect(h.cpanel.callsTo('add_pop')).toHaveLength(0);
  });
});
