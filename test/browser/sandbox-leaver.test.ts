// The leaver alert in the sandbox, in a real browser: a workspace admin deactivates Olga (who owns
// olga@example.com), Hana (HR) gets the alert DM with Start offboarding / Not a leaver, says "Not a
// leaver" with a reason, and the DM changes in place. Screenshots for a person to look at.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { withDatabase } from '../../src/platform/db/client.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.ts';
import { hasChromium, launchChromium, screenshot, watchErrors } from '../support/browser.ts';
import { dropDatabase, randomTestDatabaseName, testServerUrl } from '../support/test-db.ts';

describe.skipIf(!hasChromium)('the sandbox leaver alert in Chromium', () => {
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

  const as = (page: Page, person: string) =>
    page
      .getByRole('navigation', { name: 'Who you are' })
      .getByRole('link', { name: new RegExp(person) })
      .click();

  it('deactivate Olga → Hana’s leaver DM → Not a leaver with a reason → the DM says so', { timeout: 90_000 }, async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${sandbox.url}/sandbox?as=U0SANDHR01`);
    const accounts = page.locator('#panel-accounts');
    await accounts.getByRole('cell', { name: 'olga@example.com' }).waitFor();
    await accounts.getByRole('button', { name: 'Deactivate Olga Outsider' }).click();
    await accounts.getByRole('button', { name: 'Reactivate Olga Outsider' }).waitFor();

    const dms = page.locator('#panel-dms');
    await dms.getByText('Leaver: olga@example.com').waitFor();
    await dms.getByRole('button', { name: 'Start offboarding' }).waitFor();
    await dms.getByRole('button', { name: 'Not a leaver' }).waitFor();
    await screenshot(page, 'sandbox-leaver-01-alert');
    const alert = await sandbox.mailroom.prisma.leaverAlert.findFirstOrThrow({ where: { address: 'olga@example.com' } });
    expect(alert).toMatchObject({ slackUserId: 'U0SANDOUT1', status: 'OPEN', detectedBy: 'event' });

    await dms.getByRole('button', { name: 'Not a leaver' }).click();
    const modal = page.getByRole('dialog', { name: 'Not a leaver' });
    await modal.waitFor();
    await modal.getByLabel('Reason').fill('Olga is on parental leave; IT deactivated her account by mistake.');
    await screenshot(page, 'sandbox-leaver-02-reason');
    await modal.getByRole('button', { name: 'Record' }).click();
    await modal.waitFor({ state: 'detached' });
    await dms.getByText('said this is not a leaver').waitFor();
    expect(await dms.getByRole('button', { name: 'Start offboarding' }).count()).toBe(0);
    await page.locator('#panel-audit').getByText('leaver.dismissed').waitFor();
    await screenshot(page, 'sandbox-leaver-03-dismissed');

    // Rita, not HR, sees no alert at all.
    await as(page, 'Rita Requester');
    await page.locator('#panel-accounts').waitFor();
    expect(await page.locator('#panel-dms').getByText('Leaver:').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
