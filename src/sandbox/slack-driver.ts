/**
 * Drives a Bolt app over HTTP the way Slack does: signed POSTs to `/slack/events` (slash commands as
 * plain form fields; interactions as `payload=<json>`; Events API callbacks as a JSON envelope).
 */
import { createHmac, randomBytes } from 'node:crypto';

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

// ---------------------------------------------------------------------------------------------------------------
// Builders for state.values entries
// ---------------------------------------------------------------------------------------------------------------

/** A plain_text_input; `null` is what Slack sends for an untouched optional field. */
export const plainText = (value: string | null): StateValue => ({ type: 'plain_text_input', value });

export const emailText = (value: string | null): StateValue => ({ type: 'email_text_input', value });

/** number_input values arrive as strings. */
export const numberInput = (value: string | null): StateValue => ({ type: 'number_input', value });

export const staticSelect = (value: string | null, text?: string): StateValue => ({
  type: 'static_select',
  selected_option: value === null ? null : { text: { type: 'plain_text', text: text ?? value, emoji: true }, value },
});

export const usersSelect = (userId: string | null): StateValue => ({ type: 'users_select', selected_user: userId });

/** `YYYY-MM-DD` or null. */
export const datePicker = (date: string | null): StateValue => ({ type: 'datepicker', selected_date: date });

export const checkboxes = (values: string[]): StateValue => ({
  type: 'checkboxes',
  selected_options: values.map((value) => ({ text: { type: 'plain_text', text: value, emoji: true }, value })),
});

// ---------------------------------------------------------------------------------------------------------------

export class SlackDriver {
  readonly appUrl: string;
  readonly teamId: string;
  private readonly signingSecret: string;
  private readonly teamDomain: string;
  private readonly apiAppId: string;
  private readonly path: string;
  private readonly triggerIds: (() => string) | undefined;
  private actionCounter = 0;

  constructor(options: SlackDriverOptions) {
    this.appUrl = options.appUrl.replace(/\/+$/, '');
    this.signingSecret = options.signingSecret;
    this.teamId = options.teamId ?? 'T0FAKETEAM';
    this.teamDomain = options.teamDomain ?? 'fake';
    this.apiAppId = options.apiAppId ?? 'A0FAKEAPP';
    this.path = options.path ?? '/slack/events';
    this.triggerIds = options.issueTriggerId;
  }

