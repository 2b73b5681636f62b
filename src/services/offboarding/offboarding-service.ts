import type { Prisma } from '../../generated/prisma/client.ts';
import { handle, type JobContext, type JobHandler } from '../../platform/jobs.ts';
import { OffboardingAccess } from './access.ts';
import { createLeaverHold, type HoldInput } from './hold.ts';
import { type ModalPrefill, OffboardingIntake, type RawOffboardForm, type SubmitResult } from './intake.ts';
import {
  type ActionResult,
  type IdPayload,
  OffboardingJobs,
  type OffboardingServiceDeps,
  type Refusal,
  type StepKind,
  Steps,
} from './model.ts';
import { OffboardingNotices } from './notices.ts';
import type { MailboxChoice } from './prefill.ts';
import { OffboardingRetention } from './retention.ts';
import { OffboardingSteps } from './steps.ts';
import { OffboardingUndo } from './undo.ts';

export { defaultAutoReply, type ModalPrefill, type OffboardFieldErrors, type RawOffboardForm, type SubmitResult } from './intake.ts';
export {
  type ActionResult,
  type EmailHook,
  type OffboardingEmail,
  OffboardingJobs,
  type OffboardingServiceDeps,
  type OffboardingSettings,
  type Refusal,
  type StepKind,
  Steps,
} from './model.ts';

/**
 * Offboarding: SCHEDULED → ACTIVE → AWAITING_CONFIRMATION → DELETING → DELETED, or → CANCELLING →
 * CANCELLED by undo. The one entry point for Slack handlers, the sweep and the job runner; each flow
 * lives in its own offboarding-*.ts module.
 */
export class OffboardingService {
  private readonly access: OffboardingAccess;
  private readonly intake: OffboardingIntake;
  private readonly retention: OffboardingRetention;
  private readonly steps: OffboardingSteps;
  private readonly undoing: OffboardingUndo;
  private readonly notices: OffboardingNotices;

  constructor(private readonly deps: OffboardingServiceDeps) {
    this.access = new OffboardingAccess(deps);
    this.intake = new OffboardingIntake(deps, this.access);
    this.retention = new OffboardingRetention(deps, this.access);
    this.steps = new OffboardingSteps(deps, this.access, this.retention);
    this.undoing = new OffboardingUndo(deps, this.access);
    this.notices = new OffboardingNotices(deps);
  }

  checkHr(userId: string): Promise<{ ok: true } | { ok: false; code: 'not_hr'; checkFailed: boolean }> {
    return this.access.checkHr(userId);
  }

  /** `lastDay` (YYYY-MM-DD) replaces today as the pre-filled last day, e.g. the day a leaver's Slack account was deactivated. */
  prepareModal(actorId: string, addressText: string | undefined, lastDay?: string): Promise<{ ok: true; prefill: ModalPrefill } | Refusal> {
    return this.intake.prepareModal(actorId, addressText, lastDay);
  }

  /** LEAVER_AUTO_SUSPEND: the login-only hold, in the caller's transaction (see hold.ts). */
  createLeaverHold(tx: Prisma.TransactionClient, input: HoldInput): Promise<number> {
    return createLeaverHold(this.deps, tx, input);
  }

  /** Undoes a leaver hold (Not a leaver, or the account reactivated): the usual Undo without its HR check. */
  releaseHold(id: number, actorId: string): Promise<ActionResult> {
    return this.undoing.perform(id, actorId, { onlyHold: true });
  }

  searchMailboxes(actorId: string, query: string): Promise<MailboxChoice[]> {
    return this.intake.searchMailboxes(actorId, query);
  }

  submit(actorId: string, form: RawOffboardForm): Promise<SubmitResult> {
    return this.intake.submit(actorId, form);
  }

  maybeAskConfirmation(id: number): Promise<boolean> {
    return this.retention.maybeAskConfirmation(id);
  }

  sweep(): Promise<{ asked: number; reminded: number }> {
    return this.retention.sweep();
  }

  confirmDelete(id: number, actorId: string): Promise<ActionResult> {
    return this.retention.confirmDelete(id, actorId);
  }

  extend(id: number, actorId: string, days: number): Promise<ActionResult> {
    return this.retention.extend(id, actorId, days);
  }

  undo(id: number, actorId: string): Promise<ActionResult> {
    return this.undoing.undo(id, actorId);
  }

  undoByAddress(addressText: string, actorId: string): Promise<ActionResult> {
    return this.undoing.undoByAddress(addressText, actorId);
  }

  retry(id: number, actorId: string): Promise<ActionResult> {
    return this.steps.retry(id, actorId);
  }

  jobHandlers(): JobHandler[] {
    const { steps, retention, notices } = this;
    const dead = (kind: StepKind) => (p: IdPayload, error: Error, context: JobContext) =>
      steps.failStep(p.offboardingId, kind, error, context.attempt);
    return [
      handle(OffboardingJobs.activate, { run: (p) => steps.activate(p.offboardingId), onDead: dead(Steps.savePriorState) }),
      handle(OffboardingJobs.step, {
        run: (p) => steps.runActivationStep(p.offboardingId, p.step),
        onDead: (p, error, context) => steps.failStep(p.offboardingId, p.step, error, context.attempt),
      }),
      handle(OffboardingJobs.restore, { run: (p) => steps.restore(p.offboardingId), onDead: dead(Steps.restore) }),
      handle(OffboardingJobs.delete, { run: (p) => steps.deleteMailbox(p.offboardingId), onDead: dead(Steps.delete) }),
      handle(OffboardingJobs.postStatus, { run: (p, context) => notices.postStatus(p.offboardingId, context.attempt > 1) }),
      handle(OffboardingJobs.refreshStatus, { run: (p) => notices.refreshStatus(p.offboardingId) }),
      handle(OffboardingJobs.ask, { run: (p, context) => retention.postAsk(p, context.attempt > 1) }),
      handle(OffboardingJobs.refreshAsks, { run: (p) => retention.refreshAsks(p.offboardingId) }),
      handle(OffboardingJobs.notifyForwardTarget, {
        run: (p, context) => notices.notifyForwardTarget(p.offboardingId, context.attempt > 1),
      }),
    ];
  }
}
