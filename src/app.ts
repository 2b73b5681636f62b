import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, LogLevel } from '@slack/bolt';
import { buildDomains, type Core, type Domains } from './app-domains.ts';
import { newIncidentId, registerIncidentHandler } from './commands/incidents.ts';
import { registerListeners } from './commands/index.ts';
import type { Config } from './config.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { buildCredentialRoutes } from './http/credential-routes.ts';
import { refuseFutureDated } from './http/request-age.ts';
import { boltLogger } from './lib/bolt-logger.ts';
import type { Logger } from './lib/logger.ts';
import { SecretBox } from './lib/secret-box.ts';
import { withTimeout } from './lib/timeout.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { createPrismaClient } from './platform/db/client.ts';
import { JobQueue, JobRunner } from './platform/jobs.ts';
import { DbLease } from './platform/lease.ts';
import { Sweep } from './platform/sweep.ts';
import { buildMailer, buildProvider } from './providers/index.ts';
import { OneTimeSecrets } from './services/credentials/one-time-secrets.ts';
import type { LeaverService } from './services/leavers/leaver-service.ts';
import type { OffboardingService } from './services/offboarding/offboarding-service.ts';
import type { ReconcileService } from './services/reconcile/reconcile-service.ts';
import { buildReconcileSweep } from './services/reconcile/schedule.ts';
import type { RequestService } from './services/requests/request-service.ts';
import { WebApiSlackGateway } from './slack/gateway.ts';

export interface MailroomOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** More HTTP routes served next to /slack/events (the sandbox's page). */
  extraRoutes?: CustomRoute[];
  /** The interface HTTP listens on (default: all, as Bolt does); the sandbox binds loopback. */
  listenHost?: string;
}

export interface Mailroom {
  app: App;
  prisma: PrismaClient;
  runner: JobRunner;
  requests: RequestService;
  offboarding: OffboardingService;
  leavers: LeaverService;
  /** Offboarding retention and pending-request reminders/expiry, on OFFBOARD_SWEEP_CRON. */
  sweep: Sweep;
  /** The daily check of Slack's member list for leavers (LEAVER_CHECK_CRON), once per tick across replicas. */
  leaverCheck: Sweep;
  reconcile: ReconcileService;
  /** The drift and risk report's summary DM to the admins, on RECONCILE_CRON in TIME_ZONE. */
  reconcileSweep: Sweep;
  /** Starts HTTP (or Socket Mode) and the job runner; returns the bound port and interface in HTTP mode. */
  start(): Promise<{ port: number | undefined; address: string | undefined }>;
  stop(): Promise<void>;
}

function buildCore(config: Config, logger: Logger, clock: Clock): Core {
  const prisma = createPrismaClient(config.DATABASE_URL);
  // The queue needs only the jobs' definitions, so it exists before any service (and no handler map is bound late).
  const jobs = new JobQueue(clock, config.JOB_MAX_ATTEMPTS);
  const secretBox = new SecretBox(config.SECRET_KEY);
  const oneTimeSecrets = new OneTimeSecrets({
    prisma,
    jobs,
    clock,
    secrets: secretBox,
    logger: logger.child({ module: 'one-time-secrets' }),
    publicUrl: config.PUBLIC_URL ?? '',
    ttlHours: config.CREDENTIAL_LINK_TTL_HOURS,
  });
  const templateSettings = { companyName: config.COMPANY_NAME, itContact: config.IT_CONTACT };
  return {
    lifecycle: { draining: false },
    config,
    logger,
    clock,
    prisma,
    provider: buildProvider(config, logger),
    jobs,
    secretBox,
    oneTimeSecrets,
    mailer: buildMailer(config, logger),
    templateSettings,
  };
}

/** The Bolt app with its HTTP routes (health, credential pages, extras) and the incident handler. */
function buildSlackApp(core: Core, extraRoutes: CustomRoute[]): App {
  const { config, logger, prisma } = core;
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  const credentialRoutes = buildCredentialRoutes({
    secrets: core.oneTimeSecrets,
    clock: core.clock,
    logger,
    settings: core.templateSettings,
    secretKeyHex: config.SECRET_KEY,
    publicUrl: config.PUBLIC_URL,
  });
  const health: CustomRoute = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      if (core.lifecycle.draining)
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
    },
  };
  const customRoutes = [health, ...extraRoutes, ...credentialRoutes];
  // Slack calls are retried by the job runner with backoff: the client's own retries stay short, so a shutdown is not held up by them.
  const clientOptions = {
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
  };
  const common = { token: config.SLACK_BOT_TOKEN, logger: boltLogger(logger), logLevel: LogLevel.INFO, clientOptions };
  let app: App;
  if (socketMode) {
    app = new App({
      ...common,
      signingSecret: config.SLACK_SIGNING_SECRET,
      socketMode: true,
      appToken: config.SLACK_APP_TOKEN,
      customRoutes,
    });
  } else {
    const receiver = new HTTPReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET,
      customRoutes,
      logger: common.logger,
      logLevel: LogLevel.INFO,
    });
    receiver.requestListener = refuseFutureDated(receiver.requestListener, (req) =>
      logger.warn({ path: req.url?.split('?')[0] }, 'refused a Slack request dated in the future'),
    );
    app = new App({ ...common, receiver });
  }
  // Listener failures are answered to the person by the incident handler; this catches the rest.
  registerIncidentHandler(app, logger);
  app.error(async (error) => {
    logger.error({ err: error, incidentId: newIncidentId() }, 'unhandled error outside a Slack listener');
  });
  return app;
}

