import type { AddressInfo } from 'node:net';
import { App, type Logger, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../src/sandbox/fakes/slack-server.ts';
import { datePicker, plainText, SlackDriver, staticSelect, usersSelect } from '../../src/sandbox/slack-driver.ts';

const BOT_TOKEN = 'xoxb-fake-bot-token';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** The Slack error code a WebClient call failed with (WebAPIPlatformError.data). */
async function slackError(promise: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await promise;
  } catch (error) {
    const data = (error as { data?: { error?: string; response_metadata?: { messages?: string[] } } }).data;
    if (data?.error === undefined) throw error;
    return { error: data.error, messages: data.response_metadata?.messages ?? [] };
  }
  throw new Error('expected the Slack call to fail');
}

const section = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'section', text: { type: 'mrkdwn', text }, ...extra });
const button = (overrides: Record<string, unknown> = {}) => ({
  type: 'button',
  action_id: 'approve',
  text: { type: 'plain_text', text: 'Approve' },
  value: 'req_1',
  ...overrides,
});
const modal = (overrides: Record<string, unknown> = {}) => ({
  type: 'modal',
  callback_id: 'request_email',
  title: { type: 'plain_text', text: 'Request an email' },
  submit: { type: 'plain_text', text: 'Submit' },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks: [section('hello')],
  ...overrides,
});

let fake: FakeSlack;
let client: WebClient;

beforeAll(async () => {
  fake = await startFakeSlack({
    botToken: BOT_TOKEN,
    botUserId: 'U0MAILROOM',
    teamId: 'T0ACME',
    users: [
      { id: ALICE, name: 'alice', realName: 'Alice Liddell', email: 'alice@example.com', phone: '+441234567890', tz: 'Europe/Paris' },
      { id: BOB, name: 'bob', realName: 'Bob Builder', email: 'bob@example.com' },
    ],
  });
  client = new WebClient(BOT_TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger });
});

afterAll(async () => {
  await fake.close();
});

describe('fake Slack Web API: basics', () => {
  it('answers auth.test with the bot identity', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({ ok: true, user_id: 'U0MAILROOM', team_id: 'T0ACME', bot_id: 'B0FAKEBOT' });
    expect(fake.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('refuses a wrong or missing token with invalid_auth', async () => {
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger });
    expect((await slackError(wrong.auth.test())).error).toBe('invalid_auth');
    const none = new WebClient(undefined, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger });
    expect((await slackError(none.chat.postMessage({ channel: ALICE, text: 'x' }))).error).toBe('invalid_auth');
    expect(fake.callsTo('auth.test').at(-1)?.response).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it('answers unknown methods with unknown_method', async () => {
    expect((await slackError(client.apiCall('mailroom.nothing'))).error).toBe('unknown_method');
  });

  it('returns users from the seed list and user_not_found otherwise', async () => {
    const { user } = await client.users.info({ user: ALICE });
    expect(user).toMatchObject({
      id: ALICE,
      name: 'alice',
      real_name: 'Alice Liddell',
      deleted: false,
      is_bot: false,
      tz: 'Europe/Paris',
      profile: { email: 'alice@example.com', phone: '+441234567890', real_name: 'Alice Liddell', display_name: 'alice' },
    });
    expect((await slackError(client.users.info({ user: 'U0NOBODY' }))).error).toBe('user_not_found');
    fake.addUser({ id: 'U0CAROL', realName: 'Carol', deleted: true });
    expect((await client.users.info({ user: 'U0CAROL' })).user).toMatchObject({ deleted: true, real_name: 'Carol' });
  });

  it('opens a stable DM channel per user', async () => {
    const a1 = await client.conversations.open({ users: ALICE });
    const a2 = await client.conversations.open({ users: ALICE });
    const b = await client.conversations.open({ users: BOB });
    expect(a1.channel?.id).toMatch(/^D/);
    expect(a2.channel?.id).toBe(a1.channel?.id);
    expect(b.channel?.id).not.toBe(a1.channel?.id);
    expect(fake.dmChannelFor(ALICE)).toBe(a1.channel?.id);
  });

  it('records every call with blocks parsed back to objects', async () => {
    await client.chat.postMessage({ channel: BOB, text: 'hi', blocks: [section('*hi*')] });
    const call = fake.callsTo('chat.postMessage').at(-1);
    expect(call?.args).toMatchObject({ channel: BOB, text: 'hi', blocks: [{ type: 'section', text: { text: '*hi*' } }] });
    expect(call?.args).not.toHaveProperty('token');
    expect(fake.okCallsTo('chat.postMessage').length).toBeGreaterThan(0);
  });

  it('accepts application/json bodies too', async () => {
    const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: BOB, text: 'json', blocks: [section('json body')] }),
    });
    const json = (await response.json()) as { ok: boolean; channel: string };
    expect(response.status).toBe(200);
    expect(json).toMatchObject({ ok: true, channel: fake.dmChannelFor(BOB) });
    expect(fake.lastMessageIn(BOB)?.blocks).toEqual([section('json body')]);
  });

  it('failNext injects one Slack error', async () => {
    fake.failNext('chat.postMessage', 'ratelimited');
    expect((await slackError(client.chat.postMessage({ channel: ALICE, text: 'x' }))).error).toBe('ratelimited');
    await expect(client.chat.postMessage({ channel: ALICE, text: 'y' })).resolves.toMatchObject({ ok: true });
  });
});

