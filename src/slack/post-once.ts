import type { SlackGateway, SlackMessage } from './gateway.ts';

/**
 * A DM at most once, as far as Slack allows: it carries `key` as message metadata, and a retried
 * job (the last attempt may have posted and died before recording it) looks for that post first.
 */
export async function postDirectMessageOnce(
  slack: SlackGateway,
  userId: string,
  key: string,
  attempt: number,
  build: () => SlackMessage | Promise<SlackMessage>,
): Promise<{ channel: string; ts: string; earlier: boolean }> {
  const earlier = attempt > 1 ? await slack.findPostedMessage(userId, key) : undefined;
  if (earlier) return { ...earlier, earlier: true };
  return { ...(await slack.postDirectMessage(userId, await build(), { key })), earlier: false };
}
