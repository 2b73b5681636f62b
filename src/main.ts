import { getPriority, setPriority } from 'node:os';
import { createMailroom } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { loadEnvFile } from './lib/env-file.ts';
import { createLogger } from './lib/logger.ts';
import { guardDriverConnectionErrors } from './platform/db/driver-errors.ts';
import { applyMigrations } from './platform/db/migrate.ts';

const SLACK_KEYS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'] as const;
const SANDBOX_DATABASE_URL = 'mysql://root@127.0.0.1:3306/mailroom_sandbox';

/** What `npm start` (or `npm run sandbox`, with `--sandbox`) should run, from the environment alone. */
function chooseMode(env: NodeJS.ProcessEnv, args: readonly string[]): 'app' | 'sandbox' | 'sandbox_refused' {
  const production = env.NODE_ENV === 'production';
  if (args.includes('--sandbox')) return production ? 'sandbox_refused' : 'sandbox';
  // A chosen role (web or worker) is part of a real deployment: never the sandbox.
  if (['web', 'worker'].includes(env.MAILROOM_ROLE ?? '') || args.includes('web') || args.includes('worker')) return 'app';
  // In production missing Slack credentials are a configuration error, never a reason to run the sandbox.
  if (!production && SLACK_KEYS.every((key) => !env[key])) return 'sandbox';
  return 'app';
}

async function main(): Promise<void> {
  loadEnvFile();
  const mode = chooseMode(process.env, process.argv.slice(2));
  if (mode === 'sandbox_refused') {
    process.stderr.write(
      'Mailroom will not run its sandbox with NODE_ENV=production: the sandbox drops and re-creates its database and has no login.\n' +
        'Unset NODE_ENV to try the sandbox, or start the app without --sandbox.\n',
    );
    process.exit(2);
  }
  if (mode === 'sandbox') {
    await runSandbox();
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      if (process.env.NODE_ENV === 'production' && SLACK_KEYS.some((key) => !process.env[key])) {
        process.stderr.write(
          'NODE_ENV=production: without Slack credentials Mailroom refuses to start (the sandbox never runs in production).\n',
        );
      }
      process.exit(2);
    }
    throw error;
  }
  const roleArg = process.argv.slice(2).find((arg) => arg === 'web' || arg === 'worker' || arg === 'all');
  if (roleArg) config = { ...config, MAILROOM_ROLE: roleArg };
  const logger = createLogger({ level: config.LOG_LEVEL });
  guardDriverConnectionErrors(logger);
  const migrated = await applyMigrations({ databaseUrl: config.DATABASE_URL, logger });
  if (migrated.applied.length > 0) logger.info({ applied: migrated.applied }, 'database migrated');

  if (config.MAILROOM_ROLE === 'worker') lowerPriority(config.WORKER_NICE, logger);
  const mailroom = createMailroom({ config, logger });
  const { port } = await mailroom.start();
  logger.info({ role: mailroom.role, port, socketMode: Boolean(config.SLACK_APP_TOKEN) }, 'Mailroom is running');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS }, 'shutting down');
    // Whatever hangs (a stuck socket, a slow SMTP server), the process is gone soon after the grace period.
    setTimeout(
      () => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      },
      (config.SHUTDOWN_GRACE_SECONDS + 5) * 1000,
    ).unref();
    mailroom.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  onSignals(shutdown);
}

function onSignals(shutdown: (signal: string) => void): void {
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * No Slack credentials outside production, or `npm run sandbox`: run against the built-in loopback
 * fakes so every flow can be tried locally.
 */
async function runSandbox(): Promise<void> {
  // Loaded only here: the production path never imports the sandbox or its fakes.
  const { startSandbox } = await import('./sandbox/server.ts');
  const logger = createLogger({ level: process.env.LOG_LEVEL || 'info' });
  guardDriverConnectionErrors(logger);
  // Never DATABASE_URL: the sandbox resets its database at every start.
  const databaseUrl = process.env.SANDBOX_DATABASE_URL || SANDBOX_DATABASE_URL;
  const port = Number(process.env.PORT || 3000);
  // The sandbox has no login: it listens on loopback unless SANDBOX_HOST says otherwise.
  const sandbox = await startSandbox({ port, databaseUrl, logger, host: process.env.SANDBOX_HOST || '127.0.0.1' });
  logger.info(
    { url: `${sandbox.url}/sandbox`, database: databaseUrl.replace(/\/\/[^@]*@/, '//') },
    'Mailroom runs on its built-in sandbox',
  );
  process.stdout.write(
    `\nMailroom sandbox: open ${sandbox.url}/sandbox in a browser.\n` +
      'Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see .env.example) to connect to a real workspace.\n\n',
  );
  let stopping = false;
  onSignals((signal) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down the sandbox');
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`Mailroom failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/** The worker yields the CPU to a web process on the same host (WORKER_NICE); a refusal only costs the head start. */
function lowerPriority(nice: number, logger: ReturnType<typeof createLogger>): void {
  if (nice <= 0) return;
  try {
    setPriority(Math.max(getPriority(), nice));
  } catch (error) {
    logger.warn({ err: error, nice }, 'could not lower the worker priority');
  }
}
