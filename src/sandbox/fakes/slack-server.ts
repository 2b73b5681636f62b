/**
 * A fake Slack Web API: a real HTTP server on 127.0.0.1 that the real `@slack/web-api` WebClient talks to
 * (`new WebClient(token, { slackApiUrl: fake.apiUrl })`). It keeps the state Slack would keep (messages per
 * channel, views, trigger ids, response URLs), answers with Slack's error codes, and enforces the Block Kit
 * limits that bite in practice, so tests can assert on what really reached "Slack".
 *
 * Errors are HTTP 200 with `{ ok: false, error }`, as Slack does; the WebClient turns them into
 * `WebAPIPlatformError` (`error.data.error`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../lib/http.ts';

export interface FakeSlackUser {
  id: string;
  name?: string;
  realName?: string;
  email?: string;
  phone?: string;
  isBot?: boolean;
  deleted?: boolean;
  tz?: string;
}

export interface FakeSlackOptions {
  botToken: string;
  botUserId?: string;
  /** The bot's B… id reported by auth.test (default `B0FAKEBOT`). */
  botId?: string;
  teamId?: string;
  users: FakeSlackUser[];
  /** How long a trigger_id stays usable (Slack: 3 s). */
  triggerTtlMs?: number;
  /** User groups (S… id → member user ids) for usergroups.users.list. */
  usergroups?: Record<string, string[]>;
}

export type SlackArgs = Record<string, unknown>;
export type SlackApiResponse = Record<string, unknown>;

export interface FakeSlackCall {
  method: string;
  /** Arguments as sent, with `blocks`/`view`/`attachments`/`metadata` parsed back to objects; `token` removed. */
  args: SlackArgs;
  response: SlackApiResponse;
  at: number;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  /** '' when the message was posted with blocks only. */
  text: string;
  /** [] when the message has no blocks. */
  blocks: unknown[];
  thread_ts?: string;
  /** The bot user that posted it. */
  user: string;
  bot_id: string;
  edited?: { user: string; ts: string };
}

export interface FakeEphemeralMessage {
  channel: string;
  user: string;
  message_ts: string;
  text?: string;
  blocks?: unknown[];
}

export interface FakeResponseUrlPost {
  /** The id in `/response/<id>`. */
  id: string;
  label?: string;
  body: unknown;
  /** 1-based use number of that URL. */
  use: number;
  at: number;
}

export interface FakeRejectedResponseUrlPost {
  id: string;
  label?: string;
  body: unknown;
  status: number;
  error: string;
  at: number;
}

export interface FakeView {
  id: string;
  team_id: string;
  type: string;
  title: unknown;
  submit: unknown;
  close: unknown;
  blocks: unknown[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: Record<string, unknown> };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  root_view_id: string | null;
  previous_view_id: string | null;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
  /** Not in Slack's payload: the user the view is shown to, when known (home tab; triggers issued with a userId). */
  user_id?: string;
}

export interface IssueTriggerOptions {
  /** The user whose interaction produced the trigger (recorded on views opened with it). */
  userId?: string;
  /** For views.push: the modal the interaction happened in. Default: the most recently opened stack. */
  viewId?: string;
  /** Pretend the trigger was issued this long ago (test expiry without sleeping). */
  ageMs?: number;
}

export interface ResponseUrlOptions {
  /** Bind the URL to a posted message so `replace_original` / `delete_original` change `messagesIn()`. */
  channel?: string;
  messageTs?: string;
}

interface TriggerState {
  issuedAt: number;
  used: boolean;
  userId?: string;
  viewId?: string;
}

interface ResponseUrlState {
  id: string;
  label?: string;
  uses: number;
  channel?: string;
  messageTs?: string;
}

interface Rejection {
  error: string;
  messages?: string[];
}

const JSON_ARGS = ['blocks', 'view', 'attachments', 'metadata'] as const;
const RESPONSE_URL_MAX_USES = 5;
const TS_BASE_SECONDS = 1_732_280_000;

const MODAL_TEXT_MAX = 24;
const MODAL_BLOCKS_MAX = 100;
const MESSAGE_BLOCKS_MAX = 50;
const PRIVATE_METADATA_MAX = 3000;
const ID_MAX = 255;
const BUTTON_VALUE_MAX = 2000;
const BUTTON_TEXT_MAX = 75;
const BUTTON_URL_MAX = 3000;
const SECTION_TEXT_MAX = 3000;
const SECTION_FIELDS_MAX = 10;
const SECTION_FIELD_TEXT_MAX = 2000;
const HEADER_TEXT_MAX = 150;
const ACTIONS_ELEMENTS_MAX = 25;
const CONTEXT_ELEMENTS_MAX = 10;
const OPTIONS_MAX = 100;
const OPTION_TEXT_MAX = 75;
const OPTION_VALUE_MAX = 150;
const INPUT_LABEL_MAX = 2000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asString = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
};

const isTruthyArg = (value: unknown): boolean => value === true || value === 'true' || value === '1' || value === 1;

const fail = (error: string, messages?: string[]): SlackApiResponse =>
  messages && messages.length > 0 ? { ok: false, error, response_metadata: { messages } } : { ok: false, error };

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

// ---------------------------------------------------------------------------------------------------------------
// Block Kit validation: returns Slack-style "[ERROR] … [json-pointer:…]" lines.
// ---------------------------------------------------------------------------------------------------------------

