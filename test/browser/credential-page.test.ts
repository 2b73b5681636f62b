// The one-time credential link in a real browser (Debian's Chromium through Playwright): what a new
// hire sees after tapping the link in their SMS or email. Scripted POSTs cannot show this: the
// browser decides the Origin and Sec-Fetch-Site headers of the form post.
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/lib/free-port.ts';
import { hasChromium, launchChromium, screenshot, watchErrors } from '../support/browser.ts';
import { approvalMessageFor, clickButton, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';

describe.skipIf(!hasChromium)('the one-time credential page in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let attacker: Server | undefined;

  beforeAll(async () => {
    // PUBLIC_URL is where the app really listens, so the browser opens the link as the SMS gives it.
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, CREDENTIAL_LINK_TTL_HOURS: '72' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    await h?.close();
  });

  async function newHireLink(localPart: string, phone: string): Promise<{ link: string; password: string; requestId: number }> {
    await submitRequestForm(h, { localPart, phone });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    const sms = await h.twilio.waitForMessageTo(phone);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/credentials\/[\w-]+)/.exec(sms.body)?.[1];
    expect(link, sms.body).toBeDefined();
    const password = h.cpanel.callsTo('add_pop').find((call) => call.params.email === localPart)?.params.password as string;
    return { link: link as string, password, requestId: request.id };
  }

  it('opens, reveals once on the button, then says used; an expired link says whom to contact', async () => {
    const { link, password, requestId } = await newHireLink('jane.doe', '+14155552671');
    const page = await browser.newPage();
    const errors = watchErrors(page);

    await page.goto(link);
    await expect(page.getByRole('button', { name: 'Reveal my password' }).isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain(password);
    await screenshot(page, 'credential-1-prompt');

    await page.getByRole('button', { name: 'Reveal my password' }).click();
    await page.getByText('Your sign-in details', { exact: true }).waitFor();
    const shown = await page.locator('main').innerText();
    expect(shown).toContain('jane.doe@example.com');
    expect(shown).toContain(password);
    await screenshot(page, 'credential-2-revealed');
    const secret = await h.db.prisma.oneTimeSecret.findFirstOrThrow({ where: { requestId } });
    expect(secret.ciphertext).toBeNull();
    expect(secret.revealedAt).not.toBeNull();

    await page.goto(link);
    await page.getByText('This link has already been used').waitFor();
    expect(await page.locator('main').innerText()).not.toContain(password);
    await screenshot(page, 'credential-3-used');

    // A second new hire who waits past the link's 72 hours.
    const late = await newHireLink('late.comer', '+14155552672');
    h.clock.advance(73 * 3_600_000);
    await page.goto(late.link);
    await page.getByText('This link has expired').waitFor();
    const expired = await page.locator('main').innerText();
    expect(expired).toContain('it@example.com');
    expect(expired).not.toContain(late.password);
    await screenshot(page, 'credential-4-expired');
    // Only the two pages that must say Gone did: the used link and the expired one.
    expect(errors).toEqual([`HTTP 410 ${link}`, `HTTP 410 ${late.link}`]);
    await page.close();
  });

  it('refuses a form posted to the reveal URL from another site, and the link still works afterwards', async () => {
    const { link, password, requestId } = await newHireLink('cross.site', '+14155552673');
    // The attacker even has a valid nonce; only the browser's own headers can stop this post.
    const prompt = await (await fetch(link)).text();
    const nonce = /name="nonce" value="([^"]+)"/.exec(prompt)?.[1] ?? '';
    const attackerPort = await freePort();
    attacker = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><title>Win a prize</title><form id="f" method="post" action="${link}/reveal"><input type="hidden" name="nonce" value="${nonce}"><button>Claim</button></form>`,
        );
    });
    await new Promise<void>((resolve) => attacker?.listen(attackerPort, '127.0.0.1', resolve));
    const page = await browser.newPage();
    // localhost and 127.0.0.1 are different sites: this is a cross-site post, as from evil.example.
    await page.goto(`http://localhost:${attackerPort}/`);
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByText('Please open your link again').waitFor();
    expect(await page.locator('main').innerText()).not.toContain(password);
    await screenshot(page, 'credential-5-cross-site-refused');
    expect((await h.db.prisma.oneTimeSecret.findFirstOrThrow({ where: { requestId } })).revealedAt).toBeNull();
    expect(h.logs.join('')).toContain('sec-fetch-site cross-site');

    await page.goto(link);
    await page.getByRole('button', { name: 'Reveal my password' }).click();
    await page.getByText('Your sign-in details', { exact: true }).waitFor();
    expect(await page.locator('main').innerText()).toContain(password);
    await page.close();
  });
});
