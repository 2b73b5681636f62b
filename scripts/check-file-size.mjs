#!/usr/bin/env node
// Part of `npm run lint`: no source file in src/ over 350 lines (generated code aside), so each
// file stays one idea a newcomer can read in one sitting. Biome checks functions (60 lines).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 350;
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const tooLong = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'generated') walk(path);
    } else if (/\.(ts|js|mjs)$/.test(name)) {
      const lines = readFileSync(path, 'utf8').split('\n').length - 1;
      if (lines > MAX_LINES) tooLong.push(`${relative(root, path)}: ${lines} lines`);
    }
  }
}
walk(join(root, 'src'));
if (tooLong.length > 0) {
  process.stderr.write(`Files over ${MAX_LINES} lines (split them by concern):\n  ${tooLong.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(`No file in src/ over ${MAX_LINES} lines.\n`);
