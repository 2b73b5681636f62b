// A job runner in a process of its own, for the crash tests: it claims SlowJob, prints
// `STARTED <jobId>` and then never finishes, until the test kills it with SIGKILL.
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
        await new Promise(() => {});
      },
    }),
  ],
  clock: systemClock,
  logger: createLogger({ level: 'warn' }),
  pollMs: 100,
  backoffBaseMs: 1000,
  leaseMs: Number(process.env.LEASE_MS ?? 1500),
});
runner.start();
