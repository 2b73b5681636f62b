// A job runner in a process of its own, for the crash and shutdown tests. It claims SlowJob and
// prints `STARTED <jobId> <worker>`; the job then takes JOB_MS (default: forever, until the test
// kills the process). On SIGTERM it stops as the app does (SHUTDOWN_GRACE_MS) and prints
// `SIGTERM`, then `STOPPED <released>` before it exits.
import { createLogger } from '../../../src/lib/logger.ts';
import { systemClock } from '../../../src/platform/clock.ts';
import { createPrismaClient } from '../../../src/platform/db/client.ts';
import { handle, JobRunner } from '../../../src/platform/jobs.ts';
import { SlowJob } from './jobs.ts';

const prisma = createPrismaClient(process.env.DATABASE_URL ?? '');
const runner = new JobRunner({
  prisma,
  handlers: [
    handle(SlowJob, {
      run: async (_payload, context) => {
        process.stdout.write(`STARTED ${context.jobId} ${runner.workerId}\n`);
        const jobMs = Number(process.env.JOB_MS ?? 0);
        await new Promise((resolve) => {
          if (jobMs > 0) setTimeout(resolve, jobMs);
        });
      },
    }),
  ],
  clock: systemClock,
  logger: createLogger({ level: 'warn' }),
  pollMs: 100,
  backoffBaseMs: 1000,
  leaseMs: Number(process.env.LEASE_MS ?? 1500),
  concurrency: 2,
  batchSize: 4,
});
runner.start();
process.on('SIGTERM', () => {
  process.stdout.write('SIGTERM\n');
  runner.stop(Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000)).then(async ({ released }) => {
    process.stdout.write(`STOPPED ${released}\n`);
    await prisma.$disconnect();
    process.exit(0);
  });
});