describe('fake Slack Web API: messages', () => {
  it('posts to a user id in their DM, with unique increasing ts', async () => {
    const first = await client.chat.postMessage({ channel: ALICE, text: 'one' });
    const second = await client.chat.postMessage({ channel: ALICE, text: 'two' });
    expect(first.channel).toBe(fake.dmChannelFor(ALICE));
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message).toMatchObject({ text: 'one', user: 'U0MAILROOM', bot_id: 'B0FAKEBOT', ts: first.ts });
    const texts = fake.messagesIn(fake.dmChannelFor(ALICE)).map((m) => m.text);
    expect(texts.slice(-2)).toEqual(['one', 'two']);
    expect(fake.messagesIn(ALICE).map((m) => m.ts)).toContain(second.ts);
  });

  it('posts threaded replies and into public channels', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'parent' });
    await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'reply', thread_ts: parent.ts as string });
    expect(fake.messagesIn('C0APPROVALS').at(-1)).toMatchObject({ text: 'reply', thread_ts: parent.ts });
  });

  it('refuses unknown channels and a message with neither text nor blocks', async () => {
    expect((await slackError(client.chat.postMessage({ channel: 'U0NOBODY', text: 'x' }))).error).toBe('channel_not_found');
    expect((await slackError(client.chat.postMessage({ channel: 'D0NOTADM', text: 'x' }))).error).toBe('channel_not_found');
    expect(await slackError(client.apiCall('chat.postMessage', { channel: ALICE }))).toMatchObject({ error: 'no_text' });
  });

  it('updates a message by D id + ts; a user id is channel_not_found', async () => {
    const posted = await client.chat.postMessage({ channel: ALICE, text: 'pending', blocks: [section('Pending')] });
    const ts = posted.ts as string;
    const updated = await client.chat.update({ channel: posted.channel as string, ts, text: 'approved', blocks: [section('Approved')] });
    expect(updated).toMatchObject({ ok: true, channel: posted.channel, ts });
    expect(fake.messagesIn(ALICE).find((m) => m.ts === ts)).toMatchObject({ text: 'approved', blocks: [section('Approved')] });
    expect((await slackError(client.chat.update({ channel: ALICE, ts, text: 'x' }))).error).toBe('channel_not_found');
    expect((await slackError(client.chat.update({ channel: posted.channel as string, ts: '1.000001', text: 'x' }))).error).toBe(
      'message_not_found',
    );
  });

  it('keeps the old blocks (and buttons) when chat.update sends no blocks', async () => {
    const blocks = [section('Approve?'), { type: 'actions', elements: [button()] }];
    const posted = await client.chat.postMessage({ channel: BOB, text: 'Approve?', blocks });
    await client.chat.update({ channel: posted.channel as string, ts: posted.ts as string, text: 'Approved by Alice' });
    const message = fake.messagesIn(BOB).find((m) => m.ts === posted.ts);
    expect(message?.text).toBe('Approved by Alice');
    expect(message?.blocks).toEqual(blocks);
  });

  it('postEphemeral works in a shared channel and own DM, not in another user’s DM', async () => {
    await expect(client.chat.postEphemeral({ channel: 'C0GENERAL', user: ALICE, text: 'only you' })).resolves.toMatchObject({
      ok: true,
    });
    await expect(client.chat.postEphemeral({ channel: fake.dmChannelFor(ALICE), user: ALICE, text: 'ok' })).resolves.toMatchObject({
      ok: true,
    });
    expect((await slackError(client.chat.postEphemeral({ channel: fake.dmChannelFor(BOB), user: ALICE, text: 'x' }))).error).toBe(
      'user_not_in_channel',
    );
    expect(fake.ephemerals.at(-1)).toMatchObject({ user: ALICE, text: 'ok' });
  });

  it('gives permalinks for posted messages', async () => {
    const posted = await client.chat.postMessage({ channel: ALICE, text: 'link me' });
    const { permalink } = await client.chat.getPermalink({ channel: posted.channel as string, message_ts: posted.ts as string });
    expect(permalink).toBe(`https://fake.slack.com/archives/${posted.channel}/p${(posted.ts as string).replace('.', '')}`);
  });
});

