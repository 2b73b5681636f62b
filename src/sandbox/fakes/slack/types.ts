/** The fake Slack's public types (re-exported by `../slack-server.ts`) and the state records it keeps internally. */

export interface FakeSlackUser {
  id: string;
  name?: string;
  realName?: string;
  email?: string;
  phone?: string;
  isBot?: boolean;
  deleted?: boolean;
  /** A guest account: `multi` (is_restricted) or `single`-channel (also is_ultra_restricted). */
  guest?: 'multi' | 'single';
  tz?: string;
  /** Unix seconds of the last change to the account (users.list `updated`); set when it is deactivated. */
  updated?: number;
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
  /** Message metadata posted with it (chat.postMessage `metadata`). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
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

// ------------------------------------------------------------------ internal: not re-exported by slack-server.ts

export interface TriggerState {
  issuedAt: number;
  used: boolean;
  userId?: string;
  viewId?: string;
}

export interface ResponseUrlState {
  id: string;
  label?: string;
  uses: number;
  channel?: string;
  messageTs?: string;
}

export interface Rejection {
  error: string;
  messages?: string[];
}

export type Handler = (args: SlackArgs) => SlackApiResponse;
