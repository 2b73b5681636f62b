import { createServer, type Server } from 'node:http';
import type { App, CustomRoute } from '@slack/bolt';
import { buildDomains, type Core, type Domains } from './app-domains.ts';
import { registerListeners } from './commands/index.ts';
import type { Config } from './config.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { healthHandler } from './http/health.ts';
import { buildSlackApp } from './http/slack-app.ts';
import type { Logger } from './lib/logger.ts';
import { SecretBox } from './lib/secret-box.ts';
import { timed } from './lib/timed.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { createPrismaClient } from './platform/db/client.ts';
import { JobQueue, JobRunner } from './platform/jobs.ts';
import { DbLease } from './platform/lease.ts';
import { Metrics, metricsHandler } from './platform/metrics.ts';
import { Sweep } from './platform/sweep.ts';
import { buildProvider, lazyMailer } from './providers/index.ts';
import { OneTimeSecrets } from './services/credentials/one-time-secrets.ts';
import type { LeaverService } from './services/leavers/leaver-service.ts';
import type { OffboardingService } from './services/offboarding/offboarding-service.ts';
import type { ReconcileService } from './services/reconcile/reconcile-service.ts';
import { buildReconcileSweep } from './services/reconcile/schedule.ts';
import type { RequestService } from './services/requests/request-service.ts';
import { Pruning } from './services/retention/pruning.ts';
import { WebApiSlackGateway } from './slack/gateway.ts';

export interface MailroomOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** More HTTP routes served next to /slack/events (the sandbox's page). */
  extraRoutes?: CustomRoute[];
  /** The interface HTTP listens on (default: all, as Bolt does); the sandbox binds loopback. */
  listenHost?: string;
  /** Overrides MAILROOM_ROLE. */
  role?: MailroomRole;
  /** Sees every command sent to the database (bench/ counts statements with it). */
  onDbCommand?: (line: string) => void;
}

export interface Mailroom {
  app: App;
  prisma: PrismaClient;
  runner: JobRunner;
  requests: RequestService;
  offboarding: OffboardingService;
  leavers: LeaverService;
  /** Offboarding retention, pending-request reminders/expiry and pruning, on OFFBOARD_SWEEP_CRON. */
  sweep: Sweep;
  /** The daily check of Slack's member list for leavers (LEAVER_CHECK_CRON), once per tick across replicas. */
  leaverCheck: Sweep;
  reconcile: ReconcileService;
  /** The drift and risk report's summary DM to the admins, on RECONCILE_CRON in TIME_ZONE. */
  reconcileSweep: Sweep;
  role: MailroomRole;
  /**
   * Starts what the role runs: HTTP (or Socket Mode) for web, the job runner, the sweep and the
   * probe listener for worker. Returns the bound port and interface (web's, else the worker probe's).
   */
  start(): Promise<{ port: number | undefined; address: string | undefined }>;
  stop(): Promise<void>;
}

function buildCore(config: Config, logger: Logger, clock: Clock, onDbCommand?: (line: string) => void): Core {
  const prisma = createPrismaClient(config.DATABASE_URL, onDbCommand ? { onCommand: onDbCommand } : {});
  const metrics = new Metrics(prisma, clock);
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
    provider: buildProvider(config, logger, metrics.observeProviderCall),
    jobs,
    secretBox,
    oneTimeSecrets,
    mailer: lazyMailer(config, logger, metrics.observeProviderCall),
    metrics,
    templateSettings,
  };
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
    concurrency: core.config.JOB_CONCURRENCY,
    observer: core.metrics.jobObserver,
  });
  core.jobs.onCommitted((lanes) => runner.wake(lanes));
  return runner;
}

export type MailroomRole = Config['MAILROOM_ROLE'];

