/**
 * `mailroom audit`: reads the audit log (who did what, to what, when, with what result) for a
 * review or an export, filtered by time, actor, action, subject, outcome or mailbox.
 */
import { stringify } from 'csv-stringify/sync';
import { createPrismaClient, describeDatabase } from '../platform/db/client.ts';
import { probeDatabase } from '../platform/db/server.ts';
import type { AuditOutcome } from '../services/audit/audit.ts';
import { type AuditFilter, type AuditRow, readAuditLog } from '../services/audit/audit-log.ts';

export const AUDIT_FORMATS = ['text', 'csv', 'jsonl'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ok', 'refused', 'failed', 'ignored'];

/** The filter's fields as typed on the command line (commander has already made --limit a number). */
export type AuditCliOptions = { [K in Exclude<keyof AuditFilter, 'limit'>]?: string } & { limit?: number; format: string };

export interface AuditIo {
  databaseUrl: string;
  out: (line: string) => void;
  /** Now, for relative times such as `--since 7d`. */
  now?: () => Date;
}

/** A bad option: the message says which and what is expected. */
export class AuditUsageError extends Error {}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RELATIVE = /^(\d{1,5})([dh])$/;

/**
 * `2026-11-01` (a UTC day: its start for --since, the end of it for --until), an ISO 8601 instant
 * (`2026-11-01T09:30:00Z`, `2026-11-01T10:30:00+01:00`), or a span back from now (`7d`, `12h`).
 */
export function parseWhen(value: string, edge: 'since' | 'until', now: Date): Date {
  const text = value.trim();
  const relative = RELATIVE.exec(text);
  if (relative) {
    const hours = Number(relative[1]) * (relative[2] === 'd' ? 24 : 1);
    return new Date(now.getTime() - hours * 3_600_000);
  }
  if (DATE_ONLY.test(text)) {
    const day = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text)
      throw new AuditUsageError(`--${edge} ${value}: no such date`);
    return edge === 'until' ? new Date(day.getTime() + 86_400_000) : day;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const instant = new Date(text);
    if (!Number.isNaN(instant.getTime())) return instant;
  }
  throw new AuditUsageError(
    `--${edge} ${value}: expected a date (2026-11-01, a UTC day), an ISO 8601 time with its zone (2026-11-01T09:30:00Z) or a span back from now (7d, 12h)`,
  );
}

/** Checks the options and turns them into a filter; throws AuditUsageError naming every problem. */
export function auditFilterOf(options: AuditCliOptions, now: Date): { filter: AuditFilter; format: AuditFormat } {
  const problems: string[] = [];
  const filter: AuditFilter = {};
  for (const edge of ['since', 'until'] as const) {
    const value = options[edge];
    if (value === undefined) continue;
    try {
      filter[edge] = parseWhen(value, edge, now);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (filter.since && filter.until && filter.since >= filter.until) problems.push('--since must be before --until');
  if (options.outcome !== undefined && !AUDIT_OUTCOMES.includes(options.outcome as AuditOutcome)) {
    problems.push(`--outcome ${options.outcome}: expected one of ${AUDIT_OUTCOMES.join(', ')}`);
  }
  if (!AUDIT_FORMATS.includes(options.format as AuditFormat))
    problems.push(`--format ${options.format}: expected one of ${AUDIT_FORMATS.join(', ')}`);
  if (options.mailbox !== undefined && !/^[^@\s]+@[^@\s]+$/.test(options.mailbox.trim()))
    problems.push(`--mailbox ${options.mailbox}: expected an address such as jane.doe@example.com`);
  for (const key of ['actor', 'action', 'subject'] as const) {
    const value = options[key];
    if (value !== undefined && value.trim() === '') problems.push(`--${key} is empty`);
  }
  if (problems.length > 0) throw new AuditUsageError(problems.join('\n'));
  if (options.actor !== undefined) filter.actor = options.actor.trim();
  if (options.action !== undefined) filter.action = options.action.trim();
  if (options.subject !== undefined) filter.subject = options.subject.trim();
  if (options.outcome !== undefined) filter.outcome = options.outcome;
  if (options.mailbox !== undefined) filter.mailbox = options.mailbox.trim().toLowerCase();
  if (options.limit !== undefined) filter.limit = options.limit;
  return { filter, format: options.format as AuditFormat };
}

/** Control characters (a terminal's escape sequences among them) shown as `\uXXXX`, never obeyed. */
const printable = (text: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const detailsText = (details: AuditRow['details']): string => (details === null ? '' : JSON.stringify(details));

function textLine(row: AuditRow): string {
  const at = row.at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
  const details = detailsText(row.details);
  return printable(
    `${at}  ${row.actor.padEnd(12)}  ${row.action.padEnd(32)}  ${row.subject.padEnd(24)}  ${row.outcome.padEnd(7)}${details ? `  ${details}` : ''}`.trimEnd(),
  );
}

/** One exported event: the JSON line as it is, and the CSV row in the same column order. */
const exportRecord = (row: AuditRow) => ({
  id: row.id,
  at: row.at.toISOString(),
  actor: row.actor,
  action: row.action,
  subject: row.subject,
  outcome: row.outcome,
  details: row.details,
});
const CSV_COLUMNS = ['id', 'at', 'actor', 'action', 'subject', 'outcome', 'details'] as const satisfies readonly (keyof ReturnType<
  typeof exportRecord
>)[];

// escape_formulas: a cell that starts with = + - @ is prefixed with ' so a spreadsheet shows it as text.
const csvLine = (cells: readonly (string | number)[]): string => stringify([cells], { escape_formulas: true, eof: false });

/** Prints the matching events to `io.out` and returns how many there were. */
export async function runAuditExport(options: AuditCliOptions, io: AuditIo): Promise<number> {
  const { filter, format } = auditFilterOf(options, (io.now ?? (() => new Date()))());
  const problem = await probeDatabase(io.databaseUrl, 'AuditEvent');
  if (problem) throw new AuditUsageError(`Could not read the audit log from ${describeDatabase(io.databaseUrl)}: ${problem}`);
  const prisma = createPrismaClient(io.databaseUrl, { connectionLimit: 2 });
  let count = 0;
  try {
    if (format === 'csv') io.out(csvLine(CSV_COLUMNS));
    for await (const row of readAuditLog(prisma, filter)) {
      count += 1;
      if (format === 'text') io.out(textLine(row));
      else if (format === 'csv') {
        const record = exportRecord(row);
        io.out(csvLine(CSV_COLUMNS.map((column) => (column === 'details' ? detailsText(record.details) : record[column]))));
      } else io.out(JSON.stringify(exportRecord(row)));
    }
    if (format === 'text') io.out(count === 0 ? 'No audit events match.' : `${count} event(s).`);
    return count;
  } catch (error) {
    // The server went away mid-export: driver and Prisma errors carry a code; say it in words.
    if (typeof (error as { code?: unknown } | null)?.code === 'string') {
      const message = error instanceof Error ? error.message.trim().split('\n').pop() : String(error);
      throw new AuditUsageError(`Could not read the audit log from ${describeDatabase(io.databaseUrl)}: ${message}`);
    }
    throw error;
  } finally {
    await prisma.$disconnect();
  }
}
