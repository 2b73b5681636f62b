/**
 * Drives a Bolt app over HTTP the way Slack does: signed POSTs to `/slack/events` (slash commands as
 * plain form fields; interactions as `payload=<json>`; Events API callbacks as a JSON envelope).
 *
 * The payloads are built in ./slack-driver/payloads.ts, the `state.values` builders are in
 * ./slack-driver/state-values.ts and the input types in ./slack-driver/types.ts; all are re-exported here.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  blockActionPayload,
  blockSuggestionPayload,
  type DriverIdentity,
  eventEnvelope,
  slashCommandForm,
  viewClosedPayload,
  viewSubmissionPayload,
} from './slack-driver/payloads.ts';
import type {
  AppHomeOpenedInput,
  BlockActionInput,
  BlockSuggestionInput,
  DriverResponse,
  EventCallbackInput,
  SlackDriverOptions,
  SlashCommandInput,
  ViewClosedInput,
  ViewSubmissionInput,
} from './slack-driver/types.ts';

export { checkboxes, datePicker, emailText, numberInput, plainText, staticSelect, usersSelect } from './slack-driver/state-values.ts';
export type {
  AppHomeOpenedInput,
  BlockActionInput,
  BlockSuggestionInput,
  DriverResponse,
  EventCallbackInput,
  SlackDriverOptions,
  SlashCommandInput,
  StateValue,
  StateValues,
  SubmittedView,
  ViewClosedInput,
  ViewSubmissionInput,
} from './slack-driver/types.ts';

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
    return this.signedPost(slashCommandForm(this.identity(), input).toString());
  }

  async blockAction(input: BlockActionInput): Promise<DriverResponse> {
    const actionTs = this.nextActionTs();
    return this.postPayload(blockActionPayload(this.identity(), input, actionTs, input.triggerId ?? this.triggerId()));
  }

  async viewSubmission(input: ViewSubmissionInput): Promise<DriverResponse> {
    return this.postPayload(viewSubmissionPayload(this.identity(), input, input.triggerId ?? this.triggerId()));
  }

  /** An external_select asking for options (`block_suggestion`); Bolt answers with `{ options }` in the body. */
  async blockSuggestion(input: BlockSuggestionInput): Promise<DriverResponse> {
    return this.postPayload(blockSuggestionPayload(this.identity(), input));
  }

  async viewClosed(input: ViewClosedInput): Promise<DriverResponse> {
    return this.postPayload(viewClosedPayload(this.identity(), input));
  }

  /** An Events API delivery: the `event_callback` envelope as JSON, signed like everything else. */
  async event(input: EventCallbackInput): Promise<DriverResponse> {
    const body = JSON.stringify(eventEnvelope(this.identity(), input));
    return this.post(body, { 'Content-Type': 'application/json', ...this.sign(body) });
  }

  /** The user opened the app's Home tab (or its Messages tab). */
  async appHomeOpened(input: AppHomeOpenedInput): Promise<DriverResponse> {
    return this.event({
      event: {
        type: 'app_home_opened',
        user: input.userId,
        channel: input.channelId ?? `D${input.userId.replace(/^[UW]/, '')}`,
        tab: input.tab ?? 'home',
        event_ts: this.nextActionTs(),
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

  private identity(): DriverIdentity {
    return { teamId: this.teamId, teamDomain: this.teamDomain, apiAppId: this.apiAppId };
  }

  /** A unique `action_ts`/`event_ts` for this second. */
  private nextActionTs(): string {
    this.actionCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.actionCounter).padStart(6, '0')}`;
  }

  private triggerId(): string {
    return this.triggerIds?.() ?? `${Math.floor(Date.now() / 1000)}.1.${randomBytes(8).toString('hex')}`;
  }
}