type Surface = 'message' | 'modal' | 'home';

const tooLong = (max: number, pointer: string): string =>
  `[ERROR] must be less than ${max + 1} characters [json-pointer:${pointer}]`;

function checkMaxLength(problems: string[], value: unknown, max: number, pointer: string): void {
  if (typeof value === 'string' && value.length > max) problems.push(tooLong(max, pointer));
}

/** A text object `{ type, text }`: required text, 1..max characters. */
function checkTextObject(problems: string[], value: unknown, max: number, pointer: string): void {
  if (!isRecord(value)) {
    problems.push(`[ERROR] must provide an object [json-pointer:${pointer}]`);
    return;
  }
  const text = value.text;
  if (typeof text !== 'string') {
    problems.push(`[ERROR] must provide a string [json-pointer:${pointer}/text]`);
    return;
  }
  if (text.length === 0) problems.push(`[ERROR] must be more than 0 characters [json-pointer:${pointer}/text]`);
  checkMaxLength(problems, text, max, `${pointer}/text`);
}

function checkOptions(problems: string[], options: unknown, pointer: string): void {
  if (!Array.isArray(options)) return;
  if (options.length > OPTIONS_MAX) problems.push(`[ERROR] no more than ${OPTIONS_MAX} items allowed [json-pointer:${pointer}]`);
  options.forEach((option, j) => {
    if (!isRecord(option)) return;
    if (isRecord(option.text)) checkMaxLength(problems, option.text.text, OPTION_TEXT_MAX, `${pointer}/${j}/text/text`);
    checkMaxLength(problems, option.value, OPTION_VALUE_MAX, `${pointer}/${j}/value`);
  });
}

function checkElement(problems: string[], element: unknown, pointer: string): void {
  if (!isRecord(element)) {
    problems.push(`[ERROR] must provide an object [json-pointer:${pointer}]`);
    return;
  }
  checkMaxLength(problems, element.action_id, ID_MAX, `${pointer}/action_id`);
  if (element.type === 'button') {
    checkTextObject(problems, element.text, BUTTON_TEXT_MAX, `${pointer}/text`);
    checkMaxLength(problems, element.value, BUTTON_VALUE_MAX, `${pointer}/value`);
    checkMaxLength(problems, element.url, BUTTON_URL_MAX, `${pointer}/url`);
  }
  checkOptions(problems, element.options, `${pointer}/options`);
  if (Array.isArray(element.option_groups)) {
    element.option_groups.forEach((group, g) => {
      if (isRecord(group)) checkOptions(problems, group.options, `${pointer}/option_groups/${g}/options`);
    });
  }
}

function checkBlocks(problems: string[], blocks: unknown, base: string, surface: Surface): void {
  if (!Array.isArray(blocks)) {
    problems.push(`[ERROR] must provide an array [json-pointer:${base}]`);
    return;
  }
  const max = surface === 'message' ? MESSAGE_BLOCKS_MAX : MODAL_BLOCKS_MAX;
  if (blocks.length > max) problems.push(`[ERROR] no more than ${max} items allowed [json-pointer:${base}]`);
  const seenBlockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const p = `${base}/${i}`;
    if (!isRecord(block)) {
      problems.push(`[ERROR] must provide an object [json-pointer:${p}]`);
      return;
    }
    if (typeof block.type !== 'string') {
      problems.push(`[ERROR] missing required field: type [json-pointer:${p}]`);
      return;
    }
    const blockId = asString(block.block_id);
    if (blockId !== undefined) {
      checkMaxLength(problems, blockId, ID_MAX, `${p}/block_id`);
      if (seenBlockIds.has(blockId)) {
        problems.push(`[ERROR] duplicate block_id "${blockId}": block_id must be unique [json-pointer:${p}/block_id]`);
      }
      seenBlockIds.add(blockId);
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          problems.push(`[ERROR] must provide either text or fields [json-pointer:${p}]`);
        }
        if (block.text !== undefined) checkTextObject(problems, block.text, SECTION_TEXT_MAX, `${p}/text`);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) {
            problems.push(`[ERROR] must provide an array [json-pointer:${p}/fields]`);
          } else {
            if (block.fields.length > SECTION_FIELDS_MAX) {
              problems.push(`[ERROR] no more than ${SECTION_FIELDS_MAX} items allowed [json-pointer:${p}/fields]`);
            }
            block.fields.forEach((field, j) => {
              checkTextObject(problems, field, SECTION_FIELD_TEXT_MAX, `${p}/fields/${j}`);
            });
          }
        }
        if (block.accessory !== undefined) checkElement(problems, block.accessory, `${p}/accessory`);
        break;
      }
      case 'header':
        checkTextObject(problems, block.text, HEADER_TEXT_MAX, `${p}/text`);
        break;
      case 'actions': {
        if (!Array.isArray(block.elements) || block.elements.length === 0) {
          problems.push(`[ERROR] must provide at least 1 items [json-pointer:${p}/elements]`);
          break;
        }
        if (block.elements.length > ACTIONS_ELEMENTS_MAX) {
          problems.push(`[ERROR] no more than ${ACTIONS_ELEMENTS_MAX} items allowed [json-pointer:${p}/elements]`);
        }
        const seenActionIds = new Set<string>();
        block.elements.forEach((element, j) => {
          checkElement(problems, element, `${p}/elements/${j}`);
          const actionId = isRecord(element) ? asString(element.action_id) : undefined;
          if (actionId !== undefined) {
            if (seenActionIds.has(actionId)) {
              problems.push(`[ERROR] duplicate action_id "${actionId}" in one block [json-pointer:${p}/elements/${j}/action_id]`);
            }
            seenActionIds.add(actionId);
          }
        });
        break;
      }
      case 'context':
        if (Array.isArray(block.elements) && block.elements.length > CONTEXT_ELEMENTS_MAX) {
          problems.push(`[ERROR] no more than ${CONTEXT_ELEMENTS_MAX} items allowed [json-pointer:${p}/elements]`);
        }
        break;
      case 'input':
        if (surface === 'message') {
          problems.push(`[ERROR] unsupported type: input blocks are only allowed in views [json-pointer:${p}/type]`);
          break;
        }
        checkTextObject(problems, block.label, INPUT_LABEL_MAX, `${p}/label`);
        checkElement(problems, block.element, `${p}/element`);
        break;
      default:
        // divider, image, rich_text, markdown, file, video, …: nothing this fake checks.
        break;
    }
  });
}

