import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { withDatabase } from '../../src/platform/db/client.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.ts';
import { eventually } from '../support/harness.ts';
import { dropDatabase, randomTestDatabaseName, testServerUrl } from '../support/test-db.ts';

describe('the built-in sandbox (npm start without Slack credentials)', () => {
  let sandbox: Sandbox;
  const name = randomTestDatabaseName();
  const logs: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    sandbox = await startSandbox({
      port: 0,
      databaseUrl: withDatabase(testServerUrl(), name),
      logger: createLogger({ level: 'info', destination }),
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await dropDatabase(name);
  });

  const page = async (as: string) => (await fetch(`${sandbox.url}/sandbox?as=${as}`)).text();
  const viewIdOf = (html: string) => /name="view_id" value="([^"]+)"/.exec(html)?.[1] ?? 'no-view-open';
  const post = (path: string, fields: Record<string, string>) =>
    fetch(`${sandbox.url}${path}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

  it('lets a person request, approve and see the mailbox created, through the real app', async () => {
    expect((await fetch(`${sandbox.url}/healthz`)).status).toBe(200);
    const command = await post('/sandbox/command', { as: 'U0SANDREQ1', text: '/request-email jane.doe' });
    expect(command.status).toBe(303);
    const withModal = await page('U0SANDREQ1');
    expect(withModal).toContain('class="modal"');
    expect(withModal).toContain('value="jane.doe"');

    // A bad phone number comes back inline, with what was typed kept.
    const form = {
      as: 'U0SANDREQ1',
      view_id: viewIdOf(withModal),
      full_name: "Jane O'Hara & Co",
      local_part: 'jane.doe',
      domain: 'example.com',
      personal_email: 'jane@gmail.com',
      phone: '123',
      superior: 'U0SANDSUP1',
      start_date: '',
      note: '',
    };
    await post('/sandbox/modal', form);
    const withError = await page('U0SANDREQ1');
    expect(withError).toContain('not a valid phone number');
    expect(withError).toContain('value="Jane O&#39;Hara &amp; Co"');

    await post('/sandbox/modal', { ...form, phone: '415 555 2671' });
    const request = await sandbox.mailroom.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'jane.doe' } });

    const superiorPage = await eventually(async () => {
      const html = await page('U0SANDSUP1');
      return html.includes('request_approve') && html;
    }, "the approval DM on the superior's page");
    expect(superiorPage).toContain('Jane O&#39;Hara &amp; Co');
    const ts = /name="ts" value="([^"]+)"/.exec(superiorPage)?.[1] ?? '';
    await post('/sandbox/action', {
      as: 'U0SANDSUP1',
      action_id: 'request_approve',
      block_id: `decision_${request.id}`,
      value: String(request.id),
      channel: 'D0SANDSUP1',
      ts,
    });

    await eventually(async () => sandbox.cpanel.mailboxes.has('jane.doe@example.com'), 'the mailbox at the cPanel fake');
    const requesterPage = await eventually(async () => {
      const html = await page('U0SANDREQ1');
      return html.includes('mailbox.created') && html;
    }, "the mailbox.created audit row on the requester's page");
    expect(requesterPage).toContain('<td>jane.doe@example.com</td>');
    const password = sandbox.cpanel.callsTo('add_pop')[0]?.params.password ?? 'no-password-seen';
    expect(logs.join('')).not.toContain(password);

    // The new hire's SMS carries a one-time link to this sandbox; the page reveals once, on POST.
    const sms = await eventually(
      async () => sandbox.twilio.messages.find((message) => message.to === '+14155552671')?.body,
      "the new hire's SMS",
    );
    expect(sms).not.toContain(password);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/credentials\/[\w-]+)/.exec(sms ?? '')?.[1];
    expect(link, sms).toBeDefined();
    const prompt = await (await fetch(link as string)).text();
    expect(prompt).not.toContain(password);
    const nonce = /name="nonce" value="([^"]+)"/.exec(prompt)?.[1] ?? '';
    const revealed = await fetch(`${link}/reveal`, {
      method: 'POST',
      body: new URLSearchParams({ nonce }),
      headers: { origin: sandbox.url },
    });
    expect(revealed.status).toBe(200);
    expect(await revealed.text()).toContain(password);
    const again = await fetch(`${link}/reveal`, { method: 'POST', body: new URLSearchParams({ nonce }), headers: { origin: sandbox.url } });
    expect(again.status).toBe(410);
  });

  it('lets HR offboard the mailbox from the page and refuses everyone else', async () => {
    await post('/sandbox/command', { as: 'U0SANDOUT1', text: '/offboard jane.doe@example.com' });
    expect(await page('U0SANDOUT1')).toContain('Only HR');

    await post('/sandbox/command', { as: 'U0SANDHR01', text: '/offboard jane.doe@example.com' });
    const modal = await page('U0SANDHR01');
    // The mailbox type-ahead comes pre-filled with the address from the command.
    expect(modal).toContain('<input type="hidden" name="offboard_mailbox" value="jane.doe@example.com">');
    const today = sandbox.clock.now().toISOString().slice(0, 10);
    const fields = new URLSearchParams({
      as: 'U0SANDHR01',
      view_id: viewIdOf(modal),
      offboard_mailbox: 'jane.doe@example.com',
      offboard_forward_to: 'sam@example.com',
      offboard_last_day: today,
      offboard_reply_subject: '',
      offboard_reply_body: '',
      offboard_retention_days: '0',
    });
    fields.append('offboard_options', 'suspend_login');
    await fetch(`${sandbox.url}/sandbox/modal`, { method: 'POST', body: fields, redirect: 'manual' });
    // Each step is its own job, so they finish in any order: wait until none is pending.
    const offboarding = await eventually(
      () => sandbox.mailroom.prisma.offboarding.findFirst({ where: { address: 'jane.doe@example.com' } }),
      'the offboarding row',
    );
    const steps = await eventually(async () => {
      const rows = await sandbox.mailroom.prisma.offboardingStep.findMany({ where: { offboardingId: offboarding.id } });
      return rows.length > 0 && rows.every((step) => step.status !== 'PENDING') && rows;
    }, 'the offboarding steps to settle');
    expect(steps.map((step) => step.status)).not.toContain('FAILED');
    expect(sandbox.cpanel.mailboxes.get('jane.doe@example.com')?.suspendedLogin).toBe(true);
    expect(sandbox.cpanel.forwarders.get('jane.doe@example.com')).toEqual(['sam@example.com']);
  });

  it('shows each person Mailroom’s Home tab, whose buttons open the same modals as the commands', async () => {
    await post('/sandbox/home', { as: 'U0SANDREQ1' });
    const requester = await page('U0SANDREQ1');
    expect(requester).toContain('Home tab, as Rita Requester sees it');
    expect(requester).toContain('Your requests');
    expect(requester).toContain('jane.doe@example.com');
    expect(requester).not.toContain('home_offboard_mailbox');

    await post('/sandbox/home', { as: 'U0SANDHR01' });
    const hr = await page('U0SANDHR01');
    expect(hr).toContain('Offboardings in progress');
    expect(hr).toContain('value="home_offboard_mailbox"');
    await post('/sandbox/home-action', { as: 'U0SANDHR01', action_id: 'home_offboard_mailbox', block_id: 'home_actions', value: '' });
    expect(await page('U0SANDHR01')).toContain('name="offboard_mailbox"');

    // Someone outside HR with a forged click: the refusal comes in a modal that only closes.
    await post('/sandbox/home', { as: 'U0SANDOUT1' });
    await post('/sandbox/home-action', { as: 'U0SANDOUT1', action_id: 'home_offboard_mailbox', block_id: 'home_actions', value: '' });
    const refused = await page('U0SANDOUT1');
    expect(refused).toContain('Only HR can offboard mailboxes');
    expect(refused).not.toContain('>Submit</button>');
  });

  it('refuses forged requests to the sandbox routes and escapes everything it shows', async () => {
    const unknown = await post('/sandbox/command', { as: '<script>', text: '/request-email x' });
    expect(unknown.status).toBe(400);
    const body = await page('"><script>alert(1)</script>');
    expect(body).not.toContain('<script>alert(1)</script>');
  });
});
