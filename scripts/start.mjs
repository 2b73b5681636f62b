#!/usr/bin/env node
// npm start: runs the compiled app from dist/, building it first on a fresh clone or after a change
// to src/ (about half a minute), so `npm install && npm start` works without a separate build step.
import { build, isStale } from './build.mjs';

if (isStale()) {
  process.stdout.write('Building Mailroom (dist/ is missing or older than src/)…\n');
  try {
    build({ quiet: true });
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
await import('../dist/main.js');
