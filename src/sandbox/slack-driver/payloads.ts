/**
 * The bodies Slack posts to an app, built from the driver's inputs: the slash-command form, the interaction
 * payloads (block_actions, view_submission, block_suggestion, view_closed) and the Events API envelope.
 */
import { randomBytes } from 'node:crypto';
import type {
  BlockActionInput,
  BlockSuggestionInput,
  EventCallbackInput,
  SlashCommandInput,
  SubmittedView,
  ViewClosedInput,
  ViewSubmissionInput,
} from './types.ts';

/** The workspace and app the requests come from. */
export interface DriverIdentity {
  teamId: string;
  teamDomain: string;
  apiAppId: string;
}

const VERIFICATION_TOKEN = 'fake-verification-token';

const channelName = (channelId: string): string => (channelId.startsWith('D') ? 'directmessage' : 'general');

function userPayload(who: DriverIdentity, id: string, name?: string): Record<string, string> {
  const username = name ?? id.toLowerCase();
  return { id, username, name: username, team_id: who.teamId };
}

export function slashCommandForm(who: DriverIdentity, input: SlashCommandInput): URLSearchParams {
  const channelId = input.channelId ?? 'C0GENERAL';
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: who.teamId,
    team_domain: who.teamDomain,
    channel_id: channelId,
    channel_name: input.channelName ?? channelName(channelId),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command,
    text: input.text ?? '',
    api_app_id: who.apiAppId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  });
}

/** What a button click carries about the message it was in (left out for a button inside a modal). */
function messageContext(input: BlockActionInput): Record<string, unknown> {
  return {
    channel: { id: input.channelId, name: channelName(input.channelId) },
    message: {
      type: 'message',
      ts: input.messageTs,
      text: input.message?.text ?? '',
      ...(input.message?.blocks !== undefined ? { blocks: input.message.blocks } : {}),
      ...(input.message?.thread_ts !== undefined ? { thread_ts: input.message.thread_ts } : {}),
    },
    state: { values: {} },
    response_url: input.responseUrl,
  };
}

export function blockActionPayload(
  who: DriverIdentity,
  input: BlockActionInput,
  actionTs: string,
  triggerId: string,
): Record<string, unknown> {
  const container = input.container ?? { type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: false };
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: userPayload(who, input.userId, input.userName),
    api_app_id: who.apiAppId,
    token: VERIFICATION_TOKEN,
    container,
    trigger_id: triggerId,
    team: { id: who.teamId, domain: who.teamDomain },
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
  if (container.type !== 'view') return { ...payload, ...messageContext(input) };
  if (input.view !== undefined) payload.view = input.view;
  return payload;
}

export function viewPayload(who: DriverIdentity, view: SubmittedView): Record<string, unknown> {
  const id = view.id ?? `V${randomBytes(4).toString('hex').toUpperCase()}`;
  return {
    id,
    team_id: who.teamId,
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
    app_id: who.apiAppId,
    external_id: view.externalId ?? '',
    app_installed_team_id: who.teamId,
    bot_id: 'B0FAKEBOT',
  };
}

export function viewSubmissionPayload(who: DriverIdentity, input: ViewSubmissionInput, triggerId: string): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: who.teamId, domain: who.teamDomain },
    user: userPayload(who, input.userId, input.userName),
    api_app_id: who.apiAppId,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerId,
    view: viewPayload(who, input.view),
    response_urls: input.responseUrls ?? [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function blockSuggestionPayload(who: DriverIdentity, input: BlockSuggestionInput): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    user: userPayload(who, input.userId, input.userName),
    container: { type: 'view', view_id: input.view.id ?? 'V0SUGGEST' },
    api_app_id: who.apiAppId,
    token: VERIFICATION_TOKEN,
    action_id: input.actionId,
    block_id: input.blockId,
    value: input.value,
    team: { id: who.teamId, domain: who.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    view: viewPayload(who, input.view),
  };
}

export function viewClosedPayload(who: DriverIdentity, input: ViewClosedInput): Record<string, unknown> {
  return {
    type: 'view_closed',
    team: { id: who.teamId, domain: who.teamDomain },
    user: userPayload(who, input.userId, input.userName),
    api_app_id: who.apiAppId,
    token: VERIFICATION_TOKEN,
    view: viewPayload(who, input.view),
    is_cleared: input.isCleared ?? false,
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function eventEnvelope(who: DriverIdentity, input: EventCallbackInput): Record<string, unknown> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: who.teamId,
    api_app_id: who.apiAppId,
    event: input.event,
    type: 'event_callback',
    event_id: input.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: input.eventTime ?? Math.floor(Date.now() / 1000),
    is_ext_shared_channel: false,
  };
}
