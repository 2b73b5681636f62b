#!/usr/bin/env node
// npm run build: src/ → dist/ as plain JavaScript (tsc rewrites the .ts import extensions), with the
// sandbox's static files beside its code, then a stamp that tells start.mjs the build is current.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** dist/ is missing, or older than anything it is built from. */
export function isStale() {
  const stamp = statSync(STAMP, { throwIfNoEntry: false });
  return !stamp || INPUTS.some((input) => newestMtime(join(ROOT, input)) > stamp.mtimeMs);
}

export function build({ quiet = false } = {}) {
  rmSync(DIST, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: quiet ? 'pipe' : 'inherit',
    encoding: 'utf8',
  });
  if (tsc.status !== 0) {
    if (quiet) process.stderr.write(`${tsc.stdout ?? ''}${tsc.stderr ?? ''}`);
    throw new Error('The TypeScript build failed (see above).');
  }
  cpSync(join(ROOT, 'src/sandbox/assets'), join(DIST, 'sandbox/assets'), { recursive: true });
  mkdirSync(DIST, { recursive: true });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    build();
    process.stdout.write('Built dist/.\n');
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
