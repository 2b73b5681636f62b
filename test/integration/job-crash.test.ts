// Crash recovery with a real kill: a job runner in a child process claims a job and is killed
// (SIGKILL) in the middle of it; another runner takes the job over once the dead one's claim
// lapses — after JOB_LEASE_SECONDS, not ten minutes — and never while the first one is alive.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { handle, JobQueue, JobRunner, job } from '../../src/platform/jobs.ts';
import { SlowJob } from '../support/crash/jobs.ts';
import { eventually } from '../support/harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

const LEASE_MS = 3000;

describe('a job whose runner is killed mid-run', () => {
  let db: TestDatabase;
  let child: ChildProcess | undefined;
  const finishedBy: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await db?.drop();
  });

  it('is taken over after the lease, not before, and runs to completion once', async () => {
    await new JobQueue(systemClock, 5).enqueue(db.prisma, job(SlowJob, { n: 1 }, { dedupeKey: 'slow-1' }));
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/crash/job-child.ts'], {
      env: { ...process.env, DATABASE_URL: db.url, LEASE_MS: String(LEASE_MS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    const started = await eventually(async () => /STARTED (\d+) (\S+)/.exec(output), 'the child to start the job');
    const childWorker = started[2];

    // A second runner polls all along; while the child lives and renews its claim, the job stays the child's.
    const survivor = new JobRunner({
      prisma: db.prisma,
      handlers: [handle(SlowJob, { run: async (payload) => void finishedBy.push(payload.n) })],
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
      pollMs: 100,
      backoffBaseMs: 1000,
      leaseMs: LEASE_MS,
    });
    survivor.start();
    try {
      const claimedAt = (await db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: 'slow-1' } })).lockedAt?.getTime() ?? 0;
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 1.5));
      const alive = await db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: 'slow-1' } });
      expect(alive).toMatchObject({ status: 'RUNNING', lockedBy: childWorker, attempts: 1 });
      expect(alive.lockedAt?.getTime() ?? 0).toBeGreaterThan(claimedAt); // the heartbeat renewed the claim
      expect(finishedBy).toEqual([]);

      child.kill('SIGKILL');
      await eventually(async () => child?.exitCode !== null || child?.signalCode !== null, 'the child to die');
      const done = await eventually(async () => {
        const row = await db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: 'slow-1' } });
        return row.status === 'DONE' && row;
      }, 'the survivor to take the job over and finish it');
      expect(done.attempts).toBe(2);
      expect(done.lockedBy).toBe(survivor.workerId);
      expect(finishedBy).toEqual([1]);
    } finally {
      await survivor.stop();
    }
  });
});
