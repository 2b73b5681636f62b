import type { Prisma } from '../../generated/prisma/client.ts';
import { addDaysToDate, dateIn } from '../../lib/zoned-time.ts';
import type { Clock } from '../../platform/clock.ts';
import type { JobQueue } from '../../platform/jobs.ts';
import { REASON_MAX } from '../../views/leaver-alert.ts';
import { recordAudit } from '../audit/audit.ts';
import type { ModalPrefill, Refusal } from '../offboarding/offboarding-service.ts';
import { multiLineProblem } from '../text-policy.ts';
import { alertSubject, type LeaverServiceDeps, refreshJob, releaseJob } from './model.ts';

export type AlertRefusal = { ok: false; message: string } | Refusal;
export type DismissResult = { ok: true } | { ok: false; error: string };

const SETTLED: Record<string, string> = {
  HANDLED: 'the offboarding was already started',
  DISMISSED: 'someone already said this is not a leaver',
  WITHDRAWN: 'the Slack account was reactivated, so the alert was withdrawn',
};

/** What HR does with an alert: Start offboarding (the usual modal, pre-filled) or Not a leaver (with a reason). */
export class LeaverDecisions {
  constructor(private readonly deps: LeaverServiceDeps & { timeZone: string }) {}

  private async openAlert(alertId: number) {
    const alert = await this.deps.prisma.leaverAlert.findUnique({
      where: { id: alertId },
      select: { id: true, status: true, address: true, leaverName: true, deactivatedAt: true, holdOffboardingId: true },
    });
    if (!alert) return { ok: false as const, message: 'This leaver alert no longer exists.' };
    if (alert.status !== 'OPEN') return { ok: false as const, message: `Nothing was done: ${SETTLED[alert.status] ?? alert.status}.` };
    return { ok: true as const, alert };
  }

  /** Start offboarding: the HR check and the modal's prefill, with the deactivation day as the last day. */
  async prepareStart(alertId: number, actorId: string): Promise<{ ok: true; prefill: ModalPrefill } | AlertRefusal> {
    const found = await this.openAlert(alertId);
    if (!found.ok) return found;
    const { clock, timeZone } = this.deps;
    const today = dateIn(clock.now(), timeZone);
    const left = dateIn(found.alert.deactivatedAt, timeZone);
    // The form refuses a last day more than a year back; an older deactivation starts today.
    const lastDay = left >= addDaysToDate(today, -365) && left <= today ? left : today;
    return this.deps.offboarding.prepareModal(actorId, found.alert.address, lastDay);
  }

  /** Not a leaver, before its modal opens: HR only, and only while the alert is open. */
  async prepareDismiss(alertId: number, actorId: string): Promise<{ ok: true; address: string; leaverName: string } | AlertRefusal> {
    const hr = await this.deps.offboarding.checkHr(actorId);
    if (!hr.ok) return this.refuseNotHr(actorId, alertId, hr.checkFailed);
    const found = await this.openAlert(alertId);
    if (!found.ok) return found;
    return { ok: true, address: found.alert.address, leaverName: found.alert.leaverName };
  }

  /** Records why this is not a leaver; a hold's suspension is undone by a job queued in the same transaction. */
  async dismiss(alertId: number, actorId: string, reasonText: string): Promise<DismissResult> {
    const { prisma, clock, jobs } = this.deps;
    const hr = await this.deps.offboarding.checkHr(actorId);
    if (!hr.ok) {
      await this.refuseNotHr(actorId, alertId, hr.checkFailed);
      return {
        ok: false,
        error: hr.checkFailed
          ? 'Slack could not confirm that you are in HR just now; please submit again.'
          : 'Only HR can decide on leaver alerts.',
      };
    }
    const reason = reasonText.trim();
    const problem = multiLineProblem(reason);
    if (problem) return { ok: false, error: problem };
    if (reason.length < 3) return { ok: false, error: 'Say in a few words why this is not a leaver.' };
    if (reason.length > REASON_MAX) return { ok: false, error: `Use at most ${REASON_MAX} characters.` };
    const found = await this.openAlert(alertId);
    if (!found.ok) return { ok: false, error: found.message };
    const now = clock.now();
    const done = await jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.leaverAlert.updateMany({
        where: { id: alertId, status: 'OPEN' },
        data: { status: 'DISMISSED', decidedById: actorId, decidedAt: now, reason },
      });
      if (count === 0) return false;
      await recordAudit(
        tx,
        {
          actor: actorId,
          action: 'leaver.dismissed',
          subject: alertSubject(found.alert.address),
          outcome: 'ok',
          details: { alertId, reason },
        },
        now,
      );
      const hold = found.alert.holdOffboardingId;
      await jobs.enqueue(tx, [refreshJob(alertId), ...(hold ? [releaseJob(alertId, hold, actorId)] : [])]);
      return true;
    });
    if (!done) return { ok: false, error: 'Nothing was recorded: someone acted on this alert a moment ago.' };
    return { ok: true };
  }

  private async refuseNotHr(actorId: string, alertId: number, checkFailed: boolean): Promise<Refusal> {
    const subject = `leaver:${alertId}`;
    const details = { reason: checkFailed ? 'hr_check_failed' : 'not_hr' };
    await recordAudit(
      this.deps.prisma,
      { actor: actorId, action: 'leaver.dismiss', subject, outcome: 'refused', details },
      this.deps.clock.now(),
    );
    return { ok: false, code: 'not_hr', checkFailed };
  }
}

/**
 * In the transaction that starts an offboarding of `address` (a new one, or a hold turned into one):
 * its open leaver alerts are HANDLED, and their DMs follow. Wired as the offboarding service's `onStarted`.
 */
export async function settleAlertsOnOffboarding(
  deps: { jobs: JobQueue; clock: Clock },
  tx: Prisma.TransactionClient,
  started: { offboardingId: number; address: string; actorId: string },
): Promise<void> {
  const open = await tx.leaverAlert.findMany({ where: { address: started.address, status: 'OPEN' }, select: { id: true } });
  const now = deps.clock.now();
  for (const { id } of open) {
    const { count } = await tx.leaverAlert.updateMany({
      where: { id, status: 'OPEN' },
      data: { status: 'HANDLED', decidedById: started.actorId, decidedAt: now, offboardingId: started.offboardingId },
    });
    if (count === 0) continue;
    await recordAudit(
      tx,
      {
        actor: started.actorId,
        action: 'leaver.offboarding_started',
        subject: alertSubject(started.address),
        outcome: 'ok',
        details: { alertId: id, offboardingId: started.offboardingId },
      },
      now,
    );
    await deps.jobs.enqueue(tx, refreshJob(id));
  }
}
