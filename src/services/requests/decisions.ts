import { job, type QueuedJob } from '../../platform/jobs.ts';
import { recordAudit, requestSubject } from '../audit/audit.ts';
import { multiLineProblem, TEXT_LIMITS } from '../text-policy.ts';
import {
  type CancelResult,
  type DecisionRefusal,
  type DecisionResult,
  isGuestNow,
  loadSummary,
  noticeJob,
  parseApproverIds,
  RequestJobs,
  type RequestServiceDeps,
  refreshJobs,
} from './model.ts';

/** Approve, reject and cancel: who may decide, and exactly one decision however many clicks arrive. */
export class RequestDecisions {
  constructor(private readonly deps: RequestServiceDeps) {}

  private isAllowedToDecide(request: { requesterId: string; approverIds: unknown }, actorId: string): boolean {
    if (actorId === request.requesterId) return false;
    return parseApproverIds(request.approverIds).includes(actorId) || this.deps.settings.adminIds.includes(actorId);
  }

  /** Whether `actorId` may decide now; refusals are audited. Used before opening the reason modal. */
  async checkCanDecide(requestId: number, actorId: string): Promise<{ ok: true; address: string } | DecisionRefusal> {
    const request = await this.deps.prisma.emailRequest.findUnique({
      where: { id: requestId },
      select: { id: true, requesterId: true, approverIds: true, status: true, decidedById: true, address: true },
    });
    if (!request) return { ok: false, code: 'not_found' };
    if (!this.isAllowedToDecide(request, actorId)) return this.refuse(request, actorId);
    // A superior may have become a guest since the request was filed.
    if (await isGuestNow(this.deps, actorId)) return this.refuseGuest(request.id, actorId);
    if (request.status !== 'PENDING_APPROVAL')
      return { ok: false, code: 'already_decided', status: request.status, decidedById: request.decidedById };
    return { ok: true, address: request.address };
  }

  private async refuse(request: { id: number; requesterId: string; approverIds: unknown }, actorId: string): Promise<DecisionRefusal> {
    const approverIds = parseApproverIds(request.approverIds);
    await recordAudit(
      this.deps.prisma,
      {
        actor: actorId,
        action: 'request.decision_refused',
        subject: requestSubject(request.id),
        outcome: 'refused',
        details: { reason: actorId === request.requesterId ? 'own_request' : 'not_approver' },
      },
      this.deps.clock.now(),
    );
    return { ok: false, code: 'not_approver', approverIds, isRequester: actorId === request.requesterId };
  }

  private async refuseGuest(requestId: number, actorId: string): Promise<DecisionRefusal> {
    await recordAudit(
      this.deps.prisma,
      {
        actor: actorId,
        action: 'request.decision_refused',
        subject: requestSubject(requestId),
        outcome: 'refused',
        details: { reason: 'guest' },
      },
      this.deps.clock.now(),
    );
    return { ok: false, code: 'guest' };
  }

