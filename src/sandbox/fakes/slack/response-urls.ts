/**
 * The fake's response URLs: handed out like those in command and action payloads, usable five times, and,
 * when bound to a posted message, able to replace or delete it.
 */
import { randomBytes } from 'node:crypto';
import { validateMessageBlocks } from './block-kit.ts';
import type { SlackState } from './state.ts';
import type { ResponseUrlOptions, ResponseUrlState, SlackApiResponse } from './types.ts';
import { asString, clone, fail, isRecord, isTruthyArg } from './util.ts';

const RESPONSE_URL_MAX_USES = 5;

/** Registers a response URL and returns its id (the URL is `<base>/response/<id>`). */
export function createResponseUrl(s: SlackState, label: string | undefined, options: ResponseUrlOptions): string {
  const id = `R${String(s.nextSerial()).padStart(6, '0')}${randomBytes(3).toString('hex')}`;
  const channel = options.channel !== undefined && /^[UW]/.test(options.channel) ? s.dmChannelFor(options.channel) : options.channel;
  s.responseUrls.set(id, {
    id,
    uses: 0,
    ...(label !== undefined ? { label } : {}),
    ...(channel !== undefined ? { channel } : {}),
    ...(options.messageTs !== undefined ? { messageTs: options.messageTs } : {}),
  });
  return id;
}

/** A JSON body, or a form with a JSON `payload`, or else the raw text. */
function parseBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    const payload = new URLSearchParams(raw).get('payload');
    try {
      return payload === null ? raw : JSON.parse(payload);
    } catch {
      return raw;
    }
  }
}

/** `replace_original` / `delete_original` on the message the URL is bound to. */
function applyToMessage(s: SlackState, state: ResponseUrlState, body: Record<string, unknown>, deleting: boolean): void {
  if (state.channel === undefined || state.messageTs === undefined) return;
  const messages = s.channels.get(state.channel) ?? [];
  const at = messages.findIndex((m) => m.ts === state.messageTs);
  if (at !== -1 && deleting) messages.splice(at, 1);
  else if (at !== -1 && isTruthyArg(body.replace_original)) {
    const message = messages[at];
    if (message !== undefined) {
      message.text = asString(body.text) ?? '';
      message.blocks = Array.isArray(body.blocks) ? clone(body.blocks) : [];
    }
  }
}

/** A POST to `/response/<id>`: accepted into `responses`, or refused into `rejectedResponses`. */
export function postToResponseUrl(s: SlackState, id: string, raw: string): { status: number; body: SlackApiResponse } {
  const body = parseBody(raw);
  const state = s.responseUrls.get(id);
  const reject = (status: number, error: string, messages?: string[]) => {
    s.rejectedResponses.push({ id, ...(state?.label !== undefined ? { label: state.label } : {}), body, status, error, at: Date.now() });
    return { status, body: fail(error, messages) };
  };
  if (state === undefined) return reject(404, 'invalid_url');
  if (state.uses >= RESPONSE_URL_MAX_USES) return reject(404, 'used_url');
  if (!isRecord(body)) return reject(400, 'invalid_payload');
  if (body.blocks !== undefined) {
    const problems = validateMessageBlocks(body.blocks);
    if (problems.length > 0) return reject(400, 'invalid_blocks', problems);
  }
  const deleting = isTruthyArg(body.delete_original);
  if (!deleting && body.text === undefined && body.blocks === undefined) return reject(400, 'no_text');
  state.uses += 1;
  s.responses.push({ id, ...(state.label !== undefined ? { label: state.label } : {}), body, use: state.uses, at: Date.now() });
  applyToMessage(s, state, body, deleting);
  return { status: 200, body: { ok: true } };
}
