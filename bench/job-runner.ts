/**
 * Job runner throughput and exactly-once under contention: N no-op jobs, drained by two runners
 * at once (as two replicas would). Run on demand: `npm run bench:jobs [-- N]`.
 */
import { z } from 'zod';
import { createLogger } from '../src/lib/logger.ts';
import { systemClock } from '../src/platform/clock.ts';
import { defineJob, handle, JobQueue, JobRunner, job } from '../src/platform/jobs.ts';
import { createTestDatabase } from '../test/support/test-db.ts';

const count = Number(process.argv[2] ?? 2000);
const db = await createTestDatabase({ connectionLimit: 10 });
const logger = createLogger({ level: 'warn' });
const runs = new Map<number, number>();
const Noop = defineJob('bench.noop', z.object({ n: z.number() }));
const handlers = [
  handle(Noop, {
    run: async (payload) => {
      runs.set(payload.n, (runs.get(payload.n) ?? 0) + 1);
    },
  }),
];
try {
  const queue = new JobQueue(systemClock, 3);
  const enqueueStart = performance.now();
  for (let offset = 0; offset < count; offset += 500) {
    const batch = Array.from({ length: Math.min(500, count - offset) }, (_, i) => job(Noop, { n: offset + i }));
    await queue.transaction(db.prisma, (tx) => queue.enqueue(tx, batch));
  }
  const enqueueMs = performance.now() - enqueueStart;

  const runners = [0, 1].map(
    () => new JobRunner({ prisma: db.prisma, handlers, clock: systemClock, logger, pollMs: 1000, backoffBaseMs: 1000, batchSize: 16 }),
  );
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const ran = await Promise.all(runners.map((runner) => runner.runDue()));
  const ms = performance.now() - start;
  const duplicates = [...runs.values()].filter((times) => times > 1).length;
  const result = {
    jobs: count,
    enqueuePerSecond: Math.round((count / enqueueMs) * 1000),
    runPerSecond: Math.round((count / ms) * 1000),
    perRunner: ran,
    executed: runs.size,
    duplicates,
    rssDeltaMb: Math.round((process.memoryUsage().rss - rssBefore) / 1e6),
  };
  console.log(JSON.stringify(result, null, 2));
  if (duplicates > 0 || runs.size !== count) process.exitCode = 1;
} finally {
  await db.drop();
}
