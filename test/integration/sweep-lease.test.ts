// The sweep runs once per scheduled tick across replicas: the lease is released marked done for
// that tick, so a replica whose timer fires a moment later for the same tick does nothing, while
// the next tick (or a manual run) goes ahead at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { DbLease } from '../../src/platform/lease.ts';
import { Sweep } from '../../src/platform/sweep.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

describe('the sweep across replicas', () => {
  let db: TestDatabase;
  const clock = new ManualClock();
  const runs: string[] = [];
  const replica = (name: string) =>
    new Sweep({
      tasks: [
        {
          name: 'count',
          run: async () => {
            runs.push(name);
            return { n: 1 };
          },
        },
      ],
      lease: new DbLease(db.prisma, clock),
      logger: createLogger({ level: 'silent' }),
      expression: '0 */15 * * * *',
    });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('sweeps a tick once, however late the second replica fires for it', async () => {
    const [a, b] = [replica('a'), replica('b')];
    const tick = new Date('2026-12-03T10:15:00.000Z');
    expect(await a.runOnce(tick)).toMatchObject({ ran: true });
    // b's timer for the same tick fires after a has finished and released the lease.
    expect(await b.runOnce(new Date(tick.getTime() + 400))).toEqual({ ran: false, reason: 'lease_held' });
    expect(runs).toEqual(['a']);
    const next = new Date('2026-12-03T10:30:00.000Z');
    expect(await b.runOnce(next)).toMatchObject({ ran: true });
    expect(await a.runOnce(next)).toEqual({ ran: false, reason: 'lease_held' });
    expect(runs).toEqual(['a', 'b']);
    // Runs without a tick (the sandbox's skip, tests) are not held back by the last tick.
    expect(await a.runOnce()).toMatchObject({ ran: true });
    expect(runs).toEqual(['a', 'b', 'a']);
  });

  it('does not sweep while another replica holds the lease', async () => {
    const holder = new DbLease(db.prisma, clock);
    expect(await holder.acquire('sweep', 60_000, 'some-tick')).toBe(true);
    expect(await replica('c').runOnce(new Date('2026-12-03T10:45:00.000Z'))).toEqual({ ran: false, reason: 'lease_held' });
    clock.advance(61_000);
    expect(await replica('c').runOnce(new Date('2026-12-03T10:45:00.000Z'))).toMatchObject({ ran: true });
  });
});
