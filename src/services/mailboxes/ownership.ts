import type { MailboxStatus } from '../../generated/prisma/client.ts';
import type { Db } from '../../platform/db-types.ts';

/**
 * Who owns a mailbox. A Slack user owns a mailbox when
 *  - their Slack profile email is the mailbox address (the new hire joins Slack with it), or
 *  - the mailbox's Staff record links them (`Staff.slackUserId`, set by Adopt or on first sight).
 * Leaver alerts, the reconcile report and self-service password reset all use this one rule.
 */
export interface OwnerIdentity {
  slackUserId: string;
  /** The Slack profile email, when Slack shared it. */
  email?: string | null;
}

const ownedWhere = (owner: OwnerIdentity) => {
  const email = owner.email?.trim().toLowerCase();
  return {
    OR: [{ staff: { slackUserId: owner.slackUserId } }, ...(email ? [{ address: email }] : [])],
  };
};

/** The mailboxes `owner` owns, optionally only those in `statuses`, oldest first. */
export async function mailboxesOwnedBy(
  db: Db,
  owner: OwnerIdentity,
  statuses?: readonly MailboxStatus[],
): Promise<Array<{ id: number; address: string; status: MailboxStatus; domain: string; provider: string }>> {
  return db.mailbox.findMany({
    where: { ...ownedWhere(owner), ...(statuses ? { status: { in: [...statuses] } } : {}) },
    select: { id: true, address: true, status: true, domain: true, provider: true },
    orderBy: { id: 'asc' },
  });
}

/** Whether `owner` owns the mailbox at `address`. */
export async function ownsMailbox(db: Db, owner: OwnerIdentity, address: string): Promise<boolean> {
  const found = await db.mailbox.findFirst({
    where: { address: address.trim().toLowerCase(), ...ownedWhere(owner) },
    select: { id: true },
  });
  return found !== null;
}

/** The Slack user linked as the owner through the Staff record, or null (ownership by email needs Slack). */
export async function linkedOwnerOf(db: Db, mailboxId: number): Promise<string | null> {
  const mailbox = await db.mailbox.findUnique({
    where: { id: mailboxId },
    select: { staff: { select: { slackUserId: true } } },
  });
  return mailbox?.staff?.slackUserId ?? null;
}

/**
 * Records `slackUserId` as the owner of the mailbox (Adopt, or the first time a person is matched by
 * email). A Slack user has at most one Staff record: an existing one is reused and re-pointed.
 */
export async function linkOwner(db: Db, input: { mailboxId: number; slackUserId: string; fullName: string; now: Date }): Promise<void> {
  const mailbox = await db.mailbox.findUniqueOrThrow({
    where: { id: input.mailboxId },
    select: { address: true, staffId: true },
  });
  const linked = await db.staff.findUnique({ where: { slackUserId: input.slackUserId }, select: { id: true } });
  let staffId = linked?.id;
  if (staffId === undefined) {
    const staff = await db.staff.upsert({
      where: { workEmail: mailbox.address },
      create: {
        workEmail: mailbox.address,
        fullName: input.fullName,
        slackUserId: input.slackUserId,
        createdAt: input.now,
      },
      update: { slackUserId: input.slackUserId },
      select: { id: true },
    });
    staffId = staff.id;
  }
  if (mailbox.staffId !== staffId) await db.mailbox.update({ where: { id: input.mailboxId }, data: { staffId } });
}