function validateMessageBlocks(blocks: unknown): string[] {
  const problems: string[] = [];
  checkBlocks(problems, blocks, '/blocks', 'message');
  return problems;
}

function validateView(view: unknown, expectedTypes: readonly string[]): string[] {
  const problems: string[] = [];
  if (!isRecord(view)) {
    problems.push('[ERROR] must provide an object [json-pointer:/view]');
    return problems;
  }
  const type = asString(view.type);
  if (type === undefined || !expectedTypes.includes(type)) {
    problems.push(`[ERROR] must be one of ${expectedTypes.join(', ')} [json-pointer:/view/type]`);
    return problems;
  }
  const surface: Surface = type === 'home' ? 'home' : 'modal';
  if (surface === 'modal') {
    if (view.title === undefined) problems.push('[ERROR] missing required field: title [json-pointer:/view]');
    else checkTextObject(problems, view.title, MODAL_TEXT_MAX, '/view/title');
    if (view.submit !== undefined && view.submit !== null) {
      checkTextObject(problems, view.submit, MODAL_TEXT_MAX, '/view/submit');
    }
    if (view.close !== undefined && view.close !== null) checkTextObject(problems, view.close, MODAL_TEXT_MAX, '/view/close');
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === 'input');
    if (hasInput && (view.submit === undefined || view.submit === null)) {
      problems.push('[ERROR] must provide submit when the view has input blocks [json-pointer:/view/submit]');
    }
  }
  if (view.private_metadata !== undefined && typeof view.private_metadata !== 'string') {
    problems.push('[ERROR] must provide a string [json-pointer:/view/private_metadata]');
  }
  checkMaxLength(problems, view.private_metadata, PRIVATE_METADATA_MAX, '/view/private_metadata');
  checkMaxLength(problems, view.callback_id, ID_MAX, '/view/callback_id');
  checkMaxLength(problems, view.external_id, ID_MAX, '/view/external_id');
  if (view.blocks === undefined) problems.push('[ERROR] missing required field: blocks [json-pointer:/view]');
  else checkBlocks(problems, view.blocks, '/view/blocks', surface);
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------------

type Handler = (args: SlackArgs) => SlackApiResponse;

export class FakeSlack {
  /** Base URL for `slackApiUrl`; ends in `/api/`. Set once listening. */
  apiUrl = '';
  /** Every Web API call, in order, failures included. */
  readonly calls: FakeSlackCall[] = [];
  /** Accepted POSTs to response URLs, in order. */
  readonly responses: FakeResponseUrlPost[] = [];
  /** POSTs to response URLs that were refused (unknown URL, used more than 5 times, invalid blocks). */
  readonly rejectedResponses: FakeRejectedResponseUrlPost[] = [];
  /** Ephemeral messages (chat.postEphemeral), in order. */
  readonly ephemerals: FakeEphemeralMessage[] = [];
  /** Current views by id (modals and home tabs). */
  readonly views = new Map<string, FakeView>();

  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;

  private baseUrl = '';
  private readonly server: Server;
  private readonly triggerTtlMs: number;
  private readonly users = new Map<string, FakeSlackUser>();
  private readonly dmByUser = new Map<string, string>();
  private readonly userByDm = new Map<string, string>();
  private readonly channels = new Map<string, FakeSlackMessage[]>();
  private readonly triggers = new Map<string, TriggerState>();
  private readonly stacks: string[][] = [];
  private readonly homeViewByUser = new Map<string, string>();
  private readonly responseUrls = new Map<string, ResponseUrlState>();
  private readonly injected = new Map<string, string[]>();
  private readonly usergroups = new Map<string, string[]>();
  private readonly handlers: Record<string, Handler>;
  private tsCounter = 0;
  private idCounter = 0;

