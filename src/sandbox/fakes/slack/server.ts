/**
 * FakeSlack: the HTTP server on 127.0.0.1 and the handle tests hold. It routes `/api/<method>` to the Web API
 * (api.ts) and `/response/<id>` to the response URLs (response-urls.ts), and offers the helpers tests use to
 * act like Slack (trigger ids, response URLs, response actions) and to look at what reached it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../../lib/http.ts';
import { apiCall, methodHandlers } from './api.ts';
import { createResponseUrl, postToResponseUrl } from './response-urls.ts';
import { SlackState } from './state.ts';
import type {
  FakeEphemeralMessage,
  FakeRejectedResponseUrlPost,
  FakeResponseUrlPost,
  FakeSlackCall,
  FakeSlackMessage,
  FakeSlackOptions,
  FakeSlackUser,
  FakeView,
  Handler,
  IssueTriggerOptions,
  ResponseUrlOptions,
} from './types.ts';
import { userObject } from './users.ts';
import { clone, sendJson } from './util.ts';
import { applyResponseAction, closeView, homeViewOf, openModalOf } from './views.ts';

export class FakeSlack {
  /** Base URL for `slackApiUrl`; ends in `/api/`. Set once listening. */
  apiUrl = '';
  /** Every Web API call, in order, failures included. */
  readonly calls: FakeSlackCall[];
  /** Accepted POSTs to response URLs, in order. */
  readonly responses: FakeResponseUrlPost[];
  /** POSTs to response URLs that were refused (unknown URL, used more than 5 times, invalid blocks). */
  readonly rejectedResponses: FakeRejectedResponseUrlPost[];
  /** Ephemeral messages (chat.postEphemeral), in order. */
  readonly ephemerals: FakeEphemeralMessage[];
  /** Current views by id (modals and home tabs). */
  readonly views: Map<string, FakeView>;

  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly #heldAnswers: string[] = [];

  private baseUrl = '';
  private eventSink: ((event: Record<string, unknown>) => Promise<unknown>) | undefined;
  private readonly server: Server;
  private readonly state: SlackState;
  private readonly handlers: Record<string, Handler>;

  constructor(options: FakeSlackOptions) {
    this.state = new SlackState(options);
    this.calls = this.state.calls;
    this.responses = this.state.responses;
    this.rejectedResponses = this.state.rejectedResponses;
    this.ephemerals = this.state.ephemerals;
    this.views = this.state.views;
    this.botToken = this.state.botToken;
    this.botUserId = this.state.botUserId;
    this.botId = this.state.botId;
    this.teamId = this.state.teamId;
    this.handlers = methodHandlers(this.state);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake slack crashed: ${error instanceof Error ? error.stack : String(error)}`);
      });
    });
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------ test helpers

  addUser(user: FakeSlackUser): void {
    this.state.addUser(user);
  }

  /** The user as the fake holds it now (a copy), if there is one. */
  userOf(userId: string): FakeSlackUser | undefined {
    const user = this.state.users.get(userId);
    return user === undefined ? undefined : { ...user };
  }

  /**
   * Changes an existing user (made a guest, renamed, …) as an admin would in Slack: the app gets
   * `user_change` with the whole user object, as Slack sends it. Returns the event.
   */
  async updateUser(user: FakeSlackUser, options: { deliver?: boolean } = {}): Promise<Record<string, unknown>> {
    const before = this.state.users.get(user.id);
    if (before === undefined) throw new Error(`fake Slack has no user ${user.id}`);
    const updated = Math.max((before.updated ?? 0) + 1, Math.floor(Date.now() / 1000));
    this.state.addUser({ ...user, updated });
    const current = this.state.users.get(user.id) ?? before;
    const event = { type: 'user_change', user: userObject(this.state, current), cache_ts: updated, event_ts: this.state.nextTs() };
    if (options.deliver !== false) await this.eventSink?.(event);
    return event;
  }

  /** Creates or replaces a user group's member list. */
  setUsergroup(id: string, members: string[]): void {
    this.state.setUsergroup(id, members);
  }

  /** Where Events API deliveries go (the app's signed endpoint, through a SlackDriver); unset: events are dropped. */
  deliverEventsTo(sink: (event: Record<string, unknown>) => Promise<unknown>): void {
    this.eventSink = sink;
  }

  /**
   * An admin deactivates (or reactivates) the account, as in Slack's admin pages: the user's
   * `deleted` and `updated` change, and the app gets `user_change` with the whole user object, as
   * Slack sends it. Returns the event.
   */
  async setUserDeleted(userId: string, deleted: boolean, options: { deliver?: boolean } = {}): Promise<Record<string, unknown>> {
    const user = this.state.users.get(userId);
    if (user === undefined) throw new Error(`fake Slack has no user ${userId}`);
    const updated = Math.max((user.updated ?? 0) + 1, Math.floor(Date.now() / 1000));
    Object.assign(user, { deleted, updated });
    const event = { type: 'user_change', user: userObject(this.state, user), cache_ts: updated, event_ts: this.state.nextTs() };
    if (options.deliver !== false) await this.eventSink?.(event);
    return event;
  }

  /** Answers the next call to `method` with HTTP 429 and `Retry-After: seconds`, as Slack's rate limiter does. Stackable. */
  rateLimitNext(method: string, retryAfterSeconds: number): void {
    const queue = this.state.rateLimits.get(method) ?? [];
    queue.push(retryAfterSeconds);
    this.state.rateLimits.set(method, queue);
  }

  callsTo(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  okCallsTo(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method && c.response.ok === true);
  }

  /** Makes the next call to `method` (after the auth check) fail with `{ ok: false, error }`. Stackable. */
  failNext(method: string, error: string): void {
    const queue = this.state.injected.get(method) ?? [];
    queue.push(error);
    this.state.injected.set(method, queue);
  }

  /**
   * The next call to `method` takes effect but is never answered, as when the caller dies or the
   * line drops before the answer arrives (a crash test then kills the caller while it waits).
   */
  holdAnswerNext(method: string): void {
    this.#heldAnswers.push(method);
  }

  /** A fresh trigger_id, valid for one views.open/views.push within 3 s. */
  issueTriggerId(options: IssueTriggerOptions = {}): string {
    return this.state.issueTriggerId(options);
  }

  /** The D… channel of the bot's DM with this user (stable for the life of the fake). */
  dmChannelFor(userId: string): string {
    return this.state.dmChannelFor(userId);
  }

  /** Current state of a channel's messages (after updates/deletes). Accepts a D/C id or a user id (their DM). */
  messagesIn(channel: string): FakeSlackMessage[] {
    const id = /^[UW]/.test(channel) ? this.dmChannelFor(channel) : channel;
    return (this.state.channels.get(id) ?? []).map((m) => clone(m));
  }

  /** Every message in every channel, as it is now. */
  allMessages(): FakeSlackMessage[] {
    return [...this.state.channels.values()].flat().map((m) => clone(m));
  }

  lastMessageIn(channel: string): FakeSlackMessage | undefined {
    return this.messagesIn(channel).at(-1);
  }

  /** A response_url as Slack puts in command/action payloads; POSTs to it land in `responses`. */
  responseUrl(label?: string, options: ResponseUrlOptions = {}): string {
    return `${this.baseUrl}/response/${createResponseUrl(this.state, label, options)}`;
  }

  /** Accepted POSTs to one response URL (by full URL, id or label). */
  responsesTo(urlOrIdOrLabel: string): FakeResponseUrlPost[] {
    const id = urlOrIdOrLabel.split('/').at(-1) ?? urlOrIdOrLabel;
    return this.responses.filter((r) => r.id === id || r.label === urlOrIdOrLabel);
  }

  /** The user's Home tab as last published (views.publish), if any. */
  homeViewOf(userId: string): FakeView | undefined {
    return homeViewOf(this.state, userId);
  }

  /** The modal on top of the user's most recent open stack, as the Slack client shows it. */
  openModalOf(userId: string): FakeView | undefined {
    return openModalOf(this.state, userId);
  }

  /**
   * What Slack does with a view_submission's `response_action`: `update` replaces the submitted
   * view (new hash), `push` puts a new view above it, `clear` closes the whole stack. Returns the
   * view now on top, or an error Slack would show in the modal.
   */
  applyResponseAction(viewId: string, action: { response_action: string; view?: unknown }): { ok: true } | { ok: false; error: string } {
    return applyResponseAction(this.state, viewId, action);
  }

  /** The user closed (or submitted and Slack closed) a modal: drop it and anything pushed above it. */
  closeView(viewId: string): void {
    closeView(this.state, viewId);
  }

  /** Polls `probe` every 20 ms until it returns something other than undefined/null/false. */
  async waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const value = probe();
        if (value !== undefined && value !== null && value !== false) return value;
        lastError = undefined;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(this.timeoutReport(probe, timeoutMs, lastError));
  }

  private timeoutReport(probe: () => unknown, timeoutMs: number, lastError: unknown): string {
    const recent = this.calls
      .slice(-15)
      .map((c) => `  ${c.method} → ${c.response.ok === true ? 'ok' : `error ${String(c.response.error)}`}`)
      .join('\n');
    const probeText = probe.toString().replace(/\s+/g, ' ').slice(0, 200);
    return (
      `FakeSlack.waitFor timed out after ${timeoutMs} ms waiting for: ${probeText}\n` +
      (lastError !== undefined ? `Last probe error: ${lastError instanceof Error ? lastError.message : String(lastError)}\n` : '') +
      `Web API calls so far (${this.calls.length}, last 15):\n${recent || '  (none)'}\n` +
      `response_url posts: ${this.responses.length} accepted, ${this.rejectedResponses.length} refused`
    );
  }

  // ------------------------------------------------------------------ HTTP plumbing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const retryAfter = this.state.rateLimits.get(method)?.shift();
      if (retryAfter !== undefined) {
        const limited = { ok: false, error: 'ratelimited' };
        this.state.calls.push({ method, args: {}, response: limited, at: Date.now() });
        res.setHeader('retry-after', String(retryAfter));
        sendJson(res, 429, limited);
        return;
      }
      const response = apiCall(this.state, this.handlers, method, req, raw, url.searchParams);
      const held = this.#heldAnswers.indexOf(method);
      if (held !== -1) {
        this.#heldAnswers.splice(held, 1);
        return;
      }
      sendJson(res, 200, response);
      return;
    }
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      const { status, body } = postToResponseUrl(this.state, url.pathname.slice('/response/'.length), raw);
      sendJson(res, status, body);
      return;
    }
    sendJson(res, 404, { ok: false, error: 'not_found', path: url.pathname });
  }
}

export async function startFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  const fake = new FakeSlack(options);
  await fake.listen();
  return fake;
}
