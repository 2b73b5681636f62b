// Jobs as data: each kind declared once (defineJob), queued typed (job), bound to its handler (handle),
// and written to the Job table by the JobQueue, inside the caller's transaction.
import type { z } from 'zod';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../lib/logger.ts';
import type { Clock } from './clock.ts';
import type { Db } from './db-types.ts';
import { DEFAULT_LANE, isJobLane, type JobLane } from './lanes.ts';
import { insertRows } from './sql-insert.ts';

export { JOB_LANES, type JobLane } from './lanes.ts';

/** Thrown by a handler when retrying cannot help: the job goes straight to DEAD. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface JobContext {
  jobId: number;
  attempt: number;
  logger: Logger;
}

/**
 * A kind of job, declared once as data: its name in the Job table, the schema of its payload, and
 * how often it may be tried. Payloads are checked against the schema when enqueued and again when
 * claimed (a row written by an older version, or by hand, is never trusted).
 */
export interface JobDefinition<P> {
  readonly kind: string;
  readonly schema: z.ZodType<P>;
  readonly maxAttempts?: number;
  /** The share of the runner's concurrency it runs in (lanes.ts); default `slack`. */
  readonly lane?: JobLane;
}

export function defineJob<S extends z.ZodType>(
  kind: string,
  schema: S,
  options: { maxAttempts?: number; lane?: JobLane } = {},
): JobDefinition<z.infer<S>> {
  return { kind, schema: schema as z.ZodType<z.infer<S>>, ...options };
}

export interface JobOptions {
  /** Enqueueing the same dedupe key twice is a no-op: the first job stands. */
  dedupeKey?: string;
  runAt?: Date;
  requestId?: number;
}

declare const typed: unique symbol;

/** A job ready to enqueue; only `job()` makes one, so its payload has been checked against its kind by the compiler. */
export interface QueuedJob extends JobOptions {
  readonly definition: JobDefinition<unknown>;
  readonly payload: unknown;
  readonly [typed]: true;
}

export function job<P>(definition: JobDefinition<P>, payload: NoInfer<P>, options: JobOptions = {}): QueuedJob {
  return { definition: definition as JobDefinition<unknown>, payload, ...options } as QueuedJob;
}

/** What runs a kind of job; bound to its definition with `handle()`. */
export interface JobHandler {
  readonly definition: JobDefinition<unknown>;
  run(payload: unknown, context: JobContext): Promise<void>;
  /** Called once when the job dies (permanent error or last attempt failed). */
  onDead?(payload: unknown, error: Error, context: JobContext): Promise<void>;
}

export function handle<P>(
  definition: JobDefinition<P>,
  handler: { run(payload: P, context: JobContext): Promise<void>; onDead?(payload: P, error: Error, context: JobContext): Promise<void> },
): JobHandler {
  // The runner hands over only payloads that passed `definition.schema`, so they are P here.
  const { onDead } = handler;
  return {
    definition: definition as JobDefinition<unknown>,
    run: (payload, context) => handler.run(payload as P, context),
    ...(onDead
      ? { onDead: (payload: unknown, error: Error, context: JobContext) => onDead.call(handler, payload as P, error, context) }
      : {}),
  };
}

/** One handler per kind; a kind handled twice is a wiring mistake, refused at start. */
export function handlerMap(handlers: readonly JobHandler[]): ReadonlyMap<string, JobHandler> {
  const byKind = new Map<string, JobHandler>();
  for (const handler of handlers) {
    if (byKind.has(handler.definition.kind)) throw new Error(`Two handlers for job kind "${handler.definition.kind}"`);
    byKind.set(handler.definition.kind, handler);
  }
  return byKind;
}

type JobRow = {
  kind: string;
  payload: object;
  dedupeKey: string | null;
  runAt: Date;
  createdAt: Date;
  updatedAt: Date;
  requestId: number | null;
  maxAttempts: number;
  lane: string;
};

const JOB_COLUMNS = ['kind', 'payload', 'dedupeKey', 'runAt', 'createdAt', 'updatedAt', 'requestId', 'maxAttempts', 'lane'] as const;

/** One INSERT IGNORE of the rows (an existing dedupe key skips its row), in SQL: see sql-insert.ts. */
const insertJobs = (db: Db, rows: readonly JobRow[]) => insertRows(db, 'Job', JOB_COLUMNS, rows, { ignore: true });

/**
 * Writes jobs, inside the caller's transaction when given one, so a state change and the work it
 * implies commit together. Payloads are validated here, not only when they run. Built before any
 * service: it needs no handlers, only the jobs' own definitions.
 */
export class JobQueue {
  private readonly committedListeners: Array<(lanes: JobLane[]) => void> = [];
  /** The jobs each open transaction() has enqueued so far, written at its end. */
  private readonly pending = new WeakMap<object, JobRow[]>();

  constructor(
    private readonly clock: Clock,
    private readonly defaultMaxAttempts: number,
  ) {}

  /** `listener` runs with the lanes of the new jobs once they are committed (the job runner wakes those lanes). */
  onCommitted(listener: (lanes: JobLane[]) => void): void {
    this.committedListeners.push(listener);
  }

  private committed(rows: readonly JobRow[]): void {
    if (rows.length === 0) return;
    const lanes = [...new Set(rows.map((row) => row.lane))].filter(isJobLane);
    for (const listener of this.committedListeners) listener(lanes);
  }

  async enqueue(db: Db, jobs: QueuedJob | readonly QueuedJob[]): Promise<JobRow[]> {
    const list: readonly QueuedJob[] = Array.isArray(jobs) ? jobs : [jobs as QueuedJob];
    if (list.length === 0) return [];
    const now = this.clock.now();
    const rows = list.map((queued) => ({
      kind: queued.definition.kind,
      payload: queued.definition.schema.parse(queued.payload) as object,
      dedupeKey: queued.dedupeKey ?? null,
      runAt: queued.runAt ?? now,
      createdAt: now,
      updatedAt: now,
      requestId: queued.requestId ?? null,
      maxAttempts: queued.definition.maxAttempts ?? this.defaultMaxAttempts,
      lane: queued.definition.lane ?? DEFAULT_LANE,
    }));
    const pending = this.pending.get(db);
    if (pending) pending.push(...rows);
    else await insertJobs(db, rows);
    return rows;
  }

  /** Writes `jobs` on their own (one INSERT, no transaction around it) and wakes the runner. */
  async enqueueAndWake(prisma: PrismaClient, jobs: QueuedJob | readonly QueuedJob[]): Promise<void> {
    this.committed(await this.enqueue(prisma, jobs));
  }

  /**
   * Runs `work` in one transaction and, once it has committed, wakes the runner's lanes of the jobs
   * it enqueued (waking it earlier would let it look before the new jobs are visible; none when it
   * enqueued none). The jobs `work` enqueues on `tx` are written
   * in one INSERT at its end, still inside the transaction (nothing reads its own new jobs back).
   */
  async transaction<T>(prisma: PrismaClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    const pending: JobRow[] = [];
    const result = await prisma.$transaction(async (tx) => {
      this.pending.set(tx, pending);
      try {
        const value = await work(tx);
        if (pending.length > 0) await insertJobs(tx, pending);
        return value;
      } finally {
        this.pending.delete(tx);
      }
    });
    this.committed(pending);
    return result;
  }
}

export { backoffDelay, JobRunner, type JobRunnerOptions } from './job-runner.ts';
