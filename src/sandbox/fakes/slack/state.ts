/**
 * What the fake Slack remembers, as Slack would: users and user groups, DM channels, messages per channel,
 * views and their stacks, trigger ids, response URLs, and every call made. The Web API methods (users.ts,
 * messages.ts, views.ts) and the response URLs (response-urls.ts) read and change it; FakeSlack exposes it.
 */
import { randomBytes } from 'node:crypto';
import type {
  FakeEphemeralMessage,
  FakeRejectedResponseUrlPost,
  FakeResponseUrlPost,
  FakeSlackCall,
  FakeSlackMessage,
  FakeSlackOptions,
  FakeSlackUser,
  FakeView,
  IssueTriggerOptions,
  Rejection,
  ResponseUrlState,
  TriggerState,
} from './types.ts';
import { asString, clone, isTruthyArg } from './util.ts';

/** Slack-looking timestamps and trigger ids start here (seconds since the epoch). */
export const TS_BASE_SECONDS = 1_732_280_000;

export class SlackState {
  readonly calls: FakeSlackCall[] = [];
  readonly responses: FakeResponseUrlPost[] = [];
  readonly rejectedResponses: FakeRejectedResponseUrlPost[] = [];
  readonly ephemerals: FakeEphemeralMessage[] = [];
  readonly views = new Map<string, FakeView>();

  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly triggerTtlMs: number;

  readonly users = new Map<string, FakeSlackUser>();
  readonly dmByUser = new Map<string, string>();
  readonly userByDm = new Map<string, string>();
  readonly channels = new Map<string, FakeSlackMessage[]>();
  readonly triggers = new Map<string, TriggerState>();
  readonly stacks: string[][] = [];
  readonly homeViewByUser = new Map<string, string>();
  readonly responseUrls = new Map<string, ResponseUrlState>();
  readonly injected = new Map<string, string[]>();
  readonly usergroups = new Map<string, string[]>();
  /** Per method: Retry-After seconds of the next calls to answer with HTTP 429. */
  readonly rateLimits = new Map<string, number[]>();
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
  }

  addUser(user: FakeSlackUser): void {
    this.users.set(user.id, { ...user });
  }

  setUsergroup(id: string, members: string[]): void {
    this.usergroups.set(id, [...members]);
  }

  /** The next number of the counter that trigger ids, response URL ids and V… ids share. */
  nextSerial(): number {
    this.idCounter += 1;
    return this.idCounter;
  }

  nextTs(): string {
    this.tsCounter += 1;
    const micros = this.tsCounter * 100;
    const seconds = TS_BASE_SECONDS + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    return `${prefix}${String(this.nextSerial()).padStart(8, '0')}`;
  }

  newHash(): string {
    return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  issueTriggerId(options: IssueTriggerOptions): string {
    const serial = this.nextSerial();
    const id = `${TS_BASE_SECONDS + serial}.${this.teamId.replace(/\D/g, '') || '98765'}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, {
      issuedAt: Date.now() - (options.ageMs ?? 0),
      used: false,
      ...(options.userId !== undefined ? { userId: options.userId } : {}),
      ...(options.viewId !== undefined ? { viewId: options.viewId } : {}),
    });
    return id;
  }

  checkTrigger(triggerId: string | undefined): TriggerState | Rejection {
    if (triggerId === undefined || triggerId === '') return { error: 'invalid_trigger_id' };
    const trigger = this.triggers.get(triggerId);
    if (trigger === undefined) return { error: 'invalid_trigger_id' };
    if (trigger.used) return { error: 'exchanged_trigger_id' };
    if (Date.now() - trigger.issuedAt > this.triggerTtlMs) return { error: 'expired_trigger_id' };
    return trigger;
  }

  // ------------------------------------------------------------------ channels and messages

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

  /** Resolves a channel argument for posting; user ids mean "the bot's DM with that user". */
  postableChannel(channel: string | undefined): string | Rejection {
    if (channel === undefined || channel === '') return { error: 'channel_not_found' };
    if (/^[UW]/.test(channel)) {
      if (!this.users.has(channel)) return { error: 'channel_not_found' };
      return this.dmChannelFor(channel);
    }
    return this.existingChannel(channel);
  }

  /** Resolves a channel that must be a conversation id (chat.update, chat.getPermalink, …). */
  existingChannel(channel: string | undefined): string | Rejection {
    if (channel === undefined || channel === '') return { error: 'channel_not_found' };
    if (channel.startsWith('D')) return this.userByDm.has(channel) ? channel : { error: 'channel_not_found' };
    if (/^[CG]/.test(channel)) return channel;
    return { error: 'channel_not_found' };
  }

  messagesOf(channel: string): FakeSlackMessage[] {
    let list = this.channels.get(channel);
    if (list === undefined) {
      list = [];
      this.channels.set(channel, list);
    }
    return list;
  }

  // ------------------------------------------------------------------ views

  buildView(input: Record<string, unknown>, id: string, extra: Partial<FakeView>): FakeView {
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

  externalIdTaken(externalId: unknown, exceptViewId?: string): boolean {
    const ext = asString(externalId);
    if (ext === undefined || ext === '') return false;
    for (const view of this.views.values()) if (view.external_id === ext && view.id !== exceptViewId) return true;
    return false;
  }
}
