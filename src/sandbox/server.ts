import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { createMailroom, type Mailroom } from '../app.ts';
import { loadConfig } from '../config.ts';
import { applyMigrations, dropDatabase } from '../db/migrate.ts';
import { OffsetClock } from '../lib/clock.ts';
import { readBody } from '../lib/http.ts';
import type { Logger } from '../lib/logger.ts';
import { type FakeCpanel, startFakeCpanel } from './fakes/cpanel-server.ts';
import { type FakeSlack, startFakeSlack } from './fakes/slack-server.ts';
import { type FakeSmtp, startFakeSmtp } from './fakes/smtp-server.ts';
import { type FakeTwilio, startFakeTwilio } from './fakes/twilio-server.ts';
import { html, type ModalOption, mrkdwn, renderBlocks, renderModalForm, type SandboxUser, stateValuesFromForm } from './render.ts';
import { SandboxSlackClient } from './slack-client.ts';

/** Well-known values for the sandbox only: nothing here is a real credential. */
const SANDBOX_BOT_TOKEN = 'xoxb-sandbox-0000-0000-sandbox';
const SANDBOX_CPANEL_TOKEN = 'SANDBOXCPANELTOKEN000000000000000';
/** Fixed so that sealed secrets in the sandbox database survive a restart; never use it for real data. */
const SANDBOX_SECRET_KEY = '5a'.repeat(32);

const SANDBOX_TWILIO_SID = `AC${'5a'.repeat(16)}`;
const SANDBOX_TWILIO_TOKEN = 'sandbox-twilio-token';

export const SANDBOX_USERS: Array<SandboxUser & { email: string; phone: string }> = [
  { id: 'U0SANDREQ1', name: 'Rita Requester', role: 'staff', email: 'rita@example.com', phone: '+14155550101' },
  { id: 'U0SANDSUP1', name: 'Sam Superior', role: 'superior', email: 'sam@example.com', phone: '+14155550102' },
  { id: 'U0SANDADM1', name: 'Ada Admin', role: 'admin', email: 'ada@example.com', phone: '+14155550103' },
  { id: 'U0SANDHR01', name: 'Hana HR', role: 'HR', email: 'hana@example.com', phone: '+14155550104' },
  { id: 'U0SANDOUT1', name: 'Olga Outsider', role: 'staff', email: 'olga@example.com', phone: '+14155550105' },
];

/** The sandbox's links must name its port before the app starts; with port 0, pick a free one first. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Sandbox {
  url: string;
  mailroom: Mailroom;
  slack: FakeSlack;
  cpanel: FakeCpanel;
  twilio: FakeTwilio;
  smtp: FakeSmtp;
  clock: OffsetClock;
  stop(): Promise<void>;
}

interface PageState {
  /** Open modal per user: the fake's view id. */
  modals: Map<string, { viewId: string; errors?: Record<string, string>; previous?: Record<string, string> }>;
  /** Short notes for a user: ephemeral answers, what happened. */
  notes: Map<string, string[]>;
}


const redirect = (res: ServerResponse, to: string) => res.writeHead(303, { location: to }).end();

/**
 * `npm start` without Slack credentials: the real app, its database and job runner, wired to
 * loopback fakes of Slack and cPanel, plus a page at /sandbox that plays the part of the Slack
 * client — type a command, fill in the modal, press the buttons in each person's DMs.
 */
