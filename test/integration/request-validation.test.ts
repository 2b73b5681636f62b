import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, People, type RequestFormValues, startHarness, submitRequestForm } from '../support/harness.ts';

type ErrorAnswer = { response_action: string; errors: Record<string, string> };

describe('request modal validation (inline, per field, within the ack)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.cpanel.addMailbox('taken@example.com', 'Existing-Passw0rd-123');
  });
  afterAll(async () => {
    await h?.close();
  });

  async function errorsFor(form: RequestFormValues, userId: string = People.requester): Promise<Record<string, string>> {
    const answer = await submitRequestForm(h, form, userId);
    expect(answer.status).toBe(200);
    const json = answer.json as ErrorAnswer;
    expect(json.response_action).toBe('errors');
    return json.errors;
  }

  // The rules that need no I/O are unit tests (test/unit/request-validation.test.ts); these prove the
  // modal's submission applies them — one per field the listener reads — and the rules that ask
  // Slack (the superior) and cPanel (the address).
  const cases: Array<[string, RequestFormValues, string, RegExp]> = [
    ['empty name', { fullName: ' ' }, 'full_name', /full name/],
    ['double dot', { localPart: 'jane..doe' }, 'local_part', /two dots/],
    ['domain outside the allow-list', { domain: 'evil.com' }, 'domain', /example\.com, example\.org/],
    ['no domain', { domain: null }, 'domain', /Choose a domain/],
    ['personal email on a managed domain', { personalEmail: 'jane@example.org' }, 'personal_email', /outside/],
    ['invalid phone', { phone: '12345' }, 'phone', /not a valid phone number for US/],
    ['no superior', { superior: null }, 'superior', /superior/],
    ['bot as superior', { superior: People.botUser }, 'superior', /not a bot/],
    ['deactivated superior', { superior: People.gone }, 'superior', /deactivated/],
    ['unknown superior', { superior: 'U0NOBODY00' }, 'superior', /not found/],
    ['start date in the past', { startDate: '2020-01-01' }, 'start_date', /past/],
    ['address that already exists at cPanel', { localPart: 'taken' }, 'local_part', /already exists on the mail server/],
  ];

  it.each(cases)('%s → error on %s', async (_name, form, field, message) => {
    const errors = await errorsFor(form);
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]).toMatch(message);
  });

  it('reports every broken field at once and writes nothing', async () => {
    const errors = await errorsFor({ fullName: '', localPart: 'x..y', personalEmail: 'nope', phone: 'abc', superior: null });
    expect(Object.keys(errors).sort()).toEqual(['full_name', 'local_part', 'personal_email', 'phone', 'superior']);
    expect(await h.db.prisma.emailRequest.count()).toBe(0);
    expect(await h.db.prisma.job.count()).toBe(0);
  });

  it('lower-cases the local part and stores the phone as E.164', async () => {
    const answer = await submitRequestForm(h, { localPart: '  Mixed.Case ', phone: '+1 (201) 555-0123' });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'mixed.case' } });
    expect(request.phone).toBe('+12015550123');
    expect(request.address).toBe('mixed.case@example.com');
  });

  it('refuses an address that is in an open request', async () => {
    const errors = await errorsFor({ localPart: 'mixed.case', fullName: 'Someone Else' }, People.outsider);
    expect(errors.local_part).toMatch(/already requested \(request #\d+ is still open\)/);
  });

  it('refuses an address that has a mailbox in Mailroom', async () => {
    await h.db.prisma.mailbox.create({
      data: { address: 'known@example.org', localPart: 'known', domain: 'example.org', provider: 'cpanel', quotaMb: 1 },
    });
    const errors = await errorsFor({ localPart: 'known', domain: 'example.org' });
    expect(errors.local_part).toMatch(/already exists/);
  });

  it('routes a self-request to the admins, and refuses one with no other approver', async () => {
    const answer = await submitRequestForm(h, { localPart: 'self.routed', superior: People.requester });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'self.routed' } });
    expect(request.routedToAdmins).toBe(true);
    expect(request.approverIds).toEqual([People.admin, People.admin2]);
    for (const admin of [People.admin, People.admin2]) {
      const channel = h.slack.dmChannelFor(admin);
      await h.slack.waitFor(() =>
        h.slack.messagesIn(channel).find((message) => JSON.stringify(message.blocks).includes('self.routed@example.com')),
      );
    }
    // An admin whose superior is themself: the only other approver is the second admin.
    await submitRequestForm(h, { localPart: 'admin.self', superior: People.admin }, People.admin);
    const adminRequest = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'admin.self' } });
    expect(adminRequest.approverIds).toEqual([People.admin2]);
  });

  it('accepts the request when cPanel cannot be reached for the existence check (provisioning checks again)', async () => {
    h.cpanel.failNext('list_pops_with_disk', 1, 'http503');
    const answer = await submitRequestForm(h, { localPart: 'while.down' });
    expect(answer.body).toBe('');
    expect(await h.db.prisma.emailRequest.count({ where: { localPart: 'while.down' } })).toBe(1);
  });
});
