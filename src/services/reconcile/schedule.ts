import type { Config } from '../../config.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../platform/clock.ts';
import { DbLease } from '../../platform/lease.ts';
import { Sweep } from '../../platform/sweep.ts';
import type { MailboxProvider } from '../../providers/mailbox-provider.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import { ReconcileService } from './reconcile-service.ts';

interface ReconcileWiring {
  config: Pick<Config, 'MAIL_DOMAINS' | 'ADMIN_USER_IDS' | 'TIME_ZONE' | 'RECONCILE_CRON'>;
  prisma: PrismaClient;
  provider: MailboxProvider;
  clock: Clock;
  logger: Logger;
}

export function buildReconcile(deps: ReconcileWiring, slack: SlackGateway): ReconcileService {
  const { config } = deps;
  return new ReconcileService({
    ...deps,
    slack,
    logger: deps.logger.child({ module: 'reconcile' }),
    settings: { domains: config.MAIL_DOMAINS, adminIds: config.ADMIN_USER_IDS, timeZone: config.TIME_ZONE },
  });
}

/** The summary DM on RECONCILE_CRON in TIME_ZONE, once per tick across replicas (its own lease, `reconcile`). */
export function buildReconcileSweep(deps: ReconcileWiring & { reconcile: ReconcileService }): Sweep {
  return new Sweep({
    tasks: [{ name: 'reconcile', run: () => deps.reconcile.sendSummary() }],
    lease: new DbLease(deps.prisma, deps.clock),
    logger: deps.logger.child({ module: 'reconcile-sweep' }),
    expression: deps.config.RECONCILE_CRON,
    name: 'reconcile',
    setting: 'RECONCILE_CRON',
    timeZone: deps.config.TIME_ZONE,
  });
}