  /**
   * One conditional update (`WHERE status = PENDING_APPROVAL`) inside the transaction that also
   * writes the audit row and the implied jobs: double clicks, Slack retries and two approvers
   * clicking at once yield exactly one decision.
   */
  async decide(input: { requestId: number; actorId: string; decision: 'approve' | 'reject'; reason?: string }): Promise<DecisionResult> {
    const { prisma, clock } = this.deps;
    const request = await prisma.emailRequest.findUnique({
      where: { id: input.requestId },
      select: { id: true, requesterId: true, approverIds: true, address: true },
    });
    if (!request) return { ok: false, code: 'not_found' };
    if (!this.isAllowedToDecide(request, input.actorId)) return this.refuse(request, input.actorId);
    if (await isGuestNow(this.deps, input.actorId)) return this.refuseGuest(request.id, input.actorId);
    const reason = input.reason?.trim();
    if (input.decision === 'reject' && !reason) return { ok: false, code: 'reason_required' };
    const reasonProblem = input.decision === 'reject' ? rejectReasonProblem(reason ?? '') : undefined;
    if (reasonProblem) return { ok: false, code: 'reason_invalid', message: reasonProblem };

    const status = input.decision === 'approve' ? 'APPROVED' : 'REJECTED';
    const decided = await this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      const { count } = await tx.emailRequest.updateMany({
        where: { id: request.id, status: 'PENDING_APPROVAL' },
        data: {
          status,
          decidedById: input.actorId,
          decidedAt: now,
          decisionReason: status === 'REJECTED' ? reason : null,
          // A rejected address is free again; an approved one stays reserved until provisioning ends.
          ...(status === 'REJECTED' ? { openAddress: null } : {}),
          version: { increment: 1 },
        },
      });
      if (count === 0) return false;
      await recordAudit(
        tx,
        {
          actor: input.actorId,
          action: status === 'APPROVED' ? 'request.approved' : 'request.rejected',
          subject: requestSubject(request.id),
          outcome: 'ok',
          details: status === 'REJECTED' ? { reason: reason ?? '' } : { address: request.address },
        },
        now,
      );
      const jobs: QueuedJob[] = [...refreshJobs(request.id, status), noticeJob(request.id, request.requesterId, 'decided')];
      if (status === 'APPROVED') {
        jobs.push(job(RequestJobs.provision, { requestId: request.id }, { dedupeKey: `provision:${request.id}:0`, requestId: request.id }));
      }
      await this.deps.jobs.enqueue(tx, jobs);
      if (status === 'REJECTED') await this.deps.notifier.requestRejected(tx, request.id);
      return true;
    });
    if (decided) return { ok: true, status };

    const current = await prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id }, select: { status: true, decidedById: true } });
    await recordAudit(
      prisma,
      {
        actor: input.actorId,
        action: `request.${input.decision}`,
        subject: requestSubject(request.id),
        outcome: 'ignored',
        details: { reason: 'already_decided', status: current.status },
      },
      this.deps.clock.now(),
    );
    return { ok: false, code: 'already_decided', status: current.status, decidedById: current.decidedById };
  }

  /**
   * The requester (or an admin) withdraws a request nobody has decided yet: the same conditional
   * update as a decision, so a cancel and an approval racing each other yield exactly one outcome.
   */
  async cancel(requestId: number, actorId: string): Promise<CancelResult> {
    const { prisma, clock } = this.deps;
    const request = await prisma.emailRequest.findUnique({ where: { id: requestId }, select: { id: true, requesterId: true } });
    if (!request) return { ok: false, code: 'not_found' };
    if (actorId !== request.requesterId && !this.deps.settings.adminIds.includes(actorId)) {
      await recordAudit(
        prisma,
        {
          actor: actorId,
          action: 'request.cancel',
          subject: requestSubject(requestId),
          outcome: 'refused',
          details: { reason: 'not_requester' },
        },
        this.deps.clock.now(),
      );
      return { ok: false, code: 'not_requester' };
    }
    const cancelled = await this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      const { count } = await tx.emailRequest.updateMany({
        where: { id: requestId, status: 'PENDING_APPROVAL' },
        data: { status: 'CANCELLED', decidedById: actorId, decidedAt: now, openAddress: null, version: { increment: 1 } },
      });
      if (count === 0) return false;
      await recordAudit(tx, { actor: actorId, action: 'request.cancelled', subject: requestSubject(requestId), outcome: 'ok' }, now);
      await this.deps.jobs.enqueue(tx, refreshJobs(requestId, 'CANCELLED'));
      return true;
    });
    if (cancelled) return { ok: true, summary: await loadSummary(prisma, requestId) };
    const current = await prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: { status: true, decidedById: true } });
    await recordAudit(
      prisma,
      {
        actor: actorId,
        action: 'request.cancel',
        subject: requestSubject(requestId),
        outcome: 'ignored',
        details: { reason: 'already_decided', status: current.status },
      },
      this.deps.clock.now(),
    );
    return { ok: false, code: 'already_decided', status: current.status, decidedById: current.decidedById };
  }
}

/** The requester and the new hire read the reason (Slack, email, SMS): line breaks allowed, nothing hidden, a bounded length. */
function rejectReasonProblem(reason: string): string | undefined {
  const problem = multiLineProblem(reason);
  if (problem) return problem;
  if (reason.length > TEXT_LIMITS.rejectReason)
    return `Keep the reason under ${TEXT_LIMITS.rejectReason} characters (this has ${reason.length}).`;
  return undefined;
}
