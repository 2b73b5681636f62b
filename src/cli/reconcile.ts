/**
 * `mailroom reconcile`: the drift and risk report (issue 13) on the command line. Read-only: it
 * lists what each mail host has and compares it with Mailroom's records; nothing is changed.
 */
import { WebClient } from '@slack/web-api';
import { pino } from 'pino';
import { ConfigError, loadProviderConfig } from '../config.ts';
import { createLogger } from '../lib/logger.ts';
import { createPrismaClient } from '../platform/db/client.ts';
import { buildProvider } from '../providers/index.ts';
import { buildReconcileReport } from '../services/reconcile/collect.ts';
import { formatReport, RECONCILE_FORMATS, type ReconcileFormat } from '../services/reconcile/format.ts';
import { WebApiSlackGateway } from '../slack/gateway.ts';
import { CliError, type CliIo } from './common.ts';

const isFormat = (value: string): value is ReconcileFormat => (RECONCILE_FORMATS as readonly string[]).includes(value);

/** Slack, when its bot token is set: then owners' Slack accounts are checked too. */
function slackFor(env: NodeJS.ProcessEnv): WebApiSlackGateway | undefined {
  const token = env.SLACK_BOT_TOKEN?.trim();
  if (!token) return undefined;
  const url = env.SLACK_API_URL?.trim();
  return new WebApiSlackGateway(new WebClient(token, { retryConfig: { retries: 2 }, ...(url ? { slackApiUrl: url } : {}) }));
}

export async function runReconcile(options: { format: string }, io: Pick<CliIo, 'env' | 'out'>): Promise<void> {
  if (!isFormat(options.format)) throw new CliError(`--format must be one of ${RECONCILE_FORMATS.join(', ')}`, 2);
  let config: ReturnType<typeof loadProviderConfig>;
  try {
    config = loadProviderConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError(
      `reconcile cannot run; fix these settings (see .env.example):\n${error.problems.map((p) => `  - ${p}`).join('\n')}`,
      2,
    );
  }
  // Logs go to stderr: stdout carries only the report.
  const logger = createLogger({ level: io.env.LOG_LEVEL?.trim() ? config.LOG_LEVEL : 'error', destination: pino.destination(2) });
  const prisma = createPrismaClient(config.DATABASE_URL, { connectionLimit: 2 });
  try {
    const report = await buildReconcileReport({
      db: prisma,
      provider: buildProvider(config, logger.child({ command: 'reconcile' })),
      domains: config.MAIL_DOMAINS,
      now: () => new Date(),
      slack: slackFor(io.env),
    });
    io.out(formatReport(report, options.format));
  } finally {
    await prisma.$disconnect();
    logger.flush();
  }
}
