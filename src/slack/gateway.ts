import type { HomeView, KnownBlock } from '@slack/types';
import { ErrorCode, type WebAPIPlatformError, type WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';

export interface SlackUser {
  id: string;
  realName: string;
  isBot: boolean;
  deleted: boolean;
  /** A multi- or single-channel guest (is_restricted / is_ultra_restricted): never a requester, superior or approver. */
  isGuest: boolean;
  email?: string;
  phone?: string;
  tz?: string;
  /** When the account last changed (users.list / user_change `updated`), e.g. its deactivation. */
  updated?: Date;
}

/** One page of users.list; `nextCursor` is absent on the last page. */
export interface SlackUserPage {
  users: SlackUser[];
  nextCursor?: string;
}

/** The fields of a Slack user object (users.info, users.list, the user_change event) Mailroom reads. */
export interface RawSlackUser {
  id?: string;
  name?: string;
  real_name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  tz?: string;
  updated?: number;
  profile?: { email?: string; phone?: string; real_name?: string };
}

/** Slack's user object as Mailroom sees it; null without an id. */
export function toSlackUser(user: RawSlackUser | undefined): SlackUser | null {
  if (!user?.id) return null;
  return {
    id: user.id,
    realName: user.real_name || user.profile?.real_name || user.name || user.id,
    // Slackbot is not flagged is_bot but cannot approve anything either.
    isBot: Boolean(user.is_bot) || user.id === 'USLACKBOT',
    deleted: Boolean(user.deleted),
    isGuest: Boolean(user.is_restricted) || Boolean(user.is_ultra_restricted),
    ...(user.profile?.email ? { email: user.profile.email } : {}),
    ...(user.profile?.phone ? { phone: user.profile.phone } : {}),
    ...(user.tz ? { tz: user.tz } : {}),
    ...(typeof user.updated === 'number' && user.updated > 0 ? { updated: new Date(user.updated * 1000) } : {}),
  };
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** The narrow slice of Slack the services need; the composition root builds it from a WebClient. */
/** The metadata event type Mailroom marks its posts with, so a retry can find its own earlier post. */
const POSTED_BY_MAILROOM = 'mailroom_post';

export interface SlackGateway {
  /** users.info, remembered for a minute (see WebApiSlackGateway); null when Slack has no such user. */
  getUser(userId: string): Promise<SlackUser | null>;
  /** Takes what Slack just said of a user (a user_change event) as the latest, instead of a remembered users.info. */
  rememberUser(user: SlackUser): void;
  /** One page of the workspace's members, deactivated ones included (users.list; users:read, users:read.email for emails). */
  listUsers(cursor: string | undefined, limit: number): Promise<SlackUserPage>;
  /** Posts into the user's DM with the bot; returns the D… channel id that chat.update needs. */
  postDirectMessage(userId: string, message: SlackMessage, options?: { key?: string }): Promise<{ channel: string; ts: string }>;
  /** The bot's own DM to `userId` posted with this `key` (as message metadata), if Slack has it: a retried post looks before posting again. */
  findPostedMessage(userId: string, key: string): Promise<{ channel: string; ts: string } | undefined>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** Slack ids of a user group's members (usergroups:read). */
  listUsergroupMembers(usergroupId: string): Promise<string[]>;
  /** The Slack user with this email (users:read.email), or null when there is none. */
  lookupUserByEmail(email: string): Promise<SlackUser | null>;
  /** An https link that opens this message in Slack (chat.getPermalink: no extra scope). */
  getPermalink(channel: string, ts: string): Promise<string>;
  /** Replaces the user's App Home tab (views.publish: no extra scope). */
  publishHome(userId: string, view: HomeView): Promise<void>;
}

const isPlatformError = (error: unknown, code: string): boolean =>
  (error as WebAPIPlatformError | undefined)?.code === ErrorCode.PlatformError && (error as WebAPIPlatformError).data?.error === code;

/** How long a users.info answer is reused: guest, bot and deactivated flags change rarely, and user_change refreshes them. */
export const USER_CACHE_MS = 60_000;

export class WebApiSlackGateway implements SlackGateway {
  /**
   * users.info answers by user id. Every submission and click checks its people (guest? bot?
   * deactivated?); without this, each costs one to three Slack round trips before the ack, and
   * users.info is rate limited (Tier 4). Concurrent lookups of one user share one call (fetch).
   */
  private readonly users: LRUCache<string, { user: SlackUser | null }>;

  constructor(
    private readonly client: WebClient,
    options: { userCacheMs?: number } = {},
  ) {
    this.users = new LRUCache({
      max: 10_000,
      ttl: Math.max(1, options.userCacheMs ?? USER_CACHE_MS),
      fetchMethod: async (userId) => ({ user: await this.fetchUser(userId) }),
    });
  }

  async getUser(userId: string): Promise<SlackUser | null> {
    const entry = await this.users.fetch(userId);
    return entry?.user ?? null;
  }

  rememberUser(user: SlackUser): void {
    this.users.set(user.id, { user });
  }

  private async fetchUser(userId: string): Promise<SlackUser | null> {
    try {
      const { user } = await this.client.users.info({ user: userId });
      return toSlackUser(user as RawSlackUser | undefined);
    } catch (error) {
      if (isPlatformError(error, 'user_not_found')) return null;
      throw error;
    }
  }

  async listUsers(cursor: string | undefined, limit: number): Promise<SlackUserPage> {
    const page = await this.client.users.list({ limit, ...(cursor ? { cursor } : {}) });
    const users = (page.members ?? []).map((member) => toSlackUser(member as RawSlackUser)).filter((u): u is SlackUser => u !== null);
    const next = page.response_metadata?.next_cursor;
    return { users, ...(next ? { nextCursor: next } : {}) };
  }

  async postDirectMessage(userId: string, message: SlackMessage, options: { key?: string } = {}): Promise<{ channel: string; ts: string }> {
    const channel = await this.dmChannel(userId);
    const posted = await this.client.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...(options.key ? { metadata: { event_type: POSTED_BY_MAILROOM, event_payload: { key: options.key } } } : {}),
    });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    return { channel: posted.channel ?? channel, ts: posted.ts };
  }

  async findPostedMessage(userId: string, key: string): Promise<{ channel: string; ts: string } | undefined> {
    const channel = await this.dmChannel(userId);
    const history = await this.client.conversations.history({ channel, limit: 50, include_all_metadata: true });
    const found = history.messages?.find((m) => {
      const metadata = (m as { metadata?: { event_type?: string; event_payload?: { key?: unknown } } }).metadata;
      return metadata?.event_type === POSTED_BY_MAILROOM && metadata.event_payload?.key === key;
    });
    return found?.ts ? { channel, ts: found.ts } : undefined;
  }

  private async dmChannel(userId: string): Promise<string> {
    const opened = await this.client.conversations.open({ users: userId });
    const channel = opened.channel?.id;
    if (!channel) throw new Error(`conversations.open returned no channel for ${userId}`);
    return channel;
  }

  async updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void> {
    // Always send blocks: chat.update without them keeps the old blocks, buttons included.
    await this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
  }

  async listUsergroupMembers(usergroupId: string): Promise<string[]> {
    const { users } = await this.client.usergroups.users.list({ usergroup: usergroupId });
    return users ?? [];
  }

  async lookupUserByEmail(email: string): Promise<SlackUser | null> {
    try {
      const { user } = await this.client.users.lookupByEmail({ email });
      return user?.id ? this.getUser(user.id) : null;
    } catch (error) {
      if (isPlatformError(error, 'users_not_found')) return null;
      throw error;
    }
  }

  async getPermalink(channel: string, ts: string): Promise<string> {
    const { permalink } = await this.client.chat.getPermalink({ channel, message_ts: ts });
    if (!permalink) throw new Error('chat.getPermalink returned no permalink');
    return permalink;
  }

  async publishHome(userId: string, view: HomeView): Promise<void> {
    await this.client.views.publish({ user_id: userId, view });
  }
}
