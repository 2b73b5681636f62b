// The job runner: claims due jobs (FOR UPDATE SKIP LOCKED), runs their handlers under a renewed
// lease, retries with backoff, and stops gracefully. The definitions and the queue live in jobs.ts.
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../lib/logger.ts';
import { withTimeout } from '../lib/timeout.ts';
import type { Clock } from './clock.ts';
import { handlerMap, type JobContext, type JobHandler, PermanentJobError } from './jobs.ts';

export interface JobRunnerOptions {
  prisma: PrismaClient;
  handlers: readonly JobHandler[];
  clock: Clock;
  logger: Logger;
  pollMs: number;
  backoffBaseMs: number;
  /**
   * How long a claim lasts without renewal (default 30 s). A running job renews its claim every
   * third of this (a heartbeat), so a RUNNING job whose claim is older was abandoned by a process
   * that died, and another runner takes it over.
   */
  leaseMs?: number;
  /** How long stop() lets running jobs finish before releasing their claims to other replicas (default 10 s). */
  shutdownGraceMs?: number;
  concurrency?: number;
  batchSize?: number;
}

const MAX_BACKOFF_MS = 60 * 60 * 1000;

export function backoffDelay(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
}

/**
 * Claims due jobs with SELECT … FOR UPDATE SKIP LOCKED, so several replicas can run side by side
 * and each job runs once; failures are rescheduled with exponential backoff until the last attempt.
 */
export class JobRunner {
  readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeRequested = false;
  private stopped = true;
  /** Set by stop(): no job is claimed or started any more. */
  private shuttingDown = false;
  private readonly limit;
  private readonly handlers: ReadonlyMap<string, JobHandler>;
  private readonly leaseMs: number;

  constructor(private readonly options: JobRunnerOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.limit = pLimit(options.concurrency ?? 4);
    this.handlers = handlerMap(options.handlers);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.shuttingDown = false;
    this.schedule(0);
  }

  /**
   * Stops claiming at once, lets the jobs already running finish within the grace period, and
   * hands the claims of any still running back (PENDING, attempt not counted) so another replica
   * takes them at once instead of after the lease. Returns how many were handed back.
   */
  async stop(graceMs = this.options.shutdownGraceMs ?? 10_000): Promise<{ released: number }> {
    this.stopped = true;
    this.shuttingDown = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const running = this.running;
    if (!running) return { released: 0 };
    if ((await withTimeout(running, graceMs)) !== 'timeout') return { released: 0 };
    const { count } = await this.options.prisma.job.updateMany({
      where: { lockedBy: this.workerId, status: 'RUNNING' },
      data: { status: 'PENDING', lockedAt: null, lockedBy: null, attempts: { decrement: 1 } },
    });
    this.options.logger.warn({ released: count, graceMs }, 'shutdown: jobs still running after the grace period were handed back');
    return { released: count };
  }

