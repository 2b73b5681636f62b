import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Metrics, slackSurface } from '../platform/metrics.ts';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps the receiver's request listener: each answered Slack request (2xx) is timed from its arrival
 * to the end of the answer, labelled with its surface, read from the body Bolt buffered on the request.
 */
export function timeAcks(listener: Listener, metrics: Metrics): Listener {
  return (req, res) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === '/slack/events') {
      const startedAt = performance.now();
      res.once('finish', () => {
        if (res.statusCode >= 300) return;
        const rawBody = (req as IncomingMessage & { rawBody?: Buffer }).rawBody;
        metrics.ackSeconds.observe({ surface: slackSurface(rawBody, req.headers['content-type']) }, (performance.now() - startedAt) / 1000);
      });
    }
    listener(req, res);
  };
}