  /** Slack's request signature headers for this raw body (timestamp in seconds, default now). */
  sign(rawBody: string, timestamp: number = Math.floor(Date.now() / 1000)): Record<string, string> {
    const signature = createHmac('sha256', this.signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
    return { 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': `v0=${signature}` };
  }

  async slashCommand(input: SlashCommandInput): Promise<DriverResponse> {
    const channelId = input.channelId ?? 'C0GENERAL';
    const form = new URLSearchParams({
      token: 'fake-verification-token',
      team_id: this.teamId,
      team_domain: this.teamDomain,
      channel_id: channelId,
      channel_name: input.channelName ?? (channelId.startsWith('D') ? 'directmessage' : 'general'),
      user_id: input.userId,
      user_name: input.userName ?? input.userId.toLowerCase(),
      command: input.command,
      text: input.text ?? '',
      api_app_id: this.apiAppId,
      is_enterprise_install: 'false',
      response_url: input.responseUrl,
      trigger_id: input.triggerId,
    });
    return this.signedPost(form.toString());
  }

  async blockAction(input: BlockActionInput): Promise<DriverResponse> {
    this.actionCounter += 1;
    const actionTs = `${Math.floor(Date.now() / 1000)}.${String(this.actionCounter).padStart(6, '0')}`;
    const container = input.container ?? {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channelId,
      is_ephemeral: false,
    };
    const inView = container.type === 'view';
    const payload: Record<string, unknown> = {
      type: 'block_actions',
      user: this.user(input.userId, input.userName),
      api_app_id: this.apiAppId,
      token: 'fake-verification-token',
      container,
      trigger_id: input.triggerId ?? this.triggerId(),
      team: { id: this.teamId, domain: this.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      actions: [
        {
          type: 'button',
          action_id: input.actionId,
          block_id: input.blockId ?? 'fakeblock',
          text: { type: 'plain_text', text: input.text ?? input.value, emoji: true },
          value: input.value,
          action_ts: actionTs,
        },
      ],
    };
    if (inView) {
      if (input.view !== undefined) payload.view = input.view;
    } else {
      payload.channel = { id: input.channelId, name: input.channelId.startsWith('D') ? 'directmessage' : 'general' };
      payload.message = {
        type: 'message',
        ts: input.messageTs,
        text: input.message?.text ?? '',
        ...(input.message?.blocks !== undefined ? { blocks: input.message.blocks } : {}),
        ...(input.message?.thread_ts !== undefined ? { thread_ts: input.message.thread_ts } : {}),
      };
      payload.state = { values: {} };
      payload.response_url = input.responseUrl;
    }
    return this.postPayload(payload);
  }

  async viewSubmission(input: ViewSubmissionInput): Promise<DriverResponse> {
    return this.postPayload({
      type: 'view_submission',
      team: { id: this.teamId, domain: this.teamDomain },
      user: this.user(input.userId, input.userName),
      api_app_id: this.apiAppId,
      token: 'fake-verification-token',
      trigger_id: input.triggerId ?? this.triggerId(),
      view: this.viewPayload(input.view),
      response_urls: input.responseUrls ?? [],
      is_enterprise_install: false,
      enterprise: null,
    });
  }

  /** An external_select asking for options (`block_suggestion`); Bolt answers with `{ options }` in the body. */
  async blockSuggestion(input: BlockSuggestionInput): Promise<DriverResponse> {
    return this.postPayload({
      type: 'block_suggestion',
      user: this.user(input.userId, input.userName),
      container: { type: 'view', view_id: input.view.id ?? 'V0SUGGEST' },
      api_app_id: this.apiAppId,
      token: 'fake-verification-token',
      action_id: input.actionId,
      block_id: input.blockId,
      value: input.value,
      team: { id: this.teamId, domain: this.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      view: this.viewPayload(input.view),
    });
  }

  async viewClosed(input: ViewClosedInput): Promise<DriverResponse> {
    return this.postPayload({
      type: 'view_closed',
      team: { id: this.teamId, domain: this.teamDomain },
      user: this.user(input.userId, input.userName),
      api_app_id: this.apiAppId,
      token: 'fake-verification-token',
      view: this.viewPayload(input.view),
      is_cleared: input.isCleared ?? false,
      is_enterprise_install: false,
      enterprise: null,
    });
  }

  /** An Events API delivery: the `event_callback` envelope as JSON, signed like everything else. */
  async event(input: EventCallbackInput): Promise<DriverResponse> {
    const eventTime = input.eventTime ?? Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      token: 'fake-verification-token',
      team_id: this.teamId,
      api_app_id: this.apiAppId,
      event: input.event,
      type: 'event_callback',
      event_id: input.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: eventTime,
      is_ext_shared_channel: false,
    });
    return this.post(body, { 'Content-Type': 'application/json', ...this.sign(body) });
  }

  /** The user opened the app's Home tab (or its Messages tab). */
  async appHomeOpened(input: AppHomeOpenedInput): Promise<DriverResponse> {
    this.actionCounter += 1;
    return this.event({
      event: {
        type: 'app_home_opened',
        user: input.userId,
        channel: input.channelId ?? `D${input.userId.replace(/^[UW]/, '')}`,
        tab: input.tab ?? 'home',
        event_ts: `${Math.floor(Date.now() / 1000)}.${String(this.actionCounter).padStart(6, '0')}`,
        ...(input.view !== undefined ? { view: input.view } : {}),
      },
    });
  }

  /** Raw POST to the events endpoint with exactly these headers (for forged/stale requests). */
  async post(rawBody: string, headers: Record<string, string>): Promise<DriverResponse> {
    const all: Record<string, string> = { 'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...headers };
    if (!Object.keys(all).some((k) => k.toLowerCase() === 'content-type')) {
      all['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(`${this.appUrl}${this.path}`, { method: 'POST', headers: all, body: rawBody });
    const body = await response.text();
    const result: DriverResponse = { status: response.status, body, headers: Object.fromEntries(response.headers.entries()) };
    const contentType = response.headers.get('content-type') ?? '';
    const trimmed = body.trim();
    if (contentType.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        result.json = JSON.parse(body);
      } catch {
        // not JSON after all
      }
    }
    return result;
  }

  private async signedPost(rawBody: string): Promise<DriverResponse> {
    return this.post(rawBody, { 'Content-Type': 'application/x-www-form-urlencoded', ...this.sign(rawBody) });
  }

  private async postPayload(payload: Record<string, unknown>): Promise<DriverResponse> {
    return this.signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  private user(id: string, name?: string): Record<string, string> {
    const username = name ?? id.toLowerCase();
    return { id, username, name: username, team_id: this.teamId };
  }

  private triggerId(): string {
    return this.triggerIds?.() ?? `${Math.floor(Date.now() / 1000)}.1.${randomBytes(8).toString('hex')}`;
  }

  private viewPayload(view: SubmittedView): Record<string, unknown> {
    const id = view.id ?? `V${randomBytes(4).toString('hex').toUpperCase()}`;
    return {
      id,
      team_id: this.teamId,
      type: 'modal',
      blocks: view.blocks ?? [],
      private_metadata: view.privateMetadata ?? '',
      callback_id: view.callbackId,
      state: { values: view.values },
      hash: view.hash ?? `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: view.title ?? 'Modal', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: view.previousViewId ?? null,
      root_view_id: view.rootViewId ?? id,
      app_id: this.apiAppId,
      external_id: view.externalId ?? '',
      app_installed_team_id: this.teamId,
      bot_id: 'B0FAKEBOT',
    };
  }
}
