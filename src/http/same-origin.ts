import type { IncomingHttpHeaders } from 'node:http';

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Is this POST a form submitted by one of our own pages? Reasoned from the Fetch Metadata and
 * Origin rules, so every current browser passes and a cross-site form does not:
 * - `Sec-Fetch-Site` (Chromium 76+, Firefox 90+, Safari 16.4+) is set by the browser and cannot be
 *   forged by a page: only `same-origin` (our page) and `none` (the person's own action, e.g.
 *   re-sending a form from history) pass; `same-site` and `cross-site` never do.
 * - `Origin` is sent on every POST. It is the literal `null` when the page's referrer policy is
 *   `no-referrer`, or from a sandboxed frame or a `data:` page: `null` is accepted only when Fetch
 *   Metadata vouches for the same origin, since a cross-site attacker can produce `null` too.
 *   Any other value must be our origin (PUBLIC_URL's, else the Host the request was sent to).
 * - Neither header (old browsers, scripts): left to the form nonce, which only our page carries.
 */
export function checkSameOriginPost(headers: IncomingHttpHeaders, expectedOrigin: string | undefined): OriginVerdict {
  const site = single(headers['sec-fetch-site']);
  const origin = single(headers.origin);
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { ok: false, reason: `sec-fetch-site ${site}` };
  if (origin === undefined) return { ok: true };
  if (origin === 'null') return site === 'same-origin' ? { ok: true } : { ok: false, reason: 'opaque origin without fetch metadata' };
  const expected = expectedOrigin ?? hostOrigin(headers, origin);
  return expected !== undefined && sameOrigin(origin, expected) ? { ok: true } : { ok: false, reason: 'foreign origin' };
}

const single = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();

/** Without PUBLIC_URL, our origin is the Host the browser sent this request to, with the scheme the Origin claims. */
function hostOrigin(headers: IncomingHttpHeaders, origin: string): string | undefined {
  const host = single(headers.host);
  if (!host) return undefined;
  const scheme = origin.startsWith('https:') ? 'https' : 'http';
  return `${scheme}://${host}`;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
