// The domain services of the composition root (app.ts): built from the core, wired to each other
// through constructor arguments and hooks, never through late binding.
import type { Config } from './config.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { Logger } from './lib/logger.ts';
import type { SecretBox } from './lib/secret-box.ts';
import type { Clock } from './platform/clock.ts';
import type { JobQueue } from './platform/jobs.ts';
import type { Metrics } from './platform/metrics.ts';
import { type buildProvider, type lazyMailer, lazySmsSender } from './providers/index.ts';
import type { OneTimeSecrets } from './services/credentials/one-time-secrets.ts';
import { HomeService } from './services/home/home-service.ts';
import { LeaverService, refreshAlertsOfHold, settleAlertsOnOffboarding } from './services/leavers/leaver-service.ts';
import { ContactResolver } from './services/notifications/contacts.ts';
import { NotificationService } from './services/notifications/notification-service.ts';
import { OffboardingService } from './services/offboarding/offboarding-service.ts';
import { PasswordResetService, resetSettings } from './services/password-reset/reset-service.ts';
import type { ReconcileService } from './services/reconcile/reconcile-service.ts';
import { buildReconcile } from './services/reconcile/schedule.ts';
import { RequestNotifier } from './services/requests/notifications.ts';
import { RequestService, secretContext } from './services/requests/request-service.ts';
import type { WebApiSlackGateway } from './slack/gateway.ts';

/** What every part is built on: settings, the database, the clock, the job queue and the secrets. */
export interface Core {
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

export interface Domains {
  notifications: NotificationService;
  notifier: RequestNotifier;
  requests: RequestService;
  offboarding: OffboardingService;
  leavers: LeaverService;
  home: HomeService;
  passwordReset: PasswordResetService;
  reconcile: ReconcileService;
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

export function buildDomains(core: Core, slack: WebApiSlackGateway): Domains {
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
    onStarted: (tx, started) => settleAlertsOnOffboarding({ jobs, clock }, tx, started),
    onStatusChange: (offboardingId) => refreshAlertsOfHold({ prisma, jobs }, offboardingId),
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
  const leavers = new LeaverService({
    prisma,
    slack,
    jobs,
    clock,
    logger: logger.child({ module: 'leavers' }),
    offboarding,
    timeZone: config.TIME_ZONE,
    settings: {
      hrUserIds: config.HR_USER_IDS,
      hrUsergroupId: config.HR_USERGROUP_ID,
      autoSuspend: config.LEAVER_AUTO_SUSPEND,
      pageIntervalMs: config.LEAVER_CHECK_PAGE_INTERVAL_MS,
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
  const passwordReset = buildPasswordReset(core, slack, notifications);
  return {
    notifications,
    notifier,
    requests,
    offboarding,
    leavers,
    home,
    passwordReset,
    reconcile: buildReconcile(core, slack),
  };
}

function buildPasswordReset(core: Core, slack: WebApiSlackGateway, notifications: NotificationService): PasswordResetService {
  const logger = core.logger.child({ module: 'password-reset' });
  const settings = resetSettings(core.config, core.templateSettings);
  return new PasswordResetService({ ...core, slack, secrets: core.secretBox, notifications, logger, settings });
}
