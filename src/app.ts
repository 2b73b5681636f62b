import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, LogLevel } from '@slack/bolt';
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
import { buildMailer, buildProvider, buildSmsSender } from './providers/index.ts';
import { OneTimeSecrets } from './services/credentials/one-time-secrets.ts';
import { HomeService } from './services/home/home-service.ts';
import { ContactResolver } from './services/notifications/contacts.ts';
import { NotificationService } from './services/notifications/notification-service.ts';
import { OffboardingService } from './services/offboarding/offboarding-service.ts';
import { RequestNotifier } from './services/requests/notifications.ts';
import { RequestService, secretContext } from './services/requests/request-service.ts';
import { WebApiSlackGateway } from './slack/gateway.ts';

export interface MailroomOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** More HTTP routes served next to /slack/events (the sandbox's page). */
  extraRoutes?: CustomRoute[];
  /** The interface HTTP listens on (default: all, as Bolt does); the sandbox binds loopback. */
  listenHost?: string;
  /** Sees every command sent to the database (bench/ counts statements with it). */
  onDbCommand?: (line: string) => void;
}

export interface Mailroom {
  app: App;
  prisma: PrismaClient;
  runner: JobRunner;
  requests: RequestService;
  offboarding: OffboardingService;
  /** Offboarding retention and pending-request reminders/expiry, on OFFBOARD_SWEEP_CRON. */
  sweep: Sweep;
  /** Starts HTTP (or Socket Mode) and the job runner; returns the bound port and interface in HTTP mode. */
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
  mailer: ReturnType<typeof buildMailer>;
  templateSettings: { companyName: string; itContact: string };
}

function buildCore(config: Config, logger: Logger, clock: Clock, onDbCommand?: (line: string) => void): Core {
  const prisma = createPrismaClient(config.DATABASE_URL, onDbCommand ? { onCommand: onDbCommand } : {});
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
    sms: buildSmsSender(config, logger),
    mailer: core.mailer,
    slack,
    logger: logger.child({ module: 'notifications' }),
    adminIds: config.ADMIN_USER_IDS,
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
  });
  core.jobs.onCommitted(() => runner.wake());
  return runner;
}

/** The composition root: every adapter, service and listener is built here and nowhere else. */
export function createMailroom(options: MailroomOptions): Mailroom {
  const { config, logger } = options;
  const core = buildCore(config, logger, options.clock ?? systemClock, options.onDbCommand);
  const { prisma, clock } = core;
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  const app = buildSlackApp(core, options.extraRoutes ?? []);
  const domains = buildDomains(core, new WebApiSlackGateway(app.client));
  const { requests, offboarding, home } = domains;
  const sweep = new Sweep({
    tasks: [
      { name: 'offboarding', run: () => offboarding.sweep() },
      { name: 'requests', run: () => requests.sweepPending() },
    ],
    lease: new DbLease(prisma, clock),
    logger: logger.child({ module: 'sweep' }),
    expression: config.OFFBOARD_SWEEP_CRON,
  });
  const jobRunner = buildRunner(core, domains);
  registerListeners(app, { requests, domains: config.MAIL_DOMAINS, offboarding, home });
  let stopping: Promise<void> | undefined;

  return {
    app,
    prisma,
    runner: jobRunner,
    requests,
    offboarding,
    sweep,
    async start() {
      const started = (await app.start(
        options.listenHost && !socketMode ? { port: config.PORT, host: options.listenHost } : config.PORT,
      )) as unknown;
      jobRunner.start();
      sweep.start();
      const address = socketMode ? undefined : (started as Server | undefined)?.address?.();
      return address && typeof address === 'object'
        ? { port: address.port, address: address.address }
        : { port: undefined, address: undefined };
    },
    stop() {
      // Once: a second SIGTERM, or a test's clean-up after a shutdown test, waits for the same stop.
      stopping ??= (async () => {
        core.lifecycle.draining = true;
        await sweep.stop();
        await jobRunner.stop(config.SHUTDOWN_GRACE_SECONDS * 1000);
        await app.stop();
        core.mailer.close();
        await prisma.$disconnect();
      })();
      return stopping;
    },
  };
}
