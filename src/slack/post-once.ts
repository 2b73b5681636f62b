import { faultPoint } from '../platform/faults.ts';
import type { SlackGateway, SlackMessage } from './gateway.ts';

export interface PostOnce {
  /**
   * Names this post among all of Mailroom's (`<what>:<which>`, e.g. `request-decided:job-42`); it
   * travels as message metadata. The part before the first colon names the fault point that fires
   * right after the post (`<what>-posted`), for the crash tests.
   */
  key: string;
  /** True when an earlier attempt may have posted it (the job is retried): look before posting. */
  retried: boolean;
}

/**
 * Every job that posts to Slack posts through this, at most once as far as Slack allows: the post
 * carries its key as message metadata, and a retried job first looks for its own earlier post in
 * the DM's history (conversations.history) instead of posting a second copy.
 */
export async function postDirectMessageOnce(
  slack: SlackGateway,
  userId: string,
  message: SlackMessage,
  post: PostOnce,
): Promise<{ channel: string; ts: string; earlier: boolean }> {
  const earlier = post.retried ? await slack.findPostedMessage(userId, post.key) : undefined;
  if (earlier) return { ...earlier, earlier: true };
  const posted = await slack.postDirectMessage(userId, message, { key: post.key });
  faultPoint(`${post.key.split(':')[0]}-posted`);
  return { ...posted, earlier: false };
}