describe('fake Slack Web API: views and triggers', () => {
  it('opens, updates (with hash) and pushes modals', async () => {
    const opened = await client.views.open({ trigger_id: fake.issueTriggerId({ userId: ALICE }), view: modal() as never });
    const view = opened.view as { id: string; hash: string; root_view_id: string };
    expect(view.id).toMatch(/^V/);
    expect(view.hash).toBeTruthy();
    expect(fake.views.get(view.id)).toMatchObject({ callback_id: 'request_email', user_id: ALICE, root_view_id: view.id });

    const updated = await client.views.update({ view_id: view.id, hash: view.hash, view: modal({ blocks: [section('loaded')] }) as never });
    expect((updated.view as { hash: string }).hash).not.toBe(view.hash);
    expect(fake.views.get(view.id)?.blocks).toEqual([section('loaded')]);
    expect((await slackError(client.views.update({ view_id: view.id, hash: view.hash, view: modal() as never }))).error).toBe(
      'hash_conflict',
    );
    expect((await slackError(client.views.update({ view_id: 'V0MISSING', view: modal() as never }))).error).toBe('not_found');

    const push = () =>
      client.views.push({
        trigger_id: fake.issueTriggerId({ viewId: view.id }),
        view: modal({ title: { type: 'plain_text', text: 'Reason' } }) as never,
      });
    const pushed = await push();
    expect(pushed.view).toMatchObject({ root_view_id: view.id, previous_view_id: view.id });
    await push();
    expect((await slackError(push())).error).toBe('push_limit_reached');
    fake.closeView(view.id);
    expect(fake.views.has(view.id)).toBe(false);
  });

  it('shows each user the modal on top of their stack, and applies view_submission response actions as Slack does', async () => {
    const opened = await client.views.open({ trigger_id: fake.issueTriggerId({ userId: BOB }), view: modal() as never });
    const root = opened.view as { id: string; hash: string };
    expect(fake.openModalOf(BOB)?.id).toBe(root.id);
    expect(fake.openModalOf('U0NOBODY')).toBeUndefined();

    expect(fake.applyResponseAction(root.id, { response_action: 'update', view: modal({ blocks: [section('step 2')] }) })).toEqual({
      ok: true,
    });
    const updated = fake.openModalOf(BOB);
    expect(updated?.id).toBe(root.id);
    expect(updated?.hash).not.toBe(root.hash);
    expect(updated?.blocks).toEqual([section('step 2')]);

    expect(
      fake.applyResponseAction(root.id, { response_action: 'push', view: modal({ title: { type: 'plain_text', text: 'Sure?' } }) }),
    ).toEqual({ ok: true });
    const pushed = fake.openModalOf(BOB);
    expect(pushed).toMatchObject({ root_view_id: root.id, previous_view_id: root.id, title: { text: 'Sure?' } });
    expect(fake.applyResponseAction(root.id, { response_action: 'update', view: { type: 'modal' } })).toMatchObject({ ok: false });

    // Closing the pushed view goes back to the one below it; `clear` closes them all.
    fake.closeView(pushed?.id as string);
    expect(fake.openModalOf(BOB)?.id).toBe(root.id);
    fake.applyResponseAction(root.id, { response_action: 'push', view: modal() });
    expect(fake.applyResponseAction(fake.openModalOf(BOB)?.id as string, { response_action: 'clear' })).toEqual({ ok: true });
    expect(fake.openModalOf(BOB)).toBeUndefined();
  });

  it('updates a view by external_id', async () => {
    await client.views.open({ trigger_id: fake.issueTriggerId(), view: modal({ external_id: 'req-42' }) as never });
    const updated = await client.views.update({
      external_id: 'req-42',
      view: modal({ external_id: 'req-42', blocks: [section('v2')] }) as never,
    });
    expect(updated.view?.blocks).toEqual([section('v2')]);
    expect(
      (await slackError(client.views.open({ trigger_id: fake.issueTriggerId(), view: modal({ external_id: 'req-42' }) as never }))).error,
    ).toBe('duplicate_external_id');
  });

  it('publishes the home tab with a stable id per user', async () => {
    const home = { type: 'home', blocks: [section('My pending approvals')] };
    const first = await client.views.publish({ user_id: ALICE, view: home as never });
    const second = await client.views.publish({ user_id: ALICE, view: home as never });
    expect(second.view?.id).toBe(first.view?.id);
    expect(fake.views.get(first.view?.id as string)).toMatchObject({ type: 'home', user_id: ALICE });
    expect((await slackError(client.views.publish({ user_id: ALICE, view: modal() as never }))).error).toBe('invalid_arguments');
  });

  it('trigger ids are single use, expire after 3 s, and must be issued by Slack', async () => {
    const trigger = fake.issueTriggerId();
    await client.views.open({ trigger_id: trigger, view: modal() as never });
    expect((await slackError(client.views.open({ trigger_id: trigger, view: modal() as never }))).error).toBe('exchanged_trigger_id');
    const old = fake.issueTriggerId({ ageMs: 3500 });
    expect((await slackError(client.views.open({ trigger_id: old, view: modal() as never }))).error).toBe('expired_trigger_id');
    expect((await slackError(client.views.open({ trigger_id: '123.456.abc', view: modal() as never }))).error).toBe('invalid_trigger_id');
  });

  it('a view refused for invalid_arguments does not use up the trigger', async () => {
    const trigger = fake.issueTriggerId();
    const longTitle = { type: 'plain_text', text: 'x'.repeat(25) };
    expect((await slackError(client.views.open({ trigger_id: trigger, view: modal({ title: longTitle }) as never }))).error).toBe(
      'invalid_arguments',
    );
    await expect(client.views.open({ trigger_id: trigger, view: modal() as never })).resolves.toMatchObject({ ok: true });
  });
});

