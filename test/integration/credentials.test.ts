// The new hire's sign-in details (issue 3): a one-time link by SMS and email that reveals once,
// or, without PUBLIC_URL, the password by email to the personal address only. Never in plain text
// in an SMS, a Slack call, a log line or a database column.
import type { RowDataPacket } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalMessageFor, clickButton, eventually, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';

const LINK = /https:\/\/mailroom\.test\/credentials\/([A-Za-z0-9_-]{27})/;

async function approveNew(h: Harness, localPart: string, extra: { personalEmail?: string; phone?: string } = {}) {
  const answer = await submitRequestForm(h, { localPart, ...extra });
  expect(answer.body).toBe('');
  const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart } });
  const dm = await approvalMessageFor(h, request.id, People.superior);
  await clickButton(h, {
    userId: People.superior,
    actionId: 'request_approve',
    requestId: request.id,
    channelId: dm.channelId,
    messageTs: dm.ts,
  });
  await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'ACTIVE' } }), 'ACTIVE');
  const password = h.cpanel.callsTo('add_pop').find((call) => call.params.email === localPart)?.params.password as string;
  expect(password.length).toBeGreaterThanOrEqual(16);
  return { requestId: request.id, password };
}

/** Every column of every row of every table, as one text: what someone with the database would see. */
async function dumpDatabase(h: Harness): Promise<string> {
  const connection = await createConnection(h.db.url.replace(/^mariadb:/, 'mysql:'));
  try {
    const [tables] = await connection.query<RowDataPacket[]>(
      'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
    );
    const parts: string[] = [];
    for (const { t } of tables) {
      const [rows] = await connection.query<RowDataPacket[]>(`SELECT * FROM \`${String(t)}\``);
      parts.push(JSON.stringify(rows));
    }
    return parts.join('\n');
  } finally {
    await connection.end();
  }
}

const pageUrl = (h: Harness, token: string) => `${h.appUrl}/credentials/${token}`;
const nonceOf = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';
const actionOf = (html: string) => /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
const postReveal = (h: Harness, token: string, nonce: string, headers: Record<string, string> = {}) =>
  fetch(`${pageUrl(h, token)}/reveal`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ nonce }).toString(),
  });

