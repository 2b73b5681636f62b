// Self-service password reset in the sandbox, in a real browser: Olga (who owns olga@example.com)
// types /reset-email-password, gets the one-time link by DM and SMS, opens it and reveals the new
// password, which is the one now set at the (fake) mail server. Screenshots for a person to look at.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { withDatabase } from '../../src/platform/db/client.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.ts';
import { hasChromium, launchChromium, screenshot, watchErrors } from '../support/browser.ts';
import { dropDatabase, randomTestDatabaseName, testServerUrl } from '../support/test-db.ts';

describe.skipIf(!hasChromium)('the sandbox password reset in Chromium', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let context: BrowserContext;
  const name = randomTestDatabaseName();

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, databaseUrl: withDatabase(testServerUrl(), name), logger: createLogger({ level: 'warn' }) });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await sandbox?.stop();
    await dropDatabase(name);
  });

  it('Olga resets her own password and reveals it once from the DM link', { timeout: 90_000 }, async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${sandbox.url}/sandbox?as=U0SANDOUT1`);
    await page.getByLabel('Slash command').fill('/reset-email-password');
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    const dms = page.locator('#panel-dms');
    const link = dms.getByRole('link', { name: /\/credentials\// }).first();
    await link.waitFor({ timeout: 30_000 });
    await screenshot(page, 'sandbox-reset-01-link');
    expect(sandbox.cpanel.callsTo('passwd_pop')).toHaveLength(1);

    const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await tab.getByRole('button', { name: 'Reveal my password' }).click();
    await tab.getByText('Your sign-in details', { exact: true }).waitFor();
    const password = sandbox.cpanel.callsTo('passwd_pop')[0]?.params.password as string;
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(await tab.locator('main').innerText()).toContain(password);
    await screenshot(tab, 'sandbox-reset-02-revealed');
    await tab.close();

    const reset = await sandbox.mailroom.prisma.passwordReset.findFirstOrThrow({ where: { address: 'olga@example.com' } });
    expect(reset).toMatchObject({ status: 'DONE', requesterId: 'U0SANDOUT1', secretCipher: null });
    expect(errors).toEqual([]);
  });
});
