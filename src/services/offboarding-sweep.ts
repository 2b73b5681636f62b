import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/logger.ts';
import type { DbLease } from './lease.ts';
import type { OffboardingService } from './offboarding.ts';

export const SWEEP_LEASE = 'offboarding-sweep';
/** Longer than a sweep can take; a replica that dies holding it blocks the others at most this long. */
const LEASE_TTL_MS = 5 * 60 * 1000;

export interface OffboardingSweepOptions {
  service: OffboardingService;
  lease: DbLease;
  logger: Logger;
  /** node-cron 4 expression, six fields, seconds first. */
  expression: string;
}

export type SweepOutcome = { ran: false; reason: 'lease_held' } | { ran: true; asked: number; reminded: number };

/** Validates a six-field (seconds-first) node-cron expression; throws with a readable message. */
export function assertCronExpression(expression: string): void {
  if (expression.trim().split(/\s+/).length !== 6 || !cron.validate(expression)) {
    throw new Error(`OFFBOARD_SWEEP_CRON "${expression}" is not a six-field cron expression (seconds first), e.g. 0 */15 * * * *`);
  }
}

/**
 * The retention sweep: on a node-cron schedule (no overlapping runs), under a database lease so
 * that one replica sweeps at a time. `runOnce` is the same work, callable from tests and the CLI.
 */
export class OffboardingSweep {
  private task: ScheduledTask | undefined;

  constructor(private readonly options: OffboardingSweepOptions) {
    assertCronExpression(options.expression);
  }

  start(): void {
    if (this.task) return;
    this.task = cron.schedule(
      this.options.expression,
      async () => {
        try {
          const outcome = await this.runOnce();
          if (outcome.ran && outcome.asked + outcome.reminded > 0) this.options.logger.info(outcome, 'offboarding sweep');
        } catch (error) {
          this.options.logger.error({ err: error }, 'offboarding sweep failed');
        }
      },
      { name: 'offboarding-sweep', noOverlap: true },
    );
  }

  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    if (task) await task.destroy();
  }

  async runOnce(): Promise<SweepOutcome> {
    const { lease, service } = this.options;
    if (!(await lease.acquire(SWEEP_LEASE, LEASE_TTL_MS))) return { ran: false, reason: 'lease_held' };
    try {
      return { ran: true, ...(await service.sweep()) };
    } finally {
      await lease.release(SWEEP_LEASE);
    }
  }
}