  /** Asks for a pass right away (after an enqueue) instead of waiting for the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runDue()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'job runner pass failed'))
        .finally(() => {
          this.running = undefined;
          if (this.stopped) return;
          const again = this.wakeRequested;
          this.wakeRequested = false;
          this.schedule(again ? 0 : this.options.pollMs);
        });
    }, delayMs);
  }

  /** Runs due jobs until none is left; returns how many ran. Tests call it directly. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.shuttingDown) return total;
      const claimed = await this.claim(this.options.batchSize ?? 8);
      if (claimed.length === 0) return total;
      total += claimed.length;
      await Promise.all(claimed.map((job) => this.limit(() => this.execute(job))));
    }
  }

  /**
   * Two replicas claiming at once can still deadlock on the (status, runAt) index entries the
   * UPDATE rewrites; InnoDB then rolls one back, which is harmless here: try the claim again.
   */
  private async claim(batchSize: number): Promise<ClaimedJob[]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.claimOnce(batchSize);
      } catch (error) {
        const isConflict = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2034';
        if (!isConflict || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  private async claimOnce(batchSize: number): Promise<ClaimedJob[]> {
    const { prisma, clock } = this.options;
    const now = clock.now();
    const staleBefore = new Date(now.getTime() - this.leaseMs);
    // READ COMMITTED: no gap locks, so concurrent claimers lock only the rows they take.
    return prisma.$transaction(
      async (tx) => {
        // Each query walks the (status, runAt) index in order and stops after LIMIT rows, so it
        // locks only what it takes; an OR or a filesort would lock every due row and starve others.
        // Abandoned claims first: their work is the oldest, and a deep queue must not delay a takeover.
        const abandoned = await tx.$queryRaw<Array<{ id: number }>>`
          SELECT id FROM Job
          WHERE status = 'RUNNING' AND lockedAt < ${staleBefore}
          ORDER BY status, runAt, id
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED`;
        const due =
          abandoned.length < batchSize
            ? await tx.$queryRaw<Array<{ id: number }>>`
              SELECT id FROM Job
              WHERE status = 'PENDING' AND runAt <= ${now}
              ORDER BY status, runAt, id
              LIMIT ${batchSize - abandoned.length}
              FOR UPDATE SKIP LOCKED`
            : [];
        const rows = [...abandoned, ...due];
        if (rows.length === 0) return [];
        const ids = rows.map((row) => Number(row.id));
        await tx.job.updateMany({
          where: { id: { in: ids } },
          data: { status: 'RUNNING', lockedAt: now, lockedBy: this.workerId, attempts: { increment: 1 } },
        });
        return tx.job.findMany({
          where: { id: { in: ids } },
          select: { id: true, kind: true, payload: true, attempts: true, maxAttempts: true },
          orderBy: { id: 'asc' },
        });
      },
      { isolationLevel: Prisma.TransactionIsolationLevel.ReadCommitted },
    );
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const logger = this.options.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    const context: JobContext = { jobId: job.id, attempt: job.attempts, logger };
    const handler = this.handlers.get(job.kind);
    const mine = { id: job.id, lockedBy: this.workerId, status: 'RUNNING' as const };
    if (this.shuttingDown) {
      // Claimed in the last batch but not started before shutdown: back to the queue, attempt not counted.
      await this.options.prisma.job.updateMany({
        where: mine,
        data: { status: 'PENDING', lockedAt: null, lockedBy: null, attempts: { decrement: 1 } },
      });
      return;
    }
    const heartbeat = this.renewWhileRunning(mine, logger);
    try {
      await this.runAndRecord(job, handler, context, mine);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Renews the claim every third of the lease while the handler runs; a lost claim is logged, never fought over. */
  private renewWhileRunning(mine: { id: number; lockedBy: string; status: 'RUNNING' }, logger: Logger): NodeJS.Timeout {
    const { prisma, clock } = this.options;
    const timer = setInterval(
      () => {
        prisma.job.updateMany({ where: mine, data: { lockedAt: clock.now() } }).then(
          ({ count }) => {
            if (count === 0) logger.warn('job claim lost: another runner took it over');
          },
          (error: unknown) =>
            logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'job claim not renewed'),
        );
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private async runAndRecord(
    job: ClaimedJob,
    handler: JobHandler | undefined,
    context: JobContext,
    mine: { id: number; lockedBy: string; status: 'RUNNING' },
  ): Promise<void> {
    const { prisma, clock } = this.options;
    const { logger } = context;
    let error: Error;
    let payload: unknown;
    try {
      if (!handler) throw new PermanentJobError(`No handler for job kind "${job.kind}"`);
      const parsed = handler.definition.schema.safeParse(job.payload);
      if (!parsed.success) throw new PermanentJobError(`Invalid payload: ${parsed.error.message}`);
      payload = parsed.data;
      await handler.run(payload, context);
      await prisma.job.updateMany({ where: mine, data: { status: 'DONE', finishedAt: clock.now(), lockedAt: null, lastError: null } });
      logger.debug('job done');
      return;
    } catch (caught) {
      error = caught instanceof Error ? caught : new Error(String(caught));
    }

    const isLast = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
    if (!isLast) {
      const delay = backoffDelay(job.attempts, this.options.backoffBaseMs);
      await prisma.job.updateMany({
        where: mine,
        data: { status: 'PENDING', runAt: new Date(clock.now().getTime() + delay), lockedAt: null, lastError: error.message },
      });
      logger.warn({ err: { message: error.message }, retryInMs: delay }, 'job failed; will retry');
      return;
    }
    // The consequences first (onDead handlers are idempotent), then DEAD: whoever sees the job dead
    // sees what its death changed, and a crash in between runs onDead again rather than never.
    if (handler?.onDead && payload !== undefined) {
      try {
        await handler.onDead(payload, error, context);
      } catch (hookError) {
        logger.error({ err: hookError }, 'onDead hook failed');
      }
    }
    await prisma.job.updateMany({
      where: mine,
      data: { status: 'DEAD', finishedAt: clock.now(), lockedAt: null, lastError: error.message },
    });
    logger.error({ err: { message: error.message } }, 'job dead');
  }
}

interface ClaimedJob {
  id: number;
  kind: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}
