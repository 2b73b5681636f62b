// User text in mrkdwn is shown exactly as typed: never formatting, a quote, a mention or a link.
// Slack documents entities for & < > only; formatting markers become date tokens whose fallback
// (shown as plain text) is the marker itself.
import { describe, expect, it } from 'vitest';
import { mrkdwn } from '../../src/sandbox/render.ts';
import { escapeMrkdwn, truncateMrkdwn } from '../../src/views/text.ts';

const LITERAL = /<!date\^0\^\{_\}\|([^<>]*)>/g;

/** What a reader sees and copies: tokens shown as their fallback, entities undone. */
const shown = (escaped: string) => escaped.replace(LITERAL, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const HOSTILE = [
  '*bold*',
  '_italic_',
  '~strike~',
  '`code`',
  '```block\nof code```',
  '> quote',
  'first line\n> quoted second line',
  '   > indented quote',
  '&gt; an entity that is a quote',
  '*_~`all at once`~_*',
  '**double** __double__ ~~double~~',
  'Eve *Bold* Adams',
  'x*y*z and a_b_c and m~n~o',
  'jane_doe@example.com',
  '_leading and trailing_',
  'end with a star*',
  '*',
  '<@U0ADMIN001> <!channel> <!here> <#C123|general>',
  '<https://evil.example|click me> <mailto:x@y.z|mail>',
  'Tom & Jerry <b> </b> 3 > 2 < 4',
  '&amp; &lt; &gt; already escaped',
  'Zoë *Ünïcödé* _ça_ ~日本~ `код`',
  '👩‍💻*x*👩‍💻 🎉_y_🎉',
  ':tada: *emoji* :white_check_mark:',
  '\\*backslashed\\*',
  '•*bullet*',
  '(*paren*) [_bracket_] "~quoted~"',
  'multi\nline *bold across\nlines*',
];

describe('escapeMrkdwn over a hostile corpus', () => {
  it.each(HOSTILE)('%j reads and copies exactly as typed', (text) => {
    const escaped = escapeMrkdwn(text);
    // A quote line gets one visible space in front: the only change a reader can see.
    expect(shown(escaped)).toBe(text.replace(/^([ \t]*)>/gm, '$1 >'));
  });

  it.each(HOSTILE)('%j leaves no formatting marker, quote, mention or link for Slack to act on', (text) => {
    const escaped = escapeMrkdwn(text);
    // Every <…> token is a literal (no mention, channel, link or special mention).
    for (const token of escaped.match(/<[^<>]*>/g) ?? []) expect(token).toMatch(/^<!date\^0\^\{_\}\|[^<>]*>$/);
    // Outside the literals, a marker only ever sits inside a word, where Slack formats nothing.
    const outside = escaped.replace(LITERAL, ' ');
    expect(outside).not.toContain('`');
    for (const match of outside.matchAll(/[*_~]/g)) {
      const before = outside[(match.index ?? 0) - 1] ?? '';
      const after = outside[(match.index ?? 0) + 1] ?? '';
      expect(/[\p{L}\p{N}]/u.test(before) && /[\p{L}\p{N}]/u.test(after), `${match[0]} at ${match.index} in ${outside}`).toBe(true);
    }
    expect(escaped).not.toMatch(/^[ \t]*(&gt;|>)/m);
    // The sandbox's renderer (which plays Slack's) draws no bold, italics or code from it.
    expect(mrkdwn(escaped, (id) => id)).not.toMatch(/<(strong|em|code|del|blockquote)>/);
  });

  it('leaves words and addresses alone: an underscore inside a word is never formatting', () => {
    expect(escapeMrkdwn('jane_doe@example.com')).toBe('jane_doe@example.com');
    expect(escapeMrkdwn('Jane Doe')).toBe('Jane Doe');
  });

  it('is cut whole: a limit never splits a literal', () => {
    const escaped = escapeMrkdwn('*'.repeat(500));
    const cut = truncateMrkdwn(escaped, 3000);
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(cut.replace(LITERAL, '').replace('…', '')).toBe('');
  });
});
