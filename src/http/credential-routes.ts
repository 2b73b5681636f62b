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
  const nonceKey = createHmac('sha256', Buffer.from(deps.secretKeyHex, 'hex')).update('mailroom:credential-form-nonce').digest();
  const basePath = deps.publicUrl ? new URL(deps.publicUrl).pathname.replace(/\/+$/, '') : '';
  const publicOrigin = deps.publicUrl ? new URL(deps.publicUrl).origin : undefined;
  const log = deps.logger.child({ module: 'credential-page' });

  const sign = (tokenHash: string, issuedAt: number): string =>
    createHmac('sha256', nonceKey).update(`${tokenHash}:${issuedAt}`).digest('base64url');
  const makeNonce = (token: string): string => {
    const issuedAt = deps.clock.now().getTime();
    return `${issuedAt}.${sign(hashToken(token), issuedAt)}`;
  };
  const checkNonce = (token: string, nonce: string | undefined): boolean => {
    const [issued, mac] = (nonce ?? '').split('.');
    const issuedAt = Number(issued);
    if (!mac || !Number.isSafeInteger(issuedAt)) return false;
    const age = deps.clock.now().getTime() - issuedAt;
    if (age < 0 || age > FORM_TTL_MS) return false;
    const want = Buffer.from(sign(hashToken(token), issuedAt));
    const have = Buffer.from(mac);
    return want.length === have.length && timingSafeEqual(want, have);
  };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    render: (context: PageContext) => string,
    extra: Record<string, string> = {},
  ) => {
    const styleNonce = randomBytes(16).toString('base64');
    const body = render({ settings: deps.settings, styleNonce });
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

  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    log.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'credential page failed');
    if (!res.headersSent) send(req, res, 500, (context) => buildStaleFormPage(context));
  };

  const showPage = async (req: IncomingMessage & { params?: Params }, res: ServerResponse) => {
    const token = req.params?.token ?? '';
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, (c) => buildStaleFormPage(c), { allow: 'GET, HEAD' });
    const state = await deps.secrets.inspect(token);
    if (state !== 'ready') return send(req, res, state === 'not_found' ? 404 : 410, (c) => buildUnavailablePage(c, state));
    const action = `${basePath}/credentials/${encodeURIComponent(token)}/reveal`;
    return send(req, res, 200, (c) => buildRevealPromptPage(c, { formNonce: makeNonce(token), action }));
  };

  const reveal = async (req: IncomingMessage & { params?: Params }, res: ServerResponse) => {
    const token = req.params?.token ?? '';
    if (req.method !== 'POST') return send(req, res, 405, (c) => buildStaleFormPage(c), { allow: 'POST' });
    const origin = checkSameOriginPost(req.headers, publicOrigin);
    const form = await readForm(req);
    if (!origin.ok || !form || !checkNonce(token, form.get('nonce') ?? undefined)) {
      log.warn({ reason: origin.ok ? 'bad nonce' : origin.reason }, 'credential reveal refused: not from the page');
      return send(req, res, 403, (c) => buildStaleFormPage(c));
    }
    const result = await deps.secrets.reveal(token);
    if (!result.ok) return send(req, res, result.state === 'not_found' ? 404 : 410, (c) => buildUnavailablePage(c, result.state));
    log.info('credentials revealed');
    return send(req, res, 200, (c) => buildRevealedPage(c, result.credentials));
  };

  const wrap = (handler: typeof showPage) => (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => fail(req, res, error));
  };
  return [
    { path: '/credentials/:token', method: ALL_METHODS, handler: wrap(showPage) },
    { path: '/credentials/:token/reveal', method: ALL_METHODS, handler: wrap(reveal) },
  ];
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
