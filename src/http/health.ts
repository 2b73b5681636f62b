import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../lib/logger.ts';
import { withTimeout } from '../lib/timeout.ts';

/** GET /healthz: 200 once the database answers, 503 within a second when it does not or while the process drains. */
export function healthHandler(prisma: PrismaClient, logger: Logger, lifecycle: { draining: boolean }) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    if (lifecycle.draining)
      return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"ok":false,"error":"shutting down"}');
    // Within a second in every state: a database that hangs counts as unreachable.
    withTimeout(prisma.$queryRaw`SELECT 1`, 900)
      .then((answer) => {
        if (answer === 'timeout') throw new Error('no answer within 900 ms');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      })
      .catch((error: unknown) => {
        logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'health check: database unreachable');
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"ok":false,"error":"database unreachable"}');
      });
  };
}
