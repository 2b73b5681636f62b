// Who hears what outside Slack (issue 3), end to end from the Slack action: the real twilio SDK
// against a Twilio REST fake, nodemailer against a real SMTP server, both on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSmsSender } from '../../src/providers/sms-sender.ts';
import { smsSegments } from '../../src/views/notification-templates.ts';
import {
  approvalMessageFor,
  clickButton,
  drainJobs,
  eventually,
  type Harness,
  People,
  type RequestFormValues,
  startHarness,
  submitRequestForm,
  TWILIO_FROM,
} from '../support/harness.ts';

const BACKOFF_BASE_MS = 60_000;
const SUPERIOR_PHONE = '+14155550100';

describe('SMS and email notifications', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ JOB_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS), JOB_MAX_ATTEMPTS: '4' });
    // The superior's phone comes from the Staff directory; their email from the Slack profile.
    await h.db.prisma.staff.create({ data: { slackUserId: People.superior, fullName: 'Sam Superior', phone: SUPERIOR_PHONE } });
    // One admin has a directory email, the other none anywhere.
    await h.db.prisma.staff.create({ data: { slackUserId: People.admin, fullName: 'Ada Admin', workEmail: 'ada@example.com' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function submit(form: RequestFormValues) {
    const answer = await submitRequestForm(h, form);
    expect(answer.body).toBe('');
    return h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: form.localPart as string } });
  }

  async function decide(requestId: number, decision: 'approve' | 'reject', approverId: string = People.superior) {
    const dm = await approvalMessageFor(h, requestId, approverId);
    if (decision === 'approve') {
      await clickButton(h, { userId: approverId, actionId: 'request_approve', requestId, channelId: dm.channelId, messageTs: dm.ts });
      return dm;
    }
    const result = await h.mailroom.requests.decide({
      requestId,
      actorId: approverId,
      decision: 'reject',
      reason: 'Wrong team <b>&</b> wrong start date',
    });
    expect(result.ok).toBe(true);
    return dm;
  }

  const deliveries = (requestId: number) => h.db.prisma.delivery.findMany({ where: { requestId }, orderBy: { id: 'asc' } });
  const deliveryWhere = (requestId: number, template: string) =>
    eventually(
      () => h.db.prisma.delivery.findFirst({ where: { requestId, template, status: { not: 'PENDING' } } }),
      `delivery ${template} of request ${requestId}`,
    );

  it('new request: the superior gets an SMS and an email linking to the approval DM (user text escaped)', async () => {
    const request = await submit({ localPart: 'new.request', note: '<script>alert(1)</script> & "hi"' });
    const dm = await approvalMessageFor(h, request.id, People.superior);

    const sms = await h.twilio.waitForMessageTo(SUPERIOR_PHONE);
    expect(sms.from).toBe(TWILIO_FROM);
    expect(sms.body).toContain('Acme:');
    expect(sms.body).toContain(`request #${request.id}`);
    expect(sms.body).toContain('Jane Doe');
    expect(smsSegments(sms.body)).toMatchObject({ encoding: 'GSM-7', segments: 1 });

    const mail = await eventually(
      async () => h.smtp.messagesTo('sam@example.com').find((m) => m.subject.includes('new.request@example.com')),
      'the email to the superior',
    );
    expect(mail.from).toBe('it@example.com');
    expect(mail.subject).toBe('Approval needed: mailbox new.request@example.com for Jane Doe');
    const permalink = `https://fake.slack.com/archives/${dm.channelId}/p${dm.ts.replace('.', '')}`;
    expect(mail.text).toContain(permalink);
    expect(mail.text).toContain('Rita Requester asks for a company mailbox for Jane Doe');
    expect(mail.html).toContain(`href="${permalink}"`);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;hi&quot;');
    expect(mail.html).not.toContain('<script>');
    expect(h.slack.okCallsTo('chat.getPermalink')).not.toHaveLength(0);

    const smsRow = await deliveryWhere(request.id, 'approval-request-sms');
    const mailRow = await deliveryWhere(request.id, 'approval-request-email');
    expect(smsRow).toMatchObject({
      recipient: SUPERIOR_PHONE,
      template: 'approval-request-sms',
      status: 'SENT',
      providerId: sms.sid,
      attempts: 1,
      lastError: null,
    });
    expect(mailRow).toMatchObject({
      recipient: 'sam@example.com',
      template: 'approval-request-email',
      status: 'SENT',
      providerId: mail.messageId,
    });
    // One Message-ID per delivery, whatever the attempt: a resend after a crash is the same message to mail clients.
    expect(mail.messageId).toBe(`<mailroom-delivery-${mailRow.id}@example.com>`);
  });

  it('the DM job writes the approver’s SMS and email itself; a failed lookup leaves them to a contacts job, sent once', async () => {
    const kinds = async (requestId: number) =>
      (await h.db.prisma.job.findMany({ where: { requestId }, select: { kind: true } })).map((j) => j.kind);
    const planned = await submit({ localPart: 'planned.now' });
    await deliveryWhere(planned.id, 'approval-request-email');
    expect(await kinds(planned.id)).not.toContain('request.notify_contacts');

    // Slack refuses the permalink once: the DM is still recorded, and a contacts job (with its own retries) does the rest.
    h.slack.failNext('chat.getPermalink', 'ratelimited');
    const later = await submit({ localPart: 'planned.later' });
    const smsRow = await deliveryWhere(later.id, 'approval-request-sms');
    const mailRow = await deliveryWhere(later.id, 'approval-request-email');
    expect([smsRow.status, mailRow.status]).toEqual(['SENT', 'SENT']);
    expect(await kinds(later.id)).toContain('request.notify_contacts');
    expect(await approvalMessageFor(h, later.id, People.superior)).toBeDefined();
    expect(await h.db.prisma.delivery.count({ where: { requestId: later.id, template: { startsWith: 'approval-request' } } })).toBe(2);
  });

  it('records, not fails, an approver with no phone and no email', async () => {
    const request = await submit({ localPart: 'unreachable.boss', superior: People.outsider });
    await approvalMessageFor(h, request.id, People.outsider);
    const rows = await eventually(async () => {
      const found = await deliveries(request.id);
      return found.length === 2 ? found : undefined;
    }, 'the two skipped deliveries');
    expect(rows.map((row) => [row.channel, row.status, row.recipient])).toEqual([
      ['SMS', 'SKIPPED', `slack:${People.outsider}`],
      ['EMAIL', 'SKIPPED', `slack:${People.outsider}`],
    ]);
    expect(rows[0]?.lastError).toMatch(/no phone number/);
    expect(rows[1]?.lastError).toMatch(/no email address/);
    expect(await h.db.prisma.job.count({ where: { requestId: request.id, status: 'DEAD' } })).toBe(0);
  });

  it('rejected: the requester gets an email, the new hire an SMS and an email, all with the reason', async () => {
    const request = await submit({ localPart: 'not.approved', personalEmail: 'na@gmail.com', phone: '(415) 555-0111' });
    await decide(request.id, 'reject');

    const toNewHire = await h.twilio.waitForMessageTo('+14155550111');
    expect(toNewHire.body).toContain('not approved');
    expect(toNewHire.body).toContain('Wrong team <b>&</b> wrong start date');
    expect(smsSegments(toNewHire.body).segments).toBe(1);

    const requesterMail = await eventually(
      async () => h.smtp.messagesTo('rita@example.com').find((m) => m.subject.includes('not.approved')),
      'the requester’s email',
    );
    expect(requesterMail.subject).toBe('Mailbox request rejected: not.approved@example.com');
    expect(requesterMail.text).toContain('Reason: Wrong team <b>&</b> wrong start date');
    expect(requesterMail.html).toContain('Reason: Wrong team &lt;b&gt;&amp;&lt;/b&gt; wrong start date');

    const newHireMail = await eventually(async () => h.smtp.messagesTo('na@gmail.com')[0], 'the new hire’s email');
    expect(newHireMail.subject).toBe('About your Acme email account');
    expect(newHireMail.text).toContain('Reason given: Wrong team <b>&</b> wrong start date');
    expect(newHireMail.text).toContain('it@example.com');

    // Slack still tells the requester as before.
    await h.slack.waitFor(() =>
      h.slack.messagesIn(People.requester).find((m) => m.text.includes('rejected your request') && m.text.includes('not.approved')),
    );
    for (const template of ['requester-rejected-email', 'new-hire-rejected-sms', 'new-hire-rejected-email']) {
      expect((await deliveryWhere(request.id, template)).status).toBe('SENT');
    }
  });

  it('provisioning failed for good: admins get an email (one has no address: recorded), the requester hears in Slack', async () => {
    h.cpanel.failNext('add_pop', 1, 'status0', 'You are using your maximum allotment (10) of email accounts.');
    const request = await submit({ localPart: 'over.quota' });
    await decide(request.id, 'approve');
    await eventually(() => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'FAILED' } }), 'FAILED');

    const adminMail = await eventually(
      async () => h.smtp.messagesTo('ada@example.com').find((m) => m.subject.includes('over.quota')),
      'the admin email',
    );
    expect(adminMail.subject).toBe('Mailroom: creating over.quota@example.com failed');
    expect(adminMail.text).toContain('maximum allotment (10) of email accounts');
    expect(adminMail.text).toContain('after 1 attempt');
    expect(adminMail.text).toContain('Rita Requester');
    const skipped = await deliveryWhere(request.id, 'admin-provisioning-failed-email').then(() =>
      h.db.prisma.delivery.findFirstOrThrow({ where: { requestId: request.id, recipient: `slack:${People.admin2}` } }),
    );
    expect(skipped).toMatchObject({ channel: 'EMAIL', status: 'SKIPPED' });
    await h.slack.waitFor(() =>
      h.slack.messagesIn(People.requester).find((m) => m.text.includes('over.quota') && m.text.includes('failed')),
    );
    // No SMS and no email to the new hire: nothing was created.
    expect(h.twilio.messages.filter((m) => m.body.includes('over.quota'))).toHaveLength(0);
  });

  it('Twilio down for a while: the SMS is retried with backoff and arrives once', async () => {
    h.twilio.failNext(1, 'http500', '+14155550122');
    h.twilio.failNext(1, 'http429', '+14155550122');
    const request = await submit({ localPart: 'twilio.down', personalEmail: 'td@gmail.com', phone: '(415) 555-0122' });
    await decide(request.id, 'reject');

    const smsJob = async () => {
      const delivery = await h.db.prisma.delivery.findFirstOrThrow({ where: { requestId: request.id, template: 'new-hire-rejected-sms' } });
      return h.db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: `delivery:${delivery.id}` } });
    };

    // The rejection queued its messages; everything due has run, the SMS once, rescheduled a backoff ahead.
    await drainJobs(h);
    const first = await smsJob();
    expect(first).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(first.lastError).toMatch(/Twilio 500/);
    // The email went out meanwhile; the SMS did not.
    await eventually(async () => h.smtp.messagesTo('td@gmail.com')[0], 'the new hire email');
    expect(h.twilio.messagesTo('+14155550122')).toHaveLength(0);

    h.clock.advance(BACKOFF_BASE_MS + 1000);
    await drainJobs(h);
    const second = await smsJob();
    expect(second).toMatchObject({ status: 'PENDING', attempts: 2 });
    expect(second.lastError).toMatch(/Twilio 429/);
    h.clock.advance(2 * BACKOFF_BASE_MS + 1000);
    await drainJobs(h);
    expect(await smsJob()).toMatchObject({ status: 'DONE', attempts: 3 });
    const delivery = await deliveryWhere(request.id, 'new-hire-rejected-sms');
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 3, lastError: null });
    expect(h.twilio.messagesTo('+14155550122')).toHaveLength(1);
    expect(h.twilio.requests.filter((r) => r.form.To === '+14155550122').map((r) => r.status)).toEqual([500, 429, 201]);
  });

  it('an invalid number fails at once and is recorded; the email still goes out and the admins are told', async () => {
    h.twilio.invalidNumbers.add('+14155550133');
    const request = await submit({ localPart: 'bad.number', personalEmail: 'bn@gmail.com', phone: '(415) 555-0133' });
    await decide(request.id, 'approve');

    const failed = await deliveryWhere(request.id, 'new-hire-credentials-link-sms');
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 1, recipient: '+14155550133' });
    expect(failed.lastError).toMatch(/Twilio 400 \(error 21211\).*not a valid phone number/);
    await drainJobs(h);
    expect(await h.db.prisma.job.findUnique({ where: { dedupeKey: `delivery:${failed.id}` } })).toMatchObject({
      status: 'DEAD',
      attempts: 1,
    });

    const mail = await eventually(async () => h.smtp.messagesTo('bn@gmail.com')[0], 'the credentials email');
    expect(mail.text).toMatch(/https:\/\/mailroom\.test\/credentials\/[A-Za-z0-9_-]{27}/);
    expect((await deliveryWhere(request.id, 'new-hire-credentials-link-email')).status).toBe('SENT');
    const alert = await h.slack.waitFor(() =>
      h.slack.messagesIn(People.admin).find((m) => m.text.includes('could not be delivered') && m.text.includes(`request #${request.id}`)),
    );
    expect(JSON.stringify(alert.blocks)).toContain('+14155550133');
    // Every admin is told, once each (one job per admin).
    const alerts = (admin: string) =>
      h.slack.messagesIn(admin).filter((m) => m.text.includes('could not be delivered') && m.text.includes(`request #${request.id}`));
    await h.slack.waitFor(() => alerts(People.admin2).length > 0);
    await h.mailroom.runner.runDue();
    expect(alerts(People.admin)).toHaveLength(1);
    expect(alerts(People.admin2)).toHaveLength(1);
  });

  it('uses a Messaging Service SID instead of From when configured, and logs deliveries when Twilio and SMTP are not set', async () => {
    const sender = new TwilioSmsSender({
      accountSid: `AC${'a1'.repeat(16)}`,
      authToken: 'twilio-auth-token-0123456789',
      messagingServiceSid: `MG${'b2'.repeat(16)}`,
      apiUrl: h.twilio.url,
      timeoutMs: 2000,
    });
    const sent = await sender.send({ to: '+14155550144', body: 'hello', logSafeBody: 'hello', template: 't' });
    expect(sent).toMatchObject({ ok: true });
    expect(h.twilio.messagesTo('+14155550144')[0]).toMatchObject({
      from: null,
      messagingServiceSid: `MG${'b2'.repeat(16)}`,
      body: 'hello',
    });

    const wrongToken = new TwilioSmsSender({
      accountSid: `AC${'a1'.repeat(16)}`,
      authToken: 'wrong',
      from: TWILIO_FROM,
      apiUrl: h.twilio.url,
      timeoutMs: 2000,
    });
    expect(await wrongToken.send({ to: '+14155550144', body: 'hello', logSafeBody: 'hello', template: 't' })).toMatchObject({
      ok: false,
      permanent: true,
      reason: expect.stringMatching(/401.*20003/),
    });

    h.twilio.failNext(1, 'hang', '+14155550144');
    const slow = new TwilioSmsSender({
      accountSid: `AC${'a1'.repeat(16)}`,
      authToken: 'twilio-auth-token-0123456789',
      from: TWILIO_FROM,
      apiUrl: h.twilio.url,
      timeoutMs: 300,
    });
    expect(await slow.send({ to: '+14155550144', body: 'hello', logSafeBody: 'hello', template: 't' })).toMatchObject({
      ok: false,
      permanent: false,
    });
  });
});