describe('fake Slack Web API: Block Kit limits', () => {
  const pt = (n: number) => ({ type: 'plain_text', text: 'x'.repeat(n) });
  const manySections = (n: number) => Array.from({ length: n }, (_, i) => section(`s${i}`));

  const viewCases: Array<[string, Record<string, unknown>, string]> = [
    ['title > 24 chars', { title: pt(25) }, '/view/title/text'],
    ['submit > 24 chars', { submit: pt(25) }, '/view/submit/text'],
    ['close > 24 chars', { close: pt(25) }, '/view/close/text'],
    ['> 100 blocks', { blocks: manySections(101) }, '/view/blocks'],
    ['private_metadata > 3000', { private_metadata: 'x'.repeat(3001) }, '/view/private_metadata'],
    ['callback_id > 255', { callback_id: 'x'.repeat(256) }, '/view/callback_id'],
    ['duplicate block_id', { blocks: [section('a', { block_id: 'b1' }), section('b', { block_id: 'b1' })] }, '/view/blocks/1/block_id'],
    [
      'input without submit',
      { submit: undefined, blocks: [{ type: 'input', label: pt(5), element: { type: 'plain_text_input', action_id: 'a' } }] },
      '/view/submit',
    ],
  ];

  it.each(viewCases)('views.open refuses a modal with %s (invalid_arguments)', async (_name, overrides, pointer) => {
    const { error, messages } = await slackError(client.views.open({ trigger_id: fake.issueTriggerId(), view: modal(overrides) as never }));
    expect(error).toBe('invalid_arguments');
    expect(messages.join('\n')).toContain(`[json-pointer:${pointer}]`);
    expect(messages.every((m) => m.startsWith('[ERROR] '))).toBe(true);
  });

  it('accepts a modal exactly at the limits', async () => {
    const view = modal({
      title: pt(24),
      submit: pt(24),
      close: pt(24),
      private_metadata: 'x'.repeat(3000),
      callback_id: 'x'.repeat(255),
      blocks: manySections(100),
    });
    await expect(client.views.open({ trigger_id: fake.issueTriggerId(), view: view as never })).resolves.toMatchObject({ ok: true });
  });

  it('views.update and views.publish enforce the same limits', async () => {
    const opened = await client.views.open({ trigger_id: fake.issueTriggerId(), view: modal() as never });
    const id = (opened.view as { id: string }).id;
    expect(
      (await slackError(client.views.update({ view_id: id, view: modal({ private_metadata: 'x'.repeat(3001) }) as never }))).error,
    ).toBe('invalid_arguments');
    const home = { type: 'home', blocks: manySections(101) };
    expect((await slackError(client.views.publish({ user_id: BOB, view: home as never }))).error).toBe('invalid_arguments');
    await expect(client.views.publish({ user_id: BOB, view: { type: 'home', blocks: manySections(100) } as never })).resolves.toMatchObject(
      {
        ok: true,
      },
    );
  });

  const actions = (el: Record<string, unknown>) => [{ type: 'actions', elements: [el] }];
  const messageCases: Array<[string, unknown[], string]> = [
    ['> 50 blocks', manySections(51), '/blocks'],
    ['button value > 2000', actions(button({ value: 'x'.repeat(2001) })), '/blocks/0/elements/0/value'],
    ['button text > 75', actions(button({ text: pt(76) })), '/blocks/0/elements/0/text/text'],
    ['action_id > 255', actions(button({ action_id: 'x'.repeat(256) })), '/blocks/0/elements/0/action_id'],
    ['block_id > 255', [section('a', { block_id: 'x'.repeat(256) })], '/blocks/0/block_id'],
    ['section text > 3000', [section('x'.repeat(3001))], '/blocks/0/text/text'],
    [
      'more than 10 section fields',
      [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
      '/blocks/0/fields',
    ],
    ['section field > 2000', [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'x'.repeat(2001) }] }], '/blocks/0/fields/0/text'],
    ['header > 150', [{ type: 'header', text: pt(151) }], '/blocks/0/text/text'],
    ['duplicate block_id', [section('a', { block_id: 'same' }), section('b', { block_id: 'same' })], '/blocks/1/block_id'],
    ['an input block', [{ type: 'input', label: pt(5), element: { type: 'plain_text_input', action_id: 'a' } }], '/blocks/0/type'],
    ['a button accessory with long value', [section('a', { accessory: button({ value: 'x'.repeat(2001) }) })], '/blocks/0/accessory/value'],
  ];

  it.each(messageCases)('chat.postMessage refuses %s (invalid_blocks)', async (_name, blocks, pointer) => {
    const { error, messages } = await slackError(client.chat.postMessage({ channel: ALICE, text: 'fallback', blocks: blocks as never }));
    expect(error).toBe('invalid_blocks');
    expect(messages.join('\n')).toContain(`[json-pointer:${pointer}]`);
  });

  it('chat.update enforces the message limits too', async () => {
    const posted = await client.chat.postMessage({ channel: ALICE, text: 'ok' });
    const { error } = await slackError(
      client.chat.update({ channel: posted.channel as string, ts: posted.ts as string, text: 'x', blocks: manySections(51) as never }),
    );
    expect(error).toBe('invalid_blocks');
  });

  it('accepts a message exactly at the limits', async () => {
    const blocks = [
      { type: 'header', text: pt(150) },
      section('x'.repeat(3000), { block_id: 'x'.repeat(255) }),
      { type: 'section', fields: Array.from({ length: 10 }, () => ({ type: 'mrkdwn', text: 'x'.repeat(2000) })) },
      { type: 'actions', elements: [button({ value: 'x'.repeat(2000), text: pt(75), action_id: 'y'.repeat(255) })] },
      ...manySections(46),
    ];
    expect(blocks).toHaveLength(50);
    await expect(client.chat.postMessage({ channel: ALICE, text: 'limits', blocks: blocks as never })).resolves.toMatchObject({ ok: true });
  });
});

