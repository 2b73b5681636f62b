/** The fake's Web API methods about who is who: auth.test, users.*, usergroups.users.list, conversations.open. */
import type { SlackState } from './state.ts';
import type { SlackApiResponse, SlackArgs } from './types.ts';
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

export function usersInfo(s: SlackState, args: SlackArgs): SlackApiResponse {
  const id = asString(args.user);
  const user = id === undefined ? undefined : s.users.get(id);
  if (user === undefined) return fail('user_not_found');
  const name = user.name ?? user.id.toLowerCase();
  const realName = user.realName ?? name;
  return {
    ok: true,
    user: {
      id: user.id,
      team_id: s.teamId,
      name,
      real_name: realName,
      deleted: user.deleted ?? false,
      is_bot: user.isBot ?? false,
      is_restricted: user.guest !== undefined,
      is_ultra_restricted: user.guest === 'single',
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