  constructor(options: FakeSlackOptions) {
    this.botToken = options.botToken;
    this.botUserId = options.botUserId ?? 'U0FAKEBOT';
    this.botId = options.botId ?? 'B0FAKEBOT';
    this.teamId = options.teamId ?? 'T0FAKETEAM';
    this.triggerTtlMs = options.triggerTtlMs ?? 3000;
    for (const user of options.users) this.addUser(user);
    for (const [id, members] of Object.entries(options.usergroups ?? {})) this.setUsergroup(id, members);
    if (!this.users.has(this.botUserId)) this.addUser({ id: this.botUserId, name: 'mailroom', realName: 'Mailroom', isBot: true });
    this.handlers = {
      'auth.test': () => this.authTest(),
      'users.info': (a) => this.usersInfo(a),
      'conversations.open': (a) => this.conversationsOpen(a),
      'chat.postMessage': (a) => this.chatPostMessage(a),
      'chat.update': (a) => this.chatUpdate(a),
      'chat.delete': (a) => this.chatDelete(a),
      'chat.postEphemeral': (a) => this.chatPostEphemeral(a),
      'chat.getPermalink': (a) => this.chatGetPermalink(a),
      'views.open': (a) => this.viewsOpen(a),
      'views.update': (a) => this.viewsUpdate(a),
      'views.push': (a) => this.viewsPush(a),
      'views.publish': (a) => this.viewsPublish(a),
      'usergroups.users.list': (a) => this.usergroupsUsersList(a),
      'users.lookupByEmail': (a) => this.usersLookupByEmail(a),
    };
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
    this.users.set(user.id, { ...user });
  }

  /** Creates or replaces a user group's member list. */
  setUsergroup(id: string, members: string[]): void {
    this.usergroups.set(id, [...members]);
  }

  callsTo(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  okCallsTo(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method && c.response.ok === true);
  }

  /** Makes the next call to `method` (after the auth check) fail with `{ ok: false, error }`. Stackable. */
  failNext(method: string, error: string): void {
    const queue = this.injected.get(method) ?? [];
    queue.push(error);
    this.injected.set(method, queue);
  }