/** The scheduled work: the periodic sweep (offboarding retention, pending requests, pruning), the daily leaver check, the reconcile report. */
function buildSchedules(core: Core, domains: Domains): { sweep: Sweep; leaverCheck: Sweep; reconcileSweep: Sweep } {
  const { config, prisma, clock, logger } = core;
  const pruning = new Pruning(prisma, clock, {
    jobRetentionDays: config.JOB_RETENTION_DAYS,
    auditRetentionDays: config.AUDIT_RETENTION_DAYS,
  });
  const sweep = new Sweep({
    tasks: [
      { name: 'offboarding', run: () => domains.offboarding.sweep() },
      { name: 'requests', run: () => domains.requests.sweepPending() },
      { name: 'retention', run: () => pruning.run() },
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

/** The worker role's own small listener (WORKER_PORT): /healthz and /metrics, so it can be probed and scraped. */
async function startWorkerProbe(core: Core, host: string | undefined): Promise<Server> {
  const health = healthHandler(core.prisma, core.logger, core.lifecycle);
  const metrics = metricsHandler(core.metrics, core.config.METRICS_TOKEN);
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return health(req, res);
    if (req.method === 'GET' && path === '/metrics') return metrics(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the worker serves only /healthz and /metrics');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(core.config.WORKER_PORT, host, () => resolve());
  });
  return server;
}

function boundAddress(server: Server | undefined): { port: number | undefined; address: string | undefined } {
  const address = server?.address?.();
  return address && typeof address === 'object'
    ? { port: address.port, address: address.address }
    : { port: undefined, address: undefined };
}

/**
 * The composition root: every adapter, service and listener is built here and nowhere else. The
 * role (MAILROOM_ROLE, or `options.role`) decides what start() runs: `web` serves Slack, the
 * credential pages, /healthz and /metrics; `worker` runs the jobs and the sweep (with /healthz and
 * /metrics on WORKER_PORT); `all` does both in one process.
 */
export function createMailroom(options: MailroomOptions): Mailroom {
  const { config } = options;
  const role = options.role ?? config.MAILROOM_ROLE;
  const core = buildCore(config, options.logger, options.clock ?? systemClock, options.onDbCommand);
  const app = buildSlackApp(core, options.extraRoutes ?? []);
  // Slack's Web API timed like the mail hosts (mailroom_provider_call_seconds{provider="slack"}).
  const domains = buildDomains(core, timed(new WebApiSlackGateway(app.client), 'slack', core.metrics.observeProviderCall));
  const { requests, offboarding, leavers, reconcile } = domains;
  const { sweep, leaverCheck, reconcileSweep } = buildSchedules(core, domains);
  const schedules = [sweep, leaverCheck, reconcileSweep];
  const jobRunner = buildRunner(core, domains);
  registerListeners(app, { ...domains, domains: config.MAIL_DOMAINS });
  const serves = role !== 'worker';
  const works = role !== 'web';
  let probe: Server | undefined;
  let stopping: Promise<void> | undefined;

  return {
    app,
    prisma: core.prisma,
    runner: jobRunner,
    requests,
    offboarding,
    leavers,
    sweep,
    leaverCheck,
    reconcile,
    reconcileSweep,
    role,
    async start() {
      let server: Server | undefined;
      if (serves) {
        const socketMode = Boolean(config.SLACK_APP_TOKEN);
        const started = (await app.start(
          options.listenHost && !socketMode ? { port: config.PORT, host: options.listenHost } : config.PORT,
        )) as unknown;
        if (!socketMode) server = started as Server | undefined;
      }
      if (works) {
        jobRunner.start();
        for (const schedule of schedules) schedule.start();
        if (!serves) server = probe = await startWorkerProbe(core, options.listenHost);
      }
      return boundAddress(server);
    },
    stop() {
      // Once: a second SIGTERM, or a test's clean-up after a shutdown test, waits for the same stop.
      stopping ??= (async () => {
        core.lifecycle.draining = true;
        for (const schedule of schedules) await schedule.stop();
        await jobRunner.stop(config.SHUTDOWN_GRACE_SECONDS * 1000);
        if (serves) await app.stop();
        if (probe) await new Promise((resolve) => probe?.close(resolve));
        core.mailer.close();
        await core.prisma.$disconnect();
      })();
      return stopping;
    },
  };
}
