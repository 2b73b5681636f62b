import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, PREPARE_CACHE_LENGTH } from '../../src/platform/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

/** This connection's prepared statements: prepared minus closed (session counters, so other clients do not count). */
async function openStatements(prisma: ReturnType<typeof createPrismaClient>): Promise<{ prepared: number; open: number }> {
  const rows = await prisma.$queryRawUnsafe<Array<{ Variable_name: string; Value: string }>>(
    "SHOW SESSION STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_close')",
  );
  const value = (name: string) => Number(rows.find((row) => row.Variable_name === name)?.Value ?? Number.NaN);
  return { prepared: value('Com_stmt_prepare'), open: value('Com_stmt_prepare') - value('Com_stmt_close') };
}

describe('the database client', () => {
  let db: TestDatabase;
  let prisma: ReturnType<typeof createPrismaClient>;
  beforeAll(async () => {
    db = await createTestDatabase();
    // One connection, so every statement below and the counters read back share one session.
    prisma = createPrismaClient(db.url, { connectionLimit: 1 });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('runs every session, in and out of transactions, at READ COMMITTED (what the job claim relies on)', async () => {
    const level = async (db: Pick<typeof prisma, '$queryRaw'>) =>
      (await db.$queryRaw<Array<{ level: string }>>`SELECT @@SESSION.tx_isolation AS level`)[0]?.level;
    expect(await level(prisma)).toBe('READ-COMMITTED');
    expect(await prisma.$transaction((tx) => level(tx))).toBe('READ-COMMITTED');
  });

  it('prepares a repeated statement once per connection', async () => {
    await prisma.job.findMany({ where: { id: { in: [1, 2, 3] } } });
    const before = await openStatements(prisma);
    for (let i = 0; i < 20; i += 1) await prisma.job.findMany({ where: { id: { in: [i + 1, i + 2, i + 3] } } });
    const after = await openStatements(prisma);
    // Only the status query itself may have been prepared again in between.
    expect(after.prepared - before.prepared).toBeLessThanOrEqual(1);
  });

  it('keeps no more prepared statements open than its cache holds, however many texts Prisma writes', async () => {
    // Every length of an IN list is a new statement text: three times the cache's worth of them.
    for (let n = 1; n <= PREPARE_CACHE_LENGTH * 3; n += 1) {
      await prisma.job.findMany({ where: { id: { in: Array.from({ length: n }, (_, i) => i + 1) } }, select: { id: true } });
    }
    const { open } = await openStatements(prisma);
    expect(open).toBeGreaterThan(0);
    expect(open).toBeLessThanOrEqual(PREPARE_CACHE_LENGTH + 1);
  });
});