  /** A fresh trigger_id, valid for one views.open/views.push within 3 s. */
  issueTriggerId(options: IssueTriggerOptions = {}): string {
    this.idCounter += 1;
    const id = `${TS_BASE_SECONDS + this.idCounter}.${this.teamId.replace(/\D/g, '') || '98765'}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, {
      issuedAt: Date.now() - (options.ageMs ?? 0),
      used: false,
      ...(options.userId !== undefined ? { userId: options.userId } : {}),
      ...(options.viewId !== undefined ? { viewId: options.viewId } : {}),
    });
    return id;
  }

  /** The D… channel of the bot's DM with this user (stable for the life of the fake). */
  dmChannelFor(userId: string): string {
    const existing = this.dmByUser.get(userId);
    if (existing !== undefined) return existing;
    let id = `D${userId.replace(/^[UW]/, '')}`;
    while (this.userByDm.has(id)) id = `${id}X`;
    this.dmByUser.set(userId, id);
    this.userByDm.set(id, userId);
    return id;
  }

  /** Current state of a channel's messages (after updates/deletes). Accepts a D/C id or a user id (their DM). */
  messagesIn(channel: string): FakeSlackMessage[] {
    const id = /^[UW]/.test(channel) ? this.dmChannelFor(channel) : channel;
    return (this.channels.get(id) ?? []).map((m) => clone(m));
  }

  lastMessageIn(channel: string): FakeSlackMessage | undefined {
    return this.messagesIn(channel).at(-1);
  }

  /** A response_url as Slack puts in command/action payloads; POSTs to it land in `responses`. */
  responseUrl(label?: string, options: ResponseUrlOptions = {}): string {
    this.idCounter += 1;
    const id = `R${String(this.idCounter).padStart(6, '0')}${randomBytes(3).toString('hex')}`;
    const channel = options.channel !== undefined && /^[UW]/.test(options.channel) ? this.dmChannelFor(options.channel) : options.channel;
    this.responseUrls.set(id, {
      id,
      uses: 0,
      ...(label !== undefined ? { label } : {}),
      ...(channel !== undefined ? { channel } : {}),
      ...(options.messageTs !== undefined ? { messageTs: options.messageTs } : {}),
    });
    return `${this.baseUrl}/response/${id}`;
  }

  /** Accepted POSTs to one response URL (by full URL, id or label). */
  responsesTo(urlOrIdOrLabel: string): FakeResponseUrlPost[] {
    const id = urlOrIdOrLabel.split('/').at(-1) ?? urlOrIdOrLabel;
    return this.responses.filter((r) => r.id === id || r.label === urlOrIdOrLabel);
  }

  /** The user's Home tab as last published (views.publish), if any. */
  homeViewOf(userId: string): FakeView | undefined {
    const id = this.homeViewByUser.get(userId);
    const view = id === undefined ? undefined : this.views.get(id);
    return view === undefined ? undefined : clone(view);
  }

  /** The modal on top of the user's most recent open stack, as the Slack client shows it. */
  openModalOf(userId: string): FakeView | undefined {
    const mine = this.stacks.filter((stack) => stack.length > 0 && this.views.get(stack[0] ?? '')?.user_id === userId);
    const top = mine.at(-1)?.at(-1);
    const view = top === undefined ? undefined : this.views.get(top);
    return view === undefined ? undefined : clone(view);
  }

  /**
   * What Slack does with a view_submission's `response_action`: `update` replaces the submitted
   * view (new hash), `push` puts a new view above it, `clear` closes the whole stack. Returns the
   * view now on top, or an error Slack would show in the modal.
   */
  applyResponseAction(viewId: string, action: { response_action: string; view?: unknown }): { ok: true } | { ok: false; error: string } {
    const current = this.views.get(viewId);
    const stack = this.stacks.find((s) => s.includes(viewId));
    if (current === undefined || stack === undefined) return { ok: false, error: 'not_found' };
    if (action.response_action === 'clear') {
      this.closeView(stack[0] ?? viewId);
      return { ok: true };
    }
    const input = action.view;
    const problems = validateView(input, ['modal']);
    if (problems.length > 0 || !isRecord(input)) return { ok: false, error: `invalid view: ${problems.join('; ')}` };
    if (action.response_action === 'update') {
      this.views.set(viewId, this.buildView(input, viewId, { root_view_id: current.root_view_id, previous_view_id: current.previous_view_id, ...(current.user_id !== undefined ? { user_id: current.user_id } : {}) }));
      return { ok: true };
    }
    if (action.response_action === 'push') {
      if (stack.length >= 3) return { ok: false, error: 'push_limit_reached' };
      const id = this.nextId('V');
      this.views.set(id, this.buildView(input, id, { root_view_id: stack[0] ?? viewId, previous_view_id: viewId, ...(current.user_id !== undefined ? { user_id: current.user_id } : {}) }));
      stack.push(id);
      return { ok: true };
    }
    return { ok: false, error: `unknown response_action ${action.response_action}` };
  }

  /** The user closed (or submitted and Slack closed) a modal: drop it and anything pushed above it. */
  closeView(viewId: string): void {
    for (const stack of this.stacks) {
      const at = stack.indexOf(viewId);
      if (at === -1) continue;
      for (const id of stack.splice(at)) this.views.delete(id);
    }
    this.views.delete(viewId);
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
    const recent = this.calls
      .slice(-15)
      .map((c) => `  ${c.method} → ${c.response.ok === true ? 'ok' : `error ${String(c.response.error)}`}`)
      .join('\n');
    const probeText = probe.toString().replace(/\s+/g, ' ').slice(0, 200);
    throw new Error(
      `FakeSlack.waitFor timed out after ${timeoutMs} ms waiting for: ${probeText}\n` +
        (lastError !== undefined ? `Last probe error: ${lastError instanceof Error ? lastError.message : String(lastError)}\n` : '') +
        `Web API calls so far (${this.calls.length}, last 15):\n${recent || '  (none)'}\n` +
        `response_url posts: ${this.responses.length} accepted, ${this.rejectedResponses.length} refused`,
    );
  }

  // ------------------------------------------------------------------ HTTP plumbing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const response = this.apiCall(method, req, raw, url.searchParams);
      sendJson(res, 200, response);
      return;
    }
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      const { status, body } = this.responseUrlPost(url.pathname.slice('/response/'.length), raw);
      sendJson(res, status, body);
      return;
    }
    sendJson(res, 404, { ok: false, error: 'not_found', path: url.pathname });
  }

  private apiCall(method: string, req: IncomingMessage, raw: string, query: URLSearchParams): SlackApiResponse {
    const args: SlackArgs = {};
    for (const [key, value] of query) args[key] = value;
    const contentType = String(req.headers['content-type'] ?? '');
    let response: SlackApiResponse | undefined;
    if (contentType.includes('application/json')) {
      try {
        const parsed: unknown = raw.length > 0 ? JSON.parse(raw) : {};
        if (isRecord(parsed)) Object.assign(args, parsed);
        else response = fail('invalid_json');
      } catch {
        response = fail('invalid_json');
      }
    } else {
      for (const [key, value] of new URLSearchParams(raw)) args[key] = value;
    }
    const badJson: string[] = [];
    for (const key of JSON_ARGS) {
      const value = args[key];
      if (typeof value !== 'string') continue;
      try {
        args[key] = JSON.parse(value);
      } catch {
        badJson.push(key);
      }
    }
    const authHeader = String(req.headers.authorization ?? '');
    const token = authHeader.startsWith('Bearer ') ? authHeader.slice('Bearer '.length) : asString(args.token);
    delete args.token;

    if (response === undefined) {
      const handler = this.handlers[method];
      if (handler === undefined) response = { ...fail('unknown_method'), req_method: method };
      else if (token !== this.botToken) response = fail('invalid_auth');
      else {
        const injected = this.injected.get(method)?.shift();
        if (injected !== undefined) response = fail(injected);
        else if (badJson.includes('blocks')) response = fail('invalid_blocks_format');
        else if (badJson.includes('view')) response = fail('invalid_arguments', ['[ERROR] failed to parse JSON [json-pointer:/view]']);
        else response = handler(args);
      }
    }
    this.calls.push({ method, args, response, at: Date.now() });
    return response;
  }

  private responseUrlPost(id: string, raw: string): { status: number; body: SlackApiResponse } {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      const payload = new URLSearchParams(raw).get('payload');
      try {
        body = payload === null ? raw : JSON.parse(payload);
      } catch {
        body = raw;
      }
    }
    const state = this.responseUrls.get(id);
    const reject = (status: number, error: string, messages?: string[]) => {
      this.rejectedResponses.push({ id, ...(state?.label !== undefined ? { label: state.label } : {}), body, status, error, at: Date.now() });
      return { status, body: fail(error, messages) };
    };
    if (state === undefined) return reject(404, 'invalid_url');
    if (state.uses >= RESPONSE_URL_MAX_USES) return reject(404, 'used_url');
    if (!isRecord(body)) return reject(400, 'invalid_payload');
    if (body.blocks !== undefined) {
      const problems = validateMessageBlocks(body.blocks);
      if (problems.length > 0) return reject(400, 'invalid_blocks', problems);
    }
    const deleting = isTruthyArg(body.delete_original);
    if (!deleting && body.text === undefined && body.blocks === undefined) return reject(400, 'no_text');
    state.uses += 1;
    this.responses.push({ id, ...(state.label !== undefined ? { label: state.label } : {}), body, use: state.uses, at: Date.now() });
    if (state.channel !== undefined && state.messageTs !== undefined) {
      const messages = this.channels.get(state.channel) ?? [];
      const at = messages.findIndex((m) => m.ts === state.messageTs);
      if (at !== -1 && deleting) messages.splice(at, 1);
      else if (at !== -1 && isTruthyArg(body.replace_original)) {
        const message = messages[at];
        if (message !== undefined) {
          message.text = asString(body.text) ?? '';
          message.blocks = Array.isArray(body.blocks) ? clone(body.blocks) : [];
        }
      }
    }
    return { status: 200, body: { ok: true } };
  }

  // ------------------------------------------------------------------ state helpers

  private nextTs(): string {
    this.tsCounter += 1;
    const micros = this.tsCounter * 100;
    const seconds = TS_BASE_SECONDS + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${String(this.idCounter).padStart(8, '0')}`;
  }

