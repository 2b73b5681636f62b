import cron, { type ScheduledTask } from 'node-cron';
import { isSixFieldCron } from '../lib/cron.ts';
import type { Logger } from '../lib/logger.ts';
import type { DbLease } from './lease.ts';

export const SWEEP_LEASE = 'sweep';
/** Longer than a sweep can take; a replica that dies holding it blocks the others at most this long. */
const LEASE_TTL_MS = 5 * 60 * 1000;

/** One periodic duty, e.g. offboarding retention or pending-request reminders; returns counts for the log. */
export interface SweepTask {
  name: string;
  run(): Promise<Record<string, number>>;
}

export interface SweepOptions {
  tasks: SweepTask[];
  lease: DbLease;
  logger: Logger;
  /** node-cron 4 expression, six fields, seconds first (OFFBOARD_SWEEP_CRON). */
  expression: string;
  /** The lease (and timer) name, so that several schedules each run once per tick (default `sweep`). */
  name?: string;
  /** Longer than a run can take (default five minutes). */
  leaseTtlMs?: number;
  /** The setting the expression comes from, for the error message (default OFFBOARD_SWEEP_CRON). */
  setting?: string;
  /** IANA zone the expression is read in (node-cron's `timezone`); default the process's. */
  timeZone?: string;
}

export type SweepOutcome = { ran: false; reason: 'lease_held' } | ({ ran: true } & Record<string, Record<string, number> | true>);

/** Validates a six-field (seconds-first) node-cron expression; throws with a readable message. */
export function assertCronExpression(expression: string, setting = 'OFFBOARD_SWEEP_CRON'): void {
  if (!isSixFieldCron(expression)) {
    throw new Error(`${setting} "${expression}" is not a six-field cron expression (seconds first), e.g. 0 */15 * * * *`);
  }
}

/**
 * The periodic sweep: on a node-cron schedule (no overlapping runs), under a database lease so
 * that one replica sweeps at a time; each task runs even if another failed. `runOnce` is the same
 * work, callable from tests and the sandbox.
 */
export class Sweep {
  private task: ScheduledTask | undefined;

  constructor(private readonly options: SweepOptions) {
    assertCronExpression(options.expression, options.setting);
  }

  start(): void {
    if (this.task) return;
    this.task = cron.schedule(
      this.options.expression,
      async (context) => {
        try {
          // Every replica's timer fires for the same scheduled second: it names the tick.
          const outcome = await this.runOnce(context.date);
          if (outcome.ran) this.options.logger.debug({ ...outcome, tick: context.date.toISOString() }, 'sweep done');
        } catch (error) {
          this.options.logger.error({ err: error }, 'sweep failed');
        }
      },
      {
        name: `mailroom-${this.leaseName}`,
        noOverlap: true,
        ...(this.options.timeZone ? { timezone: this.options.timeZone } : {}),
      },
    );
  }

  private get leaseName(): string {
    return this.options.name ?? SWEEP_LEASE;
  }

  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    if (task) await task.destroy();
  }

  /** `tick`: the scheduled time this run is for; a tick another replica already swept is not swept again. */
  async runOnce(tick?: Date): Promise<SweepOutcome> {
    const { lease, tasks, logger } = this.options;
    const tickKey = tick === undefined ? undefined : new Date(Math.floor(tick.getTime() / 1000) * 1000).toISOString();
    if (!(await lease.acquire(this.leaseName, this.options.leaseTtlMs ?? LEASE_TTL_MS, tickKey)))
      return { ran: false, reason: 'lease_held' };
    try {
      const outcome: Record<string, Record<string, number>> = {};
      for (const task of tasks) {
        try {
          outcome[task.name] = await task.run();
        } catch (error) {
          logger.error({ err: error, task: task.name }, 'sweep task failed');
        }
      }
      return { ran: true, ...outcome };
    } finally {
      await lease.release(this.leaseName, tickKey);
    }
  }
}
