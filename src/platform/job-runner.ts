// The job runner: claims due jobs lane by lane (FOR UPDATE SKIP LOCKED) as its slots free up, runs
// their handlers under a renewed lease, retries with backoff, and stops gracefully. The definitions
// and the queue live in jobs.ts, the claim query in job-claim.ts, the lanes in lanes.ts.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../lib/logger.ts';
import { withTimeout } from '../lib/timeout.ts';
import type { Clock } from './clock.ts';
import { type ClaimedJob, claimJobs } from './job-claim.ts';
import { handlerMap, type JobContext, type JobHandler, PermanentJobError } from './jobs.ts';
import { JOB_LANES, type JobLane, LaneSlots } from './lanes.ts';

/** How a job ended one run: done, rescheduled for another attempt, or dead. For the metrics. */
export type JobOutcome = 'done' | 'retry' | 'dead';

export interface JobObserver {
  finished(kind: string, outcome: JobOutcome, seconds: number): void;
}

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
  /** Jobs running at once (JOB_CONCURRENCY, default 16), shared by the lanes (lanes.ts). */
  concurrency?: number;
  /** At most this many jobs per claim statement (default: as many as the lane has free slots). */
  batchSize?: number;
  observer?: JobObserver;
}

const MAX_BACKOFF_MS = 60 * 60 * 1000;

export function backoffDelay(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
}

/**
 * Claims due jobs with SELECT … FOR UPDATE SKIP LOCKED, so several replicas can run side by side
 * and each job runs once; failures are rescheduled with exponential backoff until the last attempt.
 * Claiming is continuous: whenever a lane has a free slot (and its last claim found work), it claims
 * again, so a slow job holds only its own slot. A lane whose last claim came back short waits for a
 * wake (a commit that queued jobs) or the next poll.
 */
export class JobRunner {
  readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Set by stop(): no job is claimed or started any more. */
  private shuttingDown = false;
  /** runDue() calls in progress: they pump a runner that was never started. */
  private draining = 0;
  private readonly slots: LaneSlots;
  /** One claim at a time per runner: a lane's range scan briefly locks the next lane's first row, which a concurrent claim would skip. */
  private claiming = false;
  /** The lane the next pump looks at first (round robin). */
  private nextLane = 0;
  /** Lanes whose last claim found fewer jobs than it asked for. */
  private readonly idle = new Set<JobLane>();
  /** Bumped by every wake of a lane: a claim that began before one must not mark its lane idle (the wake's jobs may be newer than its read). */
  private readonly wakes: Record<JobLane, number> = { provider: 0, slack: 0, notify: 0 };
  /** Lanes whose next claim also looks for abandoned claims. */
  private readonly reclaim = new Set<JobLane>();
  private lastReclaimAt = 0;
  /** Claims and jobs under way. */
  private readonly inFlight = new Set<Promise<void>>();
  private quietWaiters: Array<() => void> = [];
  private pumpQueued = false;
  private started = 0;
  private readonly handlers: ReadonlyMap<string, JobHandler>;
  private readonly leaseMs: number;

  constructor(private readonly options: JobRunnerOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.slots = new LaneSlots(options.concurrency ?? 16);
    this.handlers = handlerMap(options.handlers);
  }

  /** Jobs this runner runs at once (JOB_CONCURRENCY). */
  get concurrency(): number {
    return this.slots.concurrency;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.shuttingDown = false;
    this.pollTimer = setInterval(() => this.poll(), this.options.pollMs);
    this.poll();
  }

  /**
   * Stops claiming at once, lets the jobs already running finish within the grace period, and
   * hands the claims of any still running back (PENDING, attempt not counted) so another replica
   * takes them at once instead of after the lease. Returns how many were handed back.
   */
  async stop(graceMs = this.options.shutdownGraceMs ?? 10_000): Promise<{ released: number }> {
    this.stopped = true;
    this.shuttingDown = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    if (this.inFlight.size === 0) return { released: 0 };
    if ((await withTimeout(this.quiescent(), graceMs)) !== 'timeout') return { released: 0 };
    const { count } = await this.options.prisma.job.updateMany({
      where: { lockedBy: this.workerId, status: 'RUNNING' },
      data: { status: 'PENDING', lockedAt: null, lockedBy: null, attempts: { decrement: 1 } },
    });
    this.options.logger.warn({ released: count, graceMs }, 'shutdown: jobs still running after the grace period were handed back');
    return { released: count };
  }

