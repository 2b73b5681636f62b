// Keeps the tables that grow with every request from growing without bound: the sweep deletes
// finished jobs, sent (or otherwise finished) deliveries and long-expired one-time links after
// JOB_RETENTION_DAYS, and audit rows after AUDIT_RETENTION_DAYS when that is set (default: kept
// forever). Small batches, each found through an index, a bounded number per tick.
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { Clock } from '../../platform/clock.ts';

export interface PruningSettings {
  jobRetentionDays: number;
  /** Unset: audit rows are kept forever. */
  auditRetentionDays?: number | undefined;
  /** Rows per statement (default 500). */
  batchSize?: number;
  /** Statements per table per tick (default 20): a large backlog is worked off over several ticks. */
  maxBatches?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const FINISHED_DELIVERY = ['SENT', 'FAILED', 'SKIPPED', 'LOGGED'] as const;

export class Pruning {
  private readonly batchSize: number;
  private readonly maxBatches: number;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    private readonly settings: PruningSettings,
  ) {
    this.batchSize = settings.batchSize ?? 500;
    this.maxBatches = settings.maxBatches ?? 20;
  }

  /** One tick's work; returns how many rows of each table went. */
  async run(): Promise<Record<string, number>> {
    const now = this.clock.now().getTime();
    const cutoff = new Date(now - this.settings.jobRetentionDays * DAY_MS);
    const outcome: Record<string, number> = {
      jobs: await this.inBatches((limit) => this.pruneJobs(cutoff, limit)),
      deliveries: await this.pruneDeliveriesExcept(cutoff, await this.deliveriesStillNeeded()),
      oneTimeSecrets: await this.inBatches((limit) => this.pruneSecrets(cutoff, limit)),
    };
    const auditDays = this.settings.auditRetentionDays;
    if (auditDays !== undefined) {
      const auditCutoff = new Date(now - auditDays * DAY_MS);
      outcome.auditEvents = await this.inBatches((limit) => this.pruneAudit(auditCutoff, limit));
    }
    return outcome;
  }

  private async inBatches(batch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let n = 0; n < this.maxBatches; n += 1) {
      const deleted = await batch(this.batchSize);
      total += deleted;
      if (deleted < this.batchSize) break;
    }
    return total;
  }

  /**
   * DONE and DEAD jobs finished before the cutoff. A job runs at or after its runAt, so every such
   * row lies in the (status, runAt) index range before the cutoff: the scan never reads newer rows.
   */
  private async pruneJobs(cutoff: Date, limit: number): Promise<number> {
    const rows = await this.prisma.$queryRaw<Array<{ id: number }>>`
      SELECT id FROM Job FORCE INDEX (Job_status_runAt_idx)
      WHERE status IN ('DONE', 'DEAD') AND runAt < ${cutoff} AND finishedAt < ${cutoff}
      LIMIT ${limit}`;
    if (rows.length === 0) return 0;
    const { count } = await this.prisma.job.deleteMany({
      where: { id: { in: rows.map((row) => Number(row.id)) }, status: { in: ['DONE', 'DEAD'] } },
    });
    return count;
  }

  /** Finished deliveries created before the cutoff, except any a queued or running job still names. */
  private pruneDeliveriesExcept(cutoff: Date, needed: ReadonlySet<number>): Promise<number> {
    const keep = needed.size > 0 ? Prisma.sql`AND id NOT IN (${Prisma.join([...needed])})` : Prisma.empty;
    return this.inBatches(async (limit) => {
      const rows = await this.prisma.$queryRaw<Array<{ id: number }>>`
        SELECT id FROM Delivery FORCE INDEX (Delivery_status_createdAt_idx)
        WHERE status IN ('SENT', 'FAILED', 'SKIPPED', 'LOGGED') AND createdAt < ${cutoff} ${keep}
        LIMIT ${limit}`;
      if (rows.length === 0) return 0;
      const { count } = await this.prisma.delivery.deleteMany({
        where: { id: { in: rows.map((row) => Number(row.id)) }, status: { in: [...FINISHED_DELIVERY] } },
      });
      return count;
    });
  }

  /** Deliveries named by jobs not yet finished (a send, a retry, an admin alert about a failure). */
  private async deliveriesStillNeeded(): Promise<Set<number>> {
    const open = await this.prisma.job.findMany({
      where: { status: { in: ['PENDING', 'RUNNING'] }, kind: { startsWith: 'delivery.' } },
      select: { payload: true },
    });
    const ids = new Set<number>();
    for (const { payload } of open) {
      const id = (payload as { deliveryId?: unknown } | null)?.deliveryId;
      if (typeof id === 'number') ids.add(id);
    }
    return ids;
  }

  /** One-time links that expired before the cutoff (destroyed long ago); a link still valid is never touched. */
  private async pruneSecrets(cutoff: Date, limit: number): Promise<number> {
    const rows = await this.prisma.oneTimeSecret.findMany({
      where: { expiresAt: { lt: cutoff } },
      select: { id: true },
      take: limit,
    });
    if (rows.length === 0) return 0;
    await this.prisma.oneTimeSecret.deleteMany({ where: { id: { in: rows.map((row) => row.id) }, expiresAt: { lt: cutoff } } });
    return rows.length;
  }

  private async pruneAudit(cutoff: Date, limit: number): Promise<number> {
    const rows = await this.prisma.auditEvent.findMany({
      where: { at: { lt: cutoff } },
      select: { id: true },
      orderBy: { at: 'asc' },
      take: limit,
    });
    if (rows.length === 0) return 0;
    const { count } = await this.prisma.auditEvent.deleteMany({ where: { id: { in: rows.map((row) => row.id) } } });
    return count;
  }
}
