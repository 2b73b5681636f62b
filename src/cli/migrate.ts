// `mailroom migrate`: applies pending migrations to DATABASE_URL and says what it did, in words.
import { resolve } from 'node:path';
import { applyMigrations, MigrationError, type MigrationLogger } from '../platform/db/migrate.ts';
import { describeDatabase } from '../platform/db/url.ts';
import { CliError, type CliIo, requireDatabaseUrl } from './common.ts';

export async function runMigrate(options: { migrationsDir?: string }, io: Pick<CliIo, 'env' | 'out' | 'err'>): Promise<void> {
  const { env, out, err } = io;
  const databaseUrl = requireDatabaseUrl(env, 'npm run db:migrate');
  const logger: MigrationLogger = {
    info: (obj, msg) => {
      const { migration, database } = obj as { migration?: unknown; database?: unknown };
      if (msg === 'Applying migration' && typeof migration === 'string') out(`Applying ${migration} …`);
      if (msg === 'Created database' && typeof database === 'string') out(`Created database ${database}.`);
    },
    warn: (obj, msg) => {
      const migrations = (obj as { migrations?: unknown }).migrations;
      err(`Warning: ${msg ?? ''}${Array.isArray(migrations) ? `: ${migrations.join(', ')}` : ''}`);
    },
  };
  try {
    const result = await applyMigrations({
      databaseUrl,
      ...(options.migrationsDir === undefined ? {} : { migrationsDir: resolve(options.migrationsDir) }),
      logger,
    });
    if (result.applied.length === 0) {
      out(`No pending migrations (${result.alreadyApplied.length} already applied).`);
    } else {
      out(`Applied ${result.applied.length} migration(s):`);
      for (const name of result.applied) out(`  ${name}`);
      if (result.alreadyApplied.length > 0) out(`${result.alreadyApplied.length} were already applied.`);
    }
  } catch (error) {
    if (error instanceof MigrationError) throw new CliError(`Migration failed: ${error.message}`, 1);
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string') {
      // Driver errors (ECONNREFUSED, ER_ACCESS_DENIED_ERROR…): say where, never with the password.
      const message = error instanceof Error && error.message ? error.message : code;
      throw new CliError(`Could not migrate ${describeDatabase(databaseUrl)}: ${message}`, 1);
    }
    throw error;
  }
}
