import { z } from 'zod';
import { domainList, optionalString, optionalUrl, positiveInt, providerByDomain, slackUserIds } from './config-fields.ts';
import { loadMailHosts, type MailHostConfig } from './config-hosts.ts';
import { type Env, isBlank, PROVIDER_NAMES, providerProblems } from './config-providers.ts';
import { isSixFieldCron } from './lib/cron.ts';
import { isTimeZone } from './lib/zoned-time.ts';

export type { MailHostConfig } from './config-hosts.ts';
export { PROVIDER_NAMES, type ProviderName } from './config-providers.ts';

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string({ error: 'is required, e.g. mysql://mailroom:secret@127.0.0.1:3306/mailroom' })
    .regex(/^(mysql|mariadb):\/\//, 'must be a mysql:// or mariadb:// URL'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SLACK_BOT_TOKEN: z.string({ error: 'is required (xoxb-…)' }).startsWith('xoxb-', 'must start with xoxb-'),
  SLACK_SIGNING_SECRET: z.string({ error: 'is required' }).min(8, 'looks too short'),
  SLACK_APP_TOKEN: optionalString.pipe(z.string().startsWith('xapp-', 'must start with xapp-').optional()),
  SLACK_API_URL: optionalUrl,
  MAIL_DOMAINS: domainList,
  // Blank counts as unset (the default), as with a hosts file, where it must stay empty.
  MAILBOX_PROVIDER: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.enum(PROVIDER_NAMES, { error: 'must be one of cpanel, whm, aurora' }).default('cpanel'),
  ),
  MAILBOX_PROVIDER_BY_DOMAIN: providerByDomain,
  // A YAML file naming several mail hosts (kind, URL, user, token_env, ca_file, domains); replaces
  // MAILBOX_PROVIDER and the CPANEL_/WHM_/AURORA_ settings. Read and checked by config-hosts.ts.
  MAIL_HOSTS_FILE: optionalString,
  CPANEL_URL: optionalUrl,
  CPANEL_USER: optionalString,
  CPANEL_AUTH: z.enum(['token', 'password'], { error: 'must be token or password' }).default('token'),
  CPANEL_API_TOKEN: optionalString,
  // Not trimmed: spaces at either end can be part of a password.
  CPANEL_PASSWORD: z
    .string()
    .regex(/^[^\r\n]*$/, 'must be one line')
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  CPANEL_CA_FILE: optionalString,
  CPANEL_TIMEOUT_MS: positiveInt(15_000),
  WHM_URL: optionalUrl,
  WHM_USER: optionalString,
  WHM_AUTH: z.enum(['token', 'accesshash'], { error: 'must be token or accesshash' }).default('token'),
  WHM_API_TOKEN: optionalString,
  // The contents of /root/.accesshash: letters and digits, line breaks allowed (they are dropped).
  WHM_ACCESS_HASH: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9\s]+$/, 'must be the letters and digits of the access hash')
      .optional(),
  ),
  WHM_CPANEL_USER: optionalString,
  WHM_CA_FILE: optionalString,
  WHM_TIMEOUT_MS: positiveInt(15_000),
  AURORA_URL: optionalUrl,
  AURORA_ADMIN_LOGIN: optionalString,
  AURORA_ADMIN_PASSWORD: optionalString,
  AURORA_TENANT_ID: z.coerce.number().int().min(0).default(0),
  AURORA_CA_FILE: optionalString,
  AURORA_TIMEOUT_MS: positiveInt(15_000),
  // Aurora as webmail for the cPanel/WHM mailboxes: the id of the mail server registered with
  // `mailroom aurora-server add`; each new mailbox also gets an Aurora user with an account on it.
  AURORA_WEBMAIL_SERVER_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[1-9]\d{0,9}$/, 'must be a server id from mailroom aurora-server list')
      .transform(Number)
      .optional(),
  ),
  MAILBOX_QUOTA_MB: z.coerce.number().int().min(0).default(1024),
  ADMIN_USER_IDS: slackUserIds.pipe(z.array(z.string()).min(1, 'name at least one admin Slack user id')),
  DEFAULT_PHONE_REGION: z
    .string()
    .default('US')
    .transform((value) => value.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter region code such as US or GB')),
  SECRET_KEY: z
    .string({ error: 'is required: 64 hex characters, e.g. from `openssl rand -hex 32`' })
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes written as 64 hex characters (openssl rand -hex 32)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JOB_POLL_MS: positiveInt(1_000),
  JOB_MAX_ATTEMPTS: positiveInt(6),
  JOB_BACKOFF_BASE_MS: positiveInt(30_000),
  JOB_LEASE_SECONDS: positiveInt(30),
  SHUTDOWN_GRACE_SECONDS: positiveInt(10),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  JOB_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  AUDIT_RETENTION_DAYS: optionalString.pipe(
    z
      .string()
      .regex(/^[1-9]\d{0,4}$/, 'must be a number of days (1–99999), or empty to keep audit rows forever')
      .transform(Number)
      .optional(),
  ),
  MAILROOM_ROLE: z.enum(['all', 'web', 'worker'], { error: 'must be all, web or worker' }).default('all'),
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  // The worker role's scheduling niceness (0–19): on a shared host the process that answers Slack
  // within 3 s gets the CPU before the background work. 0 leaves the priority alone.
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  REQUEST_REMINDER_HOURS: z.coerce.number().int().min(0).max(720).default(24),
  REQUEST_EXPIRY_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  REQUEST_ESCALATE_AFTER_REMINDERS: z.coerce.number().int().min(0).max(100).default(2),
  HR_USER_IDS: slackUserIds,
  HR_USERGROUP_ID: optionalString.pipe(
    z
      .string()
      .regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id such as S012ABCDEF')
      .optional(),
  ),
  RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  OFFBOARD_HOUR: z.coerce.number().int().min(0).max(23).default(17),
  OFFBOARD_SWEEP_CRON: z
    .string()
    .default('0 */15 * * * *')
    .refine(isSixFieldCron, 'must be a six-field cron expression (seconds first), e.g. 0 */15 * * * *'),
  LEAVER_CHECK_CRON: z
    .string()
    .default('0 0 6 * * *')
    .refine(isSixFieldCron, 'must be a six-field cron expression (seconds first), e.g. 0 0 6 * * * (daily at 06:00)'),
  LEAVER_AUTO_SUSPEND: z
    .string()
    .trim()
    .toLowerCase()
    .default('false')
    .pipe(z.enum(['true', 'false', ''], { error: 'must be true or false' }))
    .transform((value) => value === 'true'),
  LEAVER_CHECK_PAGE_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(3_000),
  // The drift and risk report's summary DM to the admins: Mondays at 08:00 in TIME_ZONE by default.
  RECONCILE_CRON: z
    .string()
    .default('0 0 8 * * 1')
    .refine(isSixFieldCron, 'must be a six-field cron expression (seconds first), e.g. 0 0 8 * * 1 for Mondays at 08:00'),
  GENERAL_CONTACT_EMAIL: optionalString.pipe(z.email('must be an email address').optional()),
  TIME_ZONE: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or America/New_York'),
  TWILIO_ACCOUNT_SID: optionalString.pipe(
    z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio Account SID: AC followed by 32 hex characters')
      .optional(),
  ),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_FROM: optionalString.pipe(
    z
      .string()
      .regex(
        /^(\+[1-9]\d{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/,
        'must be a phone number in E.164 form (+14155552671) or an alphanumeric sender id of up to 11 characters',
      )
      .optional(),
  ),
  TWILIO_MESSAGING_SERVICE_SID: optionalString.pipe(
    z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID: MG followed by 32 hex characters')
      .optional(),
  ),
  TWILIO_API_URL: optionalUrl,
  TWILIO_TIMEOUT_MS: positiveInt(15_000),
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\/[^/\s]+/, 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465')
      .optional(),
  ),
  SMTP_TIMEOUT_MS: positiveInt(20_000),
  MAIL_FROM: optionalString.pipe(
    z
      .string()
      .regex(
        /^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/,
        'must be an address such as it@example.com or "Acme IT <it@example.com>"',
      )
      .optional(),
  ),
  PUBLIC_URL: optionalString.pipe(
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://mailroom.example.com' })
      .transform((value) => value.replace(/\/+$/, ''))
      .optional(),
  ),
  CREDENTIAL_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  RESET_LIMIT_PER_DAY: z.coerce.number().int().min(1).max(50).default(3),
  COMPANY_NAME: z.string().trim().min(1).max(60).default('Mailroom'),
  IT_CONTACT: z.string().trim().min(1).max(200).default('your IT team'),
});

