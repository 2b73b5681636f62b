import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { createMailroom, type Mailroom } from '../app.ts';
import { loadConfig } from '../config.ts';
import { applyMigrations, dropDatabase } from '../platform/db/migrate.ts';
import { OffsetClock } from '../platform/clock.ts';
import { freePort } from '../lib/free-port.ts';
import { readBody } from '../lib/http.ts';
import type { Logger } from '../lib/logger.ts';
import { type FakeCpanel, startFakeCpanel } from './fakes/cpanel-server.ts';
import { type FakeSlack, type FakeView, startFakeSlack } from './fakes/slack-server.ts';
import { type FakeSmtp, startFakeSmtp } from './fakes/smtp-server.ts';
import { type FakeTwilio, startFakeTwilio } from './fakes/twilio-server.ts';
import { type Note, type PageSnapshot, renderPanels, renderShell, type SandboxPerson } from './page.ts';
import { stateValuesFromForm } from './render.ts';
import { SandboxSlackClient } from './slack-client.ts';

/** Well-known values for the sandbox only: nothing here is a real credential. */
const SANDBOX_BOT_TOKEN = 'xoxb-sandbox-0000-0000-sandbox';
const SANDBOX_CPANEL_TOKEN = 'SANDBOXCPANELTOKEN000000000000000';
/** Fixed so that sealed secrets in the sandbox database survive a restart; never use it for real data. */
const SANDBOX_SECRET_KEY = '5a'.repeat(32);

const SANDBOX_TWILIO_SID = `AC${'5a'.repeat(16)}`;
const SANDBOX_TWILIO_TOKEN = 'sandbox-twilio-token';

export const SANDBOX_USERS: Array<SandboxPerson & { phone: string }> = [
  { id: 'U0SANDREQ1', name: 'Rita Requester', role: 'staff', email: 'rita@example.com', phone: '+14155550101' },
  { id: 'U0SANDSUP1', name: 'Sam Superior', role: 'superior', email: 'sam@example.com', phone: '+14155550102' },
  { id: 'U0SANDADM1', name: 'Ada Admin', role: 'admin', email: 'ada@example.com', phone: '+14155550103' },
  { id: 'U0SANDHR01', name: 'Hana HR', role: 'HR', email: 'hana@example.com', phone: '+14155550104' },
  { id: 'U0SANDOUT1', name: 'Olga Outsider', role: 'staff', email: 'olga@example.com', phone: '+14155550105' },
];

export interface Sandbox {
  url: string;
  /** The interface the page and the app listen on (127.0.0.1 unless SANDBOX_HOST says otherwise). */
  address: string | undefined;
  mailroom: Mailroom;
  slack: FakeSlack;
  cpanel: FakeCpanel;
  twilio: FakeTwilio;
  smtp: FakeSmtp;
  clock: OffsetClock;
  stop(): Promise<void>;
}

interface PageState {
  /** Short notes per person (ephemeral answers, what happened): they stay until dismissed. */
  notes: Map<string, Note[]>;
  /** For pages without script only: the errors and typed values of a refused submission. */
  refused: Map<string, { viewId: string; errors: Record<string, string>; previous: Record<string, string> }>;
}

const ASSETS: Record<string, string> = { 'sandbox.css': 'text/css; charset=utf-8', 'sandbox.js': 'text/javascript; charset=utf-8', 'favicon.svg': 'image/svg+xml' };
const wantsJson = (req: IncomingMessage) => String(req.headers.accept ?? '').includes('application/json');
const redirect = (res: ServerResponse, to: string) => res.writeHead(303, { location: to }).end();
const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));

/**
 * `npm start` without Slack credentials: the real app, its database and job runner, wired to
 * loopback fakes of Slack and cPanel, plus a page at /sandbox that plays the part of the Slack
 * client — type a command, fill in the modal, press the buttons in each person's DMs.
 * `databaseUrl` names a database the sandbox owns: it is dropped and migrated afresh at every start.
 * It listens on `host` (default 127.0.0.1): it has no login, so anyone who reaches it can act as anyone.
 */
