import { z } from 'zod';

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const slackUserIds = csv.pipe(
  z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'each entry must be a Slack user id such as U012ABCDEF')),
);

const domainList = csv.pipe(
  z
    .array(
      z
        .string()
        .toLowerCase()
        .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'each entry must be a domain name'),
    )
    .min(1, 'list at least one domain, e.g. example.com'),
);

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value && value.trim().length > 0 ? value.trim() : undefined));

const optionalUrl = optionalString.pipe(z.url().optional());

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const configSchema = z
  .object({
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
    MAILBOX_PROVIDER: z.enum(['cpanel']).default('cpanel'),
    CPANEL_URL: optionalUrl,
    CPANEL_USER: optionalString,
    CPANEL_API_TOKEN: optionalString,
    CPANEL_CA_FILE: optionalString,
    CPANEL_TIMEOUT_MS: positiveInt(15_000),
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
  });

type Env = Record<string, string | undefined>;
const isBlank = (value: string | undefined) => value === undefined || value.trim() === '';

/**
 * Settings that only work together. Checked on the raw environment (not in a zod refinement,
 * which zod skips once any field has failed) so one run names every problem.
 */
function crossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  const provider = isBlank(env.MAILBOX_PROVIDER) ? 'cpanel' : env.MAILBOX_PROVIDER;
  if (provider === 'cpanel') {
    for (const key of ['CPANEL_URL', 'CPANEL_USER', 'CPANEL_API_TOKEN']) {
      if (isBlank(env[key])) problems.push(`${key} is required when MAILBOX_PROVIDER=cpanel`);
    }
  }
  return problems;
}

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Mailroom cannot start; fix these settings (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws a ConfigError naming every problem at once. */
export function loadConfig(env: Env = process.env): Config {
  const result = configSchema.safeParse(env);
  const problems = crossFieldProblems(env);
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
