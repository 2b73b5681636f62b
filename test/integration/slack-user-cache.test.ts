// The guest, bot and deactivated checks before every ack read users.info through a short cache:
// concurrent checks of one person share one Slack call, a repeat within the minute costs none, and
// a user_change event (what Slack sends when someone is made a guest) replaces the remembered answer.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../src/sandbox/fakes/slack-server.ts';
import { toSlackUser, WebApiSlackGateway } from '../../src/slack/gateway.ts';

const BOT_TOKEN = 'xoxb-fake-bot-token';

describe('the Slack user cache', () => {
  let fake: FakeSlack;
  const client = () => new WebClient(BOT_TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });

  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, users: [{ id: 'U0SAM', name: 'sam', realName: 'Sam Superior' }] });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('asks Slack once for concurrent and repeated lookups, and takes a user_change as the latest', async () => {
    const gateway = new WebApiSlackGateway(client());
    const answers = await Promise.all(Array.from({ length: 20 }, () => gateway.getUser('U0SAM')));
    expect(new Set(answers.map((u) => u?.isGuest))).toEqual(new Set([false]));
    expect(await gateway.getUser('U0SAM')).toMatchObject({ id: 'U0SAM', isGuest: false });
    expect(fake.callsTo('users.info')).toHaveLength(1);

    const event = await fake.updateUser({ id: 'U0SAM', name: 'sam', realName: 'Sam Superior', guest: 'multi' }, { deliver: false });
    const changed = toSlackUser(event.user as Parameters<typeof toSlackUser>[0]);
    if (!changed) throw new Error('the event carries no user');
    gateway.rememberUser(changed);
    expect(await gateway.getUser('U0SAM')).toMatchObject({ isGuest: true });
    expect(fake.callsTo('users.info')).toHaveLength(1);
  });

  it('asks again once the answer is older than the cache time, and remembers "no such user" too', async () => {
    const gateway = new WebApiSlackGateway(client(), { userCacheMs: 50 });
    const before = fake.callsTo('users.info').length;
    expect(await gateway.getUser('U0NOBODY')).toBeNull();
    expect(await gateway.getUser('U0NOBODY')).toBeNull();
    expect(fake.callsTo('users.info').length - before).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await gateway.getUser('U0NOBODY')).toBeNull();
    expect(fake.callsTo('users.info').length - before).toBe(2);
  });
});
