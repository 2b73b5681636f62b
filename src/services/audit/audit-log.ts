import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { subject as offboardingSubject } from '../offboarding/model.ts';
import { mailboxSubject, requestSubject } from './audit.ts';

export interface AuditFilter {
  /** Events at or after this instant. */
  since?: Date;
  /** Events before this instant. */
  until?: Date;
  actor?: string;
  /** An exact action (`request.approved`) or a family ending in `.` or `*` (`offboarding.`, `request.*`). */
  action?: string;
  /** An exact subject, e.g. `request:42`. */
  subject?: string;
  outcome?: string;
  /**
   * The whole history of one address: `mailbox:<address>` and the subjects of every request and
   * offboarding that named it.
   */
  mailbox?: string;
  /** At most this many events (the oldest first). */
  limit?: number;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  outcome: string;
  details: Prisma.JsonValue;
}

/** The subjects under which the audit log records anything about one address. */
export async function subjectsOfAddress(prisma: PrismaClient, address: string): Promise<string[]> {
  const [requests, offboardings] = await Promise.all([
    prisma.emailRequest.findMany({ where: { address }, select: { id: true } }),
    prisma.offboarding.findMany({ where: { address }, select: { id: true } }),
  ]);
  return [mailboxSubject(address), ...requests.map((r) => requestSubject(r.id)), ...offboardings.map((o) => offboardingSubject(o.id))];
}

async function whereOf(prisma: PrismaClient, filter: AuditFilter): Promise<Prisma.AuditEventWhereInput> {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (filter.since) and.push({ at: { gte: filter.since } });
  if (filter.until) and.push({ at: { lt: filter.until } });
  if (filter.actor) and.push({ actor: filter.actor });
  if (filter.outcome) and.push({ outcome: filter.outcome });
  if (filter.subject) and.push({ subject: filter.subject });
  if (filter.action) {
    const family = /[.*]$/.exec(filter.action) ? filter.action.replace(/\*$/, '') : undefined;
    and.push(family === undefined ? { action: filter.action } : { action: { startsWith: family } });
  }
  if (filter.mailbox) and.push({ subject: { in: await subjectsOfAddress(prisma, filter.mailbox.toLowerCase()) } });
  return { AND: and };
}

/**
 * The matching audit events, oldest first, read in pages by id so that an export of any size holds
 * one page in memory at a time.
 */
export async function* readAuditLog(prisma: PrismaClient, filter: AuditFilter, pageSize = 500): AsyncGenerator<AuditRow> {
  const where = await whereOf(prisma, filter);
  let remaining = filter.limit ?? Number.POSITIVE_INFINITY;
  let after = 0;
  while (remaining > 0) {
    const page = await prisma.auditEvent.findMany({
      where: { AND: [where, { id: { gt: after } }] },
      orderBy: { id: 'asc' },
      take: Math.min(pageSize, remaining),
      select: { id: true, at: true, actor: true, action: true, subject: true, outcome: true, details: true },
    });
    for (const row of page) yield row;
    if (page.length === 0) return;
    remaining -= page.length;
    after = page[page.length - 1]?.id ?? after;
  }
}
