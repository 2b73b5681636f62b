import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createPrismaClient, withDatabase } from '../../src/platform/db/client.ts';
import { applyMigrations } from '../../src/platform/db/migrate.ts';
import { dropDatabase as dropDatabaseAt } from '../../src/platform/db/server.ts';

export const DEFAULT_TEST_DATABASE_URL = 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  /** URL of the new database (TEST_DATABASE_URL with the database name set). */
  url: string;
  name: string;
  prisma: PrismaClient;
  /** Disconnects `prisma` and drops the database. */
  drop(): Promise<void>;
}

/** The server that test databases are created on: env TEST_DATABASE_URL, default mysql://root@127.0.0.1:3306. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL?.trim() || DEFAULT_TEST_DATABASE_URL;
}

/** A fresh `mailroom_test_<hex>` name; the database itself is not created. */
export function randomTestDatabaseName(): string {
  return `mailroom_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a database on the test server if it exists (for databases a test created by other means). */
export function dropDatabase(name: string): Promise<void> {
  return dropDatabaseAt(withDatabase(testServerUrl(), name));
}

/** Creates a uniquely named database, applies every migration, and returns a PrismaClient on it. */
export async function createTestDatabase(options?: { connectionLimit?: number; serverUrl?: string }): Promise<TestDatabase> {
  const name = randomTestDatabaseName();
  const serverUrl = options?.serverUrl ?? testServerUrl();
  const url = withDatabase(serverUrl, name);
  const dropIt = () => dropDatabaseAt(url);
  try {
    await applyMigrations({ databaseUrl: url });
  } catch (error) {
    await dropIt().catch(() => undefined);
    throw error;
  }
  const prisma = createPrismaClient(url, { connectionLimit: options?.connectionLimit ?? 5 });
  let dropped = false;
  return {
    url,
    name,
    prisma,
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await prisma.$disconnect();
      } finally {
        await dropIt();
      }
    },
  };
}
