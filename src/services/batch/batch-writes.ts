/**
 * The batch CLI's database writes for created mailboxes, committed in groups: each created line
 * waits until its Staff, Mailbox and audit rows are committed (so "created" is reported only for
 * what is recorded, as before), but the lines that finish while one group commits go together in
 * the next: one transaction of a few multi-row statements instead of one transaction per mailbox.
 * A group that fails is written again line by line, so one bad line fails alone.
 */
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { AuditEntry } from '../audit/audit.ts';
import type { BatchEntry } from './batch-file.ts';

export interface MailboxRecord {
  entry: BatchEntry;
  providerName: string;
  quotaMb: number;
  audit: AuditEntry;
  at: Date;
}

interface Waiting {
  record: MailboxRecord;
  resolve(): void;
  reject(error: unknown): void;
}

/** Rows per group: keeps each statement far below max_allowed_packet and the lock time short. */
const GROUP_MAX = 200;

export class MailboxRecordWriter {
  private waiting: Waiting[] = [];
  private pumping: Promise<void> | undefined;

  constructor(private readonly prisma: PrismaClient) {}

  /** Resolves once the rows are committed; rejects if they could not be written. */
  write(record: MailboxRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ record, resolve, reject });
      this.pumping ??= this.pump().finally(() => {
        this.pumping = undefined;
      });
    });
  }

  private async pump(): Promise<void> {
    // Lets the lines that finished in the same tick join the first group.
    await Promise.resolve();
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, GROUP_MAX);
      try {
        await this.commit(group.map((item) => item.record));
        for (const item of group) item.resolve();
      } catch (groupError) {
        if (group.length === 1) {
          group[0]?.reject(groupError);
          continue;
        }
        for (const item of group) await this.commit([item.record]).then(item.resolve, item.reject);
      }
    }
  }

  private commit(records: MailboxRecord[]): Promise<void> {
    return this.prisma.$transaction(async (tx) => {
      const staffIds = await upsertStaff(tx, records);
      await upsertMailboxes(tx, records, staffIds);
      await tx.auditEvent.createMany({ data: records.map((r) => ({ ...r.audit, at: r.at })) });
    });
  }
}

/** One multi-row upsert of the lines that name a person; returns the Staff ids by work address. */
async function upsertStaff(tx: Prisma.TransactionClient, records: MailboxRecord[]): Promise<Map<string, number>> {
  const people = records.filter((r) => r.entry.fullName);
  if (people.length === 0) return new Map();
  // As the per-line upsert did: the name always, personal email and phone only when the file has them.
  await tx.$executeRaw`
    INSERT INTO Staff (fullName, workEmail, personalEmail, phone, createdAt, updatedAt)
    VALUES ${Prisma.join(
      people.map(
        (r) => Prisma.sql`(${r.entry.fullName}, ${r.entry.address}, ${r.entry.personalEmail}, ${r.entry.phone}, ${r.at}, ${r.at})`,
      ),
    )}
    ON DUPLICATE KEY UPDATE fullName = VALUES(fullName), personalEmail = COALESCE(VALUES(personalEmail), personalEmail),
      phone = COALESCE(VALUES(phone), phone), updatedAt = VALUES(updatedAt)`;
  const rows = await tx.staff.findMany({
    where: { workEmail: { in: people.map((r) => r.entry.address) } },
    select: { id: true, workEmail: true },
  });
  return new Map(rows.map((row) => [row.workEmail ?? '', row.id]));
}

/** One multi-row upsert of the Mailbox rows (a DELETED row for the address becomes ACTIVE again). */
async function upsertMailboxes(tx: Prisma.TransactionClient, records: MailboxRecord[], staffIds: Map<string, number>): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO Mailbox (address, localPart, domain, provider, status, quotaMb, staffId, createdAt, updatedAt)
    VALUES ${Prisma.join(
      records.map(
        (r) =>
          Prisma.sql`(${r.entry.address}, ${r.entry.localPart}, ${r.entry.domain}, ${r.providerName}, 'ACTIVE', ${r.quotaMb},
            ${staffIds.get(r.entry.address) ?? null}, ${r.at}, ${r.at})`,
      ),
    )}
    ON DUPLICATE KEY UPDATE localPart = VALUES(localPart), domain = VALUES(domain), provider = VALUES(provider),
      status = VALUES(status), quotaMb = VALUES(quotaMb), staffId = COALESCE(VALUES(staffId), staffId), updatedAt = VALUES(updatedAt)`;
}
