import { z } from 'zod';
import { defineJob } from '../../../src/platform/jobs.ts';

/** A job whose handler the crash tests control: the child process starts it and is killed inside it. */
export const SlowJob = defineJob('crash.slow', z.object({ n: z.number() }));
