/**
 * How fast the app answers Slack: M request-modal submissions (full validation, Slack and cPanel
 * look-ups, DB writes) sent C at a time through signed HTTP, against the loopback fakes.
 * Slack's limit is 3 s; run on demand: `npm run bench:ack [-- M C]`.
 */
import pLimit from 'p-limit';
import { People, startHarness, submitRequestForm } from '../test/support/harness.ts';

const total = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 10);
const h = await startHarness({ LOG_LEVEL: 'warn' });
try {
  const limit = pLimit(concurrency);
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: total }, (_, i) =>
      limit(async () => {
        const t0 = performance.now();
        const answer = await submitRequestForm(h, { localPart: `bench.${i}` }, People.requester);
        latencies.push(performance.now() - t0);
        if (answer.status !== 200 || answer.body !== '') throw new Error(`submission ${i} failed: ${answer.status} ${answer.body}`);
      }),
    ),
  );
  const wall = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
  console.log(
    JSON.stringify(
      {
        submissions: total,
        concurrency,
        perSecond: Math.round((total / wall) * 1000),
        p50Ms: pct(50),
        p95Ms: pct(95),
        p99Ms: pct(99),
        maxMs: pct(100),
      },
      null,
      2,
    ),
  );
  if (pct(99) >= 3000) process.exitCode = 1;
} finally {
  await h.close();
}
