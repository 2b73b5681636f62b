import type { IncomingMessage, ServerResponse } from 'node:http';

/** Slack's window for a request's timestamp, both ways (Bolt refuses only stale ones). */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** A signed request stamped more than five minutes ahead: a replay prepared in advance, refused like a stale one. */
export function isFutureDated(header: string | string[] | undefined, nowMs: number): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value)) return false; // absent or malformed: Bolt's own check refuses it
  return Number(value) > Math.floor(nowMs / 1000) + MAX_CLOCK_SKEW_SECONDS;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** Wraps the receiver's request listener: future-dated Slack requests get 401 before Bolt sees them. */
export function refuseFutureDated(listener: Listener, onRefused: (req: IncomingMessage) => void): Listener {
  return (req, res) => {
    if (isFutureDated(req.headers['x-slack-request-timestamp'], Date.now())) {
      onRefused(req);
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
      return;
    }
    listener(req, res);
  };
}
