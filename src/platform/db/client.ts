import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import * as mariadb from 'mariadb';
import { PrismaClient } from '../../generated/prisma/client.ts';
import { parseDatabaseUrl, SESSION_TIME_ZONE } from './url.ts';

export type { DatabaseUrlParts } from './url.ts';
export { describeDatabase, parseDatabaseUrl, SESSION_TIME_ZONE, withDatabase } from './url.ts';

/** Prepared statements cached per connection: 64 × 10 connections = 640 per process. */
export const PREPARE_CACHE_LENGTH = 64;

export interface PrismaClientOptions {
  connectionLimit?: number;
  /**
   * Sees every command the driver sends (`QUERY: …`, `PREPARE: …`, `EXECUTE: …`, `CLOSE PREPARE: …`),
   * without parameter values; for the statement counts in bench/, never set in production.
   */
  onCommand?: (line: string) => void;
}

/**
 * Builds the app's PrismaClient on the MariaDB driver adapter (which also speaks to MySQL).
 * The pool size is `options.connectionLimit`, else the URL's `connection_limit`, else 10.
 */
export function createPrismaClient(databaseUrl: string, options?: PrismaClientOptions): PrismaClient {
  const parts = parseDatabaseUrl(databaseUrl);
  if (parts.database === undefined) {
    throw new Error('The database URL has no database name (mysql://user:password@host:port/DATABASE)');
  }
  const fromUrl = parts.params.connection_limit === undefined ? undefined : Number(parts.params.connection_limit);
  const connectionLimit = options?.connectionLimit ?? (fromUrl !== undefined && fromUrl > 0 ? fromUrl : 10);
  // Our own pool, so that every connection gets an 'error' listener: without one the driver
  // throws a lost connection (the server killed, the network cut) as an unhandled rejection,
  // which ends the process. With it, the connection is dropped and the next query gets a new one.
  const pool = mariadb.createPool({
    host: parts.host,
    port: parts.port,
    user: parts.user,
    ...(parts.password === undefined ? {} : { password: parts.password }),
    database: parts.database,
    connectionLimit,
    // Short waits: while the database is down a Slack interaction must still be answered within
    // its 3 s (with "nothing was saved"), and /healthz within one.
    connectTimeout: 800,
    acquireTimeout: 1200,
    // The driver runs `SET time_zone = '+00:00'` on every new connection (see SESSION_TIME_ZONE).
    timezone: SESSION_TIME_ZONE,
    // READ COMMITTED for every transaction, set once per connection: the job claim needs it (no gap
    // locks, SKIP LOCKED takes only what it returns), and asking per transaction cost a statement each
    // time. Every other transaction guards its writes in the UPDATE's own WHERE (status, version), so
    // it needs no snapshot of earlier reads.
    initSql: 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
    // Prepared statements are kept per connection (the adapter sends every statement as one), so a
    // repeated statement costs one round trip instead of prepare + execute + close. Bounded, because
    // Prisma writes a new text for every length of an IN list and the server refuses more than
    // max_prepared_stmt_count (16382) in all: PREPARE_CACHE_LENGTH × connections × processes must stay
    // well below it. The driver closes what the LRU evicts (tested in test/integration/db-client.test.ts).
    prepareCacheLength: PREPARE_CACHE_LENGTH,
    ...(options?.onCommand ? { logger: { query: options.onCommand }, logParam: false } : {}),
  });
  pool.on('connection', (connection) => {
    connection.on('error', () => {
      // Already handled: the pool discards the connection, and the query that was using it fails.
    });
  });
  const adapter = new PrismaMariaDb(pool, { database: parts.database, disposeExternalPool: true });
  return new PrismaClient({ adapter });
}
