import { describe, expect, it } from 'vitest';
import { checkSameOriginPost } from '../../src/http/same-origin.ts';

const PUBLIC = 'https://mailroom.example.com';

describe('checkSameOriginPost (the credential form CSRF check)', () => {
  it.each([
    ['Chromium, page with no-referrer', { origin: 'null', 'sec-fetch-site': 'same-origin' }, PUBLIC],
    ['Chromium/Firefox/Safari, page with same-origin referrer policy', { origin: PUBLIC, 'sec-fetch-site': 'same-origin' }, PUBLIC],
    ['a browser without Fetch Metadata', { origin: PUBLIC }, PUBLIC],
    ['the person re-sending the form from history', { origin: PUBLIC, 'sec-fetch-site': 'none' }, PUBLIC],
    [
      'no PUBLIC_URL: the Host the page was served from',
      { origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000', 'sec-fetch-site': 'same-origin' },
      undefined,
    ],
    ['a script with neither header (left to the nonce)', {}, PUBLIC],
  ])('accepts %s', (_name, headers, expected) => {
    expect(checkSameOriginPost(headers, expected)).toEqual({ ok: true });
  });

  it.each([
    ['a form on another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, PUBLIC, 'sec-fetch-site cross-site'],
    ['a sibling subdomain', { origin: 'https://other.example.com', 'sec-fetch-site': 'same-site' }, PUBLIC, 'sec-fetch-site same-site'],
    ['a foreign Origin without Fetch Metadata', { origin: 'https://evil.example' }, PUBLIC, 'foreign origin'],
    [
      'an opaque origin (sandboxed frame, data: page) without Fetch Metadata',
      { origin: 'null' },
      PUBLIC,
      'opaque origin without fetch metadata',
    ],
    ['an opaque origin from another site', { origin: 'null', 'sec-fetch-site': 'cross-site' }, PUBLIC, 'sec-fetch-site cross-site'],
    ['another port on the same host', { origin: 'http://127.0.0.1:4000', host: '127.0.0.1:3000' }, undefined, 'foreign origin'],
    ['a malformed Origin', { origin: 'not a url' }, PUBLIC, 'foreign origin'],
  ])('refuses %s', (_name, headers, expected, reason) => {
    expect(checkSameOriginPost(headers, expected)).toEqual({ ok: false, reason });
  });
});
