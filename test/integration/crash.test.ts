// Crashes with real kills: the app runs as a child process (src/main.ts) and kills itself with
// SIGKILL at a chosen point (MAILROOM_FAULT=<point>:kill); the test starts it again and checks that
// the work was neither lost nor done twice: one decision, one mailbox, one approval DM.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startApp, startWorld, type World } from '../support/app-process.ts';
import { eventually, People, requestFormValues } from '../support/harness.ts';

describe('the app killed at chosen points, then started again', () => {
  let world: World;
  let app: AppProcess | undefined;
  beforeAll(async () => {
    world = await startWorld();
  });
  const stop = async () => {
    app?.child.kill('SIGKILL');
    await app?.exited;
    app = undefined;
  };
  afterEach(stop);
  afterAll(async () => {
    await stop();
    await world?.close();
  });

  const restart = async (fault?: string) => {
    app = await startApp(world, fault);
    return app;
  };
  /** Files a request through the running app and waits for its approval DM. */
  const fileRequest = async (localPart: string) => {
    await world.driver.viewSubmission({
      userId: People.requester,
      view: { callbackId: 'request_email_modal', values: requestFormValues({ localPart }) },
    });
    const request = await eventually(() => world.db.prisma.emailRequest.findFirst({ where: { localPart } }), 'the request');
    const dm = await eventually(() => world.db.prisma.approvalMessage.findFirst({ where: { requestId: request.id } }), 'the approval DM');
    return { request, dm };
  };
  /** Sam's Approve click; the app may die before its answer is out. */
  const approve = (requestId: number, dm: { channelId: string; ts: string }) =>
    world.driver
      .blockAction({
        userId: People.superior,
        actionId: 'request_approve',
        value: String(requestId),
        channelId: dm.channelId,
        messageTs: dm.ts,
        responseUrl: world.slack.responseUrl(`approve-${requestId}`),
        triggerId: world.slack.issueTriggerId(),
      })
      .catch(() => undefined);
  const approvalDms = (requestId: number) =>
    world.slack
      .messagesIn(People.superior)
      .filter((m) => JSON.stringify(m.blocks).includes(`"value":"${requestId}"`) && JSON.stringify(m.blocks).includes('request_approve'));

  it('killed right after posting the approval DM: after the restart there is one DM, recorded', async () => {
    const first = await restart('approval-dm-posted:kill');
    await world.driver
      .viewSubmission({
        userId: People.requester,
        view: { callbackId: 'request_email_modal', values: requestFormValues({ localPart: 'crash.dm' }) },
      })
      .catch(() => undefined); // the process may die before its answer is out
    expect(await first.exited).toBeNull(); // killed by its own SIGKILL at the fault point
    const request = await world.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'crash.dm' } });
    expect(approvalDms(request.id)).toHaveLength(1);
    expect(await world.db.prisma.approvalMessage.count({ where: { requestId: request.id } })).toBe(0);

    await restart();
    const recorded = await eventually(
      () => world.db.prisma.approvalMessage.findFirst({ where: { requestId: request.id } }),
      'the DM to be recorded after the restart',
    );
    expect(approvalDms(request.id)).toHaveLength(1);
    expect(recorded.ts).toBe(approvalDms(request.id)[0]?.ts);
    await stop();
  });

  it('killed while Slack was taking a DM (posted, its answer never read): after the restart every post is there once', async () => {
    const running = await restart();
    const before = world.slack.callsTo('chat.postMessage').length;
    world.slack.holdAnswerNext('chat.postMessage');
    await world.driver.viewSubmission({
      userId: People.requester,
      view: { callbackId: 'request_email_modal', values: requestFormValues({ localPart: 'crash.middm' }) },
    });
    await eventually(async () => world.slack.callsTo('chat.postMessage').length > before, 'a DM to reach Slack');
    running.child.kill('SIGKILL');
    expect(await running.exited).toBeNull();
    const request = await world.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'crash.middm' } });
    const keys = [`approval-dm:${request.id}:${People.superior}`, `request-submitted:${request.id}:${People.requester}`];
    const postsWith = (key: string) => world.slack.allMessages().filter((m) => m.metadata?.event_payload.key === key);

    await restart();
    await eventually(
      async () =>
        (await world.db.prisma.approvalMessage.count({ where: { requestId: request.id } })) === 1 &&
        (await world.db.prisma.emailRequest.count({ where: { id: request.id, noticeTs: { not: null } } })) === 1,
      'the DM and the notice to be recorded after the restart',
    );
    for (const key of keys) expect(postsWith(key), key).toHaveLength(1);
    const dm = await world.db.prisma.approvalMessage.findFirstOrThrow({ where: { requestId: request.id } });
    expect(dm.ts).toBe(postsWith(keys[0] as string)[0]?.ts);
    await stop();
  });

  it('killed right after posting the requester’s notice: after the restart there is one notice, recorded', async () => {
    const first = await restart('request-submitted-posted:kill');
    await world.driver
      .viewSubmission({
        userId: People.requester,
        view: { callbackId: 'request_email_modal', values: requestFormValues({ localPart: 'crash.notice' }) },
      })
      .catch(() => undefined); // the process may die before its answer is out
    expect(await first.exited).toBeNull(); // killed by its own SIGKILL at the fault point
    const request = await world.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'crash.notice' } });
    const notices = () =>
      world.slack
        .messagesIn(People.requester)
        .filter((m) => m.metadata?.event_payload.key === `request-submitted:${request.id}:${People.requester}`);
    expect(notices()).toHaveLength(1);
    expect(request.noticeTs).toBeNull();

    await restart();
    const recorded = await eventually(
      () => world.db.prisma.emailRequest.findFirst({ where: { id: request.id, noticeTs: { not: null } } }),
      'the notice to be recorded after the restart',
    );
    expect(notices()).toHaveLength(1);
    expect(recorded.noticeTs).toBe(notices()[0]?.ts);
    await stop();
  });

  it('killed right after acking an Approve click: the decision was recorded, and one mailbox follows', async () => {
    await restart();
    const { request, dm } = await fileRequest('crash.click');
    await stop();

    const second = await restart('click-acked:kill');
    const click = approve(request.id, dm);
    expect(await second.exited).toBeNull(); // killed by its own SIGKILL at the fault point
    await click;
    expect((await world.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).not.toBe('PENDING_APPROVAL');

    await restart();
    await eventually(async () => world.cpanel.mailboxes.has('crash.click@example.com'), 'the mailbox after the restart');
    await eventually(
      async () => (await world.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status === 'ACTIVE',
      'the request to be ACTIVE',
    );
    expect(world.cpanel.callsTo('add_pop').filter((call) => call.params.email === 'crash.click')).toHaveLength(1);
    expect(await world.db.prisma.auditEvent.count({ where: { action: 'request.approved', subject: `request:${request.id}` } })).toBe(1);
  });

  it('killed right after Twilio accepted an SMS: after the restart the SMS is not sent again', async () => {
    // A world of its own, so the first SMS the runner sends is this request's (no job left over).
    const own = await startWorld();
    try {
      const dying = await startApp(own, 'sms-sent:kill');
      await own.driver
        .viewSubmission({
          userId: People.requester,
          view: { callbackId: 'request_email_modal', values: requestFormValues({ localPart: 'crash.sms' }) },
        })
        .catch(() => undefined); // the process may die before its answer is out
      expect(await dying.exited).toBeNull(); // killed by its own SIGKILL at the fault point
      expect(own.twilio.messages).toHaveLength(1);
      const message = own.twilio.messages[0] as (typeof own.twilio.messages)[number];
      expect(await own.db.prisma.delivery.count({ where: { providerId: message.sid } })).toBe(0);

      const again = await startApp(own);
      try {
        const delivery = await eventually(
          () => own.db.prisma.delivery.findFirst({ where: { providerId: message.sid, status: 'SENT' } }),
          'the SMS delivery to be recorded as sent after the restart',
        );
        expect(delivery.recipient).toBe(message.to);
        expect(own.twilio.messages.filter((m) => m.to === message.to && m.body === message.body)).toHaveLength(1);
      } finally {
        again.child.kill('SIGKILL');
        await again.exited;
      }
    } finally {
      await own.close();
    }
  });

  it('killed while cPanel was creating the mailbox (the call arrived, its answer was never read): one mailbox after the restart', async () => {
    const running = await restart();
    const { request, dm } = await fileRequest('crash.midpop');
    // cPanel creates the mailbox and keeps the answer: the app is waiting on it when it is killed.
    world.cpanel.failNext('add_pop', 1, 'succeed-then-timeout');
    await approve(request.id, dm);
    await eventually(async () => world.cpanel.mailboxes.has('crash.midpop@example.com'), 'cPanel to have created the mailbox');
    running.child.kill('SIGKILL');
    expect(await running.exited).toBeNull();
    expect((await world.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PROVISIONING');

    await restart();
    await eventually(
      async () => (await world.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status === 'ACTIVE',
      'the request to be ACTIVE',
    );
    // The retry's add_pop was refused as "already exists", and verify_password proved the mailbox ours.
    expect(world.cpanel.callsTo('add_pop').filter((call) => call.params.email === 'crash.midpop')).toHaveLength(2);
    expect(world.cpanel.callsTo('verify_password').filter((call) => call.params.email === 'crash.midpop@example.com')).toHaveLength(1);
    expect([...world.cpanel.mailboxes.keys()].filter((address) => address === 'crash.midpop@example.com')).toHaveLength(1);
    expect(await world.db.prisma.mailbox.count({ where: { address: 'crash.midpop@example.com' } })).toBe(1);
    expect(await world.db.prisma.auditEvent.count({ where: { action: 'mailbox.created', subject: `request:${request.id}` } })).toBe(1);
  });

  it('killed while Twilio was taking an SMS (accepted, its answer never read): after the restart the SMS is not sent again', async () => {
    const own = await startWorld();
    try {
      const dying = await startApp(own);
      const superiorPhone = '+14155550102';
      own.twilio.failNext(1, 'accept-then-hang', superiorPhone);
      await own.driver.viewSubmission({
        userId: People.requester,
        view: { callbackId: 'request_email_modal', values: requestFormValues({ localPart: 'crash.midsms' }) },
      });
      const message = await own.twilio.waitForMessageTo(superiorPhone);
      dying.child.kill('SIGKILL');
      expect(await dying.exited).toBeNull();
      expect(await own.db.prisma.delivery.count({ where: { providerId: message.sid } })).toBe(0);

      const again = await startApp(own);
      try {
        await eventually(
          () => own.db.prisma.delivery.findFirst({ where: { providerId: message.sid, status: 'SENT' } }),
          'the SMS delivery to be recorded as sent after the restart',
        );
        expect(own.twilio.messages.filter((m) => m.to === superiorPhone && m.body === message.body)).toHaveLength(1);
      } finally {
        again.child.kill('SIGKILL');
        await again.exited;
      }
    } finally {
      await own.close();
    }
  });

  it('killed right after cPanel created the mailbox: after the restart the request is ACTIVE with that one mailbox', async () => {
    await restart();
    const { request, dm } = await fileRequest('crash.pop');
    await stop();

    const dying = await restart('mailbox-created:kill');
    await approve(request.id, dm);
    expect(await dying.exited).toBeNull(); // killed by its own SIGKILL at the fault point
    expect(world.cpanel.mailboxes.has('crash.pop@example.com')).toBe(true);
    expect((await world.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PROVISIONING');

    await restart();
    await eventually(
      async () => (await world.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status === 'ACTIVE',
      'the request to be ACTIVE',
    );
    // The retry's add_pop said "already exists"; the sealed password proved the mailbox is this request's own.
    expect(world.cpanel.callsTo('verify_password').filter((call) => call.params.email === 'crash.pop@example.com')).toHaveLength(1);
    expect(await world.db.prisma.mailbox.count({ where: { address: 'crash.pop@example.com' } })).toBe(1);
    expect(await world.db.prisma.auditEvent.count({ where: { action: 'mailbox.created', subject: `request:${request.id}` } })).toBe(1);
  });

  it('killed right after the host took a reset password: after the restart the password is not changed again, and the link holds it', async () => {
    world.cpanel.addMailbox('rita@example.com', 'Old-Password-123456789');
    const staff = await world.db.prisma.staff.create({
      data: { fullName: 'Rita', workEmail: 'rita@example.com', personalEmail: 'rita.home@gmail.com', createdAt: new Date() },
    });
    await world.db.prisma.mailbox.create({
      data: { address: 'rita@example.com', localPart: 'rita', domain: 'example.com', provider: 'cpanel', quotaMb: 1024, staffId: staff.id },
    });
    const dying = await restart('password-changed:kill');
    await world.driver
      .slashCommand({
        command: '/reset-email-password',
        userId: People.requester,
        triggerId: world.slack.issueTriggerId(),
        responseUrl: world.slack.responseUrl('reset'),
      })
      .catch(() => undefined);
    expect(await dying.exited).toBeNull(); // killed by its own SIGKILL at the fault point
    const passwd = () => world.cpanel.callsTo('passwd_pop').filter((call) => call.params.email === 'rita');
    expect(passwd()).toHaveLength(1);
    const reset = await world.db.prisma.passwordReset.findFirstOrThrow({ where: { address: 'rita@example.com' } });
    expect(reset.status).toBe('CHANGING');

    await restart();
    const done = await eventually(
      () => world.db.prisma.passwordReset.findFirst({ where: { id: reset.id, status: 'DONE' } }),
      'the reset to be DONE after the restart',
    );
    expect(done.secretCipher).toBeNull();
    // The retry asked the host first (verify_password) and did not change the password a second time.
    expect(passwd()).toHaveLength(1);
    expect(world.cpanel.callsTo('verify_password').filter((call) => call.params.email === 'rita@example.com')).toHaveLength(1);
    expect(await world.db.prisma.oneTimeSecret.count({ where: { resetId: reset.id } })).toBe(1);
    expect(
      await world.db.prisma.auditEvent.count({ where: { action: 'password_reset.changed', subject: `password-reset:${reset.id}` } }),
    ).toBe(1);
  });
});
