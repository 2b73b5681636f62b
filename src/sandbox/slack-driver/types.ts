/** What the SlackDriver is given: its options and the input of each kind of request it sends. */

export interface SlackDriverOptions {
  /** Where the Bolt HTTP receiver listens, e.g. `http://127.0.0.1:1234`. */
  appUrl: string;
  signingSecret: string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  /** Path Bolt listens on (default `/slack/events`). */
  path?: string;
  /** Used when a call gives no triggerId, e.g. `() => fake.issueTriggerId()`. Default: a random, unknown id. */
  issueTriggerId?: () => string;
}

export interface DriverResponse {
  status: number;
  body: string;
  /** The parsed body when it is JSON. */
  json?: unknown;
  headers: Record<string, string>;
}

export interface SlashCommandInput {
  command: string;
  text?: string;
  userId: string;
  userName?: string;
  triggerId: string;
  responseUrl: string;
  channelId?: string;
  channelName?: string;
}

export interface BlockActionInput {
  userId: string;
  userName?: string;
  actionId: string;
  blockId?: string;
  value: string;
  /** Button text shown to the user (default: the value). */
  text?: string;
  triggerId?: string;
  responseUrl: string;
  channelId: string;
  messageTs: string;
  /** What the clicked message looked like (goes into `payload.message`). */
  message?: { text?: string; blocks?: unknown[]; thread_ts?: string };
  /** Override the container, e.g. `{ type: 'view', view_id }` for a button inside a modal. */
  container?: Record<string, unknown>;
  /** For a button inside a modal: the view payload (`payload.view`). */
  view?: Record<string, unknown>;
}

/** Slack's `view.state.values`: `{ [blockId]: { [actionId]: { type, value | selected_option | … } } }`. */
export type StateValues = Record<string, Record<string, StateValue>>;
export type StateValue = { type: string } & Record<string, unknown>;

export interface SubmittedView {
  id?: string;
  callbackId: string;
  privateMetadata?: string;
  values: StateValues;
  hash?: string;
  externalId?: string;
  rootViewId?: string;
  previousViewId?: string;
  title?: string;
  blocks?: unknown[];
}

export interface ViewSubmissionInput {
  userId: string;
  userName?: string;
  view: SubmittedView;
  triggerId?: string;
  responseUrls?: Array<{ block_id: string; action_id: string; channel_id: string; response_url: string }>;
}

export interface BlockSuggestionInput {
  userId: string;
  userName?: string;
  actionId: string;
  blockId: string;
  /** What the user has typed so far. */
  value: string;
  /** The modal the select is in. */
  view: SubmittedView;
}

export interface ViewClosedInput {
  userId: string;
  userName?: string;
  view: SubmittedView;
  isCleared?: boolean;
}

export interface EventCallbackInput {
  /** The inner event, e.g. `{ type: 'app_home_opened', user, channel, tab, event_ts }`. */
  event: Record<string, unknown>;
  eventId?: string;
  /** Seconds since the epoch (default now). */
  eventTime?: number;
}

export interface AppHomeOpenedInput {
  userId: string;
  tab?: 'home' | 'messages';
  /** The user's DM with the app (the event names it; the app does not need it). */
  channelId?: string;
  /** The Home view as last published, which Slack includes once there is one. */
  view?: Record<string, unknown>;
}
