// Lanes: each kind of job declares (defineJob) which share of the runner's concurrency it runs in,
// so mail-host calls, Slack posts and SMS/email never wait behind each other. Every lane that has
// work keeps a reserve of slots that the others cannot take; the rest is shared, first come first
// served. A lane whose last claim found its queue empty keeps one slot of its reserve and lends the
// rest until it has work again (a wake or the next poll); lent slots come back as the borrowers'
// jobs finish, so the one kept slot is what lets a Slack post start at once behind hung provider calls.

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

  /**
   * How many more jobs `lane` may start now: the free slots minus what the other lanes still have
   * reserved (a lane in `idle`, without work, keeps only one slot of its reserve). When borrowers
   * hold more than that leaves, a lane short of its reserve may still take one free slot at a time.
   */
  free(lane: JobLane, idle: ReadonlySet<JobLane> = new Set()): number {
    const free = this.concurrency - this.total;
    let heldForOthers = 0;
    for (const other of JOB_LANES) {
      if (other === lane) continue;
      const reserve = idle.has(other) ? Math.min(1, this.reserve[other]) : this.reserve[other];
      heldForOthers += Math.max(0, reserve - this.running[other]);
    }
    const ownShort = this.running[lane] < this.reserve[lane] ? 1 : 0;
    return Math.max(0, free - heldForOthers, Math.min(free, ownShort));
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