describe('fake Slack: response URLs', () => {
  it('records JSON posts and allows at most 5 uses per URL', async () => {
    const url = fake.responseUrl('approve-click');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\/\w+$/);
    for (let i = 1; i <= 6; i += 1) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `reply ${i}`, response_type: 'ephemeral' }),
      });
      if (i <= 5) {
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ ok: true });
      } else {
        expect(response.status).toBe(404);
        expect(await response.json()).toMatchObject({ ok: false, error: 'used_url' });
      }
    }
    const mine = fake.responsesTo('approve-click');
    expect(mine).toHaveLength(5);
    expect(mine[0]).toMatchObject({ label: 'approve-click', body: { text: 'reply 1' }, use: 1 });
    expect(fake.responses.filter((r) => url.endsWith(r.id))).toHaveLength(5);
    expect(fake.rejectedResponses.at(-1)).toMatchObject({ error: 'used_url' });
  });

  it('replace_original on a URL bound to a message changes that message', async () => {
    const posted = await client.chat.postMessage({ channel: BOB, text: 'Approve?', blocks: [section('Approve?')] });
    const url = fake.responseUrl(undefined, { channel: posted.channel as string, messageTs: posted.ts as string });
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Done', blocks: [section('Done')] }),
    });
    expect(fake.messagesIn(BOB).find((m) => m.ts === posted.ts)).toMatchObject({ text: 'Done', blocks: [section('Done')] });
  });
});

