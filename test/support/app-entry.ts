// How a test starts the app as its own process: the compiled dist/main.js when the build is
// current (CI builds before it tests: no TypeScript loader to pay for at each start), otherwise
// src/main.ts through tsx, so a test never runs stale code.
// @ts-expect-error: a plain .mjs script without type declarations
import { isStale } from '../../scripts/build.mjs';

export function appEntryArgs(): string[] {
  return (isStale as () => boolean)() ? ['--import', 'tsx', 'src/main.ts'] : ['dist/main.js'];
}
