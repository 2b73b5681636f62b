// mariadb 3.4.5 (the driver under @prisma/adapter-mariadb) has one path that leaves a rejected
// promise unhandled: when the server dies or the network drops while a new pool connection runs
// its set-up queries (SET time_zone …, the isolation level), authSucceedHandler reports the failure to the pool and then
// drops a second, rejected copy of it. Node ends the process on an unhandled rejection, so a
// database outage could kill the bot (seen about once in three runs of a kill-the-database script).
// The production entry installs this guard: such a connection-level driver error is logged and
// dropped (the pool already handled it); any other unhandled rejection still ends the process.
import type { Logger } from '../../lib/logger.ts';

const LOST_CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ER_SOCKET_UNEXPECTED_CLOSE',
  // What the driver calls a set-up query cut off by a closed socket: SET time_zone, and initSql.
  'ER_WRONG_IANA_TIMEZONE',
  'ER_INITIAL_SQL_ERROR',
]);

export function isLostDriverConnection(reason: unknown): boolean {
  const error = reason as { fatal?: unknown; code?: unknown; sqlState?: unknown } | null;
  return Boolean(error && error.fatal === true && typeof error.code === 'string' && LOST_CONNECTION_CODES.has(error.code));
}

export function guardDriverConnectionErrors(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    if (isLostDriverConnection(reason)) {
      logger.warn(
        { code: (reason as { code: string }).code },
        'database connection lost while opening; the pool opens a new one when needed',
      );
      return;
    }
    // Anything else keeps Node's default: the process ends with the error.
    throw reason;
  });
}
