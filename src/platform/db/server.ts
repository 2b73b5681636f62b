// The database server itself, not one database: connecting before the database exists, checking it, dropping it.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { type DatabaseUrlParts, parseDatabaseUrl } from './url.ts';

interface SqlErrorLike {
  message: string;
  errno?: number;
  code?: string;
  sqlMessage?: string;
}

export function describeSqlError(error: unknown): { text: string; errno: number | undefined; code: string | undefined } {
  const e = (error ?? {}) as Partial<SqlErrorLike>;
  return {
    text: e.sqlMessage ?? e.message ?? String(error),
    errno: typeof e.errno === 'number' ? e.errno : undefined,
    code: typeof e.code === 'string' ? e.code : undefined,
  };
}

export function quoteIdentifier(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

/** A connection to the server, not to any one database (which may not exist yet). */
export function connectToServer(url: Pick<DatabaseUrlParts, 'host' | 'port' | 'user' | 'password'>): Promise<Connection> {
  return createConnection({
    host: url.host,
    port: url.port,
    user: url.user,
    ...(url.password === undefined ? {} : { password: url.password }),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    dateStrings: false,
  });
}

/**
 * Checks with one direct connection that the database a URL names answers and has `table`, so a
 * command line can say at once what is wrong (the pool behind Prisma only reports a timeout, after
 * seconds). Returns the problem in words, or undefined when all is well; never the password.
 */
export async function probeDatabase(databaseUrl: string, table: string): Promise<string | undefined> {
  const { database, ...server } = parseDatabaseUrl(databaseUrl);
  if (!database) return 'the URL names no database (mysql://user:password@host:port/DATABASE)';
  let connection: Connection;
  try {
    connection = await connectToServer(server);
  } catch (error) {
    return describeSqlError(error).text;
  }
  try {
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?) AS db,
              (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?) AS tbl`,
      [database, database, table],
    );
    if (Number(rows[0]?.db) === 0) return `database ${database} does not exist: run npm run db:migrate first`;
    if (Number(rows[0]?.tbl) === 0) return `table ${table} does not exist in database ${database}: run npm run db:migrate first`;
    return undefined;
  } catch (error) {
    return describeSqlError(error).text;
  } finally {
    await connection.end();
  }
}

/** Drops the database a URL names (the sandbox's reset and the tests' clean-up); the server's other databases are untouched. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { database, ...server } = parseDatabaseUrl(databaseUrl);
  if (!database) throw new Error('The database URL names no database to drop.');
  const connection = await connectToServer(server);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database.replace(/`/g, '``')}\``);
  } finally {
    await connection.end();
  }
}
