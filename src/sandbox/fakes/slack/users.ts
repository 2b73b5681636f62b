/** The fake's Web API methods about who is who: auth.test, users.* (users.list paged by cursor), usergroups.users.list, conversations.open. */
import { type SlackState, TS_BASE_SECONDS } from './state.ts';
import type { FakeSlackUser, SlackApiResponse, SlackArgs } from './types.ts';
import { asString, fail } from './util.ts';

export function authTest(s: SlackState): SlackApiResponse {
  return {
    ok: true,
    url: 'https://fake.slack.com/',
    team: 'Fake Team',
    user: s.users.get(s.botUserId)?.name ?? 'mailroom',
    team_id: s.teamId,
    user_id: s.botUserId,
    bot_id: s.botId,
    is_enterprise_install: false,
  };
}

/** A user object as users.info, users.list and the user_change event carry it. */
export function userObject(s: SlackState, user: FakeSlackUser): Record<string, unknown> {
  const name = user.name ?? user.id.toLowerCase();
  const realName = user.realName ?? name;
  return {
    id: user.id,
    team_id: s.teamId,
    name,
    real_name: realName,
    deleted: user.deleted ?? false,
    is_bot: user.isBot ?? false,
    is_restricted: user.guest !== undefined,
    is_ultra_restricted: user.guest === 'single',
    tz: user.tz ?? 'Europe/London',
    updated: user.updated ?? TS_BASE_SECONDS,
    profile: {
      ...(user.email !== undefined ? { email: user.email } : {}),
      phone: user.phone ?? '',
      real_name: realName,
      display_name: name,
    },
  };
}

export function usersInfo(s: SlackState, args: SlackArgs): SlackApiResponse {
  const id = asString(args.user);
  const user = id === undefined ? undefined : s.users.get(id);
  if (user === undefined) return fail('user_not_found');
  return { ok: true, user: userObject(s, user) };
}

/** Slack's cursors are opaque base64 strings; this fake's name the next user id (`user:U…`). */
const encodeCursor = (userId: string) => Buffer.from(`user:${userId}`).toString('base64');
const decodeCursor = (cursor: string) => {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  return text.startsWith('user:') ? text.slice('user:'.length) : undefined;
};

/**
 * users.list as Slack pages it: `limit` (Slack advises at most 200; this fake caps at 1000, no limit
 * means everyone), `cursor` from the last page's `response_metadata.next_cursor`, which is empty on
 * the last page; an unknown cursor is `invalid_cursor`. Deactivated users are listed too.
 */
export function usersList(s: SlackState, args: SlackArgs): SlackApiResponse {
  const all = [...s.users.values()].sort((a, b) => a.id.localeCompare(b.id));
  const limitArg = Number(asString(args.limit) ?? '0');
  const limit = Number.isInteger(limitArg) && limitArg > 0 ? Math.min(limitArg, 1000) : all.length;
  const cursor = asString(args.cursor) ?? '';
  let start = 0;
  if (cursor !== '') {
    const from = decodeCursor(cursor);
    start = from === undefined ? -1 : all.findIndex((user) => user.id === from);
    if (start < 0) return fail('invalid_cursor');
  }
  const page = all.slice(start, start + limit);
  const next = all[start + limit];
  return {
    ok: true,
    members: page.map((user) => userObject(s, user)),
    cache_ts: Math.floor(Date.now() / 1000),
    response_metadata: { next_cursor: next ? encodeCursor(next.id) : '' },
  };
}

export function usergroupsUsersList(s: SlackState, args: SlackArgs): SlackApiResponse {
  const id = asString(args.usergroup);
  if (id === undefined || id === '') return fail('invalid_arguments', ['[ERROR] missing required field: usergroup']);
  const members = s.usergroups.get(id);
  if (members === undefined) return fail('no_such_subteam');
  return { ok: true, users: [...members] };
}

export function usersLookupByEmail(s: SlackState, args: SlackArgs): SlackApiResponse {
  const email = asString(args.email)?.trim().toLowerCase();
  const user = email ? [...s.users.values()].find((u) => u.email?.toLowerCase() === email && !u.deleted) : undefined;
  if (user === undefined) return fail('users_not_found');
  return usersInfo(s, { user: user.id });
}

export function conversationsOpen(s: SlackState, args: SlackArgs): SlackApiResponse {
  const channel = asString(args.channel);
  if (channel !== undefined && channel !== '') {
    const existing = s.existingChannel(channel);
    return typeof existing === 'string' ? { ok: true, channel: { id: existing } } : fail(existing.error);
  }
  const users = (asString(args.users) ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (users.length === 0) return fail('users_list_not_supplied');
  for (const u of users) if (!s.users.has(u)) return fail('user_not_found');
  const [only] = users;
  if (users.length === 1 && only !== undefined) return { ok: true, channel: { id: s.dmChannelFor(only) } };
  return { ok: true, channel: { id: `G${[...users].sort().join('').replace(/[UW]/g, '')}` } };
}
