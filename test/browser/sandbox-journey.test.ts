// The sandbox page in a real browser (Debian's Chromium through Playwright), driven the way a
// person would: visible text, labels and buttons only. The app behind it is the real one, with its
// database and job runner, against the loopback fakes; the test also checks what reached them.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot, watchErrors } from '../support/browser.ts';
import { actAs, sandboxInChromium } from '../support/sandbox-browser.ts';

describe.skipIf(!hasChromium)('the sandbox page in Chromium', () => {
  const world = sandboxInChromium();

  const dms = (page: Page) => page.locator('#panel-dms');
  const mailServer = (page: Page) => page.locator('#panel-mailserver');
  const send = async (page: Page, command: string) => {
    await page.getByLabel('Slash command').fill(command);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
  };

  it('request with an inline error fixed → approve → reveal from the SMS → offboard → skip past retention → confirm deletion', {
    timeout: 120_000,
  }, async () => {
    const page = await world.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${world.sandbox.url}/sandbox`);
    await screenshot(page, 'sandbox-01-start');

    // Rita asks for a mailbox; a bad phone number comes back under its field, the rest kept.
    await send(page, '/request-email jane.doe');
    const modal = page.getByRole('dialog', { name: 'Request a mailbox' });
    await modal.waitFor();
    expect(await modal.getByLabel('Desired address (before the @)').inputValue()).toBe('jane.doe');
    await modal.getByLabel('New hire’s full name').fill('Jane Doe');
    await modal.getByLabel('Personal email').fill('jane@gmail.com');
    await modal.getByLabel('Cell phone').fill('123');
    await modal.getByLabel('Superior (approves the request)').selectOption({ label: 'Sam Superior (superior)' });
    await modal.getByRole('button', { name: 'Send for approval' }).click();
    await modal.getByText('not a valid phone number').waitFor();
    expect(await modal.getByLabel('New hire’s full name').inputValue()).toBe('Jane Doe');
    await screenshot(page, 'sandbox-02-inline-error');
    await modal.getByLabel('Cell phone').fill('415 555 2671');
    await modal.getByRole('button', { name: 'Send for approval' }).click();
    await modal.waitFor({ state: 'detached' });
    await dms(page).getByText('jane.doe@example.com').first().waitFor();
    const request = await world.sandbox.mailroom.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'jane.doe' } });
    expect(request.status).toBe('PENDING_APPROVAL');

    // Sam approves in his DM; the mailbox appears at the cPanel fake and the new hire's SMS arrives.
    await actAs(page, 'Sam Superior');
    await dms(page).getByRole('button', { name: 'Approve' }).click();
    await mailServer(page).getByText('jane.doe@example.com').waitFor();
    await page.locator('#panel-sms').getByText('+14155552671').waitFor();
    await screenshot(page, 'sandbox-03-approved');
    expect(world.sandbox.cpanel.callsTo('add_pop')).toHaveLength(1);

    // The new hire taps the link in the SMS panel: a new tab, Reveal, the password once.
    const [tab] = await Promise.all([
      world.context.waitForEvent('page'),
      page
        .locator('#panel-sms')
        .getByRole('link', { name: /\/credentials\// })
        .first()
        .click(),
    ]);
    await tab.getByRole('button', { name: 'Reveal my password' }).click();
    await tab.getByText('Your sign-in details', { exact: true }).waitFor();
    const password = world.sandbox.cpanel.callsTo('add_pop')[0]?.params.password as string;
    expect(await tab.locator('main').innerText()).toContain(password);
    await screenshot(tab, 'sandbox-04-revealed');
    await tab.close();

    // Hana (HR) offboards it, finding the mailbox with the type-ahead.
    await actAs(page, 'Hana HR');
    await send(page, '/offboard');
    const offboard = page.getByRole('dialog', { name: 'Offboard a mailbox' });
    await offboard.waitFor();
    await offboard.getByLabel('Mailbox', { exact: true }).pressSequentially('jane', { delay: 30 });
    await offboard.getByRole('option', { name: /jane\.doe@example\.com/ }).click();
    await offboard.getByLabel('Forward mail to').fill('sam@example.com');
    await offboard.getByLabel('Keep the mailbox for (days)').fill('30');
    await screenshot(page, 'sandbox-05-offboard-modal');
    await offboard.getByRole('button', { name: 'Offboard' }).click();
    await offboard.waitFor({ state: 'detached' });
    await mailServer(page).getByText('login suspended').waitFor();
    await mailServer(page).getByText('sam@example.com').waitFor();
    await screenshot(page, 'sandbox-06-offboarded');

    // A month later, HR is asked to confirm; the confirm dialog comes first, and "Keep it" keeps it.
    await page.getByLabel('Skip ahead').fill('31');
    await page.getByRole('button', { name: 'Skip', exact: true }).click();
    await page.getByText('Skipped ahead 31 days').waitFor();
    const confirmDelete = dms(page).getByRole('button', { name: 'Confirm delete' });
    await confirmDelete.waitFor();
    await confirmDelete.click();
    const dialog = page.getByRole('dialog', { name: 'Delete the mailbox?' });
    await dialog.waitFor();
    await screenshot(page, 'sandbox-07-confirm-dialog');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    expect(world.sandbox.cpanel.callsTo('delete_pop')).toHaveLength(0);
    await confirmDelete.click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dms(page)
      .getByText(/Deleted \(confirmed/)
      .first()
      .waitFor();
    await mailServer(page).getByText('jane.doe@example.com').waitFor({ state: 'detached' });
    expect(world.sandbox.cpanel.callsTo('delete_pop')).toHaveLength(1);
    await screenshot(page, 'sandbox-08-deleted');

    // The audit log tells the story on one clock: nothing written before the skip carries a later date,
    // nothing after it an earlier one (jobs running side by side may interleave by a few milliseconds).
    const audit = await world.sandbox.mailroom.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
    const times = audit.map((event) => event.at.getTime());
    const backwards = times.filter((time, i) => i > 0 && time < (times[i - 1] ?? 0) - 60_000);
    expect(backwards).toEqual([]);
    const asked = audit.find((event) => event.action === 'offboarding.confirmation_requested');
    const started = audit.find((event) => event.action === 'offboarding.started');
    expect((asked?.at.getTime() ?? 0) - (started?.at.getTime() ?? 0)).toBeGreaterThan(30 * 86_400_000);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps a half-typed command and a note across live updates, without reloading the page', async () => {
    const page = await world.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${world.sandbox.url}/sandbox?as=U0SANDOUT1`);
    // Browser-side code as text: the project's TypeScript has no DOM types.
    await page.evaluate('window.sameDocument = true');
    await page.getByLabel('Slash command').fill('/request-em');
    // Olga asks for something she may not do: the refusal is a note that stays until dismissed.
    await page.getByLabel('Slash command').fill('/offboard jane.doe@example.com');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText('Only HR').waitFor();
    await page.getByLabel('Slash command').fill('/request-em');
    // Meanwhile something happens elsewhere: the clock panel changes on the next live update.
    const before = await page.locator('#panel-clock').innerText();
    await fetch(`${world.sandbox.url}/sandbox/skip`, {
      method: 'POST',
      body: new URLSearchParams({ as: 'U0SANDADM1', days: '2' }),
      redirect: 'manual',
    });
    await page.waitForFunction(`document.querySelector('#panel-clock').innerText !== ${JSON.stringify(before)}`);
    await page.waitForTimeout(3500);
    expect(await page.getByLabel('Slash command').inputValue()).toBe('/request-em');
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    expect(await page.getByText('Only HR').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Dismiss this note' }).click();
    await page.getByText('Only HR').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a 390 px phone screen without sideways scrolling, and answers on 127.0.0.1 only', async () => {
    expect(world.sandbox.address).toBe('127.0.0.1');
    expect(new URL(world.sandbox.url).hostname).toBe('127.0.0.1');
    const phone = await world.browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await phone.newPage();
    const errors = watchErrors(page);
    await page.goto(`${world.sandbox.url}/sandbox?as=U0SANDHR01`);
    await page.locator('#panel-audit').getByText('mailbox.created').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // A table cell is at least a few characters wide (it used to wrap one character per line).
    const narrowest = await page.evaluate(
      "Math.min(...[...document.querySelectorAll('td')].map((cell) => cell.getBoundingClientRect().width))",
    );
    expect(narrowest).toBeGreaterThanOrEqual(40);
    await screenshot(page, 'sandbox-09-phone', { fullPage: false });
    await page.locator('#panel-sms').scrollIntoViewIfNeeded();
    await screenshot(page, 'sandbox-10-phone-sms', { fullPage: false });
    const favicon = await fetch(`${world.sandbox.url}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(errors).toEqual([]);
    await phone.close();
  });
});
