import { createMailroom } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { applyMigrations } from './db/migrate.ts';
import { createLogger } from './lib/logger.ts';

const SLACK_KEYS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'] as const;

async function main(): Promise<void> {
  if (SLACK_KEYS.every((key) => !process.env[key])) {
    process.stderr.write(
      'Mailroom needs Slack credentials to run: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET ' +
        '(and the other settings in .env.example), e.g. `cp .env.example .env` and fill it in.\n',
    );
    process.exit(2);
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  const migrated = await applyMigrations({ databaseUrl: config.DATABASE_URL, logger });
  if (migrated.applied.length > 0) logger.info({ applied: migrated.applied }, 'database migrated');

  const mailroom = createMailroom({ config, logger });
  const { port } = await mailroom.start();
  logger.info({ port, socketMode: Boolean(config.SLACK_APP_TOKEN) }, 'Mailroom is running');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    mailroom.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Mailroom failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
