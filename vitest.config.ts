import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration files each create and drop their own database; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
    // Each worker loads the app's modules (Prisma's client and WASM, Bolt, the fakes) once, not once per
    // file: that import and warm-up was about a third of the suite's CPU. Safe because nothing in src/
    // keeps state at module level (one composition root) and no test patches modules or globals.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