describe('without Twilio and SMTP settings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', TWILIO_FROM: '', TWILIO_API_URL: '', SMTP_URL: '' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('logs each delivery, clearly marked, with the one-time link withheld, and records it as LOGGED', async () => {
    const answer = await submitRequestForm(h, { localPart: 'log.only' });
    expect(answer.body).toBe('');
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'log.only' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });

    const logged = await eventually(async () => {
      const rows = await h.db.prisma.delivery.findMany({
        where: { requestId: request.id, template: { startsWith: 'new-hire-credentials' } },
      });
      return rows.length === 2 && rows.every((row) => row.status === 'LOGGED') ? rows : undefined;
    }, 'the logged credential deliveries');
    expect(logged.map((row) => row.providerId)).toEqual([null, null]);
    const smsLine = h.logs.find((line) => line.includes('SMS NOT SENT') && line.includes('+14155552671'));
    const mailLine = h.logs.find((line) => line.includes('EMAIL NOT SENT') && line.includes('jane.doe@gmail.com'));
    expect(smsLine).toContain('[secret withheld]');
    expect(mailLine).toContain('[secret withheld]');
    expect(h.logs.join('\n')).not.toMatch(/mailroom\.test\/credentials\/[A-Za-z0-9_-]{10}/);
    const password = h.cpanel.callsTo('add_pop')[0]?.params.password as string;
    expect(h.logs.join('\n')).not.toContain(password);
    expect(h.twilio.messages).toHaveLength(0);
    expect(h.smtp.messages).toHaveLength(0);
  });
});
