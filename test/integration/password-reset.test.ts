// Self-service password reset (issue 13, item 3): the owner resets their own mailbox; someone else
// needs the owner's superior (or an admin) to approve; guests and the over-limit are refused; the
// new password reaches the owner only through a one-time link, and is nowhere in plain text.
import { createHash } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainJobs, eventually, type Harness, People, startHarness } from '../support/harness.ts';

const LINK = /https:\/\/mailroom\.test\/credentials\/([A-Za-z0-9_-]{27})/;
const GUEST = 'U0GUEST001';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function dumpDatabase(h: Harness): Promise<string> {
  const connection = await createConnection(h.db.url.replace(/^mariadb:/, 'mysql:'));
  try {
    const [tables] = await connection.query<RowDataPacket[]>(
      'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
    );
    const parts: string[] = [];
    for (const { t } of tables) parts.push(JSON.stringify((await connection.query<RowDataPacket[]>(`SELECT * FROM \`${String(t)}\``))[0]));
    return parts.join('\n');
  } finally {
    await connection.end();
  }
}

/** A mailbox Mailroom manages, at the cPanel fake and in the database, with its Staff record. */
async function seedMailbox(
  h: Harness,
  address: string,
  staff: { slackUserId?: string; superior?: string; phone?: string; personalEmail?: string },
) {
  h.cpanel.addMailbox(address, 'Old-Password-123456789');
  const [localPart, domain] = address.split('@') as [string, string];
  const row = await h.db.prisma.staff.create({
    data: {
      fullName: address,
      workEmail: address,
      slackUserId: staff.slackUserId ?? null,
      superiorSlackId: staff.superior ?? null,
      phone: staff.phone ?? null,
      personalEmail: staff.personalEmail ?? null,
      createdAt: h.clock.now(),
    },
  });
  return h.db.prisma.mailbox.create({
    data: { address, localPart, domain, provider: 'cpanel', status: 'ACTIVE', quotaMb: 1024, staffId: row.id, createdAt: h.clock.now() },
  });
}

async function command(h: Harness, userId: string, text = '') {
  const responseUrl = h.slack.responseUrl(`reset-${userId}-${Math.random()}`);
  await h.driver.slashCommand({ command: '/reset-email-password', text, userId, triggerId: h.slack.issueTriggerId(), responseUrl });
  const answer = await h.slack.waitFor(() => h.slack.responsesTo(responseUrl)[0]);
  await drainJobs(h);
  return String((answer.body as { text?: string }).text ?? '');
}

async function reveal(h: Harness, token: string): Promise<{ status: number; html: string }> {
  const page = await fetch(`${h.appUrl}/credentials/${token}`);
  const html = await page.text();
  const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const answer = await fetch(`${h.appUrl}/credentials/${token}/reveal`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mailroom.test' },
    body: new URLSearchParams({ nonce }).toString(),
  });
  return { status: answer.status, html: await answer.text() };
}

const passwdCalls = (h: Harness, local: string) => h.cpanel.callsTo('passwd_pop').filter((call) => call.params.email === local);
const dmsTo = (h: Harness, userId: string) =>
  h.slack.messagesIn(h.slack.dmChannelFor(userId)).map((m) => JSON.stringify([m.text, m.blocks]));

