#!/usr/bin/env node
// The `mailroom` CLI: the compiled dist/ when the build is current; otherwise (a checkout being
// edited, tests) src/ through tsx's loader, so the CLI never runs stale code.
// `mailroom web` and `mailroom worker` run the app in one role (MAILROOM_ROLE); `mailroom start` in
// the role MAILROOM_ROLE names (default all, what `npm start` runs).
import { isStale } from '../scripts/build.mjs';

const stale = isStale();
if (stale) {
  const { register } = await import('tsx/esm/api');
  register();
}
const command = process.argv[2];
if (command === 'web' || command === 'worker' || command === 'start') {
  if (command !== 'start') process.env.MAILROOM_ROLE = command;
  await import(stale ? '../src/main.ts' : '../dist/main.js');
} else {
  const entry = stale ? { env: '../src/lib/env-file.ts', cli: '../src/cli.ts' } : { env: '../dist/lib/env-file.js', cli: '../dist/cli.js' };
  const { loadEnvFile } = await import(entry.env);
  loadEnvFile();
  const { main } = await import(entry.cli);
  process.exitCode = await main(process.argv);
}
