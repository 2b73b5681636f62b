/**
 * Offboarding a mailbox on Aurora, whose auto-responder ignores Start/End unless
 * AllowScheduledAutoresponder is on (the default is off): HR's status never shows a stop date the
 * server will not keep, and the confirmed deletion removes the auto-reply and the user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAurora, startFakeAurora } from '../../src/sandbox/fakes/aurora-server.ts';
import { eventually, type Harness, People, startHarness } from '../support/harness.ts';
import { clickOffboardButton, OFFBOARDING_ENV, settled, startOffboarding, today, waitForStatusMessage } from '../support/offboarding.ts';

const DAY_MS = 86_400_000;
const ADDRESS = 'ola.aurora@example.org';

describe('offboarding on Aurora', () => {
  let aurora: FakeAurora;
  let h: Harness;

  beforeAll(async () => {
    aurora = await startFakeAurora({ domains: ['example.org'], tenantIds: [0] });
    h = await startHarness({
      ...OFFBOARDING_ENV,
      MAIL_DOMAINS: 'example.com,example.org',
      MAILBOX_PROVIDER: 'cpanel',
      MAILBOX_PROVIDER_BY_DOMAIN: 'example.org=aurora',
      AURORA_URL: aurora.url,
      AURORA_ADMIN_LOGIN: aurora.adminLogin,
      AURORA_ADMIN_PASSWORD: aurora.adminPassword,
      AURORA_TIMEOUT_MS: '2000',
    });
  });
  afterAll(async () => {
    await h?.close();
    await aurora?.close();
  });

  async function seed(address: string): Promise<void> {
    aurora.addUser(address, 'Seeded-Passw0rd-For-Tests!');
    const staff = await h.db.prisma.staff.create({
      data: { fullName: 'Ola Aurora', workEmail: address, superiorSlackId: People.superior },
    });
    const at = address.indexOf('@');
    await h.db.prisma.mailbox.create({
      data: {
        address,
        localPart: address.slice(0, at),
        domain: address.slice(at + 1),
        provider: 'aurora',
        quotaMb: 1024,
        staffId: staff.id,
      },
    });
  }

  it('says the auto-reply stays until deletion, shows no stop date, and deletion removes it', async () => {
    await seed(ADDRESS);
    const offboarding = await startOffboarding(h, { mailbox: ADDRESS, lastDay: today(h), retentionDays: '7' });
    const steps = await settled(h, offboarding.id);
    expect(steps.map((step) => [step.kind, step.status])).toEqual([
      ['save_prior_state', 'DONE'],
      ['forward', 'DONE'],
      ['auto_reply', 'DONE'],
      ['suspend_login', 'DONE'],
      ['remove_own_forwarders', 'DONE'],
    ]);
    // Aurora was asked for a schedule, kept none, and says so when asked back.
    const set = aurora.callsTo('Mail.UpdateAutoresponder').at(-1);
    expect(set?.parameters).toMatchObject({ Enable: true, Scheduled: true, End: Math.floor(offboarding.deleteAfter.getTime() / 1000) });
    expect(aurora.accountByEmail(ADDRESS)?.autoresponder).toMatchObject({ enable: true, scheduled: false, end: null });
    expect(steps.find((step) => step.kind === 'auto_reply')?.note).toMatch(/keeps no end date.*until the mailbox is deleted/);

    const status = await waitForStatusMessage(
      h,
      offboarding.id,
      (json) => (json.match(/white_check_mark/g) ?? []).length === 5,
      'all five steps done',
    );
    const lines = JSON.stringify(status?.blocks);
    expect(lines).toContain('Auto-reply to senders — the mail server keeps no end date, so it stays on until the mailbox is deleted');
    expect(lines).not.toMatch(/Auto-reply to senders until/);

    h.clock.advance(7 * DAY_MS + 60_000);
    expect(await h.mailroom.sweep.runOnce()).toMatchObject({ ran: true, offboarding: { asked: 1 } });
    const ask = await eventually(
      () => h.db.prisma.offboardingMessage.findFirst({ where: { offboardingId: offboarding.id, userId: People.hr } }),
      'the confirmation DM',
    );
    // Retention over, deletion not yet confirmed: the auto-reply is still on, as HR was told.
    expect(aurora.accountByEmail(ADDRESS)?.autoresponder.enable).toBe(true);
    const click = clickOffboardButton(h, {
      userId: People.hr,
      actionId: 'offboard_confirm_delete',
      value: String(offboarding.id),
      channelId: ask.channelId,
      messageTs: ask.ts,
    });
    await click.done;
    await eventually(() => h.db.prisma.offboarding.findFirst({ where: { id: offboarding.id, status: 'DELETED' } }), 'DELETED');
    expect(aurora.callsTo('Mail.UpdateAutoresponder').at(-1)?.parameters).toMatchObject({ Enable: false });
    expect(aurora.userByEmail(ADDRESS)).toBeUndefined();
    expect(aurora.accountByEmail(ADDRESS)).toBeUndefined();
    expect((await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address: ADDRESS } })).status).toBe('DELETED');
  });
});
