import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/lib/logger.ts';
import { backoffDelay, defineJob, handle, handlerMap, JobQueue, JobRunner, job, PermanentJobError } from '../../src/platform/jobs.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

describe('job runner on MariaDB', () => {
  let db: TestDatabase;
  const clock = new ManualClock();
  const logger = createLogger({ level: 'silent' });
  const runs = new Map<number, string[]>();
  const dead: Array<{ n: number; message: string }> = [];
  let failuresLeft = 0;
  const nPayload = z.object({ n: z.number() });
  const Record = defineJob('test.record', nPayload);
  const Flaky = defineJob('test.flaky', nPayload, { maxAttempts: 3 });
  const Permanent = defineJob('test.permanent', nPayload);
  const handlers = [
    handle(Record, {
      run: async (payload) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        runs.set(payload.n, [...(runs.get(payload.n) ?? []), 'ran']);
      },
    }),
    handle(Flaky, {
      run: async () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('still down');
        }
      },
      onDead: async (payload, error) => {
        dead.push({ n: payload.n, message: error.message });
      },
    }),
    handle(Permanent, {
      run: async () => {
        throw new PermanentJobError('will never work');
      },
      onDead: async (payload, error) => {
        dead.push({ n: payload.n, message: error.message });
      },
    }),
  ];
  const queue = new JobQueue(clock, 5);
  const runner = (batchSize = 8) =>
    new JobRunner({ prisma: db.prisma, handlers, clock, logger, pollMs: 1000, backoffBaseMs: 1000, batchSize });

  beforeAll(async () => {
    db = await createTestDatabase({ connectionLimit: 8 });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('lets two runners drain one queue together, each job exactly once', async () => {
    const jobs = Array.from({ length: 300 }, (_, n) => job(Record, { n }));
    await queue.transaction(db.prisma, (tx) => queue.enqueue(tx, jobs));
    const [a, b] = await Promise.all([runner(8).runDue(), runner(8).runDue()]);
    expect((a ?? 0) + (b ?? 0)).toBe(300);
    // Both did real work: a claim must not lock rows it does not take.
    expect(Math.min(a ?? 0, b ?? 0)).toBeGreaterThan(20);
    expect(runs.size).toBe(300);
    expect([...runs.values()].every((list) => list.length === 1)).toBe(true);
    expect(await db.prisma.job.count({ where: { kind: 'test.record', status: 'DONE' } })).toBe(300);
  });

  it('ignores a second enqueue with the same dedupe key', async () => {
    await queue.transaction(db.prisma, (tx) => queue.enqueue(tx, job(Record, { n: 1000 }, { dedupeKey: 'once' })));
    await queue.transaction(db.prisma, (tx) => queue.enqueue(tx, job(Record, { n: 1001 }, { dedupeKey: 'once' })));
    expect(await db.prisma.job.count({ where: { dedupeKey: 'once' } })).toBe(1);
  });

  it('refuses an invalid payload at enqueue time', async () => {
    // The compiler refuses it too; a payload built from untyped data is checked at run time.
    await expect(queue.enqueue(db.prisma, job(Record, { n: 'x' } as unknown as { n: number }))).rejects.toThrow();
  });

  it('refuses to start with two handlers for one kind of job, and kills a job whose kind nothing handles', async () => {
    expect(() => handlerMap([...handlers, handle(Record, { run: async () => {} })])).toThrow(/Two handlers for job kind "test.record"/);
    const Orphan = defineJob('test.orphan', nPayload);
    await queue.enqueue(db.prisma, job(Orphan, { n: 1 }, { dedupeKey: 'orphan' }));
    await runner().runDue();
    expect(await db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: 'orphan' } })).toMatchObject({
      status: 'DEAD',
      lastError: 'No handler for job kind "test.orphan"',
    });
  });

  it('backs off exponentially, then dies after maxAttempts and calls onDead once', async () => {
    failuresLeft = 10;
    await queue.transaction(db.prisma, (tx) => queue.enqueue(tx, job(Flaky, { n: 7 }, { dedupeKey: 'flaky' })));
    const r = runner();
    // The clock runs in real time: the retry is due the backoff after the failure, which came after `before`.
    const before = clock.now().getTime();
    await r.runDue();
    let row = await db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: 'flaky' } });
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'still down' });
    expect(row.runAt.getTime()).toBeGreaterThanOrEqual(before + backoffDelay(1, 1000));
    expect(await r.runDue()).toBe(0); // not due yet
    clock.advance(backoffDelay(1, 1000));
    await r.runDue();
    clock.advance(backoffDelay(2, 1000));
    await r.runDue();
    row = await db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: 'flaky' } });
    expect(row).toMatchObject({ status: 'DEAD', attempts: 3 });
    expect(dead.filter((entry) => entry.n === 7)).toEqual([{ n: 7, message: 'still down' }]);
  });

  it('kills a job at once on a permanent error', async () => {
    await queue.transaction(db.prisma, (tx) => queue.enqueue(tx, job(Permanent, { n: 8 }, { dedupeKey: 'permanent' })));
    await runner().runDue();
    const row = await db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: 'permanent' } });
    expect(row).toMatchObject({ status: 'DEAD', attempts: 1, lastError: 'will never work' });
    expect(dead.some((entry) => entry.n === 8)).toBe(true);
  });

  it('reclaims a job whose runner died mid-run', async () => {
    const row = await db.prisma.job.create({
      data: {
        kind: 'test.record',
        payload: { n: 2000 },
        maxAttempts: 5,
        runAt: clock.now(),
        status: 'RUNNING',
        attempts: 1,
        lockedAt: new Date(clock.now().getTime() - 60 * 60 * 1000),
        lockedBy: 'dead-process',
      },
    });
    await runner().runDue();
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'DONE', attempts: 2 });
    expect(runs.get(2000)).toEqual(['ran']);
  });
});
