import { recordAudit, requestSubject, SYSTEM_ACTOR } from '../audit/audit.ts';
import { approvalDmJob, noticeJob, parseApproverIds, type RequestServiceDeps, refreshJobs } from './model.ts';

/** Requests nobody decides: reminders (SMS, email, DM), escalation to the admins, expiry. */
export class PendingRequestSweep {
  constructor(private readonly deps: RequestServiceDeps) {}

  /**
   * Pending requests nobody decided: the approvers are reminded every `reminderHours`, and after
   * `expiryDays` the request expires (requester told, address free). Safe to run on several
   * replicas: each change is a conditional update, and the sweep holds a lease besides.
   */
  async sweepPending(): Promise<{ reminded: number; expired: number }> {
    const { prisma, clock, settings } = this.deps;
    const now = clock.now();
    let expired = 0;
    let reminded = 0;
    const expiryDays = settings.expiryDays ?? 0;
    if (expiryDays > 0) {
      const stale = await prisma.emailRequest.findMany({
        where: { status: 'PENDING_APPROVAL', createdAt: { lte: new Date(now.getTime() - expiryDays * 86_400_000) } },
        select: { id: true, requesterId: true },
        take: 200,
      });
      for (const request of stale) if (await this.expire(request, expiryDays)) expired += 1;
    }
    const reminderHours = settings.reminderHours ?? 0;
    if (reminderHours > 0) {
      const before = new Date(now.getTime() - reminderHours * 3_600_000);
      const waiting = await prisma.emailRequest.findMany({
        where: { status: 'PENDING_APPROVAL', OR: [{ remindedAt: null, createdAt: { lte: before } }, { remindedAt: { lte: before } }] },
        select: { id: true, requesterId: true, approverIds: true, reminderCount: true, escalatedAt: true },
        take: 200,
      });
      for (const request of waiting) if (await this.remind(request)) reminded += 1;
    }
    return { reminded, expired };
  }

  private async remind(request: {
    id: number;
    requesterId: string;
    approverIds: unknown;
    reminderCount: number;
    escalatedAt: Date | null;
  }): Promise<boolean> {
    const { prisma, clock, settings } = this.deps;
    const approvers = parseApproverIds(request.approverIds);
    const round = request.reminderCount + 1;
    const admins = settings.adminIds.filter((id) => id !== request.requesterId && !approvers.includes(id));
    const escalateNow =
      !request.escalatedAt &&
      admins.length > 0 &&
      settings.escalateAfterReminders !== undefined &&
      settings.escalateAfterReminders > 0 &&
      round >= settings.escalateAfterReminders;
    // Admins who already hold the approval message are reminded like the approvers.
    const recipients = request.escalatedAt ? [...approvers, ...admins] : approvers;
    return this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      // Conditional on the count read above: two sweeps racing send one reminder.
      const { count } = await tx.emailRequest.updateMany({
        where: { id: request.id, status: 'PENDING_APPROVAL', reminderCount: request.reminderCount },
        data: { remindedAt: now, reminderCount: { increment: 1 } },
      });
      if (count === 0) return false;
      await recordAudit(
        tx,
        {
          actor: SYSTEM_ACTOR,
          action: 'request.reminded',
          subject: requestSubject(request.id),
          outcome: 'ok',
          details: { recipients, round },
        },
        now,
      );
      await this.deps.jobs.enqueue(
        tx,
        recipients.map((userId) => noticeJob(request.id, userId, 'reminder', String(round))),
      );
      // Superiors miss DMs: each reminder also goes by SMS and email, as the first call did.
      for (const userId of recipients) await this.deps.notifier.approvalRequested(tx, request.id, userId, `reminder-${round}`);
      if (escalateNow) {
        await tx.emailRequest.update({ where: { id: request.id }, data: { escalatedAt: now } });
        await recordAudit(
          tx,
          {
            actor: SYSTEM_ACTOR,
            action: 'request.escalated',
            subject: requestSubject(request.id),
            outcome: 'ok',
            details: { to: admins, afterReminders: round },
          },
          now,
        );
        // The admins get the approval message itself (the same job as the superior's), so their copies update with every decision.
        await this.deps.jobs.enqueue(tx, [
          ...admins.map((adminId) => approvalDmJob(request.id, adminId)),
          ...refreshJobs(request.id, 'escalated'),
        ]);
      }
      return true;
    });
  }

  private async expire(request: { id: number; requesterId: string }, days: number): Promise<boolean> {
    const { prisma, clock } = this.deps;
    return this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      // The same conditional update as a decision: an approval landing now wins, or the expiry does.
      const { count } = await tx.emailRequest.updateMany({
        where: { id: request.id, status: 'PENDING_APPROVAL' },
        data: { status: 'EXPIRED', decidedAt: now, openAddress: null, version: { increment: 1 } },
      });
      if (count === 0) return false;
      await recordAudit(
        tx,
        {
          actor: SYSTEM_ACTOR,
          action: 'request.expired',
          subject: requestSubject(request.id),
          outcome: 'ok',
          details: { afterDays: days },
        },
        now,
      );
      await this.deps.jobs.enqueue(tx, [...refreshJobs(request.id, 'EXPIRED'), noticeJob(request.id, request.requesterId, 'expired')]);
      return true;
    });
  }
}
