import { DAY_MS } from '../../lib/zoned-time.ts';
import { job, type QueuedJob } from '../../platform/jobs.ts';
import { postDirectMessageOnce } from '../../slack/post-once.ts';
import { buildConfirmationMessage, EXTEND_OPTIONS } from '../../views/offboard-confirm.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.ts';
import type { OffboardingAccess } from './access.ts';
import {
  ACTIVATION_STEPS,
  type ActionResult,
  type AskPayload,
  loadSummary,
  OffboardingJobs,
  type OffboardingServiceDeps,
  refreshAsksJob,
  refreshJobs,
  Steps,
  stepJob,
  subject,
} from './model.ts';

const REMINDER_EVERY_MS = DAY_MS;

/** Retention's end: HR is asked (and reminded daily) to confirm the deletion or keep the mailbox longer. */
export class OffboardingRetention {
  constructor(
    private readonly deps: OffboardingServiceDeps,
    private readonly access: OffboardingAccess,
  ) {}

  /** ACTIVE with retention over and no step still running → AWAITING_CONFIRMATION, and HR is asked. */
  async maybeAskConfirmation(id: number): Promise<boolean> {
    const { prisma, clock } = this.deps;
    const now = clock.now();
    const o = await prisma.offboarding.findUnique({
      where: { id },
      select: { status: true, deleteAfter: true, initiatedById: true, address: true, kind: true },
    });
    // A leaver hold waits for HR's decision on the alert, never for a deletion.
    if (o?.status !== 'ACTIVE' || o.kind !== 'OFFBOARDING' || o.deleteAfter > now) return false;
    const pending = await prisma.offboardingStep.count({
      where: { offboardingId: id, kind: { in: [...ACTIVATION_STEPS] }, status: 'PENDING' },
    });
    if (pending > 0) return false;
    const recipients = await this.confirmationRecipients(o.initiatedById);
    return this.deps.jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.offboarding.updateMany({
        where: { id, status: 'ACTIVE', kind: 'OFFBOARDING', deleteAfter: { lte: now } },
        data: { status: 'AWAITING_CONFIRMATION', confirmationAskedAt: now, remindedAt: now, reminderCount: 0, version: { increment: 1 } },
      });
      if (count === 0) return false;
      await recordAudit(
        tx,
        { actor: SYSTEM_ACTOR, action: 'offboarding.confirmation_requested', subject: subject(id), outcome: 'ok', details: { recipients } },
        now,
      );
      await this.deps.jobs.enqueue(tx, [...recipients.map((userId) => this.askJob(id, userId, 0)), ...refreshJobs(id)]);
      return true;
    });
  }

  private askJob(id: number, userId: string, round: number): QueuedJob {
    return job(OffboardingJobs.ask, { offboardingId: id, userId, round }, { dedupeKey: `offboarding:${id}:ask:${userId}:${round}` });
  }

  /** The HR person who started it (while still HR) and HR_USER_IDS; the user group when that leaves nobody. */
  private async confirmationRecipients(initiatorId: string): Promise<string[]> {
    const { settings, slack, logger } = this.deps;
    const recipients = new Set<string>(settings.hrUserIds);
    const initiator = await this.access.checkHr(initiatorId);
    if (initiator.ok || initiator.checkFailed) recipients.add(initiatorId);
    if (recipients.size === 0 && settings.hrUsergroupId) {
      try {
        for (const member of await slack.listUsergroupMembers(settings.hrUsergroupId)) recipients.add(member);
      } catch (error) {
        logger.warn({ err: error }, 'could not read the HR user group for the confirmation');
      }
    }
    if (recipients.size === 0) recipients.add(initiatorId);
    return [...recipients];
  }

  /**
   * The sweep: offboardings whose retention ended are put to HR; unanswered questions are asked
   * again every 24 hours. Returns how many were asked and reminded.
   */
  async sweep(): Promise<{ asked: number; reminded: number }> {
    const { prisma, clock } = this.deps;
    const now = clock.now();
    const due = await prisma.offboarding.findMany({
      where: { status: 'ACTIVE', kind: 'OFFBOARDING', deleteAfter: { lte: now } },
      select: { id: true },
      take: 200,
    });
    let asked = 0;
    for (const { id } of due) if (await this.maybeAskConfirmation(id)) asked += 1;

    const stale = await prisma.offboarding.findMany({
      where: { status: 'AWAITING_CONFIRMATION', remindedAt: { lte: new Date(now.getTime() - REMINDER_EVERY_MS) } },
      select: { id: true, remindedAt: true, reminderCount: true, initiatedById: true },
      take: 200,
    });
    let reminded = 0;
    for (const o of stale) {
      const recipients = await this.confirmationRecipients(o.initiatedById);
      const round = o.reminderCount + 1;
      const done = await this.deps.jobs.transaction(prisma, async (tx) => {
        // Conditional on the remindedAt we read: two sweeps never remind twice for the same day.
        const { count } = await tx.offboarding.updateMany({
          where: { id: o.id, status: 'AWAITING_CONFIRMATION', remindedAt: o.remindedAt },
          data: { remindedAt: now, reminderCount: round },
        });
        if (count === 0) return false;
        await recordAudit(
          tx,
          { actor: SYSTEM_ACTOR, action: 'offboarding.reminder', subject: subject(o.id), outcome: 'ok', details: { round, recipients } },
          now,
        );
        await this.deps.jobs.enqueue(
          tx,
          recipients.map((userId) => this.askJob(o.id, userId, round)),
        );
        return true;
      });
      if (done) reminded += 1;
    }
    return { asked, reminded };
  }

  async postAsk(payload: AskPayload, retried: boolean): Promise<void> {
    const { prisma, slack } = this.deps;
    const key = { offboardingId_userId_round: { offboardingId: payload.offboardingId, userId: payload.userId, round: payload.round } };
    if (await prisma.offboardingMessage.findUnique({ where: key })) return;
    const summary = await loadSummary(prisma, payload.offboardingId);
    if (summary.status !== 'AWAITING_CONFIRMATION') return;
    const posted = await postDirectMessageOnce(slack, payload.userId, buildConfirmationMessage(summary, payload.round), {
      key: `offboarding-ask:${payload.offboardingId}:${payload.userId}:${payload.round}`,
      retried,
    });
    await prisma.offboardingMessage.create({
      data: { ...key.offboardingId_userId_round, channelId: posted.channel, ts: posted.ts, createdAt: this.deps.clock.now() },
    });
    // A decision may have landed while posting: bring this copy up to date too.
    const now = await loadSummary(prisma, payload.offboardingId);
    if (posted.earlier || now.status !== summary.status)
      await slack.updateMessage(posted.channel, posted.ts, buildConfirmationMessage(now, payload.round));
  }

  async refreshAsks(id: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const summary = await loadSummary(prisma, id);
    const messages = await prisma.offboardingMessage.findMany({
      where: { offboardingId: id },
      select: { channelId: true, ts: true, round: true },
    });
    for (const m of messages) await slack.updateMessage(m.channelId, m.ts, buildConfirmationMessage(summary, m.round));
  }

  async confirmDelete(id: number, actorId: string): Promise<ActionResult> {
    const { prisma, clock } = this.deps;
    const hr = await this.access.checkHr(actorId);
    if (!hr.ok) return this.access.refuseNotHr(actorId, 'offboarding.confirm_delete', subject(id), hr.checkFailed);
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { address: true, version: true } });
    if (!o) return { ok: false, code: 'not_found' };
    const now = clock.now();
    const decided = await this.deps.jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.offboarding.updateMany({
        where: { id, status: 'AWAITING_CONFIRMATION' },
        data: { status: 'DELETING', decidedById: actorId, decidedAt: now, version: { increment: 1 } },
      });
      if (count === 0) return false;
      await tx.offboardingStep.upsert({
        where: { offboardingId_kind: { offboardingId: id, kind: Steps.delete } },
        create: { offboardingId: id, kind: Steps.delete, createdAt: now },
        update: { status: 'PENDING', lastError: null },
      });
      await recordAudit(
        tx,
        { actor: actorId, action: 'offboarding.delete_confirmed', subject: subject(id), outcome: 'ok', details: { address: o.address } },
        now,
      );
      await this.deps.jobs.enqueue(tx, [stepJob(id, Steps.delete, o.version + 1), ...refreshJobs(id), refreshAsksJob(id)]);
      return true;
    });
    if (decided) return { ok: true, message: `:wastebasket: Deleting ${o.address} now; the status message shows each step.` };
    return this.access.refuseWrongState(id, actorId, 'offboarding.confirm_delete');
  }

  async extend(id: number, actorId: string, days: number): Promise<ActionResult> {
    const { prisma, clock } = this.deps;
    const hr = await this.access.checkHr(actorId);
    if (!hr.ok) return this.access.refuseNotHr(actorId, 'offboarding.extend', subject(id), hr.checkFailed);
    if (!(EXTEND_OPTIONS as readonly number[]).includes(days))
      return { ok: false, code: 'bad_input', message: 'This button is malformed; nothing was done.' };
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { address: true, version: true } });
    if (!o) return { ok: false, code: 'not_found' };
    const now = clock.now();
    const deleteAfter = new Date(now.getTime() + days * DAY_MS);
    const decided = await this.deps.jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.offboarding.updateMany({
        where: { id, status: 'AWAITING_CONFIRMATION' },
        data: { status: 'ACTIVE', deleteAfter, decidedById: actorId, decidedAt: now, remindedAt: null, version: { increment: 1 } },
      });
      if (count === 0) return false;
      // The auto-reply stops at the deletion date: set it again with the new one.
      await tx.offboardingStep.updateMany({
        where: { offboardingId: id, kind: Steps.autoReply },
        data: { status: 'PENDING', lastError: null },
      });
      await recordAudit(
        tx,
        {
          actor: actorId,
          action: 'offboarding.extended',
          subject: subject(id),
          outcome: 'ok',
          details: { days, deleteAfter: deleteAfter.toISOString() },
        },
        now,
      );
      await this.deps.jobs.enqueue(tx, [stepJob(id, Steps.autoReply, o.version + 1), ...refreshJobs(id), refreshAsksJob(id)]);
      return true;
    });
    if (decided) return { ok: true, message: `:hourglass: ${o.address} is kept ${days} more days; you will be asked again then.` };
    return this.access.refuseWrongState(id, actorId, 'offboarding.extend');
  }
}
