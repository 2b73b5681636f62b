// Applies prisma/migrations/<timestamp>_<name>/migration.sql in name order, bookkeeping in Prisma's own
// `_prisma_migrations` table exactly as `prisma migrate deploy` does on MySQL, so either tool can take
// over from the other. Needed because the Prisma schema engine cannot be installed everywhere we run.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { connectToServer, describeSqlError, quoteIdentifier } from './server.ts';
import { migrationChecksum, scriptMatchesChecksum, splitSqlStatements } from './sql-script.ts';
import { parseDatabaseUrl, SESSION_TIME_ZONE } from './url.ts';

export { migrationChecksum, scriptMatchesChecksum, splitSqlStatements } from './sql-script.ts';

export interface MigrationLogger {
  info(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
}

export interface ApplyMigrationsOptions {
  databaseUrl: string;
  /** Defaults to the repository's prisma/migrations. */
  migrationsDir?: string;
  logger?: MigrationLogger;
}

export interface ApplyMigrationsResult {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Migrations found already applied (checksum verified). */
  alreadyApplied: string[];
  /** Finished migrations recorded in `_prisma_migrations` that have no folder on disk (also logged as a warning). */
  missingFromDisk: string[];
}

export type MigrationErrorCode = 'INVALID_CONFIG' | 'LOCK_TIMEOUT' | 'CHECKSUM_MISMATCH' | 'FAILED_MIGRATION_PRESENT' | 'MIGRATION_FAILED';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly migrationName?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));
export const MIGRATIONS_TABLE = '_prisma_migrations';
export const MIGRATION_LOCK_NAME = 'mailroom_migrate';
const LOCK_TIMEOUT_SECONDS = 60;

/** The table `prisma migrate deploy` creates on MySQL (schema-engine's mysql flavour), verbatim. */
export const CREATE_MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

