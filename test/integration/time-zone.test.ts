// Prisma (driver adapter) writes every DateTime as UTC wall-clock text ('2026-03-04 05:06:07.089') and
// reads it back as UTC, whatever the session time zone. The server, though, computes NOW() and
// DEFAULT CURRENT_TIMESTAMP(3) in the session time zone, which is the server's (SYSTEM) unless set.
// createPrismaClient therefore pins every session to +00:00; these tests hold both halves.
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createPrismaClient, parseDatabaseUrl } from '../../src/platform/db/client.ts';
import type { TestDatabase } from '../support/test-db.ts';
import { createTestDatabase } from '../support/test-db.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

/** A client whose sessions run in `timeZone`, as the app's would on a server whose SYSTEM zone it is. */
function clientInZone(timeZone: string): PrismaClient {
  const url = parseDatabaseUrl(db.url);
  return new PrismaClient({
    adapter: new PrismaMariaDb({
      host: url.host,
      port: url.port,
      user: url.user,
      ...(url.password === undefined ? {} : { password: url.password }),
      database: db.name,
      connectionLimit: 1,
      timezone: timeZone,
    }),
  });
}

describe('DateTime round trips in UTC', () => {
  it('reads a Date written by Prisma back unchanged through Prisma and $queryRaw, and compares it in raw SQL', async () => {
    const runAt = new Date('2026-03-04T05:06:07.089Z');
    const job = await db.prisma.job.create({ data: { kind: 'tz-test', payload: {}, maxAttempts: 1, runAt } });
    expect(job.runAt.toISOString()).toBe(runAt.toISOString());

    const viaPrisma = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(viaPrisma.runAt.toISOString()).toBe('2026-03-04T05:06:07.089Z');

    const viaRaw = await db.prisma.$queryRaw<Array<{ runAt: Date; text: string }>>`
      SELECT runAt, CAST(runAt AS CHAR) AS text FROM Job WHERE id = ${job.id}`;
    expect(viaRaw[0]?.runAt).toBeInstanceOf(Date);
    expect(viaRaw[0]?.runAt.toISOString()).toBe('2026-03-04T05:06:07.089Z');
    expect(viaRaw[0]?.text).toBe('2026-03-04 05:06:07.089'); // stored as UTC wall-clock time

    const due = async (at: Date) =>
      (await db.prisma.$queryRaw<Array<{ id: number }>>`SELECT id FROM Job WHERE kind = 'tz-test' AND runAt <= ${at}`).map((row) => row.id);
    expect(await due(runAt)).toEqual([job.id]);
    expect(await due(new Date(runAt.getTime() - 1))).toEqual([]);
    expect(await due(new Date(runAt.getTime() + 1))).toEqual([job.id]);
    // Prisma's own filter agrees with the raw one.
    expect(await db.prisma.job.count({ where: { kind: 'tz-test', runAt: { lte: new Date(runAt.getTime() - 1) } } })).toBe(0);
  });

  it('runs sessions in UTC, so NOW() and column defaults agree with Prisma', async () => {
    const [session] = await db.prisma.$queryRaw<Array<{ tz: string; now: Date }>>`SELECT @@session.time_zone AS tz, NOW(3) AS now`;
    expect(session?.tz).toBe('+00:00');
    expect(Math.abs((session?.now.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);

    const before = Date.now();
    await db.prisma.$executeRaw`INSERT INTO AuditEvent (actor, action, subject, outcome) VALUES ('tz', 'raw-insert', 'utc', 'ok')`;
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'raw-insert' } });
    // Filled by DEFAULT CURRENT_TIMESTAMP(3), read back by Prisma as UTC: must be "now".
    expect(Math.abs(event.at.getTime() - before)).toBeLessThan(60_000);

    const [due] = await db.prisma.$queryRaw<Array<{ due: bigint | number }>>`
      SELECT COUNT(*) AS due FROM AuditEvent WHERE id = ${event.id} AND at <= NOW(3)`;
    expect(Number(due?.due)).toBe(1);
  });

  it('would go wrong in a session that is not UTC (why createPrismaClient pins +00:00)', async () => {
    const shifted = clientInZone('+05:00');
    try {
      const [session] = await shifted.$queryRaw<Array<{ tz: string }>>`SELECT @@session.time_zone AS tz`;
      expect(session?.tz).toBe('+05:00');
      // Prisma's own writes and reads are unaffected…
      const runAt = new Date('2026-03-04T05:06:07.089Z');
      const job = await shifted.job.create({ data: { kind: 'tz-shifted', payload: {}, maxAttempts: 1, runAt } });
      expect((await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).runAt.toISOString()).toBe(runAt.toISOString());
      // …but what the server computes is local time, which Prisma then reads as if it were UTC.
      await shifted.$executeRaw`INSERT INTO AuditEvent (actor, action, subject, outcome) VALUES ('tz', 'shifted-insert', 'utc', 'ok')`;
      const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'shifted-insert' } });
      const skewHours = (event.at.getTime() - Date.now()) / 3_600_000;
      expect(skewHours).toBeGreaterThan(4.9);
      expect(skewHours).toBeLessThan(5.1);
    } finally {
      await shifted.$disconnect();
    }
  });

  it('createPrismaClient pins the session time zone on every pooled connection', async () => {
    const client = createPrismaClient(db.url, { connectionLimit: 3 });
    try {
      const zones = await Promise.all(
        [1, 2, 3].map(() => client.$transaction(async (tx) => tx.$queryRaw<Array<{ tz: string }>>`SELECT @@session.time_zone AS tz`)),
      );
      expect(zones.map((rows) => rows[0]?.tz)).toEqual(['+00:00', '+00:00', '+00:00']);
    } finally {
      await client.$disconnect();
    }
  });
});