  /**
   * Asks `lanes` (default: every lane) to claim right away, after an enqueue, instead of waiting for
   * the next poll. Only the lanes that got new jobs: waking the others costs an empty claim each.
   */
  wake(lanes: readonly JobLane[] = JOB_LANES): void {
    if (!this.active()) return;
    for (const lane of lanes) {
      this.wakes[lane] += 1;
      this.idle.delete(lane);
    }
    this.schedulePump();
  }

  /** Runs due jobs until none is left; returns how many started meanwhile. Tests call it directly. */
  async runDue(): Promise<number> {
    this.draining += 1;
    const before = this.started;
    try {
      for (;;) {
        const round = this.started;
        this.idle.clear();
        for (const lane of JOB_LANES) this.reclaim.add(lane);
        this.pump();
        await this.quiescent();
        if (this.started === round || this.shuttingDown) break;
      }
    } finally {
      this.draining -= 1;
    }
    return this.started - before;
  }

  private active(): boolean {
    return !this.shuttingDown && (!this.stopped || this.draining > 0);
  }

  private poll(): void {
    const now = Date.now();
    if (now - this.lastReclaimAt >= this.leaseMs / 3) {
      this.lastReclaimAt = now;
      for (const lane of JOB_LANES) this.reclaim.add(lane);
    }
    this.idle.clear();
    this.pump();
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    // One pump for all the slots freed in this turn of the event loop: fewer, larger claims.
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Claims for the next lane (round robin) that has free slots and had work last time; its end pumps again. */
  private pump(): void {
    if (this.active() && !this.claiming) {
      for (let n = 0; n < JOB_LANES.length; n += 1) {
        const lane = JOB_LANES[(this.nextLane + n) % JOB_LANES.length] as JobLane;
        if (this.idle.has(lane)) continue;
        const limit = Math.min(this.slots.free(lane, this.idle), this.options.batchSize ?? Number.POSITIVE_INFINITY);
        if (limit <= 0) continue;
        this.nextLane = (this.nextLane + n + 1) % JOB_LANES.length;
        this.claimLane(lane, limit);
        break;
      }
    }
    this.checkQuiet();
  }

  private claimLane(lane: JobLane, limit: number): void {
    this.claiming = true;
    // The slots are taken before the claim, so two lanes claiming at once never overcommit.
    for (let n = 0; n < limit; n += 1) this.slots.take(lane);
    const now = this.options.clock.now();
    const wakesBefore = this.wakes[lane];
    const staleBefore = this.reclaim.delete(lane) ? new Date(now.getTime() - this.leaseMs) : undefined;
    const claimed = claimJobs(this.options.prisma, { lane, limit, now, workerId: this.workerId, ...(staleBefore ? { staleBefore } : {}) })
      .catch((error: unknown) => {
        this.options.logger.error({ err: error, lane }, 'job claim failed');
        return [];
      })
      .then((jobs) => {
        if (jobs.length < limit && this.wakes[lane] === wakesBefore) this.idle.add(lane);
        for (let n = jobs.length; n < limit; n += 1) this.slots.give(lane);
        for (const job of jobs) this.startJob(lane, job);
      })
      .finally(() => {
        this.claiming = false;
        this.schedulePump();
      });
    this.track(claimed);
  }

  private startJob(lane: JobLane, job: ClaimedJob): void {
    this.started += 1;
    const ran = this.execute(job)
      .catch((error: unknown) => this.options.logger.error({ err: error, jobId: job.id }, 'job runner failed to record a job'))
      .finally(() => {
        this.slots.give(lane);
        this.schedulePump();
      });
    this.track(ran);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.checkQuiet();
    });
  }

  private checkQuiet(): void {
    if (this.inFlight.size > 0 || this.pumpQueued) return;
    const waiters = this.quietWaiters;
    this.quietWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once no claim and no job of this runner is under way. */
  private quiescent(): Promise<void> {
    return new Promise((resolve) => {
      this.quietWaiters.push(resolve);
      this.checkQuiet();
    });
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
    const startedAt = performance.now();
    try {
      const outcome = await this.runAndRecord(job, handler, context, mine);
      this.options.observer?.finished(job.kind, outcome, (performance.now() - startedAt) / 1000);
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
  ): Promise<JobOutcome> {
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
      return 'done';
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
      return 'retry';
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
    return 'dead';
  }
}