describe('fake Slack: waitFor', () => {
  it('resolves with the first truthy probe result', async () => {
    setTimeout(() => void client.chat.postMessage({ channel: ALICE, text: 'later' }), 50);
    const message = await fake.waitFor(() => fake.messagesIn(ALICE).find((m) => m.text === 'later'));
    expect(message.text).toBe('later');
  });

  it('throws a helpful error on timeout', async () => {
    await expect(fake.waitFor(() => fake.callsTo('never.called').length > 0, 100)).rejects.toThrow(
      /timed out after 100 ms[\s\S]*Web API calls so far/,
    );
  });
});

describe('SlackDriver against a real Bolt App', () => {
  const SIGNING_SECRET = 'test-signing-secret';
  let app: App;
  let driver: SlackDriver;
  let port: number;

  beforeEach(async () => {
    app = new App({
      signingSecret: SIGNING_SECRET,
      token: BOT_TOKEN,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      logger: silentLogger,
    });
    app.command('/ping', async ({ ack }) => ack('pong'));
    app.command('/ping-json', async ({ ack }) => ack({ response_type: 'ephemeral', text: 'pong' }));
    app.command('/ping-empty', async ({ ack }) => ack());
    app.view('request_email', async ({ ack, view }) => {
      const email = view.state.values.email?.value?.value;
      if (email === 'bad') await ack({ response_action: 'errors', errors: { email: 'Invalid address' } });
      else await ack();
    });
    app.action('approve', async ({ ack, respond, body }) => {
      await ack();
      await respond({ text: `approved by ${body.user.id}`, replace_original: false });
    });
    // app.start() resolves with the node http.Server; listen on loopback with a free port.
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    port = (server.address() as AddressInfo).port;
    driver = new SlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SIGNING_SECRET, teamId: 'T0ACME' });
  });

  afterEach(async () => {
    await app.stop();
  });

  it('Bolt verified the token with auth.test at construction', () => {
    expect(fake.okCallsTo('auth.test').length).toBeGreaterThan(0);
  });

  it('a signed slash command is accepted and acked with the text', async () => {
    const response = await driver.slashCommand({
      command: '/ping',
      userId: ALICE,
      triggerId: fake.issueTriggerId(),
      responseUrl: fake.responseUrl(),
    });
    expect(response).toMatchObject({ status: 200, body: 'pong' });
    expect(response.json).toBeUndefined();
  });

  it('ack(object) answers JSON; ack() answers an empty 200', async () => {
    const json = await driver.slashCommand({ command: '/ping-json', userId: ALICE, triggerId: 't', responseUrl: fake.responseUrl() });
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.json).toEqual({ response_type: 'ephemeral', text: 'pong' });
    const empty = await driver.slashCommand({ command: '/ping-empty', userId: ALICE, triggerId: 't', responseUrl: fake.responseUrl() });
    expect(empty).toMatchObject({ status: 200, body: '' });
  });

  it('a forged signature gets 401', async () => {
    const body = 'command=%2Fping&text=&user_id=U0ALICE&team_id=T0ACME';
    const headers = new SlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: 'not-the-secret' }).sign(body);
    expect((await driver.post(body, headers)).status).toBe(401);
    expect((await driver.post(body, { 'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000)) })).status).toBe(401);
  });

  it('a request signed 6 minutes ago gets 401', async () => {
    const body = 'command=%2Fping&text=&user_id=U0ALICE&team_id=T0ACME';
    const stale = driver.sign(body, Math.floor(Date.now() / 1000) - 6 * 60);
    expect((await driver.post(body, stale)).status).toBe(401);
  });

  it('view submissions carry state.values built with the helpers', async () => {
    const values = {
      email: { value: plainText('bad') },
      domain: { value: staticSelect('example.com') },
      manager: { value: usersSelect(BOB) },
      start: { value: datePicker('2025-01-31') },
    };
    const refused = await driver.viewSubmission({ userId: ALICE, view: { callbackId: 'request_email', values } });
    expect(refused.status).toBe(200);
    expect(refused.json).toEqual({ response_action: 'errors', errors: { email: 'Invalid address' } });
    const accepted = await driver.viewSubmission({
      userId: ALICE,
      view: { callbackId: 'request_email', privateMetadata: '{"v":1}', values: { ...values, email: { value: plainText('ok') } } },
    });
    expect(accepted).toMatchObject({ status: 200, body: '' });
  });

  it('block actions reach the handler and respond() lands on the response URL', async () => {
    const responseUrl = fake.responseUrl('click');
    const response = await driver.blockAction({
      userId: BOB,
      actionId: 'approve',
      value: 'req_1',
      responseUrl,
      channelId: fake.dmChannelFor(BOB),
      messageTs: '1732280000.000100',
    });
    expect(response.status).toBe(200);
    const posted = await fake.waitFor(() => fake.responsesTo('click')[0]);
    expect(posted.body).toMatchObject({ text: `approved by ${BOB}`, replace_original: false });
  });
});
