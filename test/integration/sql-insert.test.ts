// insertRows (src/platform/sql-insert.ts) replaces Prisma's createMany on the hot paths: what it
// writes must read back through Prisma's models exactly as createMany's rows did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRows } from '../../src/platform/sql-insert.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

describe('insertRows', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('writes JSON, dates, NULLs and text that Prisma reads back as written', async () => {
    const at = new Date('2026-12-04T10:11:12.345Z');
    const details = { address: 'jane.doe@example.com', approverIds: ['U1', 'U2'], quote: 'it\'s "fine"', nested: { n: 1 } };
    const written = await insertRows(
      db.prisma,
      'AuditEvent',
      ['at', 'actor', 'action', 'subject', 'outcome', 'details'],
      [
        { at, actor: 'U1', action: 'test.one', subject: 'request:1', outcome: 'ok', details },
        { at, actor: 'U2', action: 'test.two', subject: 'request:2', outcome: 'ok', details: undefined },
      ],
    );
    expect(written).toBe(2);
    const rows = await db.prisma.auditEvent.findMany({ where: { action: { startsWith: 'test.' } }, orderBy: { id: 'asc' } });
    expect(rows.map((row) => ({ at: row.at.toISOString(), actor: row.actor, details: row.details }))).toEqual([
      { at: at.toISOString(), actor: 'U1', details },
      { at: at.toISOString(), actor: 'U2', details: null },
    ]);
  });

  it('with ignore, skips a row whose unique key exists and counts only what it inserted', async () => {
    const now = new Date();
    const row = (dedupeKey: string, kind: string) => ({
      kind,
      payload: { requestId: 7 },
      dedupeKey,
      runAt: now,
      createdAt: now,
      updatedAt: now,
      maxAttempts: 3,
      lane: 'slack',
    });
    const columns = ['kind', 'payload', 'dedupeKey', 'runAt', 'createdAt', 'updatedAt', 'maxAttempts', 'lane'] as const;
    expect(await insertRows(db.prisma, 'Job', columns, [row('k1', 'first')], { ignore: true })).toBe(1);
    expect(await insertRows(db.prisma, 'Job', columns, [row('k1', 'again'), row('k2', 'second')], { ignore: true })).toBe(1);
    const jobs = await db.prisma.job.findMany({
      orderBy: { id: 'asc' },
      select: { kind: true, dedupeKey: true, status: true, attempts: true, payload: true },
    });
    expect(jobs).toEqual([
      { kind: 'first', dedupeKey: 'k1', status: 'PENDING', attempts: 0, payload: { requestId: 7 } },
      { kind: 'second', dedupeKey: 'k2', status: 'PENDING', attempts: 0, payload: { requestId: 7 } },
    ]);
    // Without ignore, the duplicate is an error, not a silent skip.
    await expect(insertRows(db.prisma, 'Job', columns, [row('k2', 'third')])).rejects.toThrow();
    expect(await insertRows(db.prisma, 'Job', columns, [])).toBe(0);
  });
});
