import type { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../../platform/db-types.ts';
import { insertRows } from '../../platform/sql-insert.ts';

export type AuditOutcome = 'ok' | 'refused' | 'failed' | 'ignored';

export interface AuditEntry {
  /** A Slack user id, or `system` for the job runner and schedules. */
  actor: string;
  action: string;
  /** What was acted on, e.g. `request:42` or `mailbox:jane@example.com`. */
  subject: string;
  outcome: AuditOutcome;
  /** Extra facts; never secrets. */
  details?: Prisma.InputJsonValue;
}

const AUDIT_COLUMNS = ['at', 'actor', 'action', 'subject', 'outcome', 'details'] as const;

export const SYSTEM_ACTOR = 'system';

/**
 * Writes one audit row. `at` is required and comes from the app's Clock (never the database's
 * `now()` default): after the sandbox skips ahead, or under a test's clock, the log stays in order
 * with the approvals and deadlines it explains.
 */
export async function recordAudit(db: Db, entry: AuditEntry, at: Date): Promise<void> {
  await recordAudits(db, [{ ...entry, at }]);
}

/** Several audit rows in one INSERT: no read-back of the new rows (a create would SELECT them again), no plan compiled (sql-insert.ts). */
export async function recordAudits(db: Db, entries: ReadonlyArray<AuditEntry & { at: Date }>): Promise<void> {
  await insertRows(db, 'AuditEvent', AUDIT_COLUMNS, entries);
}

export const requestSubject = (id: number): string => `request:${id}`;
export const mailboxSubject = (address: string): string => `mailbox:${address}`;
