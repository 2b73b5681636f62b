import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from '../slack/gateway.ts';

/**
 * Slack's documented limits that our views can reach with user-supplied text (Block Kit reference:
 * blocks, composition objects, elements, modal views). Lengths are counted in UTF-16 code units,
 * which is never less than Slack's character count.
 */
export const SlackLimits = {
  sectionText: 3000,
  sectionField: 2000,
  contextText: 3000,
  headerText: 150,
  buttonText: 75,
  optionText: 75,
  optionValue: 150,
  confirmText: 300,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  viewTitle: 24,
  messageText: 40000,
} as const;

const ELLIPSIS = '…';
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The last grapheme boundary at or before `index`: never inside a surrogate pair, an emoji sequence or a letter with its marks. */
function graphemeBoundary(text: string, index: number): number {
  const segment = graphemes.segment(text).containing(index);
  return segment === undefined ? Math.min(index, text.length) : segment.index;
}

/**
 * Cuts plain text to `max` UTF-16 units, marking the cut with an ellipsis. The cut falls between
 * graphemes.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < ELLIPSIS.length) return '';
  return `${text.slice(0, graphemeBoundary(text, max - ELLIPSIS.length))}${ELLIPSIS}`;
}

/** `&amp;`-style entities and `<…>` tokens (mentions, dates, links) are cut whole or not at all. */
const MRKDWN_ATOM = /&(?:amp|lt|gt);|<[^<>]*>/g;

/**
 * Cuts already-escaped mrkdwn to `max` units: never inside an entity such as `&amp;`, a token such
 * as `<@U1>` or `<!date^…|…>`, or a grapheme.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < ELLIPSIS.length) return '';
  let cut = graphemeBoundary(text, max - ELLIPSIS.length);
  for (const match of text.matchAll(MRKDWN_ATOM)) {
    if (match.index >= cut) break;
    if (match.index + match[0].length > cut) {
      cut = match.index;
      break;
    }
  }
  return `${text.slice(0, cut)}${ELLIPSIS}`;
}

/**
 * A character shown as itself and never read as formatting: Slack documents no escape for `*_~\``,
 * but a date token's fallback text is shown as plain text, and an unknown format (`{_}`) makes every
 * client show the fallback. It reads and copies as the character itself.
 */
const literal = (text: string): string => `<!date^0^{_}|${text}>`;

/** A formatting marker, unless it sits inside a word (`jane_doe`), where Slack never formats; backticks always. */
const FORMATTING_MARKER = /`|(?<![\p{L}\p{N}])[*_~]|[*_~](?![\p{L}\p{N}])/gu;
/** `>` at the start of a line opens a quote, escaped or not. */
const QUOTE_AT_LINE_START = /^([ \t]*)&gt;/gm;

/**
 * User text for mrkdwn, shown exactly as typed: the three characters Slack's mrkdwn treats as
 * control characters become entities (no mention, link or channel token can be formed), the
 * formatting markers `*` `_` `~` `` ` `` become literal tokens, and a line that starts with `>`
 * gets a literal space before it, so it is not a quote. Every view escapes user text here.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(FORMATTING_MARKER, literal)
    .replace(QUOTE_AT_LINE_START, (_match, indent: string) => `${indent}${literal(' ')}&gt;`);
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

/** A mrkdwn section (text already escaped), cut to Slack's limit. */
export const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncateMrkdwn(text, SlackLimits.sectionText) },
});

/** A mrkdwn context line (text already escaped), cut to Slack's limit. */
export const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, SlackLimits.contextText) }],
});

/** A message's fallback `text` (already escaped: Slack parses it as mrkdwn), cut to Slack's limit. */
export const fallbackText = (text: string): string => truncateMrkdwn(text, SlackLimits.messageText);

/** A one-section message whose fallback text is the same (escaped) text. */
export const plainMessage = (text: string): SlackMessage => ({ text: fallbackText(text), blocks: [section(text)] });
