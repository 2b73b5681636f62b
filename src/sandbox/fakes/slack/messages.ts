/** The fake's chat.* methods: messages per channel, edits and deletes, ephemeral messages, permalinks. */
import { validateMessageBlocks } from './block-kit.ts';
import type { SlackState } from './state.ts';
import type { FakeSlackMessage, SlackApiResponse, SlackArgs } from './types.ts';
import { asString, clone, fail, isRecord, isTruthyArg } from './util.ts';

/** Slack's `message` object for a stored message, as chat.postMessage and chat.update return it. */
function messagePayload(s: SlackState, message: FakeSlackMessage): Record<string, unknown> {
  const { channel: _channel, blocks, ...rest } = clone(message);
  return { type: 'message', team: s.teamId, ...rest, ...(blocks.length > 0 ? { blocks } : {}) };
}

export function chatPostMessage(s: SlackState, args: SlackArgs): SlackApiResponse {
  const channel = s.postableChannel(asString(args.channel));
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
    ts: s.nextTs(),
    text: text ?? '',
    blocks: Array.isArray(args.blocks) ? clone(args.blocks) : [],
    ...(threadTs !== undefined && threadTs !== '' ? { thread_ts: threadTs } : {}),
    user: s.botUserId,
    bot_id: s.botId,
    ...(isRecord(args.metadata) && typeof args.metadata.event_type === 'string' && isRecord(args.metadata.event_payload)
      ? { metadata: { event_type: args.metadata.event_type, event_payload: clone(args.metadata.event_payload) } }
      : {}),
  };
  s.messagesOf(channel).push(message);
  return { ok: true, channel, ts: message.ts, message: messagePayload(s, message) };
}

export function chatUpdate(s: SlackState, args: SlackArgs): SlackApiResponse {
  const channel = s.existingChannel(asString(args.channel));
  if (typeof channel !== 'string') return fail(channel.error);
  const ts = asString(args.ts);
  const message = s.channels.get(channel)?.find((m) => m.ts === ts);
  if (message === undefined) return fail('message_not_found');
  if (message.user !== s.botUserId) return fail('cant_update_message');
  const text = asString(args.text);
  if (args.blocks !== undefined) {
    const problems = validateMessageBlocks(args.blocks);
    if (problems.length > 0) return fail('invalid_blocks', problems);
  }
  if (text === undefined && args.blocks === undefined && args.attachments === undefined) return fail('no_text');
  // Like Slack: what is not sent is kept (an update without blocks keeps the old blocks and their buttons).
  if (text !== undefined) message.text = text;
  if (Array.isArray(args.blocks)) message.blocks = clone(args.blocks);
  message.edited = { user: s.botUserId, ts: s.nextTs() };
  return { ok: true, channel, ts: message.ts, text: message.text, message: messagePayload(s, message) };
}

export function chatDelete(s: SlackState, args: SlackArgs): SlackApiResponse {
  const channel = s.existingChannel(asString(args.channel));
  if (typeof channel !== 'string') return fail(channel.error);
  const ts = asString(args.ts);
  const list = s.channels.get(channel) ?? [];
  const at = list.findIndex((m) => m.ts === ts);
  if (at === -1) return fail('message_not_found');
  list.splice(at, 1);
  return { ok: true, channel, ts };
}

export function chatPostEphemeral(s: SlackState, args: SlackArgs): SlackApiResponse {
  const user = asString(args.user);
  if (user === undefined || !s.users.has(user)) return fail('user_not_found');
  const channel = s.postableChannel(asString(args.channel));
  if (typeof channel !== 'string') return fail(channel.error);
  const dmOwner = s.userByDm.get(channel);
  if (dmOwner !== undefined && dmOwner !== user) return fail('user_not_in_channel');
  const text = asString(args.text);
  if (args.blocks !== undefined) {
    const problems = validateMessageBlocks(args.blocks);
    if (problems.length > 0) return fail('invalid_blocks', problems);
  }
  const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
  if ((text === undefined || text === '') && !hasBlocks && args.attachments === undefined) return fail('no_text');
  const messageTs = s.nextTs();
  s.ephemerals.push({
    channel,
    user,
    message_ts: messageTs,
    ...(text !== undefined ? { text } : {}),
    ...(Array.isArray(args.blocks) ? { blocks: clone(args.blocks) } : {}),
  });
  return { ok: true, message_ts: messageTs };
}

export function chatGetPermalink(s: SlackState, args: SlackArgs): SlackApiResponse {
  const channel = s.existingChannel(asString(args.channel));
  if (typeof channel !== 'string') return fail(channel.error);
  const ts = asString(args.message_ts);
  if (ts === undefined || !(s.channels.get(channel) ?? []).some((m) => m.ts === ts)) return fail('message_not_found');
  return { ok: true, channel, permalink: `https://fake.slack.com/archives/${channel}/p${ts.replace('.', '')}` };
}

/**
 * conversations.history: newest first, `limit` at most (default 100); metadata only with
 * `include_all_metadata`, as Slack does. The bot reads its own DMs with im:history.
 */
export function conversationsHistory(s: SlackState, args: SlackArgs): SlackApiResponse {
  const channel = s.existingChannel(asString(args.channel));
  if (typeof channel !== 'string') return fail(channel.error);
  const limit = Math.min(Math.max(Number(asString(args.limit) ?? 100) || 100, 1), 999);
  const withMetadata = isTruthyArg(args.include_all_metadata);
  const messages = [...(s.channels.get(channel) ?? [])]
    .reverse()
    .slice(0, limit)
    .map((m) => ({
      type: 'message',
      ts: m.ts,
      text: m.text,
      user: m.user,
      bot_id: m.bot_id,
      ...(withMetadata && m.metadata ? { metadata: clone(m.metadata) } : {}),
    }));
  return { ok: true, messages, has_more: false };
}
