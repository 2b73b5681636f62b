/**
 * What one request costs the database: SQL statements the app sends (counted by the driver's own
 * command log, so other clients of the server do not disturb the count), server round trips for
 * prepared statements, and the Job and Delivery rows it leaves. The app runs in-process on a fresh
 * database against the loopback fakes; one submission and one approval are driven with signed Slack
 * requests, and their jobs drained, one phase at a time:
 *   submission ack · submission's jobs · approval ack · approval's jobs (provisioning included).
 * Run on demand: `npm run bench:counts` (also part of `npm run bench`).
 */
import { Actions } from '../src/slack/ids.ts';
import { approvalMessageFor, clickButton, type Harness, People, startHarness, submitRequestForm } from '../test/support/harness.ts';
import type { BenchResult } from './lib.ts';

export interface PhaseCount {
  /** SQL statements run (text-protocol queries and prepared-statement executions). */
  statements: number;
  /** COM_STMT_PREPARE and COM_STMT_CLOSE round trips (what the prepare cache saves). */
  prepares: number;
  closes: number;
}

export interface PipelineCounts {
  submissionAck: PhaseCount;
  submissionJobs: PhaseCount;
  approvalAck: PhaseCount;
  approvalJobs: PhaseCount;
  /** Rows one request left behind, from submission to ACTIVE. */
  jobRows: number;
  deliveryRows: number;
  jobsByKind: Record<string, number>;
}

class CommandCounter {
  private count: PhaseCount = { statements: 0, prepares: 0, closes: 0 };
  /** BENCH_SQL_LOG=1 prints every statement, to see where they come from. */
  private readonly verbose = process.env.BENCH_SQL_LOG === '1';
  readonly onCommand = (line: string): void => {
    if (this.verbose && !line.startsWith('PREPARE:') && !line.startsWith('CLOSE')) console.error(line.slice(0, 220));
    if (line.startsWith('PREPARE:')) this.count.prepares += 1;
    else if (line.startsWith('CLOSE PREPARE:')) this.count.closes += 1;
    else if (line.startsWith('QUERY:') || line.startsWith('EXECUTE:')) this.count.statements += 1;
  };
  take(): PhaseCount {
    if (this.verbose) console.error('---- phase end');
    const taken = this.count;
    this.count = { statements: 0, prepares: 0, closes: 0 };
    return taken;
  }
}

async function phase(counter: CommandCounter, work: () => Promise<unknown>): Promise<PhaseCount> {
  counter.take();
  await work();
  return counter.take();
}

/**
 * Lets the app's own runner (paused during the acks) run every due job, and the jobs they queue,
 * until none is due or running; the polling here goes through the test's own client, not counted.
 */
async function drainAll(h: Harness): Promise<void> {
  h.mailroom.runner.start();
  let idlePolls = 0;
  const deadline = Date.now() + 30_000;
  while (idlePolls < 3) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const busy = await h.db.prisma.job.count({
      where: { OR: [{ status: 'RUNNING' }, { status: 'PENDING', runAt: { lte: h.clock.now() } }] },
    });
    idlePolls = busy === 0 ? idlePolls + 1 : 0;
    if (Date.now() > deadline) throw new Error('timed out draining the job queue');
  }
  await h.mailroom.runner.stop();
}

export async function measurePipeline(): Promise<PipelineCounts> {
  const counter = new CommandCounter();
  const h = await startHarness({ LOG_LEVEL: 'warn', JOB_POLL_MS: '600000' }, { onDbCommand: counter.onCommand });
  try {
    // Warm up (connections, the first Slack look-ups) with a request of its own, then start counting.
    await submitRequestForm(h, { localPart: 'warm.up' });
    await drainAll(h);
    const baseJobs = await h.db.prisma.job.count();
    const baseDeliveries = await h.db.prisma.delivery.count();
    await h.mailroom.runner.stop();

    const submissionAck = await phase(counter, async () => {
      const answer = await submitRequestForm(h, { localPart: 'counted' });
      if (answer.status !== 200 || answer.body !== '') throw new Error(`submission failed: ${answer.status} ${answer.body}`);
    });
    const submissionJobs = await phase(counter, () => drainAll(h));
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'counted' }, select: { id: true } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    const approvalAck = await phase(counter, async () => {
      const answer = await clickButton(h, {
        userId: People.superior,
        actionId: Actions.approve,
        requestId: request.id,
        channelId: dm.channelId,
        messageTs: dm.ts,
      });
      if (answer.status !== 200) throw new Error(`approval failed: ${answer.status}`);
    });
    const approvalJobs = await phase(counter, () => drainAll(h));
    const status = await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id }, select: { status: true } });
    if (status.status !== 'ACTIVE') throw new Error(`the counted request ended ${status.status}, not ACTIVE`);

    const jobs = await h.db.prisma.job.findMany({ select: { kind: true }, orderBy: { id: 'asc' }, skip: baseJobs });
    const jobsByKind: Record<string, number> = {};
    for (const { kind } of jobs) jobsByKind[kind] = (jobsByKind[kind] ?? 0) + 1;
    return {
      submissionAck,
      submissionJobs,
      approvalAck,
      approvalJobs,
      jobRows: jobs.length,
      deliveryRows: (await h.db.prisma.delivery.count()) - baseDeliveries,
      jobsByKind,
    };
  } finally {
    await h.close();
  }
}

/** Measured with this benchmark on the code before the lean pipeline (commit b6a8f06), on a fresh database. */
export const BEFORE = {
  submission: { statements: 9 + 86, roundTrips: 9 + 7 + 7 + 86 + 68 + 68 },
  approval: { statements: 7 + 130, roundTrips: 7 + 5 + 5 + 130 + 110 + 110 },
  jobRows: 18,
  deliveryRows: 5,
};

const total = (...phases: PhaseCount[]) => phases.reduce((sum, p) => sum + p.statements, 0);
const trips = (...phases: PhaseCount[]) => phases.reduce((sum, p) => sum + p.statements + p.prepares + p.closes, 0);

export async function benchCounts(): Promise<BenchResult[]> {
  const after = await measurePipeline();
  const row = (bench: string, measured: number, before: number): BenchResult => ({
    bench,
    goal: 'fewer than before',
    measured: String(measured),
    baseline: `before ${before}`,
    ratio: measured / before,
    pass: measured < before,
  });
  return [
    row('SQL statements per submission (ack + jobs)', total(after.submissionAck, after.submissionJobs), BEFORE.submission.statements),
    row(
      'DB round trips per submission (incl. prepare/close)',
      trips(after.submissionAck, after.submissionJobs),
      BEFORE.submission.roundTrips,
    ),
    row('SQL statements per approval (ack + jobs)', total(after.approvalAck, after.approvalJobs), BEFORE.approval.statements),
    row('DB round trips per approval (incl. prepare/close)', trips(after.approvalAck, after.approvalJobs), BEFORE.approval.roundTrips),
    { ...row('Job rows per request', after.jobRows, BEFORE.jobRows), note: JSON.stringify(after.jobsByKind) },
    {
      ...row('Delivery rows per request', after.deliveryRows, BEFORE.deliveryRows),
      goal: 'no more than before (one per message)',
      pass: after.deliveryRows <= BEFORE.deliveryRows,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = await measurePipeline();
  console.log(JSON.stringify(counts, null, 2));
}
