#!/usr/bin/env node
// The `mailroom` CLI: the compiled dist/cli.js when the build is current; otherwise (a checkout being
// edited, tests) src/cli.ts through tsx's loader, so the CLI never runs stale code.
import { isStale } from '../scripts/build.mjs';

let entry;
if (isStale()) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = { env: '../src/lib/env-file.ts', cli: '../src/cli.ts' };
} else {
  entry = { env: '../dist/lib/env-file.js', cli: '../dist/cli.js' };
}
const { loadEnvFile } = await import(entry.env);
loadEnvFile();
const { main } = await import(entry.cli);
process.exitCode = await main(process.argv);
