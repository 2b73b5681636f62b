// The leaver alert in the sandbox, in a real browser: a workspace admin deactivates Olga (who owns
// olga@example.com), Hana (HR) gets the alert DM with Start offboarding / Not a leaver, says "Not a
// leaver" with a reason, and the DM changes in place. Screenshots for a person to look at.
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot, watchErrors } from '../support/browser.ts';
import { actAs, sandboxInChromium } from '../support/sandbox-browser.ts';

describe.skipIf(!hasChromium)('the sandbox leaver alert in Chromium', () => {
  const world = sandboxInChromium();

  it('deactivate Olga → Hana’s leaver DM → Not a leaver with a reason → the DM says so', { timeout: 90_000 }, async () => {
    const page = await world.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${world.sandbox.url}/sandbox?as=U0SANDHR01`);
    const accounts = page.locator('#panel-accounts');
    await accounts.getByRole('cell', { name: 'olga@example.com' }).waitFor();
    await accounts.getByRole('button', { name: 'Deactivate Olga Outsider' }).click();
    await accounts.getByRole('button', { name: 'Reactivate Olga Outsider' }).waitFor();

    const dms = page.locator('#panel-dms');
    await dms.getByText('Leaver: olga@example.com').waitFor();
    await dms.getByRole('button', { name: 'Start offboarding' }).waitFor();
    await dms.getByRole('button', { name: 'Not a leaver' }).waitFor();
    await screenshot(page, 'sandbox-leaver-01-alert');
    const alert = await world.sandbox.mailroom.prisma.leaverAlert.findFirstOrThrow({ where: { address: 'olga@example.com' } });
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
    await actAs(page, 'Rita Requester');
    await page.locator('#panel-accounts').waitFor();
    expect(await page.locator('#panel-dms').getByText('Leaver:').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