/** `databaseUrl` names a database the sandbox owns: it is dropped and migrated afresh at every start. */
export async function startSandbox(options: { port: number; databaseUrl: string; logger: Logger }): Promise<Sandbox> {
  const { logger } = options;
  const slack = await startFakeSlack({
    botToken: SANDBOX_BOT_TOKEN,
    users: SANDBOX_USERS.map((user) => ({ id: user.id, realName: user.name, name: user.name.split(' ')[0]?.toLowerCase() ?? user.id, email: user.email, phone: user.phone })),
  });
  const twilio = await startFakeTwilio({ accountSid: SANDBOX_TWILIO_SID, authToken: SANDBOX_TWILIO_TOKEN });
  const smtp = await startFakeSmtp({ user: 'sandbox', password: 'sandbox' });
  const port = options.port === 0 ? await freePort() : options.port;
  const publicUrl = `http://127.0.0.1:${port}`;
  const cpanel = await startFakeCpanel({ user: 'sandbox', token: SANDBOX_CPANEL_TOKEN, domains: ['example.com', 'example.org'] });
  cpanel.addMailbox('info@example.com', `Sandbox-${randomBytes(9).toString('base64url')}`);

  // The fakes start empty, so the sandbox's database starts empty too: one consistent world.
  await dropDatabase(options.databaseUrl);
  await applyMigrations({ databaseUrl: options.databaseUrl, logger });
  const signingSecret = randomBytes(24).toString('hex');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: options.databaseUrl,
    PORT: String(port),
    SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: slack.apiUrl,
    MAIL_DOMAINS: 'example.com,example.org',
    MAILBOX_PROVIDER: 'cpanel',
    CPANEL_URL: cpanel.url,
    CPANEL_USER: 'sandbox',
    CPANEL_API_TOKEN: SANDBOX_CPANEL_TOKEN,
    CPANEL_CA_FILE: '',
    ADMIN_USER_IDS: 'U0SANDADM1',
    HR_USER_IDS: 'U0SANDHR01',
    HR_USERGROUP_ID: '',
    MAILBOX_PROVIDER_BY_DOMAIN: '',
    TWILIO_ACCOUNT_SID: SANDBOX_TWILIO_SID,
    TWILIO_AUTH_TOKEN: SANDBOX_TWILIO_TOKEN,
    TWILIO_FROM: '+15005550006',
    TWILIO_MESSAGING_SERVICE_SID: '',
    TWILIO_API_URL: twilio.url,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Mailroom sandbox <it@example.com>',
    PUBLIC_URL: publicUrl,
    COMPANY_NAME: 'Acme (sandbox)',
    IT_CONTACT: 'ada@example.com',
    GENERAL_CONTACT_EMAIL: 'info@example.com',
    SECRET_KEY: SANDBOX_SECRET_KEY,
    JOB_BACKOFF_BASE_MS: '5000',
  });

  const clock = new OffsetClock();
  const state: PageState = { modals: new Map(), notes: new Map() };
  const names = (userId: string) => SANDBOX_USERS.find((user) => user.id === userId)?.name ?? userId;
  let client: SandboxSlackClient | undefined;
  const note = (userId: string, text: string): void => {
    state.notes.set(userId, [...(state.notes.get(userId) ?? []), text].slice(-5));
  };

  const routes: CustomRoute[] = [
    { path: '/', method: ['GET'], handler: (_req, res) => redirect(res, '/sandbox') },
    {
      path: '/sandbox',
      method: ['GET'],
      handler: (req, res) => {
        const as = new URL(req.url ?? '/', 'http://sandbox').searchParams.get('as') ?? SANDBOX_USERS[0]?.id ?? '';
        renderPage(as).then(
          (page) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page),
          (error: unknown) => {
            logger.error({ err: error }, 'sandbox page failed');
            res.writeHead(500, { 'content-type': 'text/plain' }).end('The sandbox page failed; see the log.');
          },
        );
      },
    },
    { path: '/sandbox/command', method: ['POST'], handler: (req, res) => void handle(req, res, onCommand) },
    { path: '/sandbox/modal', method: ['POST'], handler: (req, res) => void handle(req, res, onModal) },
    { path: '/sandbox/action', method: ['POST'], handler: (req, res) => void handle(req, res, onAction) },
    { path: '/sandbox/skip', method: ['POST'], handler: (req, res) => void handle(req, res, onSkip) },
    { path: '/sandbox/home', method: ['POST'], handler: (req, res) => void handle(req, res, async (_form, as) => client?.openHome(as)) },
    { path: '/sandbox/home-action', method: ['POST'], handler: (req, res) => void handle(req, res, onHomeAction) },
  ];

  async function handle(req: IncomingMessage, res: ServerResponse, work: (form: URLSearchParams, as: string) => Promise<void>) {
    const form = new URLSearchParams(await readBody(req));
    const as = form.get('as') ?? '';
    if (!SANDBOX_USERS.some((user) => user.id === as)) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('Unknown sandbox user');
    try {
      await work(form, as);
    } catch (error) {
      logger.error({ err: error }, 'sandbox action failed');
      note(as, `The sandbox could not do that: ${error instanceof Error ? error.message : String(error)}`);
    }
    redirect(res, `/sandbox?as=${encodeURIComponent(as)}`);
  }

  async function onCommand(form: URLSearchParams, as: string) {
    const typed = (form.get('text') ?? '').trim();
    const [command = '', ...rest] = typed.split(/\s+/);
    if (!command.startsWith('/')) return note(as, 'Type a slash command, e.g. /request-email jane.doe');
    const outcome = await client?.slashCommand(as, command, rest.join(' '));
    if (outcome?.viewId) state.modals.set(as, { viewId: outcome.viewId });
    for (const text of outcome?.notes ?? []) note(as, text);
  }

  async function onModal(form: URLSearchParams, as: string) {
    const open = state.modals.get(as);
    const view = open ? slack.views.get(open.viewId) : undefined;
    if (!open || !view) return note(as, 'That form is no longer open.');
    if (form.get('cancel') === '1') {
      slack.closeView(open.viewId);
      state.modals.delete(as);
      return;
    }
    const answer = await client?.submitView(as, view, stateValuesFromForm(view, form));
    if (answer?.errors) {
      state.modals.set(as, { viewId: open.viewId, errors: answer.errors, previous: Object.fromEntries([...form.keys()].map((key) => [key, form.getAll(key).join(',')])) });
      return;
    }
    slack.closeView(open.viewId);
    state.modals.delete(as);
    note(as, 'Submitted.');
  }

  async function onAction(form: URLSearchParams, as: string) {
    const outcome = await client?.clickButton(as, {
      actionId: form.get('action_id') ?? '',
      blockId: form.get('block_id') ?? '',
      value: form.get('value') ?? '',
      channelId: form.get('channel') ?? '',
      messageTs: form.get('ts') ?? '',
    });
    if (outcome?.viewId) state.modals.set(as, { viewId: outcome.viewId });
    for (const text of outcome?.notes ?? []) note(as, text);
  }

  async function onHomeAction(form: URLSearchParams, as: string) {
    const outcome = await client?.clickHomeButton(as, { actionId: form.get('action_id') ?? '', blockId: form.get('block_id') ?? '', value: form.get('value') ?? '' });
    if (outcome?.viewId) state.modals.set(as, { viewId: outcome.viewId });
    for (const text of outcome?.notes ?? []) note(as, text);
  }

  async function onSkip(form: URLSearchParams, as: string) {
    const days = Number(form.get('days') ?? '1');
    if (!Number.isFinite(days) || days <= 0 || days > 3650) return note(as, 'Skip between 1 and 3650 days.');
    clock.advance(days * 86_400_000);
    await mailroom.runner.runDue();
    await mailroom.sweep.runOnce();
    await mailroom.runner.runDue();
    note(as, `Skipped ahead ${days} day(s): the sandbox clock now reads ${clock.now().toISOString().slice(0, 16).replace('T', ' ')} UTC.`);
  }

  async function externalOptions(as: string, view: Record<string, any>): Promise<Record<string, ModalOption[]>> {
    const result: Record<string, ModalOption[]> = {};
    for (const block of view.blocks as Array<Record<string, any>>) {
      if (block.type === 'input' && block.element?.type === 'external_select' && client) {
        result[block.block_id] = await client.loadOptions(as, view, block.block_id, block.element.action_id);
      }
    }
    return result;
  }

  async function renderPage(as: string): Promise<string> {
    const me = SANDBOX_USERS.find((user) => user.id === as) ?? SANDBOX_USERS[0];
    if (!me) throw new Error('no sandbox users');
    const open = state.modals.get(me.id);
    const view = open ? slack.views.get(open.viewId) : undefined;
    const notes = state.notes.get(me.id) ?? [];
    state.notes.delete(me.id);

    // A Block Kit button as a form posting its click to `action`, with `extra` hidden fields (a DM's channel and ts).
    const formButton = (action: string, extra: Record<string, string> = {}) => (element: Record<string, any>, block: Record<string, any>) =>
      `<form method="post" action="${action}" class="inline"><input type="hidden" name="as" value="${html(me.id)}"><input type="hidden" name="action_id" value="${html(element.action_id)}"><input type="hidden" name="block_id" value="${html(block.block_id ?? '')}"><input type="hidden" name="value" value="${html(element.value ?? '')}">${Object.entries(extra).map(([name, value]) => `<input type="hidden" name="${name}" value="${html(value)}">`).join('')}<button class="${html(element.style ?? '')}">${html(element.text?.text ?? 'Button')}</button></form>`;
    const button = (channel: string, ts: string) => formButton('/sandbox/action', { channel, ts });
    // The Home tab as Slack holds it: published when opened, and republished by the app when a request changes.
    const homeView = slack.homeViewOf(me.id);
    const homeButton = formButton('/sandbox/home-action');
    const homeHtml = `<section><h2>Mailroom’s Home tab, as ${html(me.name)} sees it</h2><form method="post" action="/sandbox/home" class="inline"><input type="hidden" name="as" value="${html(me.id)}"><button>${homeView ? 'Reopen' : 'Open'} the Home tab</button></form>${
      homeView ? renderBlocks(homeView.blocks as Array<Record<string, any>>, names, homeButton) : '<p class="context">Not opened yet. In Slack, this is the Home tab of the Mailroom app.</p>'
    }</section>`;
    const dms = [...slack.messagesIn(me.id)].reverse();
    const dmHtml = dms.length
      ? dms.map((message) => `<article class="message">${message.blocks.length ? renderBlocks(message.blocks as Array<Record<string, any>>, names, button(message.channel, message.ts)) : `<p>${mrkdwn(message.text, names)}</p>`}</article>`).join('\n')
      : '<p class="context">No messages from Mailroom yet.</p>';

    const modalHtml =
      view && open
        ? `<section class="modal"><h2>${html((view.title as { text?: string })?.text ?? 'Form')}</h2><form method="post" action="/sandbox/modal"><input type="hidden" name="as" value="${html(me.id)}">${renderModalForm(view as unknown as Record<string, any>, { names, users: SANDBOX_USERS, ...(open.errors ? { errors: open.errors } : {}), ...(open.previous ? { previous: open.previous } : {}), externalOptions: await externalOptions(me.id, view as unknown as Record<string, any>) })}<p>${view.submit ? `<button class="primary">${html((view.submit as { text?: string }).text ?? 'Submit')}</button> ` : ''}<button name="cancel" value="1" formnovalidate>${html((view.close as { text?: string })?.text ?? 'Cancel')}</button></p></form></section>`
        : '';

    const mailboxes = [...cpanel.mailboxes.entries()]
      .map(([address, mailbox]) => `<tr><td>${html(address)}</td><td>${mailbox.quotaMb} MB</td><td>${mailbox.suspendedLogin ? 'login suspended' : 'active'}</td><td>${html((cpanel.forwarders.get(address) ?? []).join(', '))}</td><td>${cpanel.autoResponders.has(address) ? html(cpanel.autoResponders.get(address)?.subject ?? '') : ''}</td></tr>`)
      .join('');
    const audit = await mailroom.prisma.auditEvent.findMany({ orderBy: { id: 'desc' }, take: 15 });
    const auditRows = audit
      .map((event) => `<tr><td>${html(event.at.toISOString().slice(5, 19).replace('T', ' '))}</td><td>${html(names(event.actor))}</td><td>${html(event.action)}</td><td>${html(event.subject)}</td><td>${html(event.outcome)}</td></tr>`)
      .join('');
    const commands = ['/request-email jane.doe', '/offboard', '/offboard jane.doe@example.com', '/offboard undo jane.doe@example.com'];
    const sms = twilio.messages
      .slice(-8)
      .reverse()
      .map((message) => `<tr><td>${html(message.to)}</td><td>${html(message.body)}</td></tr>`)
      .join('');
    const mail = smtp.messages
      .slice(-6)
      .reverse()
      .map((message) => `<details><summary>${html(message.to.join(', '))}: ${html(message.subject)}</summary><pre>${html(message.text.slice(0, 4000))}</pre></details>`)
      .join('');

    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mailroom sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">${view ? '' : '<meta http-equiv="refresh" content="4">'}
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f4f4f6;color:#1d1c1d}header{background:#3f0e40;color:#fff;padding:.6em 1em}header a{color:#fff;margin-right:1em}
header a.me{font-weight:700;text-decoration:underline}main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1em;padding:1em}section{background:#fff;border-radius:8px;padding:.8em 1em;margin-bottom:1em;box-shadow:0 1px 2px #0002}
.message{border-bottom:1px solid #eee;padding:.4em 0}.fields{display:grid;grid-template-columns:1fr 1fr;gap:.3em}.context{color:#616061;font-size:.9em}.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
.inline{display:inline}button{border:1px solid #bbb;background:#fff;border-radius:4px;padding:.3em .8em;margin:.2em .3em .2em 0;cursor:pointer}button.primary{background:#007a5a;color:#fff;border-color:#007a5a}button.danger{background:#e01e5a;color:#fff;border-color:#e01e5a}
.modal{border:2px solid #3f0e40}.field{margin:.6em 0}.field label{display:block;font-weight:600}.field input,.field select,.field textarea{width:100%;box-sizing:border-box;padding:.35em}.check{font-weight:400!important}.check input{width:auto}
.error{color:#e01e5a}.note{background:#fff8d6;border-left:4px solid #ecb22e;padding:.4em .8em;margin:.3em 0}table{border-collapse:collapse;width:100%;font-size:.88em;table-layout:fixed;overflow-wrap:anywhere}td{border-top:1px solid #eee;padding:.2em .3em;vertical-align:top}pre{white-space:pre-wrap;font-size:.85em;background:#f8f8f8;padding:.5em}
</style></head><body>
<header><strong>Mailroom sandbox</strong> — nothing here reaches real Slack, cPanel, phones or mail. You are:
${SANDBOX_USERS.map((user) => `<a class="${user.id === me.id ? 'me' : ''}" href="/sandbox?as=${user.id}">${html(user.name)} (${html(user.role)})</a>`).join('')}</header>
<main><div>
${notes.map((text) => `<div class="note">${mrkdwn(text, names)}</div>`).join('')}
${modalHtml}
<section><h2>Type a command as ${html(me.name)}</h2><form method="post" action="/sandbox/command"><input type="hidden" name="as" value="${html(me.id)}"><input name="text" list="commands" value="${html(commands[0] ?? '')}" style="width:70%"> <button class="primary">Send</button><datalist id="commands">${commands.map((command) => `<option value="${html(command)}">`).join('')}</datalist></form></section>
${homeHtml}
<section><h2>Direct messages from Mailroom to ${html(me.name)}</h2>${dmHtml}</section>
</div><div>
<section><h2>Mail server (cPanel fake)</h2><table><tr><td><b>address</b></td><td><b>quota</b></td><td><b>state</b></td><td><b>forwards to</b></td><td><b>auto-reply</b></td></tr>${mailboxes}</table></section>
<section><h2>Text messages (Twilio fake)</h2><table>${sms || '<tr><td class="context">None yet.</td></tr>'}</table></section>
<section><h2>Email (SMTP fake)</h2>${mail || '<p class="context">None yet.</p>'}</section>
<section><h2>Time</h2><p>Sandbox clock: ${html(clock.now().toISOString().slice(0, 16).replace('T', ' '))} UTC</p><form method="post" action="/sandbox/skip"><input type="hidden" name="as" value="${html(me.id)}">Skip ahead <input name="days" type="number" value="1" min="1" max="3650" style="width:5em"> day(s) <button>Skip</button></form></section>
<section><h2>Audit log</h2><table>${auditRows}</table></section>
</div></main></body></html>`;
  }

  const mailroom = createMailroom({ config, logger, clock, extraRoutes: routes });
  await mailroom.start();
  const url = publicUrl;
  client = new SandboxSlackClient({ appUrl: url, signingSecret, slack });
  return {
    url,
    mailroom,
    slack,
    cpanel,
    twilio,
    smtp,
    clock,
    async stop() {
      await mailroom.stop();
      await Promise.all([slack.close(), cpanel.close(), twilio.close(), smtp.close()]);
    },
  };
}
