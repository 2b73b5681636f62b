import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from '../slack/gateway.ts';

/** Slack's documented limits that our views can reach with user-supplied text. */
export const SlackLimits = {
  sectionText: 3000,
  contextText: 3000,
  headerText: 150,
  buttonText: 75,
  viewTitle: 24,
  messageText: 40000,
} as const;

/** Cuts `text` to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack date token that each reader sees in their own time zone, with a UTC fallback. */
export function slackDate(date: Date): string {
  const epoch = Math.floor(date.getTime() / 1000);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${epoch}^{date_short_pretty} at {time}|${fallback}>`;
}

export const mention = (userId: string): string => `<@${userId}>`;

/** For HTML pages and emails: the five characters that could break out of text or an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A mrkdwn section, cut to Slack's limit. */
export const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SlackLimits.sectionText) } });

/** A mrkdwn context line, cut to Slack's limit. */
export const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SlackLimits.contextText) }] });

/** A one-section message whose fallback text is the same text. */
export const plainMessage = (text: string): SlackMessage => ({ text, blocks: [section(text)] });