/** The job runner with every kind of job's handler (a kind handled twice is refused here, at start). */
function buildRunner(core: Core, domains: Domains): JobRunner {
  const runner = new JobRunner({
    prisma: core.prisma,
    handlers: [
      ...domains.notifications.jobHandlers(),
      ...core.oneTimeSecrets.jobHandlers(),
      ...domains.notifier.jobHandlers(),
      ...domains.requests.jobHandlers(),
      ...domains.offboarding.jobHandlers(),
      ...domains.leavers.jobHandlers(),
      ...domains.home.jobHandlers(),
      ...domains.passwordReset.jobHandlers(),
    ],
    clock: core.clock,
    logger: core.logger.child({ module: 'jobs' }),
    pollMs: core.config.JOB_POLL_MS,
    backoffBaseMs: core.config.JOB_BACKOFF_BASE_MS,
    leaseMs: core.config.JOB_LEASE_SECONDS * 1000,
  });
  core.jobs.onCommitted(() => runner.wake());
  return runner;
}

/** The scheduled work: retention and reminders, the daily leaver check, the reconcile report. */
function buildSchedules(core: Core, domains: Domains): { sweep: Sweep; leaverCheck: Sweep; reconcileSweep: Sweep } {
  const { config, logger, prisma, clock } = core;
  const sweep = new Sweep({
    tasks: [
      { name: 'offboarding', run: () => domains.offboarding.sweep() },
      { name: 'requests', run: () => domains.requests.sweepPending() },
    ],
    lease: new DbLease(prisma, clock),
    logger: logger.child({ module: 'sweep' }),
    expression: config.OFFBOARD_SWEEP_CRON,
  });
  const leaverCheck = new Sweep({
    tasks: [{ name: 'leavers', run: () => domains.leavers.dailyCheck() }],
    lease: new DbLease(prisma, clock),
    logger: logger.child({ module: 'leaver-check' }),
    expression: config.LEAVER_CHECK_CRON,
    name: 'leaver-check',
    // A large workspace's member list, read at Slack's Tier 2 pace, can take a while.
    leaseTtlMs: 60 * 60 * 1000,
    setting: 'LEAVER_CHECK_CRON',
  });
  return { sweep, leaverCheck, reconcileSweep: buildReconcileSweep({ ...core, reconcile: domains.reconcile }) };
}

/** The composition root: every adapter, service and listener is built here and nowhere else. */
export function createMailroom(options: MailroomOptions): Mailroom {
  const { config, logger } = options;
  const core = buildCore(config, logger, options.clock ?? systemClock);
  const { prisma } = core;
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  const app = buildSlackApp(core, options.extraRoutes ?? []);
  const domains = buildDomains(core, new WebApiSlackGateway(app.client));
  const { requests, offboarding, leavers, home, reconcile } = domains;
  const { sweep, leaverCheck, reconcileSweep } = buildSchedules(core, domains);
  const schedules = [sweep, leaverCheck, reconcileSweep];
  const jobRunner = buildRunner(core, domains);
  registerListeners(app, {
    requests,
    domains: config.MAIL_DOMAINS,
    offboarding,
    leavers,
    home,
    passwordReset: domains.passwordReset,
    reconcile,
  });
  let stopping: Promise<void> | undefined;

  return {
    app,
    prisma,
    runner: jobRunner,
    requests,
    offboarding,
    leavers,
    sweep,
    leaverCheck,
    reconcile,
    reconcileSweep,
    async start() {
      const started = (await app.start(
        options.listenHost && !socketMode ? { port: config.PORT, host: options.listenHost } : config.PORT,
      )) as unknown;
      jobRunner.start();
      for (const schedule of schedules) schedule.start();
      const address = socketMode ? undefined : (started as Server | undefined)?.address?.();
      return address && typeof address === 'object'
        ? { port: address.port, address: address.address }
        : { port: undefined, address: undefined };
    },
    stop() {
      // Once: a second SIGTERM, or a test's clean-up after a shutdown test, waits for the same stop.
      stopping ??= (async () => {
        core.lifecycle.draining = true;
        for (const schedule of schedules) await schedule.stop();
        await jobRunner.stop(config.SHUTDOWN_GRACE_SECONDS * 1000);
        await app.stop();
        core.mailer.close();
        await prisma.$disconnect();
      })();
      return stopping;
    },
  };
}
