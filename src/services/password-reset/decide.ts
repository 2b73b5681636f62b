import { recordAudit } from '../audit/audit.ts';
import { isGuestNow } from '../requests/model.ts';
import { changeJob, job, noticeJobs, parseIds, type ResetDeps, ResetJobs, resetSubject } from './model.ts';

export type ResetDecisionResult = { ok: true; message: string } | { ok: false; code: string; message: string };

/** Approve or reject someone else's reset: only its approvers or an admin, never the requester; one decision however many clicks. */
export class ResetDecisions {
  constructor(private readonly deps: ResetDeps) {}

  async decide(resetId: number, actorId: string, decision: 'approve' | 'reject'): Promise<ResetDecisionResult> {
    const { prisma, clock, jobs, settings } = this.deps;
    const reset = await prisma.passwordReset.findUnique({
      where: { id: resetId },
      select: { id: true, requesterId: true, ownerSlackId: true, approverIds: true, address: true },
    });
    if (!reset) return { ok: false, code: 'not_found', message: 'This password reset no longer exists.' };
    const allowed = actorId !== reset.requesterId && (parseIds(reset.approverIds).includes(actorId) || settings.adminIds.includes(actorId));
    if (!allowed) return this.refuse(resetId, actorId, actorId === reset.requesterId ? 'own_request' : 'not_approver');
    if (await isGuestNow({ slack: this.deps.slack, settings }, actorId)) return this.refuse(resetId, actorId, 'guest');

    const status = decision === 'approve' ? 'APPROVED' : 'REJECTED';
    const decided = await jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      const { count } = await tx.passwordReset.updateMany({
        where: { id: resetId, status: 'PENDING_APPROVAL' },
        data: { status, decidedById: actorId, decidedAt: now, ...(status === 'REJECTED' ? { openMailboxId: null } : {}) },
      });
      if (count === 0) return false;
      const action = status === 'APPROVED' ? 'password_reset.approved' : 'password_reset.rejected';
      await recordAudit(
        tx,
        { actor: actorId, action, subject: resetSubject(resetId), outcome: 'ok', details: { address: reset.address } },
        now,
      );
      await jobs.enqueue(tx, [
        job(ResetJobs.refreshApprovalDms, { resetId }, { dedupeKey: `reset-refresh:${resetId}:${status}` }),
        ...noticeJobs(reset, status),
        ...(status === 'APPROVED' ? [changeJob(resetId)] : []),
      ]);
      return true;
    });
    if (decided) {
      return {
        ok: true,
        message:
          status === 'APPROVED'
            ? `Approved: setting a new password on ${reset.address}.`
            : `Rejected: ${reset.address} keeps its password.`,
      };
    }
    const current = await prisma.passwordReset.findUniqueOrThrow({ where: { id: resetId }, select: { status: true, decidedById: true } });
    await recordAudit(
      prisma,
      {
        actor: actorId,
        action: `password_reset.${decision}`,
        subject: resetSubject(resetId),
        outcome: 'ignored',
        details: { reason: 'already_decided', status: current.status },
      },
      clock.now(),
    );
    const by = current.decidedById ? ` by <@${current.decidedById}>` : '';
    return {
      ok: false,
      code: 'already_decided',
      message: `Nothing was done: this reset was already decided${by} (${current.status.toLowerCase().replace('_', ' ')}).`,
    };
  }

  private async refuse(resetId: number, actorId: string, reason: 'own_request' | 'not_approver' | 'guest'): Promise<ResetDecisionResult> {
    await recordAudit(
      this.deps.prisma,
      {
        actor: actorId,
        action: 'password_reset.decision_refused',
        subject: resetSubject(resetId),
        outcome: 'refused',
        details: { reason },
      },
      this.deps.clock.now(),
    );
    const message = {
      own_request: 'You asked for this reset, so someone else must approve it. This attempt was recorded.',
      not_approver: 'Only the mailbox owner’s superior or an admin can decide this reset. This attempt was recorded.',
      guest: 'Guests of this workspace cannot decide password resets. This attempt was recorded.',
    }[reason];
    return { ok: false, code: reason, message };
  }
}
