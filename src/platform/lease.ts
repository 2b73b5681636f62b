import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Clock } from './clock.ts';

/**
 * A named lease in MySQL so that only one replica at a time runs a scheduled sweep. Acquiring is
 * an INSERT IGNORE followed by a conditional UPDATE (free, expired, or already ours) and a read
 * back: InnoDB re-evaluates the UPDATE's WHERE after taking the row lock, so two replicas racing
 * for an expired lease cannot both win. A lease taken for a scheduled `tick` is released marked
 * done for that tick, so a replica whose timer fires a moment later for the same tick does not run
 * it again.
 */
export class DbLease {
  readonly holder = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
  ) {}

  async acquire(name: string, ttlMs: number, tick?: string): Promise<boolean> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    await this.prisma.lease.createMany({ data: [{ name, holder: this.holder, expiresAt }], skipDuplicates: true });
    const free = tick === undefined ? { expiresAt: { lte: now } } : { expiresAt: { lte: now }, holder: { not: doneFor(tick) } };
    await this.prisma.lease.updateMany({
      where: { name, OR: [free, { holder: this.holder }] },
      data: { holder: this.holder, expiresAt },
    });
    const lease = await this.prisma.lease.findUnique({ where: { name }, select: { holder: true } });
    return lease?.holder === this.holder;
  }

  /** Gives the lease up early so the next tick (on any replica) need not wait for it to expire; this `tick` counts as done. */
  async release(name: string, tick?: string): Promise<void> {
    await this.prisma.lease.updateMany({
      where: { name, holder: this.holder },
      data: { expiresAt: this.clock.now(), ...(tick === undefined ? {} : { holder: doneFor(tick) }) },
    });
  }
}

const doneFor = (tick: string): string => `done:${tick}`.slice(0, 128);