  private newHash(): string {
    return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  /** Resolves a channel argument for posting; user ids mean "the bot's DM with that user". */
  private postableChannel(channel: string | undefined): string | Rejection {
    if (channel === undefined || channel === '') return { error: 'channel_not_found' };
    if (/^[UW]/.test(channel)) {
      if (!this.users.has(channel)) return { error: 'channel_not_found' };
      return this.dmChannelFor(channel);
    }
    return this.existingChannel(channel);
  }

  /** Resolves a channel that must be a conversation id (chat.update, chat.getPermalink, …). */
  private existingChannel(channel: string | undefined): string | Rejection {
    if (channel === undefined || channel === '') return { error: 'channel_not_found' };
    if (channel.startsWith('D')) return this.userByDm.has(channel) ? channel : { error: 'channel_not_found' };
    if (/^[CG]/.test(channel)) return channel;
    return { error: 'channel_not_found' };
  }

  private messagesOf(channel: string): FakeSlackMessage[] {
    let list = this.channels.get(channel);
    if (list === undefined) {
      list = [];
      this.channels.set(channel, list);
    }
    return list;
  }

  private checkTrigger(triggerId: string | undefined): TriggerState | Rejection {
    if (triggerId === undefined || triggerId === '') return { error: 'invalid_trigger_id' };
    const trigger = this.triggers.get(triggerId);
    if (trigger === undefined) return { error: 'invalid_trigger_id' };
    if (trigger.used) return { error: 'exchanged_trigger_id' };
    if (Date.now() - trigger.issuedAt > this.triggerTtlMs) return { error: 'expired_trigger_id' };
    return trigger;
  }

  private buildView(input: Record<string, unknown>, id: string, extra: Partial<FakeView>): FakeView {
    return {
      id,
      team_id: this.teamId,
      type: asString(input.type) ?? 'modal',
      title: clone(input.title) ?? null,
      submit: clone(input.submit) ?? null,
      close: clone(input.close) ?? null,
      blocks: Array.isArray(input.blocks) ? clone(input.blocks) : [],
      private_metadata: asString(input.private_metadata) ?? '',
      callback_id: asString(input.callback_id) ?? '',
      external_id: asString(input.external_id) ?? '',
      state: { values: {} },
      hash: this.newHash(),
      clear_on_close: isTruthyArg(input.clear_on_close),
      notify_on_close: isTruthyArg(input.notify_on_close),
      root_view_id: null,
      previous_view_id: null,
      app_id: 'A0FAKEAPP',
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
      ...extra,
    };
  }

  private externalIdTaken(externalId: unknown, exceptViewId?: string): boolean {
    const ext = asString(externalId);
    if (ext === undefined || ext === '') return false;
    for (const view of this.views.values()) if (view.external_id === ext && view.id !== exceptViewId) return true;
    return false;
  }

  // ------------------------------------------------------------------ methods

  private authTest(): SlackApiResponse {
    return {
      ok: true,
      url: 'https://fake.slack.com/',
      team: 'Fake Team',
      user: this.users.get(this.botUserId)?.name ?? 'mailroom',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    };
  }

  private usersInfo(args: SlackArgs): SlackApiResponse {
    const id = asString(args.user);
    const user = id === undefined ? undefined : this.users.get(id);
    if (user === undefined) return fail('user_not_found');
    const name = user.name ?? user.id.toLowerCase();
    const realName = user.realName ?? name;
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: this.teamId,
        name,
        real_name: realName,
        deleted: user.deleted ?? false,
        is_bot: user.isBot ?? false,
        tz: user.tz ?? 'Europe/London',
        profile: {
          ...(user.email !== undefined ? { email: user.email } : {}),
          phone: user.phone ?? '',
          real_name: realName,
          display_name: name,
        },
      },
    };
  }

  private usergroupsUsersList(args: SlackArgs): SlackApiResponse {
    const id = asString(args.usergroup);
    if (id === undefined || id === '') return fail('invalid_arguments', ['[ERROR] missing required field: usergroup']);
    const members = this.usergroups.get(id);
    if (members === undefined) return fail('no_such_subteam');
    return { ok: true, users: [...members] };
  }

  private usersLookupByEmail(args: SlackArgs): SlackApiResponse {
    const email = asString(args.email)?.trim().toLowerCase();
    const user = email ? [...this.users.values()].find((u) => u.email?.toLowerCase() === email && !u.deleted) : undefined;
    if (user === undefined) return fail('users_not_found');
    return this.usersInfo({ user: user.id });
  }

  private conversationsOpen(args: SlackArgs): SlackApiResponse {
    const channel = asString(args.channel);
    if (channel !== undefined && channel !== '') {
      const existing = this.existingChannel(channel);
      return typeof existing === 'string' ? { ok: true, channel: { id: existing } } : fail(existing.error);
    }
    const users = (asString(args.users) ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    if (users.length === 0) return fail('users_list_not_supplied');
    for (const u of users) if (!this.users.has(u)) return fail('user_not_found');
    const [only] = users;
    if (users.length === 1 && only !== undefined) return { ok: true, channel: { id: this.dmChannelFor(only) } };
    return { ok: true, channel: { id: `G${[...users].sort().join('').replace(/[UW]/g, '')}` } };
  }

  private chatPostMessage(args: SlackArgs): SlackApiResponse {
    const channel = this.postableChannel(asString(args.channel));
    if (typeof channel !== 'string') return fail(channel.error);
    const text = asString(args.text);
    if (args.blocks !== undefined) {
      const problems = validateMessageBlocks(args.blocks);
      if (problems.length > 0) return fail('invalid_blocks', problems);
    }
    const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
    if ((text === undefined || text === '') && !hasBlocks && args.attachments === undefined) return fail('no_text');
    const threadTs = asString(args.thread_ts);
    const message: FakeSlackMessage = {
      channel,
      ts: this.nextTs(),
      text: text ?? '',
      blocks: Array.isArray(args.blocks) ? clone(args.blocks) : [],
      ...(threadTs !== undefined && threadTs !== '' ? { thread_ts: threadTs } : {}),
      user: this.botUserId,
      bot_id: this.botId,
    };
    this.messagesOf(channel).push(message);
    return { ok: true, channel, ts: message.ts, message: this.messagePayload(message) };
  }

  private messagePayload(message: FakeSlackMessage): Record<string, unknown> {
    const { channel: _channel, blocks, ...rest } = clone(message);
    return { type: 'message', team: this.teamId, ...rest, ...(blocks.length > 0 ? { blocks } : {}) };
  }

  private chatUpdate(args: SlackArgs): SlackApiResponse {
    const channel = this.existingChannel(asString(args.channel));
    if (typeof channel !== 'string') return fail(channel.error);
    const ts = asString(args.ts);
    const message = this.channels.get(channel)?.find((m) => m.ts === ts);
    if (message === undefined) return fail('message_not_found');
    if (message.user !== this.botUserId) return fail('cant_update_message');
    const text = asString(args.text);
    if (args.blocks !== undefined) {
      const problems = validateMessageBlocks(args.blocks);
      if (problems.length > 0) return fail('invalid_blocks', problems);
    }
    if (text === undefined && args.blocks === undefined && args.attachments === undefined) return fail('no_text');
    // Like Slack: what is not sent is kept (an update without blocks keeps the old blocks and their buttons).
    if (text !== undefined) message.text = text;
    if (Array.isArray(args.blocks)) message.blocks = clone(args.blocks);
    message.edited = { user: this.botUserId, ts: this.nextTs() };
    return { ok: true, channel, ts: message.ts, text: message.text, message: this.messagePayload(message) };
  }

  private chatDelete(args: SlackArgs): SlackApiResponse {
    const channel = this.existingChannel(asString(args.channel));
    if (typeof channel !== 'string') return fail(channel.error);
    const ts = asString(args.ts);
    const list = this.channels.get(channel) ?? [];
    const at = list.findIndex((m) => m.ts === ts);
    if (at === -1) return fail('message_not_found');
    list.splice(at, 1);
    return { ok: true, channel, ts };
  }

  private chatPostEphemeral(args: SlackArgs): SlackApiResponse {
    const user = asString(args.user);
    if (user === undefined || !this.users.has(user)) return fail('user_not_found');
    const channel = this.postableChannel(asString(args.channel));
    if (typeof channel !== 'string') return fail(channel.error);
    const dmOwner = this.userByDm.get(channel);
    if (dmOwner !== undefined && dmOwner !== user) return fail('user_not_in_channel');
    const text = asString(args.text);
    if (args.blocks !== undefined) {
      const problems = validateMessageBlocks(args.blocks);
      if (problems.length > 0) return fail('invalid_blocks', problems);
    }
    const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
    if ((text === undefined || text === '') && !hasBlocks && args.attachments === undefined) return fail('no_text');
    const messageTs = this.nextTs();
    this.ephemerals.push({
      channel,
      user,
      message_ts: messageTs,
      ...(text !== undefined ? { text } : {}),
      ...(Array.isArray(args.blocks) ? { blocks: clone(args.blocks) } : {}),
    });
    return { ok: true, message_ts: messageTs };
  }

  private chatGetPermalink(args: SlackArgs): SlackApiResponse {
    const channel = this.existingChannel(asString(args.channel));
    if (typeof channel !== 'string') return fail(channel.error);
    const ts = asString(args.message_ts);
    if (ts === undefined || !(this.channels.get(channel) ?? []).some((m) => m.ts === ts)) return fail('message_not_found');
    return { ok: true, channel, permalink: `https://fake.slack.com/archives/${channel}/p${ts.replace('.', '')}` };
  }

  private viewsOpen(args: SlackArgs): SlackApiResponse {
    const trigger = this.checkTrigger(asString(args.trigger_id ?? args.interactivity_pointer));
    if ('error' in trigger) return fail(trigger.error);
    const input = args.view;
    const problems = validateView(input, ['modal']);
    if (problems.length > 0 || !isRecord(input)) return fail('invalid_arguments', problems);
    if (this.externalIdTaken(input.external_id)) return fail('duplicate_external_id');
    trigger.used = true;
    const id = this.nextId('V');
    const view = this.buildView(input, id, {
      root_view_id: id,
      ...(trigger.userId !== undefined ? { user_id: trigger.userId } : {}),
    });
    this.views.set(id, view);
    this.stacks.push([id]);
    return { ok: true, view: clone(view) };
  }

  private viewsPush(args: SlackArgs): SlackApiResponse {
    const trigger = this.checkTrigger(asString(args.trigger_id ?? args.interactivity_pointer));
    if ('error' in trigger) return fail(trigger.error);
    const input = args.view;
    const problems = validateView(input, ['modal']);
    if (problems.length > 0 || !isRecord(input)) return fail('invalid_arguments', problems);
    const stack = this.findStack(trigger);
    const top = stack?.at(-1);
    if (stack === undefined || top === undefined) return fail('not_found');
    if (stack.length >= 3) return fail('push_limit_reached');
    if (this.externalIdTaken(input.external_id)) return fail('duplicate_external_id');
    trigger.used = true;
    const root = this.views.get(stack[0] ?? top);
    const id = this.nextId('V');
    const userId = trigger.userId ?? root?.user_id;
    const view = this.buildView(input, id, {
      root_view_id: stack[0] ?? top,
      previous_view_id: top,
      ...(userId !== undefined ? { user_id: userId } : {}),
    });
    this.views.set(id, view);
    stack.push(id);
    return { ok: true, view: clone(view) };
  }

  private findStack(trigger: TriggerState): string[] | undefined {
    if (trigger.viewId !== undefined) {
      const viewId = trigger.viewId;
      return this.stacks.find((s) => s.includes(viewId));
    }
    const open = this.stacks.filter((s) => s.length > 0);
    if (trigger.userId !== undefined) {
      const mine = open.filter((s) => this.views.get(s[0] ?? '')?.user_id === trigger.userId);
      if (mine.length > 0) return mine.at(-1);
    }
    return open.at(-1);
  }

  private viewsUpdate(args: SlackArgs): SlackApiResponse {
    const viewId = asString(args.view_id);
    const externalId = asString(args.external_id);
    if ((viewId === undefined || viewId === '') && (externalId === undefined || externalId === '')) {
      return fail('invalid_arguments', ['[ERROR] one of view_id or external_id is required [json-pointer:/]']);
    }
    const current =
      viewId !== undefined && viewId !== ''
        ? this.views.get(viewId)
        : [...this.views.values()].find((v) => v.external_id === externalId);
    if (current === undefined) return fail('not_found');
    const hash = asString(args.hash);
    if (hash !== undefined && hash !== '' && hash !== current.hash) return fail('hash_conflict');
    const input = args.view;
    const problems = validateView(input, [current.type]);
    if (problems.length > 0 || !isRecord(input)) return fail('invalid_arguments', problems);
    if (this.externalIdTaken(input.external_id, current.id)) return fail('duplicate_external_id');
    const view = this.buildView(input, current.id, {
      root_view_id: current.root_view_id,
      previous_view_id: current.previous_view_id,
      state: current.state,
      ...(current.user_id !== undefined ? { user_id: current.user_id } : {}),
    });
    this.views.set(current.id, view);
    return { ok: true, view: clone(view) };
  }

  private viewsPublish(args: SlackArgs): SlackApiResponse {
    const userId = asString(args.user_id);
    if (userId === undefined || !this.users.has(userId)) return fail('user_not_found');
    const input = args.view;
    const problems = validateView(input, ['home']);
    if (problems.length > 0 || !isRecord(input)) return fail('invalid_arguments', problems);
    const existingId = this.homeViewByUser.get(userId);
    const existing = existingId === undefined ? undefined : this.views.get(existingId);
    const hash = asString(args.hash);
    if (hash !== undefined && hash !== '' && existing !== undefined && hash !== existing.hash) return fail('hash_conflict');
    const id = existingId ?? this.nextId('V');
    this.homeViewByUser.set(userId, id);
    const view = this.buildView(input, id, { user_id: userId });
    this.views.set(id, view);
    return { ok: true, view: clone(view) };
  }
}


function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  const fake = new FakeSlack(options);
  await fake.listen();
  return fake;
}
