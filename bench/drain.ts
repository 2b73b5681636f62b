/**
 * Provisioning drain: 200 approved requests and their `mailbox.provision` jobs committed at once,
 * cPanel answering each call after 50 ms; from the commit to the 200th `add_pop` at the fake,
 * against the floor 200 × 50 ms ÷ the runner's default concurrency. Goal ≤ 1.5×.
 * Run on demand: `npm run bench:drain` (also part of `npm run bench`).
 */
import { eventually, People, startHarness } from '../test/support/harness.ts';
import { type BenchResult, cleanupAll, onCleanup, printResult, ratioResult } from './lib.ts';

const COUNT = 200;
const DELAY_MS = 50;

export async function benchDrain(): Promise<BenchResult[]> {
  // The runner as shipped: JOB_CONCURRENCY and JOB_POLL_MS at their defaults (the harness polls every 25 ms).
  const h = await startHarness({ LOG_LEVEL: 'warn', JOB_POLL_MS: '1000' });
  onCleanup(() => h.close());
  h.cpanel.delayMs = DELAY_MS;
  const now = h.clock.now();
  await h.db.prisma.$transaction(async (tx) => {
    await tx.emailRequest.createMany({
      data: Array.from({ length: COUNT }, (_, i) => ({
        requesterId: People.requester,
        superiorId: People.superior,
        approverIds: [People.superior],
        fullName: `Drain ${i}`,
        localPart: `drain${i}`,
        domain: 'example.com',
        address: `drain${i}@example.com`,
        openAddress: `drain${i}@example.com`,
        personalEmail: `drain${i}@gmail.com`,
        phone: '+14155552671',
        status: 'APPROVED' as const,
        decidedById: People.superior,
        decidedAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    });
    const ids = await tx.emailRequest.findMany({ where: { localPart: { startsWith: 'drain' } }, select: { id: true } });
    await tx.job.createMany({
      data: ids.map(({ id }) => ({
        kind: 'mailbox.provision',
        payload: { requestId: id },
        dedupeKey: `provision:${id}:0`,
        requestId: id,
        runAt: now,
        createdAt: now,
        maxAttempts: 4,
      })),
    });
  });
  // From the commit, as the goal says: writing the 200 rows is the bench's setup, not the app's work.
  const start = performance.now();
  h.mailroom.runner.wake();
  const addPops = () => h.cpanel.calls.filter((call) => call.fn === 'add_pop' && call.status !== 0).length;
  await eventually(async () => addPops() >= COUNT, `${COUNT} add_pop calls`, 300_000);
  const elapsed = performance.now() - start;
  const concurrency = h.mailroom.runner.concurrency;
  const floor = (COUNT * DELAY_MS) / concurrency;
  return [
    {
      ...ratioResult(`drain ${COUNT} approvals @${DELAY_MS}ms`, '≤1.5× floor', elapsed, floor, 1.5),
      note: `floor = ${COUNT}×${DELAY_MS}ms÷${concurrency} (JOB_CONCURRENCY's default); at most ${h.cpanel.maxInFlight} cPanel calls in flight`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    for (const result of await benchDrain()) printResult(result);
  } finally {
    await cleanupAll();
  }
}
