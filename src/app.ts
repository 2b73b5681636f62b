import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { registerListeners } from './commands/index.ts';
import type { Config } from './config.ts';
import { createPrismaClient } from './db/client.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { SecretBox } from './lib/secret-box.ts';
import { CpanelProvider } from './providers/cpanel.ts';
import type { MailboxProvider } from './providers/mailbox-provider.ts';
import { type JobHandlers, JobQueue, JobRunner } from './services/jobs.ts';
import { RequestService } from './services/requests.ts';
import { WebApiSlackGateway } from './slack/gateway.ts';

export interface MailroomOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Replace the provider built from config (the sandbox does). */
  provider?: MailboxProvider;
}

export interface Mailroom {
  app: App;
  prisma: PrismaClient;
  runner: JobRunner;
  requests: RequestService;
  /** Starts HTTP (or Socket Mode) and the job runner; returns the bound port in HTTP mode. */
  start(): Promise<{ port: number | undefined }>;
  stop(): Promise<void>;
}

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ module: 'bolt' });
  let level = LogLevel.INFO;
  const write = (method: 'debug' | 'info' | 'warn' | 'error') => (...messages: unknown[]) => child[method](messages.map(String).join(' '));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export function buildProvider(config: Config, logger: Logger): MailboxProvider {
  // The config schema guarantees these are present when MAILBOX_PROVIDER=cpanel.
  return new CpanelProvider({
    baseUrl: config.CPANEL_URL as string,
    user: config.CPANEL_USER as string,
    token: config.CPANEL_API_TOKEN as string,
    ...(config.CPANEL_CA_FILE ? { caFile: config.CPANEL_CA_FILE } : {}),
    timeoutMs: config.CPANEL_TIMEOUT_MS,
    logger: logger.child({ module: 'cpanel' }),
  });
}

/** The composition root: every adapter, service and listener is built here and nowhere else. */
export function createMailroom(options: MailroomOptions): Mailroom {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const prisma = createPrismaClient(config.DATABASE_URL);
  const provider = options.provider ?? buildProvider(config, logger);
  const socketMode = Boolean(config.SLACK_APP_TOKEN);

  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    logger: boltLogger(logger),
    logLevel: LogLevel.INFO,
    ...(socketMode ? { socketMode: true, appToken: config.SLACK_APP_TOKEN } : {}),
    clientOptions: config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {},
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req, res) => {
          prisma.$queryRaw`SELECT 1`.then(
            () => {
              res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
            },
            (error: unknown) => {
              logger.warn({ err: error }, 'health check: database unreachable');
              res.writeHead(503, { 'content-type': 'application/json' }).end('{"ok":false,"error":"database unreachable"}');
            },
          );
        },
      },
    ],
  });

  app.error(async (error) => {
    logger.error({ err: error, incidentId: randomUUID().slice(0, 8) }, 'unhandled error in a Slack listener');
  });

  const handlers: JobHandlers = {};
  let runner: JobRunner | undefined;
  const jobs = new JobQueue(handlers, clock, config.JOB_MAX_ATTEMPTS, () => runner?.wake());
  const requests = new RequestService({
    prisma,
    provider,
    slack: new WebApiSlackGateway(app.client),
    jobs,
    clock,
    secrets: new SecretBox(config.SECRET_KEY),
    logger: logger.child({ module: 'requests' }),
    settings: {
      domains: config.MAIL_DOMAINS,
      phoneRegion: config.DEFAULT_PHONE_REGION,
      adminIds: config.ADMIN_USER_IDS,
      quotaMb: config.MAILBOX_QUOTA_MB,
    },
  });
  Object.assign(handlers, requests.jobHandlers());
  const jobRunner = new JobRunner({
    prisma,
    handlers,
    clock,
    logger: logger.child({ module: 'jobs' }),
    pollMs: config.JOB_POLL_MS,
    backoffBaseMs: config.JOB_BACKOFF_BASE_MS,
  });
  runner = jobRunner;

  registerListeners(app, { requests, domains: config.MAIL_DOMAINS });

  return {
    app,
    prisma,
    runner: jobRunner,
    requests,
    async start() {
      const started = (await app.start(config.PORT)) as unknown;
      jobRunner.start();
      const address = socketMode ? undefined : (started as Server | undefined)?.address?.();
      return { port: address && typeof address === 'object' ? address.port : undefined };
    },
    async stop() {
      await jobRunner.stop();
      await app.stop();
      await prisma.$disconnect();
    },
  };
}