describe('one-time credential links', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CREDENTIAL_LINK_TTL_HOURS: '72' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sends the link by SMS and email; GET reveals nothing; one POST reveals once; nothing secret is left anywhere', async () => {
    const { requestId, password } = await approveNew(h, 'jane.doe');

    const sms = await h.twilio.waitForMessageTo('+14155552671');
    const token = LINK.exec(sms.body)?.[1] as string;
    expect(token).toBeDefined();
    expect(sms.body).toContain('jane.doe@example.com');
    expect(sms.body.length).toBeLessThanOrEqual(160);
    const mail = await eventually(async () => h.smtp.messagesTo('jane.doe@gmail.com')[0], 'the new hire email');
    expect(mail.subject).toBe('Your Acme email account is ready');
    expect(mail.text).toContain(`https://mailroom.test/credentials/${token}`);
    expect(mail.html).toContain(`href="https://mailroom.test/credentials/${token}"`);
    expect(mail.text).toContain('expires in 72 hours');
    // The requester hears by email that the details went to the new hire, without them.
    const requesterMail = await eventually(
      async () => h.smtp.messagesTo('rita@example.com').find((m) => m.subject === 'Mailbox ready: jane.doe@example.com'),
      'the requester email',
    );
    expect(requesterMail.text).toContain('one-time link');

    // A link scanner's GET (and HEAD) shows the button page only.
    const page = await fetch(pageUrl(h, token));
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toContain('no-store');
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    expect(page.headers.get('x-robots-tag')).toContain('noindex');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('Reveal my password');
    expect(html).not.toContain(password);
    expect(actionOf(html)).toBe(`/credentials/${token}/reveal`);
    expect((await fetch(pageUrl(h, token), { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(pageUrl(h, token))).status).toBe(200);
    const untouched = await h.db.prisma.oneTimeSecret.findFirstOrThrow({ where: { requestId } });
    expect(untouched.revealedAt).toBeNull();
    expect(untouched.ciphertext).toMatch(/^v1\./);

    // A POST without the page's nonce, or from another site, reveals nothing and keeps the secret.
    expect((await postReveal(h, token, '')).status).toBe(403);
    expect((await postReveal(h, token, 'x.y')).status).toBe(403);
    expect((await postReveal(h, token, nonceOf(html), { origin: 'https://evil.example' })).status).toBe(403);
    expect((await h.db.prisma.oneTimeSecret.findFirstOrThrow({ where: { requestId } })).revealedAt).toBeNull();

    const revealed = await postReveal(h, token, nonceOf(html));
    expect(revealed.status).toBe(200);
    expect(revealed.headers.get('cache-control')).toContain('no-store');
    const shown = await revealed.text();
    expect(shown).toContain('jane.doe@example.com');
    expect(shown).toContain(
      password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
    );

    // Second POST and later GETs: used, with whom to contact.
    const again = await postReveal(h, token, nonceOf(html));
    expect(again.status).toBe(410);
    const againText = await again.text();
    expect(againText).toContain('already been used');
    expect(againText).toContain('it@example.com');
    expect(againText).not.toContain(password);
    expect((await fetch(pageUrl(h, token))).status).toBe(410);
    const used = await h.db.prisma.oneTimeSecret.findFirstOrThrow({ where: { requestId } });
    expect(used.ciphertext).toBeNull();
    expect(used.revealedAt).not.toBeNull();
    expect(await h.db.prisma.auditEvent.count({ where: { subject: `request:${requestId}`, action: 'credentials.revealed' } })).toBe(1);
    // A made-up token: not valid.
    expect((await fetch(pageUrl(h, 'A'.repeat(27)))).status).toBe(404);

    // Nowhere in plain text: SMS, Slack, logs, database (the token is stored only as its hash).
    await eventually(
      () => h.db.prisma.delivery.count({ where: { requestId, status: 'SENT', template: { startsWith: 'new-hire' } } }).then((n) => n === 2),
      'both deliveries SENT',
    );
    for (const message of h.twilio.messages) expect(message.body).not.toContain(password);
    const slackTraffic = JSON.stringify(h.slack.calls);
    expect(slackTraffic).not.toContain(password);
    expect(slackTraffic).not.toContain(token);
    const logs = h.logs.join('\n');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(token);
    const database = await dumpDatabase(h);
    expect(database).not.toContain(password);
    expect(database).not.toContain(token);
    // The sealed link was dropped from the delivery jobs once sent.
    const jobs = await h.db.prisma.job.findMany({ where: { requestId, kind: { in: ['delivery.sms', 'delivery.email'] } } });
    for (const job of jobs) expect(JSON.stringify(job.payload)).not.toContain('sealedSecret');
  });

  it('an expired link reveals nothing, says so, and its secret is destroyed at expiry', async () => {
    const { requestId, password } = await approveNew(h, 'late.comer', { personalEmail: 'late@gmail.com', phone: '(415) 555-0177' });
    const sms = await h.twilio.waitForMessageTo('+14155550177');
    const token = LINK.exec(sms.body)?.[1] as string;

    h.clock.advance(72 * 3600_000 - 30 * 60_000);
    const html = await (await fetch(pageUrl(h, token))).text();
    expect(html).toContain('Reveal my password');
    h.clock.advance(40 * 60_000);

    const late = await postReveal(h, token, nonceOf(html));
    expect(late.status).toBe(410);
    const text = await late.text();
    expect(text).toContain('expired');
    expect(text).toContain('it@example.com');
    expect(text).not.toContain(password);
    expect((await fetch(pageUrl(h, token))).status).toBe(410);
    const row = await eventually(
      () => h.db.prisma.oneTimeSecret.findFirst({ where: { requestId, ciphertext: null } }),
      'the secret destroyed',
    );
    expect(row.revealedAt).toBeNull();
    const purge = await eventually(
      () => h.db.prisma.job.findFirst({ where: { requestId, kind: 'secret.purge', status: 'DONE' } }),
      'the purge job done',
    );
    expect(purge.attempts).toBe(1);
  });
});

describe('without PUBLIC_URL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ PUBLIC_URL: '' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('emails the password to the personal address only; the SMS says to check that inbox', async () => {
    const { requestId, password } = await approveNew(h, 'jane.doe');

    const mail = await eventually(async () => h.smtp.messagesTo('jane.doe@gmail.com')[0], 'the new hire email');
    expect(mail.to).toEqual(['jane.doe@gmail.com']);
    expect(mail.text).toContain(`Password: ${password}`);
    expect(mail.text).toContain('Address:  jane.doe@example.com');
    expect(mail.html).toContain('<code>jane.doe@example.com</code>');
    const sms = await h.twilio.waitForMessageTo('+14155552671');
    expect(sms.body).toContain('Sign-in details were sent to your personal email.');
    expect(sms.body).not.toContain(password);
    const requesterMail = await eventually(
      async () => h.smtp.messagesTo('rita@example.com').find((m) => m.subject.startsWith('Mailbox ready')),
      'the requester email',
    );
    expect(requesterMail.text).not.toContain(password);

    await eventually(
      () => h.db.prisma.delivery.count({ where: { requestId, status: 'SENT', template: { startsWith: 'new-hire' } } }).then((n) => n === 2),
      'both deliveries SENT',
    );
    const request = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(request.secretCipher).toBeNull();
    expect(await h.db.prisma.oneTimeSecret.count()).toBe(0);
    // Only the personal address ever received the password.
    for (const message of h.smtp.messages.filter((m) => m.text.includes(password))) expect(message.to).toEqual(['jane.doe@gmail.com']);
    for (const message of h.twilio.messages) expect(message.body).not.toContain(password);
    expect(JSON.stringify(h.slack.calls)).not.toContain(password);
    expect(h.logs.join('\n')).not.toContain(password);
    expect(await dumpDatabase(h)).not.toContain(password);
  });
});
