// Pruning: rows on both sides of the retention cutoff, and the rows that must stay whatever their
// age (unfinished jobs, a delivery a queued job still names, a one-time link still valid, audit
// rows without AUDIT_RETENTION_DAYS). Batches are small here to show the per-tick bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pruning } from '../../src/services/retention/pruning.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('pruning finished jobs, deliveries, expired links and (when asked) audit rows', () => {
  let db: TestDatabase;
  const clock = new ManualClock();
  const ago = (days: number) => new Date(clock.now().getTime() - days * DAY);

  beforeAll(async () => {
    db = await createTestDatabase();
    const jobRow = (key: string, status: 'PENDING' | 'RUNNING' | 'DONE' | 'DEAD', days: number, payload: object = {}) => ({
      kind: key.startsWith('delivery') ? 'delivery.alert_admins' : 'test.kind',
      payload,
      status,
      maxAttempts: 5,
      dedupeKey: key,
      runAt: ago(days),
      createdAt: ago(days),
      finishedAt: status === 'DONE' || status === 'DEAD' ? ago(days) : null,
    });
    await db.prisma.job.createMany({
      data: [
        ...Array.from({ length: 5 }, (_, n) => jobRow(`old-done-${n}`, 'DONE', 40)),
        jobRow('old-dead', 'DEAD', 31),
        jobRow('new-done', 'DONE', 29),
        jobRow('old-pending', 'PENDING', 60),
        jobRow('old-running', 'RUNNING', 60),
      ],
    });
    const delivery = (key: string, status: 'PENDING' | 'SENT' | 'FAILED' | 'SKIPPED' | 'LOGGED', days: number) => ({
      channel: 'EMAIL' as const,
      recipient: 'someone@example.com',
      template: 'test',
      status,
      dedupeKey: key,
      createdAt: ago(days),
    });
    await db.prisma.delivery.createMany({
      data: [
        delivery('old-sent', 'SENT', 45),
        delivery('old-skipped', 'SKIPPED', 45),
        delivery('old-logged', 'LOGGED', 45),
        delivery('new-sent', 'SENT', 10),
        delivery('old-pending', 'PENDING', 45),
        delivery('old-failed-alerting', 'FAILED', 45),
      ],
    });
    const alerting = await db.prisma.delivery.findUniqueOrThrow({ where: { dedupeKey: 'old-failed-alerting' } });
    // The admins' alert about this failed delivery is still queued: its delivery stays.
    await db.prisma.job.createMany({ data: [jobRow('delivery-alert', 'PENDING', 1, { deliveryId: alerting.id, adminId: 'U0ADMIN001' })] });
    await db.prisma.oneTimeSecret.createMany({
      data: [
        { tokenHash: 'a'.repeat(64), ciphertext: null, expiresAt: ago(35), createdAt: ago(38) },
        // Created long ago, still valid: never deleted, however old.
        { tokenHash: 'b'.repeat(64), ciphertext: 'sealed', expiresAt: new Date(clock.now().getTime() + DAY), createdAt: ago(90) },
        { tokenHash: 'c'.repeat(64), ciphertext: null, expiresAt: ago(5), createdAt: ago(8) },
      ],
    });
    await db.prisma.auditEvent.createMany({
      data: [
        { at: ago(400), actor: 'U1', action: 'request.submitted', subject: 'request:1', outcome: 'ok' },
        { at: ago(40), actor: 'U1', action: 'request.approved', subject: 'request:1', outcome: 'ok' },
        { at: ago(1), actor: 'U1', action: 'request.created', subject: 'request:1', outcome: 'ok' },
      ],
    });
  });
  afterAll(async () => {
    await db?.drop();
  });

  const keys = async () => ({
    jobs: (await db.prisma.job.findMany({ select: { dedupeKey: true }, orderBy: { id: 'asc' } })).map((row) => row.dedupeKey),
    deliveries: (await db.prisma.delivery.findMany({ select: { dedupeKey: true }, orderBy: { id: 'asc' } })).map((row) => row.dedupeKey),
    secrets: (await db.prisma.oneTimeSecret.findMany({ select: { tokenHash: true }, orderBy: { id: 'asc' } })).map(
      (row) => row.tokenHash[0],
    ),
    audit: (await db.prisma.auditEvent.findMany({ select: { action: true }, orderBy: { id: 'asc' } })).map((row) => row.action),
  });

  it('deletes only what is finished and older than the cutoff, a bounded number per tick, and keeps audit rows by default', async () => {
    const pruning = new Pruning(db.prisma, clock, { jobRetentionDays: 30, batchSize: 2, maxBatches: 2 });
    // Six finished old jobs, at most 2 × 2 per tick.
    expect(await pruning.run()).toEqual({ jobs: 4, deliveries: 3, oneTimeSecrets: 1 });
    expect(await pruning.run()).toEqual({ jobs: 2, deliveries: 0, oneTimeSecrets: 0 });
    expect(await pruning.run()).toEqual({ jobs: 0, deliveries: 0, oneTimeSecrets: 0 });
    expect(await keys()).toEqual({
      jobs: ['new-done', 'old-pending', 'old-running', 'delivery-alert'],
      deliveries: ['new-sent', 'old-pending', 'old-failed-alerting'],
      secrets: ['b', 'c'],
      audit: ['request.submitted', 'request.approved', 'request.created'],
    });
  });

  it('lets a delivery go once no job names it, and prunes audit rows after AUDIT_RETENTION_DAYS when set', async () => {
    await db.prisma.job.updateMany({ where: { dedupeKey: 'delivery-alert' }, data: { status: 'DONE', finishedAt: clock.now() } });
    const pruning = new Pruning(db.prisma, clock, { jobRetentionDays: 30, auditRetentionDays: 365 });
    expect(await pruning.run()).toEqual({ jobs: 0, deliveries: 1, oneTimeSecrets: 0, auditEvents: 1 });
    expect((await keys()).deliveries).toEqual(['new-sent', 'old-pending']);
    expect((await keys()).audit).toEqual(['request.approved', 'request.created']);
    // A month on, what was new is old, and the link that was valid has long expired.
    clock.advance(32 * DAY);
    expect(await new Pruning(db.prisma, clock, { jobRetentionDays: 30 }).run()).toEqual({ jobs: 2, deliveries: 1, oneTimeSecrets: 2 });
    expect(await keys()).toMatchObject({ jobs: ['old-pending', 'old-running'], deliveries: ['old-pending'], secrets: [] });
  });
});