export async function startSandbox(options: { port: number; databaseUrl: string; logger: Logger; host?: string }): Promise<Sandbox> {
  const { logger } = options;
  const host = options.host || '127.0.0.1';
  const slack = await startFakeSlack({
    botToken: SANDBOX_BOT_TOKEN,
    users: SANDBOX_USERS.map((user) => ({ id: user.id, realName: user.name, name: user.name.split(' ')[0]?.toLowerCase() ?? user.id, email: user.email, phone: user.phone })),
  });
  const twilio = await startFakeTwilio({ accountSid: SANDBOX_TWILIO_SID, authToken: SANDBOX_TWILIO_TOKEN });
  const smtp = await startFakeSmtp({ user: 'sandbox', password: 'sandbox' });
  const port = options.port === 0 ? await freePort(host) : options.port;
  const linkHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const publicUrl = `http://${linkHost}:${port}`;
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
  const state: PageState = { notes: new Map(), refused: new Map() };
  const people: SandboxPerson[] = SANDBOX_USERS;
  const names = (userId: string) => SANDBOX_USERS.find((user) => user.id === userId)?.name ?? userId;
  let client: SandboxSlackClient | undefined;
  let noteIds = 0;
  const note = (userId: string, text: string): void => {
    if (!text) return;
    noteIds += 1;
    state.notes.set(userId, [...(state.notes.get(userId) ?? []), { id: noteIds, text }].slice(-8));
  };
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ASSETS)) assets.set(name, await readFile(new URL(`./assets/${name}`, import.meta.url)));
  const serveAsset = (name: string, req: IncomingMessage, res: ServerResponse) => {
    const body = assets.get(name);
    if (!body) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    res.writeHead(200, { 'content-type': ASSETS[name] ?? 'application/octet-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const personOf = (url: URL) => SANDBOX_USERS.find((user) => user.id === url.searchParams.get('as'));
  const urlOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://sandbox');

  const routes: CustomRoute[] = [
    { path: '/', method: ['GET'], handler: (_req, res) => redirect(res, '/sandbox') },
    { path: '/favicon.ico', method: ['GET', 'HEAD'], handler: (req, res) => serveAsset('favicon.svg', req, res) },
    { path: '/sandbox/assets/:name', method: ['GET', 'HEAD'], handler: (req, res) => serveAsset((req as IncomingMessage & { params?: Record<string, string> }).params?.name ?? '', req, res) },
    {
      path: '/sandbox',
      method: ['GET'],
      handler: (req, res) => {
        const me = personOf(urlOf(req)) ?? SANDBOX_USERS[0];
        if (!me) return void res.writeHead(500).end();
        snapshot(me).then(
          (snap) => {
            const page = renderShell(snap, renderPanels(snap));
            state.refused.delete(me.id);
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' }).end(page);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'sandbox page failed');
            res.writeHead(500, { 'content-type': 'text/plain' }).end('The sandbox page failed; see the log.');
          },
        );
      },
    },
    {
      path: '/sandbox/state',
      method: ['GET'],
      handler: (req, res) => {
        const me = personOf(urlOf(req));
        if (!me) return json(res, 400, { error: 'Unknown sandbox person' });
        snapshot(me).then(
          (snap) => json(res, 200, { panels: renderPanels(snap) }),
          (error: unknown) => {
            logger.error({ err: error }, 'sandbox state failed');
            json(res, 500, { error: 'The sandbox could not read its state; see the log.' });
          },
        );
      },
    },
    {
      path: '/sandbox/options',
      method: ['GET'],
      handler: (req, res) => {
        const url = urlOf(req);
        const me = personOf(url);
        const view = me ? slack.openModalOf(me.id) : undefined;
        if (!me || !view || view.id !== url.searchParams.get('view_id')) return json(res, 404, { options: [] });
        client
          ?.loadOptions(me.id, view, url.searchParams.get('block_id') ?? '', url.searchParams.get('action_id') ?? '', (url.searchParams.get('q') ?? '').slice(0, 150))
          .then(
            (found) => json(res, 200, { options: found }),
            (error: unknown) => {
              logger.error({ err: error }, 'sandbox options failed');
              json(res, 200, { options: [] });
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
    { path: '/sandbox/dismiss', method: ['POST'], handler: (req, res) => void handle(req, res, onDismiss) },
  ];

  type Outcome = { errors?: Record<string, string> } | undefined;
  /** Every form: answered with JSON (errors and fresh panels) for the page's script, or a redirect without it. */
  async function handle(req: IncomingMessage, res: ServerResponse, work: (form: URLSearchParams, as: string, script: boolean) => Promise<unknown>) {
    const form = new URLSearchParams(await readBody(req));
    const as = form.get('as') ?? '';
    const me = SANDBOX_USERS.find((user) => user.id === as);
    if (!me) return json(res, 400, { ok: false, failed: 'Unknown sandbox person' });
    const script = wantsJson(req);
    let outcome: Outcome;
    try {
      const result = await work(form, as, script);
      outcome = typeof result === 'object' && result !== null && 'errors' in result ? (result as Outcome) : undefined;
    } catch (error) {
      logger.error({ err: error }, 'sandbox action failed');
      note(as, `The sandbox could not do that: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!script) return redirect(res, `/sandbox?as=${encodeURIComponent(as)}`);
    try {
      const snap = await snapshot(me);
      json(res, 200, { ok: !outcome?.errors, ...(outcome?.errors ? { errors: outcome.errors } : {}), panels: renderPanels(snap) });
    } catch (error) {
      logger.error({ err: error }, 'sandbox state failed');
      json(res, 500, { ok: false, failed: 'The sandbox could not read its state; see the log.' });
    }
  }

  async function onCommand(form: URLSearchParams, as: string) {
    const typed = (form.get('text') ?? '').trim();
    const [command = '', ...rest] = typed.split(/\s+/);
    if (!command.startsWith('/')) return void note(as, 'Type a slash command, e.g. `/request-email jane.doe`.');
    const outcome = await client?.slashCommand(as, command, rest.join(' '));
    for (const text of outcome?.notes ?? []) note(as, text);
  }

  async function onModal(form: URLSearchParams, as: string, script: boolean): Promise<Outcome> {
    const view = slack.openModalOf(as);
    if (!view || view.id !== form.get('view_id')) {
      note(as, 'That form is no longer open.');
      return undefined;
    }
    if (form.get('cancel') === '1') {
      slack.closeView(view.id);
      return undefined;
    }
    const answer = await client?.submitView(as, view, stateValuesFromForm(view as unknown as Record<string, any>, form));
    if (answer?.errors) {
      if (!script) state.refused.set(as, { viewId: view.id, errors: answer.errors, previous: Object.fromEntries([...form.keys()].map((key) => [key, form.getAll(key).join(',')])) });
      return { errors: answer.errors };
    }
    state.refused.delete(as);
    if (answer?.responseAction) {
      const applied = slack.applyResponseAction(view.id, answer.responseAction);
      if (!applied.ok) return { errors: { _: `Slack would refuse the app's answer: ${applied.error}` } };
      return undefined;
    }
    slack.closeView(view.id);
    return undefined;
  }

  async function onAction(form: URLSearchParams, as: string) {
    const outcome = await client?.clickButton(as, {
      actionId: form.get('action_id') ?? '',
      blockId: form.get('block_id') ?? '',
      value: form.get('value') ?? '',
      channelId: form.get('channel') ?? '',
      messageTs: form.get('ts') ?? '',
    });
    for (const text of outcome?.notes ?? []) note(as, text);
  }

  async function onHomeAction(form: URLSearchParams, as: string) {
    const outcome = await client?.clickHomeButton(as, { actionId: form.get('action_id') ?? '', blockId: form.get('block_id') ?? '', value: form.get('value') ?? '' });
    for (const text of outcome?.notes ?? []) note(as, text);
  }

  async function onDismiss(form: URLSearchParams, as: string) {
    const id = Number(form.get('note'));
    state.notes.set(as, (state.notes.get(as) ?? []).filter((item) => item.id !== id));
  }

  async function onSkip(form: URLSearchParams, as: string) {
    const days = Number(form.get('days') ?? '1');
    if (!Number.isInteger(days) || days <= 0 || days > 3650) return void note(as, 'Skip a whole number of days between 1 and 3650.');
    clock.advance(days * 86_400_000);
    await mailroom.runner.runDue();
    await mailroom.sweep.runOnce();
    await mailroom.runner.runDue();
    note(as, `Skipped ahead ${days} day${days === 1 ? '' : 's'}: the sandbox clock now reads ${clock.now().toISOString().slice(0, 16).replace('T', ' ')} UTC.`);
  }

  async function snapshot(me: SandboxPerson): Promise<PageSnapshot> {
    const view = slack.openModalOf(me.id);
    const refused = view ? state.refused.get(me.id) : undefined;
    const audit = await mailroom.prisma.auditEvent.findMany({ orderBy: { id: 'desc' }, take: 15 });
    return {
      me,
      people,
      names,
      notes: state.notes.get(me.id) ?? [],
      ...(view
        ? {
            modal: {
              view,
              ...(refused && refused.viewId === view.id ? { errors: refused.errors, previous: refused.previous } : {}),
            },
          }
        : {}),
      ...(slack.homeViewOf(me.id) ? { home: slack.homeViewOf(me.id) as FakeView } : {}),
      messages: [...slack.messagesIn(me.id)].reverse().map((message) => ({ channel: message.channel, ts: message.ts, text: message.text, blocks: message.blocks as Array<Record<string, any>> })),
      mailboxes: [...cpanel.mailboxes.entries()].map(([address, mailbox]) => ({
        address,
        quotaMb: mailbox.quotaMb,
        state: mailbox.suspendedLogin ? 'login suspended' : 'active',
        forwardsTo: cpanel.forwarders.get(address) ?? [],
        autoReply: cpanel.autoResponders.get(address)?.subject ?? '',
      })),
      sms: twilio.messages.slice(-8).reverse().map((message) => ({ to: message.to, body: message.body })),
      mail: smtp.messages.slice(-6).reverse().map((message) => ({ to: message.to, subject: message.subject, text: message.text })),
      clock: clock.now(),
      audit,
    };
  }

  const mailroom = createMailroom({ config, logger, clock, extraRoutes: routes, listenHost: host });
  const { address } = await mailroom.start();
  const url = publicUrl;
  client = new SandboxSlackClient({ appUrl: url, signingSecret, slack });
  return {
    url,
    address,
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