interface MigrationFolder {
  name: string;
  script: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

async function readMigrationFolders(dir: string): Promise<MigrationFolder[]> {
  if (!existsSync(dir)) {
    throw new MigrationError('INVALID_CONFIG', `Migrations directory not found: ${dir}`);
  }
  const lockFile = join(dir, 'migration_lock.toml');
  if (existsSync(lockFile)) {
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(await readFile(lockFile, 'utf8'))?.[1];
    if (provider !== undefined && provider !== 'mysql') {
      throw new MigrationError(
        'INVALID_CONFIG',
        `${lockFile} says provider = "${provider}", but these migrations are applied to MySQL/MariaDB`,
      );
    }
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const folders: MigrationFolder[] = [];
  for (const name of names) {
    const file = join(dir, name, 'migration.sql');
    if (!existsSync(file)) {
      throw new MigrationError('INVALID_CONFIG', `Migration folder ${name} has no migration.sql`, name);
    }
    const bytes = await readFile(file);
    folders.push({ name, script: bytes.toString('utf8'), checksum: migrationChecksum(bytes) });
  }
  return folders;
}

/**
 * Applies every pending migration under `migrationsDir` to the database named in `databaseUrl`
 * (creating the database if needed), holding the `mailroom_migrate` named lock throughout.
 * Throws a `MigrationError` (nothing applied) if an applied migration was edited afterwards or an
 * earlier run left a failed migration; throws one naming the migration if a script fails.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<ApplyMigrationsResult> {
  const logger = options.logger;
  const url = parseDatabaseUrl(options.databaseUrl);
  const database = url.database;
  if (database === undefined) {
    throw new MigrationError('INVALID_CONFIG', 'The database URL has no database name (mysql://user:password@host:port/DATABASE)');
  }
  const folders = await readMigrationFolders(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);

  const connection = await connectToServer(url);
  let locked = false;
  try {
    // Same session time zone as the app, so CURRENT_TIMESTAMP in a data migration is UTC too.
    await connection.query('SET time_zone = ?', [SESSION_TIME_ZONE]);
    locked = await takeLock(connection);
    await useDatabase(connection, database, logger);
    const rows = await readHistory(connection);
    const { alreadyApplied, pending, missingFromDisk } = planMigrations(folders, rows);
    if (missingFromDisk.length > 0) {
      const warn = logger?.warn ?? logger?.info;
      warn?.call(
        logger,
        { migrations: missingFromDisk },
        `${missingFromDisk.length} migration(s) recorded in ${MIGRATIONS_TABLE} have no folder in the migrations directory`,
      );
    }
    const applied: string[] = [];
    for (const folder of pending) {
      await applyOne(connection, folder, logger);
      applied.push(folder.name);
    }
    return { applied, alreadyApplied, missingFromDisk };
  } finally {
    try {
      if (locked) await connection.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK_NAME]);
    } finally {
      await connection.end().catch(() => connection.destroy());
    }
  }
}

async function takeLock(connection: Connection): Promise<true> {
  const [lockRows] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS acquired', [
    MIGRATION_LOCK_NAME,
    LOCK_TIMEOUT_SECONDS,
  ]);
  if (Number(lockRows[0]?.acquired) !== 1) {
    throw new MigrationError(
      'LOCK_TIMEOUT',
      `Could not take the "${MIGRATION_LOCK_NAME}" lock within ${LOCK_TIMEOUT_SECONDS}s: another process is migrating`,
    );
  }
  return true;
}

async function useDatabase(connection: Connection, database: string, logger: MigrationLogger | undefined): Promise<void> {
  // Only create when missing: an app user granted rights on its own database alone may not CREATE.
  const [schemaRows] = await connection.query<RowDataPacket[]>(
    'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [database],
  );
  if (schemaRows.length === 0) {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    logger?.info({ database }, 'Created database');
  }
  await connection.query(`USE ${quoteIdentifier(database)}`);
  await connection.query(CREATE_MIGRATIONS_TABLE_SQL);
}

/** The history table; like Prisma's P3009, a failed migration blocks everything until an operator resolves it. */
async function readHistory(connection: Connection): Promise<MigrationRow[]> {
  const [rowPackets] = await connection.query<RowDataPacket[]>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM ${MIGRATIONS_TABLE} ORDER BY started_at, id`,
  );
  const rows = rowPackets as unknown as MigrationRow[];
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  const firstFailed = failed[0];
  if (firstFailed !== undefined) {
    const names = failed.map((row) => row.migration_name).join(', ');
    throw new MigrationError(
      'FAILED_MIGRATION_PRESENT',
      `Found failed migration(s) in ${MIGRATIONS_TABLE}: ${names}. New migrations will not be applied. ` +
        `"${firstFailed.migration_name}" started at ${firstFailed.started_at.toISOString()} and failed` +
        (firstFailed.logs ? `:\n${firstFailed.logs}\n` : '. ') +
        'Fix the database by hand (undo what the migration did, or finish it), fix migration.sql if it is wrong, ' +
        'then mark the attempt rolled back with `prisma migrate resolve --rolled-back <name>` or ' +
        `UPDATE ${MIGRATIONS_TABLE} SET rolled_back_at = UTC_TIMESTAMP(3) WHERE migration_name = '<name>' AND finished_at IS NULL; ` +
        'and run the migration again.',
      firstFailed.migration_name,
    );
  }
  return rows;
}

/** Verifies every applied migration against its file before anything new is applied. */
function planMigrations(
  folders: MigrationFolder[],
  rows: MigrationRow[],
): { alreadyApplied: string[]; pending: MigrationFolder[]; missingFromDisk: string[] } {
  const finishedByName = new Map<string, MigrationRow[]>();
  for (const row of rows) {
    if (row.finished_at === null || row.rolled_back_at !== null) continue;
    finishedByName.set(row.migration_name, [...(finishedByName.get(row.migration_name) ?? []), row]);
  }
  const alreadyApplied: string[] = [];
  const pending: MigrationFolder[] = [];
  for (const folder of folders) {
    const applied = finishedByName.get(folder.name);
    if (applied === undefined) {
      pending.push(folder);
      continue;
    }
    if (!applied.some((row) => scriptMatchesChecksum(folder.script, row.checksum))) {
      throw new MigrationError(
        'CHECKSUM_MISMATCH',
        `Migration "${folder.name}" was modified after it was applied: ${MIGRATIONS_TABLE} records checksum ` +
          `${applied[applied.length - 1]?.checksum} but migration.sql now has ${folder.checksum}. ` +
          'Never edit an applied migration: restore the file and put the change in a new migration.',
        folder.name,
      );
    }
    alreadyApplied.push(folder.name);
  }
  const onDisk = new Set(folders.map((folder) => folder.name));
  return { alreadyApplied, pending, missingFromDisk: [...finishedByName.keys()].filter((name) => !onDisk.has(name)) };
}

async function applyOne(connection: Connection, folder: MigrationFolder, logger?: MigrationLogger): Promise<void> {
  const id = randomUUID();
  await connection.query(
    `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, started_at, migration_name, applied_steps_count)
     VALUES (?, ?, UTC_TIMESTAMP(3), ?, 0)`,
    [id, folder.checksum, folder.name],
  );
  logger?.info({ migration: folder.name }, 'Applying migration');

  let statements: string[];
  try {
    statements = splitSqlStatements(folder.script);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    await recordFailure(connection, id, `Migration name: ${folder.name}\n\n${text}`);
    throw new MigrationError('MIGRATION_FAILED', `Migration "${folder.name}" failed: ${text}`, folder.name, {
      cause: error,
    });
  }

  for (const [index, statement] of statements.entries()) {
    try {
      await connection.query(statement);
    } catch (error) {
      const sqlError = describeSqlError(error);
      const logs =
        `Migration name: ${folder.name}\n\n` +
        (sqlError.errno === undefined ? '' : `Database error code: ${sqlError.errno}\n\n`) +
        `Database error:\n${sqlError.text}\n\n` +
        `Please check the query number ${index + 1} from the migration file.`;
      await recordFailure(connection, id, logs);
      throw new MigrationError(
        'MIGRATION_FAILED',
        `Migration "${folder.name}" failed at statement ${index + 1} of ${statements.length}: ${sqlError.text}` +
          (sqlError.code === undefined ? '' : ` (${sqlError.code}${sqlError.errno === undefined ? '' : ` ${sqlError.errno}`})`) +
          `. Statements before it were applied (MySQL DDL is not transactional); the attempt is recorded as failed in ${MIGRATIONS_TABLE}.`,
        folder.name,
        { cause: error },
      );
    }
  }

  await connection.query(
    `UPDATE ${MIGRATIONS_TABLE}
        SET finished_at = UTC_TIMESTAMP(3), applied_steps_count = applied_steps_count + 1
      WHERE id = ?`,
    [id],
  );
  logger?.info({ migration: folder.name, statements: statements.length }, 'Applied migration');
}

async function recordFailure(connection: Connection, id: string, logs: string): Promise<void> {
  await connection.query(`UPDATE ${MIGRATIONS_TABLE} SET logs = ? WHERE id = ?`, [logs, id]);
}