/**
 * Settings that only work together. Checked on the raw environment (not in a zod refinement,
 * which zod skips once any field has failed) so one run names every problem.
 */
function crossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  problems.push(...providerProblems(env));
  if (isBlank(env.HR_USER_IDS) && isBlank(env.HR_USERGROUP_ID)) {
    problems.push('HR_USER_IDS or HR_USERGROUP_ID is required: who may offboard mailboxes (/offboard)');
  }
  problems.push(...messagingProblems(env));
  return problems;
}

/** Twilio, SMTP and credential-link settings that only work together (issue 3). */
function messagingProblems(env: Env): string[] {
  const problems: string[] = [];
  const twilioKeys = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM', 'TWILIO_MESSAGING_SERVICE_SID', 'TWILIO_API_URL'];
  if (twilioKeys.some((key) => !isBlank(env[key]))) {
    for (const key of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']) {
      if (isBlank(env[key])) problems.push(`${key} is required when any TWILIO_* setting is set (leave them all empty to log SMS instead)`);
    }
    const senders = ['TWILIO_FROM', 'TWILIO_MESSAGING_SERVICE_SID'].filter((key) => !isBlank(env[key]));
    if (senders.length === 0) problems.push('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required: who the SMS comes from');
    if (senders.length === 2) problems.push('TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID are both set: set only one');
  }
  // The SDK rewrites the API host for a region/edge, which would send a custom base URL elsewhere.
  if (!isBlank(env.TWILIO_API_URL)) {
    for (const key of ['TWILIO_REGION', 'TWILIO_EDGE']) {
      if (!isBlank(env[key]) || !isBlank(process.env[key]))
        problems.push(`${key} cannot be combined with TWILIO_API_URL: unset one of them`);
    }
  }
  if (!isBlank(env.SMTP_URL) && isBlank(env.MAIL_FROM))
    problems.push('MAIL_FROM is required when SMTP_URL is set: the sender of every email');
  if (env.NODE_ENV === 'production' && !isBlank(env.PUBLIC_URL) && !env.PUBLIC_URL?.trim().startsWith('https://')) {
    problems.push('PUBLIC_URL must be https:// in production: the one-time credential links travel in it');
  }
  return problems;
}

