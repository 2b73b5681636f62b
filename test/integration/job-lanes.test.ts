// The runner's scheduling: continuous claiming (a slow job holds only its own slot), lanes (a
// saturated provider lane leaves room for Slack and SMS/email jobs), and the concurrency cap.
// Jobs here wait on gates the test opens, so nothing depends on how fast the machine is.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/lib/logger.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { defineJob, handle, JobQueue, JobRunner, job } from '../../src/platform/jobs.ts';
import { LaneSlots } from '../../src/platform/lanes.ts';
import { eventually } from '../support/harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

/** A promise the test resolves by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('job runner scheduling', () => {
  let db: TestDatabase;
  const logger = createLogger({ level: 'silent' });
  const queue = new JobQueue(systemClock, 3);
  const payload = z.object({ n: z.number() });
  const Provider = defineJob('test.provider_call', payload, { lane: 'provider' });
  const SlackPost = defineJob('test.slack_post', payload, { lane: 'slack' });
  const Sms = defineJob('test.sms', payload, { lane: 'notify' });
  const running = new Set<string>();
  let peak = 0;
  const finished: string[] = [];
  let gates = new Map<string, ReturnType<typeof gate>>();
  const gateFor = (name: string) => {
    if (!gates.has(name)) gates.set(name, gate());
    return gates.get(name) as ReturnType<typeof gate>;
  };
  const gated =
    (prefix: string) =>
    async ({ n }: { n: number }) => {
      const name = `${prefix}${n}`;
      running.add(name);
      peak = Math.max(peak, running.size);
      await gateFor(name).opened;
      running.delete(name);
      finished.push(name);
    };
  const runners: JobRunner[] = [];
  const startRunner = (concurrency: number) => {
    const runner = new JobRunner({
      prisma: db.prisma,
      handlers: [handle(Provider, { run: gated('p') }), handle(SlackPost, { run: gated('s') }), handle(Sms, { run: gated('m') })],
      clock: systemClock,
      logger,
      pollMs: 50,
      backoffBaseMs: 1000,
      concurrency,
    });
    runners.push(runner);
    runner.start();
    queue.onCommitted(() => runner.wake());
    return runner;
  };
  const openAll = () => {
    for (const g of gates.values()) g.open();
  };

  beforeAll(async () => {
    db = await createTestDatabase({ connectionLimit: 8 });
  });
  afterEach(async () => {
    openAll();
    for (const runner of runners.splice(0)) await runner.stop(5000);
    await db.prisma.job.deleteMany();
    running.clear();
    finished.length = 0;
    peak = 0;
    gates = new Map();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps claiming while a slow job runs: the slow one holds one slot, the rest flow past it', async () => {
    startRunner(4);
    await queue.transaction(db.prisma, (tx) => queue.enqueue(tx, job(SlackPost, { n: 0 })));
    await eventually(async () => running.has('s0'), 'the slow job to start');
    // While s0 stays stuck, 20 more jobs arrive and finish one after another as the test opens them.
    await queue.transaction(db.prisma, (tx) =>
      queue.enqueue(
        tx,
        Array.from({ length: 20 }, (_, i) => job(SlackPost, { n: i + 1 })),
      ),
    );
    for (let i = 1; i <= 20; i += 1) gateFor(`s${i}`).open();
    await eventually(async () => finished.length === 20, 'the 20 quick jobs to finish while the slow one runs');
    expect(running.has('s0')).toBe(true);
    expect(finished).not.toContain('s0');
    gateFor('s0').open();
    await eventually(async () => (await db.prisma.job.count({ where: { status: 'DONE' } })) === 21, 'every job done');
  });

  it('runs Slack and SMS jobs while the provider lane is saturated', async () => {
    startRunner(16);
    // 40 provider calls that hang: they take every slot the Slack and SMS lanes, idle, do not keep for themselves
    // (one each of their reserves of two).
    await queue.transaction(db.prisma, (tx) =>
      queue.enqueue(
        tx,
        Array.from({ length: 40 }, (_, n) => job(Provider, { n })),
      ),
    );
    await eventually(async () => running.size === 14, 'the provider lane to fill its share');
    await queue.transaction(db.prisma, (tx) => queue.enqueue(tx, [job(SlackPost, { n: 1 }), job(SlackPost, { n: 2 }), job(Sms, { n: 1 })]));
    await eventually(async () => running.has('s1') && running.has('m1'), 'a Slack post and the SMS to start');
    const providersRunning = () => [...running].filter((name) => name.startsWith('p')).length;
    expect(providersRunning()).toBe(14);
    expect(running.has('s2')).toBe(false);
    // The first provider call that ends gives its slot back to the Slack lane, which now has work.
    const first = [...running].find((name) => name.startsWith('p')) as string;
    gateFor(first).open();
    await eventually(async () => running.has('s2'), 'the second Slack post to start in the freed slot');
    expect(providersRunning()).toBe(13);
    expect(await db.prisma.job.count({ where: { kind: 'test.provider_call', status: 'PENDING' } })).toBe(26);
    expect(await db.prisma.job.findMany({ where: { kind: 'test.slack_post' }, select: { lane: true } })).toEqual([
      { lane: 'slack' },
      { lane: 'slack' },
    ]);
  });

  it('never runs more jobs at once than its concurrency, across lanes', async () => {
    startRunner(5);
    await queue.transaction(db.prisma, (tx) =>
      queue.enqueue(tx, [
        ...Array.from({ length: 10 }, (_, n) => job(Provider, { n })),
        ...Array.from({ length: 10 }, (_, n) => job(SlackPost, { n })),
        ...Array.from({ length: 10 }, (_, n) => job(Sms, { n })),
      ]),
    );
    await eventually(async () => running.size === 5, 'five jobs to run');
    // Let them finish in waves; the runner claims as slots free, never beyond five.
    for (let wave = 0; finished.length < 30; wave += 1) {
      const wave0 = [...running];
      for (const name of wave0) gateFor(name).open();
      await eventually(
        async () => wave0.every((name) => finished.includes(name)) && running.size === Math.min(5, 30 - finished.length),
        `wave ${wave} to finish and the next to start`,
      );
      expect(running.size).toBeLessThanOrEqual(5);
    }
    expect(peak).toBe(5);
    expect(await db.prisma.job.count({ where: { status: 'DONE' } })).toBe(30);
  });
});

describe('lane slots', () => {
  it('keeps each lane its reserve and the total within the concurrency', () => {
    const slots = new LaneSlots(16);
    expect(slots.reserve).toEqual({ provider: 4, slack: 2, notify: 2 });
    expect(slots.free('provider')).toBe(12);
    for (let n = 0; n < 12; n += 1) slots.take('provider');
    expect(slots.free('provider')).toBe(0);
    expect(slots.free('slack')).toBe(2);
    expect(slots.free('notify')).toBe(2);
    slots.take('slack');
    slots.take('slack');
    expect(slots.free('slack')).toBe(0);
    expect(slots.free('notify')).toBe(2);
    // A small runner keeps nothing back: every lane may take any free slot.
    const small = new LaneSlots(2);
    expect(small.free('slack')).toBe(2);
    expect(() => new LaneSlots(0)).toThrow(/positive integer/);
  });

  it('lends the reserves of lanes without work but one slot each, and takes them back once they have work', () => {
    const slots = new LaneSlots(16);
    const idle = new Set(['slack', 'notify'] as const);
    expect(slots.free('provider', idle)).toBe(14);
    for (let n = 0; n < 14; n += 1) slots.take('provider');
    expect(slots.free('slack', idle)).toBe(1);
    slots.take('slack');
    // Slack has work: the next provider slot that frees up is slack's second reserved one, not provider's.
    slots.give('provider');
    expect(slots.free('provider', new Set(['notify'] as const))).toBe(0);
    expect(slots.free('slack', new Set(['notify'] as const))).toBe(1);
  });
});
