// Self-service password reset in the sandbox, in a real browser: Olga (who owns olga@example.com)
// types /reset-email-password, gets the one-time link by DM and SMS, opens it and reveals the new
// password, which is the one now set at the (fake) mail server. Screenshots for a person to look at.
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot, watchErrors } from '../support/browser.ts';
import { sandboxInChromium } from '../support/sandbox-browser.ts';

describe.skipIf(!hasChromium)('the sandbox password reset in Chromium', () => {
  const world = sandboxInChromium();

  it('Olga resets her own password and reveals it once from the DM link', { timeout: 90_000 }, async () => {
    const page = await world.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${world.sandbox.url}/sandbox?as=U0SANDOUT1`);
    await page.getByLabel('Slash command').fill('/reset-email-password');
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    const dms = page.locator('#panel-dms');
    const link = dms.getByRole('link', { name: /\/credentials\// }).first();
    await link.waitFor({ timeout: 30_000 });
    await screenshot(page, 'sandbox-reset-01-link');
    expect(world.sandbox.cpanel.callsTo('passwd_pop')).toHaveLength(1);

    const [tab] = await Promise.all([world.context.waitForEvent('page'), link.click()]);
    await tab.getByRole('button', { name: 'Reveal my password' }).click();
    await tab.getByText('Your sign-in details', { exact: true }).waitFor();
    const password = world.sandbox.cpanel.callsTo('passwd_pop')[0]?.params.password as string;
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(await tab.locator('main').innerText()).toContain(password);
    await screenshot(tab, 'sandbox-reset-02-revealed');
    await tab.close();

    const reset = await world.sandbox.mailroom.prisma.passwordReset.findFirstOrThrow({ where: { address: 'olga@example.com' } });
    expect(reset).toMatchObject({ status: 'DONE', requesterId: 'U0SANDOUT1', secretCipher: null });
    expect(errors).toEqual([]);
  });
});