/** The hosts of MAIL_HOSTS_FILE, when it is set. */
interface MailHostsSetting {
  mailHosts?: MailHostConfig[];
}

export type Config = z.infer<typeof configSchema> & MailHostsSetting;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Mailroom cannot start; fix these settings (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws a ConfigError naming every problem at once. */
export function loadConfig(env: Env = process.env): Config {
  const hosts = loadMailHosts(env);
  return withHosts(parseOrThrow(configSchema, env, [...crossFieldProblems(env), ...hosts.problems]), hosts.hosts);
}

const withHosts = <T extends object>(config: T, hosts: MailHostConfig[] | undefined): T & MailHostsSetting =>
  hosts ? { ...config, mailHosts: hosts } : (config as T & MailHostsSetting);

/** The schema's problems and the cross-field ones, all in one ConfigError. */
function parseOrThrow<T>(schema: z.ZodType<T>, env: Env, problems: string[]): T {
  const result = schema.safeParse(env);
  if (result.success && problems.length === 0) return result.data;
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.length > 0 ? String(issue.path[0]) : 'config';
      const message = issue.code === 'invalid_type' && issue.message.startsWith('Invalid') ? 'is required' : issue.message;
      problems.push(`${key} ${message}`);
    }
  }
  throw new ConfigError(problems);
}

// ------------------------------------------------------------ mail providers (issue 5)

/** What the command line needs to reach the database and the mail hosts: no Slack, SMS or SMTP settings. */
export const providerConfigSchema = configSchema.pick({
  NODE_ENV: true,
  DATABASE_URL: true,
  MAIL_DOMAINS: true,
  MAILBOX_PROVIDER: true,
  MAILBOX_PROVIDER_BY_DOMAIN: true,
  MAIL_HOSTS_FILE: true,
  MAILBOX_QUOTA_MB: true,
  CPANEL_URL: true,
  CPANEL_USER: true,
  CPANEL_AUTH: true,
  CPANEL_API_TOKEN: true,
  CPANEL_PASSWORD: true,
  CPANEL_CA_FILE: true,
  CPANEL_TIMEOUT_MS: true,
  WHM_URL: true,
  WHM_USER: true,
  WHM_AUTH: true,
  WHM_API_TOKEN: true,
  WHM_ACCESS_HASH: true,
  WHM_CPANEL_USER: true,
  WHM_CA_FILE: true,
  WHM_TIMEOUT_MS: true,
  AURORA_URL: true,
  AURORA_ADMIN_LOGIN: true,
  AURORA_ADMIN_PASSWORD: true,
  AURORA_TENANT_ID: true,
  AURORA_CA_FILE: true,
  AURORA_TIMEOUT_MS: true,
  AURORA_WEBMAIL_SERVER_ID: true,
  DEFAULT_PHONE_REGION: true,
  LOG_LEVEL: true,
});

export type ProviderConfig = z.infer<typeof providerConfigSchema> & MailHostsSetting;

/** Like loadConfig, for the command line: only the database, the domains and the mail providers. */
export function loadProviderConfig(env: Env = process.env): ProviderConfig {
  const hosts = loadMailHosts(env);
  return withHosts(parseOrThrow(providerConfigSchema, env, [...providerProblems(env), ...hosts.problems]), hosts.hosts);
}
