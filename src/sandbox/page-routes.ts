import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Mailroom } from '../app.ts';
import { readBody } from '../lib/http.ts';
import type { Logger } from '../lib/logger.ts';
import type { OffsetClock } from '../platform/clock.ts';
import type { FakeCpanel } from './fakes/cpanel-server.ts';
import type { FakeSlack, FakeView } from './fakes/slack-server.ts';
import type { FakeSmtp } from './fakes/smtp-server.ts';
import type { FakeTwilio } from './fakes/twilio-server.ts';
import { type Note, type PageSnapshot, renderPanels, renderShell, type SandboxPerson } from './page.ts';
import { stateValuesFromForm } from './render.ts';
import type { SandboxSlackClient } from './slack-client.ts';

const ASSETS: Record<string, string> = {
  'sandbox.css': 'text/css; charset=utf-8',
  'sandbox.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};
const wantsJson = (req: IncomingMessage) => String(req.headers.accept ?? '').includes('application/json');
function redirect(res: ServerResponse, to: string): void {
  res.writeHead(303, { location: to }).end();
}
function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
const urlOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://sandbox');

type Outcome = { errors?: Record<string, string> } | undefined;
type Work = (form: URLSearchParams, as: string, script: boolean) => Promise<unknown>;

export interface SandboxWorld {
  people: SandboxPerson[];
  slack: FakeSlack;
  cpanel: FakeCpanel;
  twilio: FakeTwilio;
  smtp: FakeSmtp;
  clock: OffsetClock;
  logger: Logger;
}

/**
 * The page at /sandbox and the routes behind it: it reads the fakes and the database into panels,
 * and turns the person's clicks into what the Slack client would send the app.
 */
export class SandboxPage {
  /** Short notes per person (ephemeral answers, what happened): they stay until dismissed. */
  private readonly notes = new Map<string, Note[]>();
  /** For pages without script only: the errors and typed values of a refused submission. */
  private readonly refused = new Map<string, { viewId: string; errors: Record<string, string>; previous: Record<string, string> }>();
  private noteIds = 0;
  private app: { mailroom: Mailroom; client: SandboxSlackClient } | undefined;

  private constructor(
    private readonly world: SandboxWorld,
    private readonly assets: ReadonlyMap<string, Buffer>,
  ) {}

  static async create(world: SandboxWorld): Promise<SandboxPage> {
    const assets = new Map<string, Buffer>();
    for (const name of Object.keys(ASSETS)) assets.set(name, await readFile(new URL(`./assets/${name}`, import.meta.url)));
    return new SandboxPage(world, assets);
  }

  /** The routes exist before the app (they are its routes); the app and the client that drives it arrive once it runs. */
  connect(mailroom: Mailroom, client: SandboxSlackClient): void {
    this.app = { mailroom, client };
  }

  private get running(): { mailroom: Mailroom; client: SandboxSlackClient } {
    if (!this.app) throw new Error('the sandbox is still starting');
    return this.app;
  }

  routes(): CustomRoute[] {
    const post = (path: string, work: Work): CustomRoute => ({
      path,
      method: ['POST'],
      handler: (req, res) => void this.handle(req, res, work),
    });
    return [
      { path: '/', method: ['GET'], handler: (_req, res) => redirect(res, '/sandbox') },
      { path: '/favicon.ico', method: ['GET', 'HEAD'], handler: (req, res) => this.serveAsset('favicon.svg', req, res) },
      {
        path: '/sandbox/assets/:name',
        method: ['GET', 'HEAD'],
        handler: (req, res) => this.serveAsset((req as IncomingMessage & { params?: Record<string, string> }).params?.name ?? '', req, res),
      },
      { path: '/sandbox', method: ['GET'], handler: (req, res) => void this.showPage(req, res) },
      { path: '/sandbox/state', method: ['GET'], handler: (req, res) => void this.showState(req, res) },
      { path: '/sandbox/options', method: ['GET'], handler: (req, res) => void this.showOptions(req, res) },
      post('/sandbox/command', (form, as) => this.onCommand(form, as)),
      post('/sandbox/modal', (form, as, script) => this.onModal(form, as, script)),
      post('/sandbox/action', (form, as) => this.onAction(form, as)),
      post('/sandbox/skip', (form, as) => this.onSkip(form, as)),
      post('/sandbox/account', (form, as) => this.onAccount(form, as)),
      post('/sandbox/home', (_form, as) => this.running.client.openHome(as)),
      post('/sandbox/home-action', (form, as) => this.onHomeAction(form, as)),
      post('/sandbox/dismiss', async (form, as) => this.dismiss(as, Number(form.get('note')))),
    ];
  }

  private personOf(url: URL): SandboxPerson | undefined {
    return this.world.people.find((user) => user.id === url.searchParams.get('as'));
  }

  private names = (userId: string): string => this.world.people.find((user) => user.id === userId)?.name ?? userId;

  private note(userId: string, text: string): void {
    if (!text) return;
    this.noteIds += 1;
    this.notes.set(userId, [...(this.notes.get(userId) ?? []), { id: this.noteIds, text }].slice(-8));
  }

  private dismiss(userId: string, id: number): void {
    this.notes.set(
      userId,
      (this.notes.get(userId) ?? []).filter((item) => item.id !== id),
    );
  }

  private serveAsset(name: string, req: IncomingMessage, res: ServerResponse): void {
    const body = this.assets.get(name);
    if (!body) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    res.writeHead(200, {
      'content-type': ASSETS[name] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async showPage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const me = this.personOf(urlOf(req)) ?? this.world.people[0];
    if (!me) return void res.writeHead(500).end();
    try {
      const snap = await this.snapshot(me);
      const page = renderShell(snap, renderPanels(snap));
      this.refused.delete(me.id);
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'x-frame-options': 'DENY',
          'referrer-policy': 'same-origin',
        })
        .end(page);
    } catch (error) {
      this.world.logger.error({ err: error }, 'sandbox page failed');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('The sandbox page failed; see the log.');
    }
  }

  private async showState(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const me = this.personOf(urlOf(req));
    if (!me) return json(res, 400, { error: 'Unknown sandbox person' });
    try {
      json(res, 200, { panels: renderPanels(await this.snapshot(me)) });
    } catch (error) {
      this.world.logger.error({ err: error }, 'sandbox state failed');
      json(res, 500, { error: 'The sandbox could not read its state; see the log.' });
    }
  }

  /** An external_select's options for what the person typed, asked of the app as Slack does. */
  private async showOptions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = urlOf(req);
    const me = this.personOf(url);
    const view = me ? this.world.slack.openModalOf(me.id) : undefined;
    if (!me || !view || view.id !== url.searchParams.get('view_id')) return json(res, 404, { options: [] });
    const param = (name: string) => url.searchParams.get(name) ?? '';
    try {
      json(res, 200, {
        options: await this.running.client.loadOptions(me.id, view, param('block_id'), param('action_id'), param('q').slice(0, 150)),
      });
    } catch (error) {
      this.world.logger.error({ err: error }, 'sandbox options failed');
      json(res, 200, { options: [] });
    }
  }

  /** Every form: answered with JSON (errors and fresh panels) for the page's script, or a redirect without it. */
  private async handle(req: IncomingMessage, res: ServerResponse, work: Work): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const as = form.get('as') ?? '';
    const me = this.world.people.find((user) => user.id === as);
    if (!me) return json(res, 400, { ok: false, failed: 'Unknown sandbox person' });
    const script = wantsJson(req);
    let outcome: Outcome;
    try {
      const result = await work(form, as, script);
      outcome = typeof result === 'object' && result !== null && 'errors' in result ? (result as Outcome) : undefined;
    } catch (error) {
      this.world.logger.error({ err: error }, 'sandbox action failed');
      this.note(as, `The sandbox could not do that: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!script) return redirect(res, `/sandbox?as=${encodeURIComponent(as)}`);
    try {
      json(res, 200, {
        ok: !outcome?.errors,
        ...(outcome?.errors ? { errors: outcome.errors } : {}),
        panels: renderPanels(await this.snapshot(me)),
      });
    } catch (error) {
      this.world.logger.error({ err: error }, 'sandbox state failed');
      json(res, 500, { ok: false, failed: 'The sandbox could not read its state; see the log.' });
    }
  }

  private async onCommand(form: URLSearchParams, as: string): Promise<void> {
    const typed = (form.get('text') ?? '').trim();
    const [command = '', ...rest] = typed.split(/\s+/);
    if (!command.startsWith('/')) return this.note(as, 'Type a slash command, e.g. `/request-email jane.doe`.');
    const outcome = await this.running.client.slashCommand(as, command, rest.join(' '));
    for (const text of outcome.notes) this.note(as, text);
  }

  private async onModal(form: URLSearchParams, as: string, script: boolean): Promise<Outcome> {
    const { slack } = this.world;
    const view = slack.openModalOf(as);
    if (!view || view.id !== form.get('view_id')) {
      this.note(as, 'That form is no longer open.');
      return undefined;
    }
    if (form.get('cancel') === '1') {
      slack.closeView(view.id);
      return undefined;
    }
    const answer = await this.running.client.submitView(as, view, stateValuesFromForm(view as unknown as Record<string, any>, form));
    if (answer.errors) {
      const previous = Object.fromEntries([...form.keys()].map((key) => [key, form.getAll(key).join(',')]));
      if (!script) this.refused.set(as, { viewId: view.id, errors: answer.errors, previous });
      return { errors: answer.errors };
    }
    this.refused.delete(as);
    if (answer.responseAction) {
      const applied = slack.applyResponseAction(view.id, answer.responseAction);
      return applied.ok ? undefined : { errors: { _: `Slack would refuse the app's answer: ${applied.error}` } };
    }
    slack.closeView(view.id);
    return undefined;
  }

  private async onAction(form: URLSearchParams, as: string): Promise<void> {
    const field = (name: string) => form.get(name) ?? '';
    const outcome = await this.running.client.clickButton(as, {
      actionId: field('action_id'),
      blockId: field('block_id'),
      value: field('value'),
      channelId: field('channel'),
      messageTs: field('ts'),
    });
    for (const text of outcome.notes) this.note(as, text);
  }

  private async onHomeAction(form: URLSearchParams, as: string): Promise<void> {
    const field = (name: string) => form.get(name) ?? '';
    const outcome = await this.running.client.clickHomeButton(as, {
      actionId: field('action_id'),
      blockId: field('block_id'),
      value: field('value'),
    });
    for (const text of outcome.notes) this.note(as, text);
  }

  /** Moves the one clock every part of the app reads, then runs what became due as the runner and the sweep would. */
  private async onSkip(form: URLSearchParams, as: string): Promise<void> {
    const days = Number(form.get('days') ?? '1');
    if (!Number.isInteger(days) || days <= 0 || days > 3650) return this.note(as, 'Skip a whole number of days between 1 and 3650.');
    const { clock } = this.world;
    const { mailroom } = this.running;
    clock.advance(days * 86_400_000);
    await mailroom.runner.runDue();
    await mailroom.sweep.runOnce();
    // A skipped day passes LEAVER_CHECK_CRON's daily time too.
    await mailroom.leaverCheck.runOnce();
    await mailroom.runner.runDue();
    this.note(
      as,
      `Skipped ahead ${days} day${days === 1 ? '' : 's'}: the sandbox clock now reads ${clock.now().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    );
  }

  /** A workspace admin (de)activates a person's Slack account: the fake Slack sends the app user_change. */
  private async onAccount(form: URLSearchParams, as: string): Promise<void> {
    const who = this.world.people.find((person) => person.id === form.get('who'));
    if (!who) return this.note(as, 'Pick a sandbox person.');
    const deleted = form.get('deleted') === '1';
    await this.world.slack.setUserDeleted(who.id, deleted);
    this.note(as, `${who.name}’s Slack account is ${deleted ? 'deactivated' : 'active again'}; Slack sent Mailroom a user_change event.`);
  }

  private async snapshot(me: SandboxPerson): Promise<PageSnapshot> {
    const { slack, cpanel, twilio, smtp, clock, people } = this.world;
    const view = slack.openModalOf(me.id);
    const refused = view ? this.refused.get(me.id) : undefined;
    const home = slack.homeViewOf(me.id);
    const audit = await this.running.mailroom.prisma.auditEvent.findMany({ orderBy: { id: 'desc' }, take: 15 });
    return {
      me,
      people,
      names: this.names,
      notes: this.notes.get(me.id) ?? [],
      ...(view ? { modal: { view, ...(refused?.viewId === view.id ? { errors: refused.errors, previous: refused.previous } : {}) } } : {}),
      ...(home ? { home: home as FakeView } : {}),
      messages: [...slack.messagesIn(me.id)].reverse().map((message) => ({
        channel: message.channel,
        ts: message.ts,
        text: message.text,
        blocks: message.blocks as Array<Record<string, any>>,
      })),
      mailboxes: [...cpanel.mailboxes.entries()].map(([address, mailbox]) => ({
        address,
        quotaMb: mailbox.quotaMb,
        state: mailbox.suspendedLogin ? 'login suspended' : 'active',
        forwardsTo: cpanel.forwarders.get(address) ?? [],
        autoReply: cpanel.autoResponders.get(address)?.subject ?? '',
      })),
      sms: twilio.messages
        .slice(-8)
        .reverse()
        .map((message) => ({ to: message.to, body: message.body })),
      mail: smtp.messages
        .slice(-6)
        .reverse()
        .map((message) => ({ to: message.to, subject: message.subject, text: message.text })),
      clock: clock.now(),
      accounts: people.map((person) => ({
        id: person.id,
        name: person.name,
        deleted: slack.userOf(person.id)?.deleted ?? false,
        mailbox: cpanel.mailboxes.has(person.email) ? person.email : undefined,
      })),
      audit,
    };
  }
}