describe('/reset-email-password', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ RESET_LIMIT_PER_DAY: '2' });
    h.slack.addUser({ id: GUEST, name: 'gina', realName: 'Gina Guest', email: 'gina@example.com', guest: 'multi' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the owner resets their own: the host has a new password, the link reveals it once, and it is nowhere in plain text', async () => {
    // Rita owns rita@example.com by her Slack profile email; nothing links her yet.
    await seedMailbox(h, 'rita@example.com', { phone: '+14155550199', personalEmail: 'rita.home@gmail.com', superior: People.superior });
    const answer = await command(h, People.requester);
    expect(answer).toContain('Resetting the password of *rita@example.com*');

    expect(passwdCalls(h, 'rita')).toHaveLength(1);
    const password = passwdCalls(h, 'rita')[0]?.params.password as string;
    expect(passwdCalls(h, 'rita')[0]?.params.domain).toBe('example.com');
    expect(h.cpanel.mailboxes.get('rita@example.com')?.passwordHash).toBe(sha256(password));

    const sms = await h.twilio.waitForMessageTo('+14155550199');
    const token = LINK.exec(sms.body)?.[1] as string;
    expect(token).toBeDefined();
    const mail = await eventually(async () => h.smtp.messagesTo('rita.home@gmail.com')[0], 'the email to the personal address');
    expect(mail.text).toContain(token);
    expect(h.smtp.messagesTo('rita@example.com')).toHaveLength(0); // never to the mailbox that was just reset
    expect(dmsTo(h, People.requester).some((dm) => dm.includes(token))).toBe(true);

    const first = await reveal(h, token);
    expect(first.status).toBe(200);
    expect(first.html).toContain(password);
    expect((await reveal(h, token)).html).not.toContain(password);

    // The Staff record now links Rita: the one ownership rule, recorded on first sight.
    expect((await h.db.prisma.staff.findUniqueOrThrow({ where: { workEmail: 'rita@example.com' } })).slackUserId).toBe(People.requester);
    const reset = await h.db.prisma.passwordReset.findFirstOrThrow({ where: { address: 'rita@example.com' } });
    expect(reset).toMatchObject({ status: 'DONE', secretCipher: null, openMailboxId: null });
    const actions = (await h.db.prisma.auditEvent.findMany({ where: { subject: `password-reset:${reset.id}` } })).map((a) => a.action);
    expect(actions).toEqual(['password_reset.requested', 'password_reset.changed', 'credentials.revealed']);

    const everywhere = [
      await dumpDatabase(h),
      JSON.stringify(h.slack.calls),
      JSON.stringify(h.twilio.messages),
      JSON.stringify(h.smtp.messages),
      h.logs.join('\n'),
    ];
    for (const place of everywhere) expect(place).not.toContain(password);
    expect(h.logs.join('\n')).not.toContain(token);
    expect(await dumpDatabase(h)).not.toContain(token);
  });

  it('refuses above RESET_LIMIT_PER_DAY and says when the next reset is possible', async () => {
    // One reset done above; the second is allowed, the third is not (limit 2).
    expect(await command(h, People.requester)).toContain('Resetting the password');
    const refused = await command(h, People.requester);
    expect(refused).toContain('already been reset 2 times in the last 24 hours');
    expect(refused).toMatch(/The next reset is possible from <!date\^\d+/);
    expect(passwdCalls(h, 'rita')).toHaveLength(2);
    expect(
      await h.db.prisma.auditEvent.count({
        where: { action: 'password_reset.request', outcome: 'refused', subject: 'mailbox:rita@example.com' },
      }),
    ).toBe(1);
  });

  it("someone else's mailbox: the owner's superior approves in a DM, the owner is told and gets the link", async () => {
    await seedMailbox(h, 'olga.box@example.com', { slackUserId: People.outsider, superior: People.superior, phone: '+14155550177' });
    const answer = await command(h, People.hr, 'olga.box@example.com');
    expect(answer).toContain('Asked <@U0SUPERIOR> to approve');
    expect(passwdCalls(h, 'olga.box')).toHaveLength(0);
    const reset = await h.db.prisma.passwordReset.findFirstOrThrow({ where: { address: 'olga.box@example.com' } });
    expect(reset.status).toBe('PENDING_APPROVAL');
    expect(dmsTo(h, People.outsider).some((dm) => dm.includes('asked to reset the password of your mailbox'))).toBe(true);
    const dm = await h.db.prisma.passwordResetMessage.findFirstOrThrow({ where: { resetId: reset.id } });

    const click = (userId: string, actionId: string) =>
      h.driver.blockAction({
        userId,
        actionId,
        value: String(reset.id),
        channelId: dm.channelId,
        messageTs: dm.ts,
        responseUrl: h.slack.responseUrl(`click-${userId}-${Math.random()}`),
        triggerId: h.slack.issueTriggerId(),
      });
    // The requester cannot approve her own ask; an outsider cannot either.
    await click(People.hr, 'reset_approve');
    await click(People.requester, 'reset_approve');
    expect((await h.db.prisma.passwordReset.findUniqueOrThrow({ where: { id: reset.id } })).status).toBe('PENDING_APPROVAL');

    // Many clicks at once: one decision.
    await Promise.all(Array.from({ length: 20 }, () => click(People.superior, 'reset_approve')));
    await drainJobs(h);
    expect(
      await h.db.prisma.auditEvent.count({ where: { action: 'password_reset.approved', subject: `password-reset:${reset.id}` } }),
    ).toBe(1);
    expect(passwdCalls(h, 'olga.box')).toHaveLength(1);
    const sms = await h.twilio.waitForMessageTo('+14155550177');
    expect(sms.body).toMatch(LINK);
    expect(dmsTo(h, People.outsider).some((dm) => LINK.test(dm))).toBe(true);
    expect(dmsTo(h, People.hr).some((dm) => LINK.test(dm))).toBe(false); // the requester never sees the link
    const approval = h.slack.messagesIn(dm.channelId).find((m) => m.ts === dm.ts);
    expect(JSON.stringify(approval?.blocks)).not.toContain('reset_approve');
    expect(JSON.stringify(approval?.blocks)).toContain('The new password is set');
    const refused = await h.db.prisma.auditEvent.findMany({
      where: { action: 'password_reset.decision_refused', subject: `password-reset:${reset.id}` },
    });
    expect(refused.map((a) => (a.details as { reason: string }).reason).sort()).toEqual(['not_approver', 'own_request']);
  });

  it('a rejected reset changes nothing, and the owner is told', async () => {
    await seedMailbox(h, 'rex@example.org', { slackUserId: People.admin2, superior: People.superior, personalEmail: 'rex@gmail.com' });
    await command(h, People.hr, 'rex@example.org');
    const reset = await h.db.prisma.passwordReset.findFirstOrThrow({ where: { address: 'rex@example.org' } });
    const dm = await h.db.prisma.passwordResetMessage.findFirstOrThrow({ where: { resetId: reset.id } });
    await h.driver.blockAction({
      userId: People.superior,
      actionId: 'reset_reject',
      value: String(reset.id),
      channelId: dm.channelId,
      messageTs: dm.ts,
      responseUrl: h.slack.responseUrl('reject'),
      triggerId: h.slack.issueTriggerId(),
    });
    await drainJobs(h);
    expect((await h.db.prisma.passwordReset.findUniqueOrThrow({ where: { id: reset.id } })).status).toBe('REJECTED');
    expect(passwdCalls(h, 'rex')).toHaveLength(0);
    expect(dmsTo(h, People.admin2).some((dm) => dm.includes('rejected resetting the password of *rex@example.org*'))).toBe(true);
  });

  it('refuses guests, unknown mailboxes and non-addresses, with a clear message', async () => {
    expect(await command(h, GUEST, 'rita@example.com')).toContain('Guests of this workspace cannot reset');
    expect(await command(h, People.hr, 'nobody@example.com')).toContain('Mailroom does not manage nobody@example.com');
    expect(await command(h, People.hr, 'not an address')).toContain('is not an email address');
    expect(await command(h, People.admin)).toContain('Mailroom knows no mailbox of yours');
    expect(await h.db.prisma.auditEvent.count({ where: { actor: GUEST, outcome: 'refused' } })).toBe(1);
  });
});
