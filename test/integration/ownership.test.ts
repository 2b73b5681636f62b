// One ownership rule for leaver alerts, reconcile and self-service reset: the Slack profile email
// is the address, or the Staff record links the Slack user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkedOwnerOf, linkOwner, mailboxesOwnedBy, ownsMailbox } from '../../src/services/mailboxes/ownership.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

describe('mailbox ownership', () => {
  let db: TestDatabase;
  const now = new Date('2026-12-03T10:00:00Z');
  const mailbox = (address: string, status: 'ACTIVE' | 'OFFBOARDING' = 'ACTIVE') =>
    db.prisma.mailbox.create({
      data: { address, localPart: address.split('@')[0] ?? '', domain: 'example.com', provider: 'cpanel', status, quotaMb: 1024 },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('matches by profile email (any case) and by the Staff link, and filters by status', async () => {
    const jo = await mailbox('jo@example.com');
    const shared = await mailbox('sales@example.com', 'OFFBOARDING');
    await mailbox('other@example.com');
    expect(await ownsMailbox(db.prisma, { slackUserId: 'UJO', email: 'Jo@Example.com' }, 'jo@example.com')).toBe(true);
    expect(await ownsMailbox(db.prisma, { slackUserId: 'UJO', email: 'Jo@Example.com' }, 'sales@example.com')).toBe(false);

    await linkOwner(db.prisma, { mailboxId: shared.id, slackUserId: 'UJO', fullName: 'Jo Bloggs', now });
    const owned = await mailboxesOwnedBy(db.prisma, { slackUserId: 'UJO', email: 'jo@example.com' });
    expect(owned.map((m) => m.address)).toEqual(['jo@example.com', 'sales@example.com']);
    const active = await mailboxesOwnedBy(db.prisma, { slackUserId: 'UJO', email: null }, ['ACTIVE']);
    expect(active).toEqual([]);
    expect(await linkedOwnerOf(db.prisma, shared.id)).toBe('UJO');
    expect(await linkedOwnerOf(db.prisma, jo.id)).toBeNull();
  });

  it('reuses the Slack user’s one Staff record when linking a second mailbox', async () => {
    const second = await mailbox('jo.b@example.com');
    await linkOwner(db.prisma, { mailboxId: second.id, slackUserId: 'UJO', fullName: 'Jo Bloggs', now });
    expect(await db.prisma.staff.count({ where: { slackUserId: 'UJO' } })).toBe(1);
    expect(await linkedOwnerOf(db.prisma, second.id)).toBe('UJO');
  });
});
