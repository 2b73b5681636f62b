// Database URL helpers, kept apart from client.ts so that the migrator (and `mailroom migrate`)
// never load the generated Prisma client: migrations must run before `prisma generate` has.

/** The parts of a `mysql://` / `mariadb://` URL that the migrator and the Prisma adapter need. */
export interface DatabaseUrlParts {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  /** Undefined when the URL has no path (e.g. a server URL such as `mysql://root@127.0.0.1:3306`). */
  database: string | undefined;
  /** Query-string parameters (e.g. Prisma's `connection_limit`), decoded. */
  params: Record<string, string>;
}

/**
 * Every session the app opens runs with this time zone, so that `NOW()`, `CURRENT_TIMESTAMP(3)`
 * column defaults and anything else computed by the server agree with Prisma, which writes and
 * reads every `DateTime` as UTC wall-clock text whatever the session time zone is.
 */
export const SESSION_TIME_ZONE = '+00:00';

/**
 * Parses `mysql://user:password@host:port/database?param=value` (or `mariadb://`).
 * User, password and database are URL-decoded; the port defaults to 3306.
 */
export function parseDatabaseUrl(databaseUrl: string): DatabaseUrlParts {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('Invalid database URL: expected mysql://user:password@host:port/database');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new Error(`Unsupported database URL protocol "${url.protocol}": expected mysql:// or mariadb://`);
  }
  let host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') throw new Error('Invalid database URL: the host is missing');
  const port = url.port === '' ? 3306 : Number(url.port);
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  return {
    host,
    port,
    user: decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    database: path === '' ? undefined : path,
    params,
  };
}

/** `user@host:port/database`: where a URL points, for messages; never with the password. */
export function describeDatabase(databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  return `${target.user}@${target.host}:${target.port}/${target.database ?? ''}`;
}

/** Returns `databaseUrl` pointing at `database` instead (keeps credentials, host and parameters). */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
