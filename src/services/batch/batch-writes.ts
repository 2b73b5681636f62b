/**
 * The batch CLI's database writes for created mailboxes, committed in groups: each created line
 * waits until its Staff, Mailbox and audit rows are committed (so "created" is reported only for
 * what is recorded, as before), but the lines that finish while one group commits go together in
 * the next: one transaction of a few multi-row statements instead of one transaction per mailbox.
 * A group that fails is written again line by line, so one bad line fails alone.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { type AuditEntry, recordAudits } from '../audit/audit.ts';
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
  /** Records written but not yet committed (waiting or in the group being committed). */
  private unsettled = 0;
  private roomWaiters: Array<() => void> = [];

  /**
   * @param groupTarget a group this large is committed at once; a smaller one waits `gatherMs` first
   *   (the run's concurrency: that many lines can finish while one group commits)
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly groupTarget = 1,
    private readonly gatherMs = 5,
  ) {}

  /** Resolves once fewer than `max` records are waiting for their commit (the caller's backpressure). */
  room(max: number): Promise<void> {
    if (this.unsettled < max) return Promise.resolve();
    return new Promise<void>((resolve) => this.roomWaiters.push(() => resolve())).then(() => this.room(max));
  }

  private settled(count: number): void {
    this.unsettled -= count;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once the rows are committed; rejects if they could not be written. */
  write(record: MailboxRecord): Promise<void> {
    this.unsettled += 1;
    const written = new Promise<void>((resolve, reject) => {
      this.waiting.push({ record, resolve, reject });
      this.pumping ??= this.pump().finally(() => {
        this.pumping = undefined;
      });
    });
    return written.finally(() => this.settled(1));
  }

  private async pump(): Promise<void> {
    while (this.waiting.length > 0) {
      // A few milliseconds for more lines to join: fewer, larger transactions (a commit costs the
      // same for one row as for twenty), while the provider calls go on in the freed slots.
      if (this.waiting.length < this.groupTarget) await delay(this.gatherMs);
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

  /** One transaction of two or three statements, none of which reads back what another wrote. */
  private commit(records: MailboxRecord[]): Promise<void> {
    const people = records.filter((r) => r.entry.fullName);
    return this.prisma.$transaction(async (tx) => {
      if (people.length > 0) await upsertStaff(tx, people);
      await upsertMailboxes(tx, records);
      await recordAudits(
        tx,
        records.map((r) => ({ ...r.audit, at: r.at })),
      );
    });
  }
}

/** One multi-row upsert of the lines that name a person. */
function upsertStaff(prisma: Prisma.TransactionClient, people: MailboxRecord[]) {
  // As the per-line upsert did: the name always, personal email and phone only when the file has them.
  return prisma.$executeRaw`
    INSERT INTO Staff (fullName, workEmail, personalEmail, phone, createdAt, updatedAt)
    VALUES ${Prisma.join(
      people.map(
        (r) => Prisma.sql`(${r.entry.fullName}, ${r.entry.address}, ${r.entry.personalEmail}, ${r.entry.phone}, ${r.at}, ${r.at})`,
      ),
    )}
    ON DUPLICATE KEY UPDATE fullName = VALUES(fullName), personalEmail = COALESCE(VALUES(personalEmail), personalEmail),
      phone = COALESCE(VALUES(phone), phone), updatedAt = VALUES(updatedAt)`;
}

/**
 * One multi-row upsert of the Mailbox rows (a DELETED row for the address becomes ACTIVE again); a
 * line that names a person takes its Staff id by the unique work address, written just before.
 */
function upsertMailboxes(prisma: Prisma.TransactionClient, records: MailboxRecord[]) {
  const staffId = (r: MailboxRecord) =>
    r.entry.fullName ? Prisma.sql`(SELECT id FROM Staff WHERE workEmail = ${r.entry.address})` : Prisma.sql`NULL`;
  return prisma.$executeRaw`
    INSERT INTO Mailbox (address, localPart, domain, provider, status, quotaMb, staffId, createdAt, updatedAt)
    VALUES ${Prisma.join(
      records.map(
        (r) =>
          Prisma.sql`(${r.entry.address}, ${r.entry.localPart}, ${r.entry.domain}, ${r.providerName}, 'ACTIVE', ${r.quotaMb},
            ${staffId(r)}, ${r.at}, ${r.at})`,
      ),
    )}
    ON DUPLICATE KEY UPDATE localPart = VALUES(localPart), domain = VALUES(domain), provider = VALUES(provider),
      status = VALUES(status), quotaMb = VALUES(quotaMb), staffId = COALESCE(VALUES(staffId), staffId), updatedAt = VALUES(updatedAt)`;
}
