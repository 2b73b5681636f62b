import { mailboxSubject, recordAudit } from '../audit/audit.ts';
import type { OffboardingAccess } from './access.ts';
import {
  ACTIVATION_STEPS,
  type ActionResult,
  countStepsAtProvider,
  lockOffboarding,
  type OffboardingServiceDeps,
  refreshAsksJob,
  refreshJobs,
  Steps,
  stepJob,
  subject,
} from './model.ts';

/** Undo (rehire): cancel a scheduled offboarding, or restore the saved prior state of a live one. */
export class OffboardingUndo {
  constructor(
    private readonly deps: OffboardingServiceDeps,
    private readonly access: OffboardingAccess,
  ) {}

  /** Undo / rehire, until the deletion is confirmed. */
  async undo(id: number, actorId: string): Promise<ActionResult> {
    const hr = await this.access.checkHr(actorId);
    if (!hr.ok) return this.access.refuseNotHr(actorId, 'offboarding.undo', subject(id), hr.checkFailed);
    return this.perform(id, actorId);
  }

  /**
   * The undo itself, for callers that have settled who may do it: HR's Undo above, and a leaver
   * hold released by "Not a leaver" (HR checked there) or by the account's reactivation (system).
   */
  async perform(id: number, actorId: string, options: { onlyHold?: boolean } = {}): Promise<ActionResult> {
    const { prisma, clock } = this.deps;
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { address: true, version: true, mailboxId: true } });
    if (!o) return { ok: false, code: 'not_found' };
    const now = clock.now();
    const result = await this.deps.jobs.transaction(prisma, async (tx) => {
      // Lock first: a step job that starts from now on waits for this and then sees the undo, and
      // the count below, read after the lock, sees every step job already past that point.
      const status = await lockOffboarding(tx, id);
      if (status !== 'SCHEDULED' && status !== 'ACTIVE' && status !== 'AWAITING_CONFIRMATION') return false;
      // Releasing a leaver hold never undoes the offboarding HR has since made of it.
      if (options.onlyHold && (await tx.offboarding.findUniqueOrThrow({ where: { id }, select: { kind: true } })).kind !== 'LEAVER_HOLD')
        return false;
      if ((await countStepsAtProvider(tx, id)) > 0) return 'step_running' as const;
      // Nothing happened at the provider yet: cancel outright.
      const scheduled = await tx.offboarding.updateMany({
        where: { id, status: 'SCHEDULED' },
        data: { status: 'CANCELLED', openAddress: null, cancelledById: actorId, completedAt: now, version: { increment: 1 } },
      });
      if (scheduled.count > 0) {
        await tx.offboardingStep.updateMany({
          where: { offboardingId: id, status: { in: ['PENDING', 'FAILED'] } },
          data: { status: 'SKIPPED', lastError: 'cancelled before it ran' },
        });
        await tx.mailbox.update({ where: { id: o.mailboxId }, data: { status: 'ACTIVE' } });
        await recordAudit(
          tx,
          {
            actor: actorId,
            action: 'offboarding.cancelled',
            subject: subject(id),
            outcome: 'ok',
            details: { address: o.address, before: 'SCHEDULED' },
          },
          now,
        );
        await this.deps.jobs.enqueue(tx, [...refreshJobs(id), refreshAsksJob(id)]);
        return 'cancelled' as const;
      }
      const live = await tx.offboarding.updateMany({
        where: { id, status: { in: ['ACTIVE', 'AWAITING_CONFIRMATION'] } },
        data: { status: 'CANCELLING', cancelledById: actorId, version: { increment: 1 } },
      });
      if (live.count === 0) return false;
      await tx.offboardingStep.updateMany({
        where: { offboardingId: id, kind: { in: [...ACTIVATION_STEPS] }, status: { in: ['PENDING', 'FAILED'] } },
        data: { status: 'SKIPPED', lastError: 'cancelled by undo' },
      });
      await tx.offboardingStep.upsert({
        where: { offboardingId_kind: { offboardingId: id, kind: Steps.restore } },
        create: { offboardingId: id, kind: Steps.restore, createdAt: now },
        update: { status: 'PENDING', lastError: null },
      });
      await recordAudit(
        tx,
        { actor: actorId, action: 'offboarding.cancelled', subject: subject(id), outcome: 'ok', details: { address: o.address } },
        now,
      );
      await this.deps.jobs.enqueue(tx, [stepJob(id, Steps.restore, o.version + 1), ...refreshJobs(id), refreshAsksJob(id)]);
      return 'restoring' as const;
    });
    if (result === 'cancelled')
      return {
        ok: true,
        message: `:leftwards_arrow_with_hook: The offboarding of ${o.address} is cancelled; nothing had been changed yet.`,
      };
    if (result === 'restoring')
      return { ok: true, message: `:leftwards_arrow_with_hook: Restoring ${o.address} as it was; the status message shows each step.` };
    if (result === 'step_running') {
      // A restore now could run beside that step and be undone by it; the step ends within seconds.
      await recordAudit(
        prisma,
        { actor: actorId, action: 'offboarding.undo', subject: subject(id), outcome: 'refused', details: { reason: 'step_running' } },
        now,
      );
      return { ok: false, code: 'step_running' };
    }
    return this.access.refuseWrongState(id, actorId, 'offboarding.undo');
  }

  /** `/offboard undo <address>`: the open offboarding of that address. */
  async undoByAddress(addressText: string, actorId: string): Promise<ActionResult> {
    const hr = await this.access.checkHr(actorId);
    if (!hr.ok) return this.access.refuseNotHr(actorId, 'offboarding.undo', mailboxSubject(addressText), hr.checkFailed);
    const address = addressText.trim().toLowerCase();
    if (!address) return { ok: false, code: 'bad_input', message: 'Name the mailbox: `/offboard undo jane.doe@example.com`' };
    const open = await this.deps.prisma.offboarding.findUnique({ where: { openAddress: address }, select: { id: true } });
    if (open) return this.undo(open.id, actorId);
    const last = await this.deps.prisma.offboarding.findFirst({
      where: { address },
      orderBy: { id: 'desc' },
      select: { status: true, decidedById: true, cancelledById: true },
    });
    if (!last) return { ok: false, code: 'bad_input', message: `${address} is not being offboarded.` };
    return { ok: false, code: 'wrong_state', status: last.status, by: last.status === 'CANCELLED' ? last.cancelledById : last.decidedById };
  }
}
