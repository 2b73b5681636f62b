import { createServer, type Server } from 'node:http';
import type { App, CustomRoute } from '@slack/bolt';
import { registerListeners } from './commands/index.ts';
import type { Config } from './config.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { healthHandler } from './http/health.ts';
import { buildSlackApp } from './http/slack-app.ts';
import type { Logger } from './lib/logger.ts';
import { SecretBox } from './lib/secret-box.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { createPrismaClient } from './platform/db/client.ts';
import { JobQueue, JobRunner } from './platform/jobs.ts';
import { DbLease } from './platform/lease.ts';
import { Metrics, metricsHandler } from './platform/metrics.ts';
import { Sweep } from './platform/sweep.ts';
import { buildProvider, lazyMailer, lazySmsSender } from './providers/index.ts';
import { OneTimeSecrets } from './services/credentials/one-time-secrets.ts';
import { HomeService } from './services/home/home-service.ts';
import { ContactResolver } from './services/notifications/contacts.ts';
import { NotificationService } from './services/notifications/notification-service.ts';
import { OffboardingService } from './services/offboarding/offboarding-service.ts';
import { RequestNotifier } from './services/requests/notifications.ts';
import { RequestService, secretContext } from './services/requests/request-service.ts';
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
}

export interface Mailroom {
  app: App;
  prisma: PrismaClient;
  runner: JobRunner;
  requests: RequestService;
  offboarding: OffboardingService;
  /** Offboarding retention and pending-request reminders/expiry, on OFFBOARD_SWEEP_CRON. */
  sweep: Sweep;
  role: MailroomRole;
  /**
   * Starts what the role runs: HTTP (or Socket Mode) for web, the job runner, the sweep and the
   * probe listener for worker. Returns the bound port and interface (web's, else the worker probe's).
   */
  start(): Promise<{ port: number | undefined; address: string | undefined }>;
  stop(): Promise<void>;
}

/** What every part is built on: settings, the database, the clock, the job queue and the secrets. */
interface Core {
  /** Set when stop() begins: /healthz says 503 so a load balancer stops sending traffic. */
  lifecycle: { draining: boolean };
  config: Config;
  logger: Logger;
  clock: Clock;
  prisma: PrismaClient;
  provider: ReturnType<typeof buildProvider>;
  jobs: JobQueue;
  secretBox: SecretBox;
  oneTimeSecrets: OneTimeSecrets;
  mailer: ReturnType<typeof lazyMailer>;
  metrics: Metrics;
  templateSettings: { companyName: string; itContact: string };
}

