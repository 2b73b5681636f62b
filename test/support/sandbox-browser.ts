// The sandbox on its own database, a Chromium and a 1440 px context, started before a browser
// test file and cleaned up after it: what the sandbox tests in test/browser/ share.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { withDatabase } from '../../src/platform/db/client.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.ts';
import { launchChromium } from './browser.ts';
import { dropDatabase, randomTestDatabaseName, testServerUrl } from './test-db.ts';

export interface SandboxInChromium {
  readonly sandbox: Sandbox;
  readonly browser: Browser;
  readonly context: BrowserContext;
}

/** Registers the file's beforeAll/afterAll; read the parts inside tests (they exist once beforeAll ran). */
export function sandboxInChromium(): SandboxInChromium {
  const parts: { sandbox?: Sandbox; browser?: Browser; context?: BrowserContext } = {};
  const name = randomTestDatabaseName();
  beforeAll(async () => {
    parts.sandbox = await startSandbox({
      port: 0,
      databaseUrl: withDatabase(testServerUrl(), name),
      logger: createLogger({ level: 'warn' }),
    });
    parts.browser = await launchChromium();
    parts.context = await parts.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  });
  afterAll(async () => {
    await parts.context?.close();
    await parts.browser?.close();
    await parts.sandbox?.stop();
    await dropDatabase(name);
  });
  const started = <T>(part: T | undefined, what: string): T => {
    if (part === undefined) throw new Error(`the ${what} is not started (read it inside a test)`);
    return part;
  };
  return {
    get sandbox() {
      return started(parts.sandbox, 'sandbox');
    },
    get browser() {
      return started(parts.browser, 'browser');
    },
    get context() {
      return started(parts.context, 'browser context');
    },
  };
}

/** Picks who you are in the sandbox's "Who you are" bar. */
export const actAs = (page: Page, person: string): Promise<void> =>
  page
    .getByRole('navigation', { name: 'Who you are' })
    .getByRole('link', { name: new RegExp(person) })
    .click();
