// Lanes: each kind of job declares (defineJob) which share of the runner's concurrency it runs in,
// so mail-host calls, Slack posts and SMS/email never wait behind each other. Every lane keeps a
// reserve of slots that the others cannot take; the rest is shared, first come first served.

export const JOB_LANES = ['provider', 'slack', 'notify'] as const;
/** provider: mail-host calls (cPanel, WHM, Aurora); slack: Slack posts, Home tabs and quick database work; notify: SMS and email. */
export type JobLane = (typeof JOB_LANES)[number];
export const DEFAULT_LANE: JobLane = 'slack';

/** The share of JOB_CONCURRENCY kept free for each lane, whatever the other lanes have queued. */
const RESERVED_SHARE: Record<JobLane, number> = { provider: 1 / 4, slack: 1 / 8, notify: 1 / 8 };

export function isJobLane(value: string): value is JobLane {
  return (JOB_LANES as readonly string[]).includes(value);
}

/** The runner's slots: at most `concurrency` jobs at once, and each lane's reserve held for it. */
export class LaneSlots {
  private readonly running: Record<JobLane, number> = { provider: 0, slack: 0, notify: 0 };
  private total = 0;
  readonly reserve: Readonly<Record<JobLane, number>>;

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(`job concurrency must be a positive integer, not ${concurrency}`);
    const reserve = { provider: 0, slack: 0, notify: 0 };
    for (const lane of JOB_LANES) reserve[lane] = Math.floor(concurrency * RESERVED_SHARE[lane]);
    this.reserve = reserve;
  }

  /** How many more jobs `lane` may start now: the free slots minus what the other lanes still have reserved. */
  free(lane: JobLane): number {
    let heldForOthers = 0;
    for (const other of JOB_LANES) if (other !== lane) heldForOthers += Math.max(0, this.reserve[other] - this.running[other]);
    return Math.max(0, this.concurrency - this.total - heldForOthers);
  }

  take(lane: JobLane): void {
    this.running[lane] += 1;
    this.total += 1;
  }

  give(lane: JobLane): void {
    this.running[lane] -= 1;
    this.total -= 1;
  }

  get inUse(): number {
    return this.total;
  }
}