function buildCore(config: Config, logger: Logger, clock: Clock): Core {
  const prisma = createPrismaClient(config.DATABASE_URL);
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

interface Domains {
  notifications: NotificationService;
  notifier: RequestNotifier;
  requests: RequestService;
  offboarding: OffboardingService;
  home: HomeService;
}

/** The notification and request services (the request flow needs the notifier, which needs notifications). */
function buildRequestDomain(core: Core, slack: WebApiSlackGateway): Pick<Domains, 'notifications' | 'notifier' | 'requests'> {
  const { config, logger, prisma, jobs, clock, secretBox } = core;
  const notifications = new NotificationService({
    prisma,
    jobs,
    clock,
    secrets: secretBox,
    sms: lazySmsSender(config, logger, core.metrics.observeProviderCall),
    mailer: core.mailer,
    slack,
    logger: logger.child({ module: 'notifications' }),
    adminIds: config.ADMIN_USER_IDS,
    onOutcome: (channel, outcome) => core.metrics.deliveries.inc({ channel, status: outcome }),
  });
  const notifier = new RequestNotifier({
    prisma,
    jobs,
    slack,
    secrets: secretBox,
    notifications,
    contacts: new ContactResolver({ db: prisma, slack, phoneRegion: config.DEFAULT_PHONE_REGION }),
    oneTimeSecrets: core.oneTimeSecrets,
    logger: logger.child({ module: 'request-notifications' }),
    passwordContext: secretContext,
    settings: {
      ...core.templateSettings,
      adminIds: config.ADMIN_USER_IDS,
      publicUrl: config.PUBLIC_URL,
      ttlHours: config.CREDENTIAL_LINK_TTL_HOURS,
    },
  });
  const requests = new RequestService({
    prisma,
    provider: core.provider,
    slack,
    jobs,
    clock,
    secrets: secretBox,
    logger: logger.child({ module: 'requests' }),
    notifier,
    settings: {
      domains: config.MAIL_DOMAINS,
      phoneRegion: config.DEFAULT_PHONE_REGION,
      adminIds: config.ADMIN_USER_IDS,
      quotaMb: config.MAILBOX_QUOTA_MB,
      reminderHours: config.REQUEST_REMINDER_HOURS,
      expiryDays: config.REQUEST_EXPIRY_DAYS,
      escalateAfterReminders: config.REQUEST_ESCALATE_AFTER_REMINDERS,
    },
  });
  return { notifications, notifier, requests };
}

function buildDomains(core: Core, slack: WebApiSlackGateway): Domains {
  const { config, logger, prisma, jobs, clock } = core;
  const { notifications, notifier, requests } = buildRequestDomain(core, slack);
  const offboarding = new OffboardingService({
    prisma,
    provider: core.provider,
    slack,
    jobs,
    clock,
    logger: logger.child({ module: 'offboarding' }),
    sendEmail: (db, email) => notifications.enqueueEmail(db, email),
    settings: {
      domains: config.MAIL_DOMAINS,
      hrUserIds: config.HR_USER_IDS,
      hrUsergroupId: config.HR_USERGROUP_ID,
      retentionDays: config.RETENTION_DAYS,
      offboardHour: config.OFFBOARD_HOUR,
      timeZone: config.TIME_ZONE,
      generalContactEmail: config.GENERAL_CONTACT_EMAIL,
      templates: core.templateSettings,
    },
  });
  const home = new HomeService({
    prisma,
    slack,
    clock,
    checkHr: (userId) => offboarding.checkHr(userId),
    logger: logger.child({ module: 'home' }),
    settings: { adminIds: config.ADMIN_USER_IDS },
  });
  return { notifications, notifier, requests, offboarding, home };
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
      ...domains.home.jobHandlers(),
    ],
    clock: core.clock,
    logger: core.logger.child({ module: 'jobs' }),
    pollMs: core.config.JOB_POLL_MS,
    backoffBaseMs: core.config.JOB_BACKOFF_BASE_MS,
    leaseMs: core.config.JOB_LEASE_SECONDS * 1000,
    concurrency: core.config.JOB_CONCURRENCY,
    observer: core.metrics.jobObserver,
  });
  core.jobs.onCommitted(() => runner.wake());
  return runner;
}

export type MailroomRole = Config['MAILROOM_ROLE'];

/** The periodic sweep's duties: offboarding retention, pending requests, pruning. */
function buildSweep(core: Core, domains: Domains): Sweep {
  const { config, prisma, clock, logger } = core;
  const pruning = new Pruning(prisma, clock, {
    jobRetentionDays: config.JOB_RETENTION_DAYS,
    auditRetentionDays: config.AUDIT_RETENTION_DAYS,
  });
  return new Sweep({
    tasks: [
      { name: 'offboarding', run: () => domains.offboarding.sweep() },
      { name: 'requests', run: () => domains.requests.sweepPending() },
      { name: 'retention', run: () => pruning.run() },
    ],
    lease: new DbLease(prisma, clock),
    logger: logger.child({ module: 'sweep' }),
    expression: config.OFFBOARD_SWEEP_CRON,
  });
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
  const core = buildCore(config, options.logger, options.clock ?? systemClock);
  const app = buildSlackApp(core, options.extraRoutes ?? []);
  const domains = buildDomains(core, new WebApiSlackGateway(app.client));
  const { requests, offboarding, home } = domains;
  const sweep = buildSweep(core, domains);
  const jobRunner = buildRunner(core, domains);
  registerListeners(app, { requests, domains: config.MAIL_DOMAINS, offboarding, home });
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
    sweep,
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
        sweep.start();
        if (!serves) server = probe = await startWorkerProbe(core, options.listenHost);
      }
      return boundAddress(server);
    },
    stop() {
      // Once: a second SIGTERM, or a test's clean-up after a shutdown test, waits for the same stop.
      stopping ??= (async () => {
        core.lifecycle.draining = true;
        await sweep.stop();
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
