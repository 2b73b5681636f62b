import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../lib/logger.ts';
import type { Clock } from '../platform/clock.ts';
import { hashToken, type OneTimeSecrets } from '../services/credentials/one-time-secrets.ts';
import type { TemplateSettings } from '../services/notifications/model.ts';
import {
  buildRevealedPage,
  buildRevealPromptPage,
  buildStaleFormPage,
  buildUnavailablePage,
  type PageContext,
} from '../views/credential-page.ts';
import { checkSameOriginPost } from './same-origin.ts';

export interface CredentialRoutesDeps {
  secrets: OneTimeSecrets;
  clock: Clock;
  logger: Logger;
  settings: TemplateSettings;
  /** SECRET_KEY (hex): the form nonces are HMACs under a key derived from it. */
  secretKeyHex: string;
  /** PUBLIC_URL, when set: its origin is the only one allowed to POST, its path prefixes the form action. */
  publicUrl: string | undefined;
}

const FORM_TTL_MS = 60 * 60 * 1000;
const MAX_BODY_BYTES = 4096;
// Every method is routed here, so a stray HEAD/PUT never reaches Bolt's "unhandled request" log,
// which would print the URL and with it the token.
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

type Params = Record<string, string | undefined>;

/**
 * GET /credentials/:token shows a page with a button and reveals nothing, so mail scanners and
 * link unfurlers cannot use the link up. POST /credentials/:token/reveal, with the page's nonce
 * (an HMAC of the token hash and the time the page was served), reveals once.
 */
export function buildCredentialRoutes(deps: CredentialRoutesDeps): CustomRoute[] {
  const nonces = new FormNonces(deps.secretKeyHex, deps.clock);
  const basePath = deps.publicUrl ? new URL(deps.publicUrl).pathname.replace(/\/+$/, '') : '';
  const publicOrigin = deps.publicUrl ? new URL(deps.publicUrl).origin : undefined;
  const log = deps.logger.child({ module: 'credential-page' });
  const send = pageSender(deps.settings);

  const showPage = async (req: IncomingMessage & { params?: Params }, res: ServerResponse) => {
    const token = req.params?.token ?? '';
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, (c) => buildStaleFormPage(c), { allow: 'GET, HEAD' });
    const state = await deps.secrets.inspect(token);
    if (state !== 'ready') return send(req, res, state === 'not_found' ? 404 : 410, (c) => buildUnavailablePage(c, state));
    const action = `${basePath}/credentials/${encodeURIComponent(token)}/reveal`;
    return send(req, res, 200, (c) => buildRevealPromptPage(c, { formNonce: nonces.make(token), action }));
  };

  const reveal = async (req: IncomingMessage & { params?: Params }, res: ServerResponse) => {
    const token = req.params?.token ?? '';
    if (req.method !== 'POST') return send(req, res, 405, (c) => buildStaleFormPage(c), { allow: 'POST' });
    const origin = checkSameOriginPost(req.headers, publicOrigin);
    const form = await readForm(req);
    if (!origin.ok || !form || !nonces.check(token, form.get('nonce') ?? undefined)) {
      log.warn({ reason: origin.ok ? 'bad nonce' : origin.reason }, 'credential reveal refused: not from the page');
      return send(req, res, 403, (c) => buildStaleFormPage(c));
    }
    const result = await deps.secrets.reveal(token);
    if (!result.ok) return send(req, res, result.state === 'not_found' ? 404 : 410, (c) => buildUnavailablePage(c, result.state));
    log.info('credentials revealed');
    return send(req, res, 200, (c) => buildRevealedPage(c, result.credentials));
  };

  const wrap = (handler: typeof showPage) => (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      log.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'credential page failed');
      if (!res.headersSent) send(req, res, 500, (context) => buildStaleFormPage(context));
    });
  };
  return [
    { path: '/credentials/:token', method: ALL_METHODS, handler: wrap(showPage) },
    { path: '/credentials/:token/reveal', method: ALL_METHODS, handler: wrap(reveal) },
  ];
}

/** The reveal form's nonce: an HMAC (under a key derived from SECRET_KEY) of the token's hash and when the page was served. */
class FormNonces {
  private readonly key: Buffer;

  constructor(
    secretKeyHex: string,
    private readonly clock: Clock,
  ) {
    this.key = createHmac('sha256', Buffer.from(secretKeyHex, 'hex')).update('mailroom:credential-form-nonce').digest();
  }

  private sign(tokenHash: string, issuedAt: number): string {
    return createHmac('sha256', this.key).update(`${tokenHash}:${issuedAt}`).digest('base64url');
  }

  make(token: string): string {
    const issuedAt = this.clock.now().getTime();
    return `${issuedAt}.${this.sign(hashToken(token), issuedAt)}`;
  }

  check(token: string, nonce: string | undefined): boolean {
    const [issued, mac] = (nonce ?? '').split('.');
    const issuedAt = Number(issued);
    if (!mac || !Number.isSafeInteger(issuedAt)) return false;
    const age = this.clock.now().getTime() - issuedAt;
    if (age < 0 || age > FORM_TTL_MS) return false;
    const want = Buffer.from(this.sign(hashToken(token), issuedAt));
    const have = Buffer.from(mac);
    return want.length === have.length && timingSafeEqual(want, have);
  }
}

/** Sends a credential page with the headers every one of them needs: no caching, no framing, a strict CSP. */
function pageSender(settings: TemplateSettings) {
  return (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    render: (context: PageContext) => string,
    extra: Record<string, string> = {},
  ): void => {
    const styleNonce = randomBytes(16).toString('base64');
    const body = render({ settings, styleNonce });
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store, max-age=0',
      pragma: 'no-cache',
      // same-origin, not no-referrer: the reveal form's POST then carries our real Origin (with
      // no-referrer browsers send `Origin: null`), while no other site ever sees the token's URL.
      'referrer-policy': 'same-origin',
      'x-robots-tag': 'noindex, nofollow, noarchive',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${styleNonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
