// INSERT [IGNORE] of rows in one SQL statement. Prisma's createMany is never served from the client's
// query-plan cache (it skips the cache for createMany and createManyAndReturn), so every call compiled
// a fresh plan in the WASM query compiler: on the hot paths (jobs, audit rows, deliveries) that cost
// more CPU than the insert itself. Table and column names come from the callers' constants, never input.
import { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './db-types.ts';

type SqlValue = string | number | boolean | Date | null | undefined | object;

/** undefined and null as NULL; JSON values (objects, arrays) as their text, as Prisma writes a Json column. */
function toParameter(value: SqlValue): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date || typeof value !== 'object') return value;
  return JSON.stringify(value);
}

/**
 * Inserts `rows` (only `columns` of each) in one statement; with `ignore`, rows whose unique key
 * exists already are skipped (INSERT IGNORE, what createMany's skipDuplicates sends). Returns the
 * number of rows inserted.
 */
export function insertRows<Row extends object>(
  db: Db,
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
  rows: readonly Row[],
  options: { ignore?: boolean } = {},
): Promise<number> {
  if (rows.length === 0) return Promise.resolve(0);
  const values = rows.map((row) => Prisma.sql`(${Prisma.join(columns.map((column) => toParameter(row[column] as SqlValue)))})`);
  return db.$executeRaw`INSERT ${Prisma.raw(options.ignore ? 'IGNORE ' : '')}INTO ${Prisma.raw(table)} (${Prisma.raw(columns.join(', '))}) VALUES ${Prisma.join(values)}`;
}
