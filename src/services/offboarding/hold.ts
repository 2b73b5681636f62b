// The leaver hold (LEAVER_AUTO_SUSPEND): an Offboarding of kind LEAVER_HOLD whose only step is the
// login suspension, run by the same jobs, with the prior state saved the same way, so that the
// existing Undo restores it. Start offboarding turns the hold into the full offboarding in place.
import type { Prisma } from '../../generated/prisma/client.ts';
import { DAY_MS } from '../../lib/zoned-time.ts';
import { job } from '../../platform/jobs.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.ts';
import type { OffboardFields } from './form.ts';
import {
  ACTIVATION_STEPS,
  lockOffboarding,
  OffboardingJobs,
  type OffboardingServiceDeps,
  type StepKind,
  Steps,
  stepJob,
  subject,
} from './model.ts';

/** A hold is never deleted by retention: HR decides with Start offboarding or Not a leaver. */
const HOLD_DELETE_AFTER_MS = 3650 * DAY_MS;
const NOT_ASKED = 'not part of the leaver hold';

export interface HoldInput {
  mailboxId: number;
  address: string;
  leaverName: string;
  /** The leaver alert this hold belongs to (for the audit row). */
  alertId: number;
  now: Date;
}

/**
 * In the caller's transaction: the hold row (SCHEDULED, runs now), its steps and the activation job.
 * Throws a unique violation when an offboarding of the address is already open.
 */
export async function createLeaverHold(deps: OffboardingServiceDeps, tx: Prisma.TransactionClient, input: HoldInput): Promise<number> {
  const { now } = input;
  const { id } = await tx.offboarding.create({
    data: {
      mailboxId: input.mailboxId,
      kind: 'LEAVER_HOLD',
      address: input.address,
      openAddress: input.address,
      initiatedById: SYSTEM_ACTOR,
      leaverName: input.leaverName.slice(0, 200),
      forwardTo: '',
      autoReplySubject: '',
      autoReplyBody: '',
      lastDay: new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`),
      runAt: now,
      deleteAfter: new Date(now.getTime() + HOLD_DELETE_AFTER_MS),
      retentionDays: 0,
      suspendLogin: true,
      removeOwnForwarders: false,
      createdAt: now,
    },
    select: { id: true },
  });
  const skipped = { status: 'SKIPPED' as const, lastError: NOT_ASKED };
  await tx.offboardingStep.createMany({
    data: [
      { offboardingId: id, kind: Steps.savePriorState },
      { offboardingId: id, kind: Steps.forward, ...skipped },
      { offboardingId: id, kind: Steps.autoReply, ...skipped },
      { offboardingId: id, kind: Steps.suspendLogin },
      { offboardingId: id, kind: Steps.removeOwnForwarders, ...skipped },
    ].map((step) => ({ ...step, createdAt: now })),
  });
  await tx.mailbox.update({ where: { id: input.mailboxId }, data: { status: 'OFFBOARDING' } });
  await recordAudit(
    tx,
    {
      actor: SYSTEM_ACTOR,
      action: 'offboarding.leaver_hold',
      subject: subject(id),
      outcome: 'ok',
      details: { address: input.address, leaverAlert: input.alertId, suspendLogin: true },
    },
    now,
  );
  await deps.jobs.enqueue(tx, job(OffboardingJobs.activate, { offboardingId: id }, { dedupeKey: `offboarding:${id}:activate:v0` }));
  return id;
}

export interface HoldUpgrade extends OffboardFields {
  actorId: string;
  now: Date;
  runAt: Date;
  leaverName: string;
}

export type UpgradeOutcome = 'upgraded' | 'not_ready';

/**
 * Start offboarding over a hold: the same row becomes the full offboarding, keeping the prior state
 * saved before the suspension, so one Undo restores the mailbox as it was before either. The login
 * stays suspended (that step is DONE); the other steps run at `runAt`.
 */
export async function upgradeLeaverHold(
  deps: OffboardingServiceDeps,
  tx: Prisma.TransactionClient,
  id: number,
  plan: HoldUpgrade,
): Promise<UpgradeOutcome> {
  const status = await lockOffboarding(tx, id);
  const row = await tx.offboarding.findUniqueOrThrow({ where: { id }, select: { kind: true, version: true } });
  // Until the prior state is saved (a second or so) there is nothing to build on.
  if (row.kind !== 'LEAVER_HOLD' || status !== 'ACTIVE') return 'not_ready';
  const version = row.version + 1;
  await tx.offboarding.update({
    where: { id },
    data: {
      kind: 'OFFBOARDING',
      initiatedById: plan.actorId,
      leaverName: plan.leaverName.slice(0, 200),
      forwardTo: plan.forwardTo,
      autoReplySubject: plan.subject,
      autoReplyBody: plan.body,
      lastDay: new Date(`${plan.lastDay}T00:00:00Z`),
      runAt: plan.runAt,
      deleteAfter: new Date(plan.runAt.getTime() + plan.retentionDays * DAY_MS),
      retentionDays: plan.retentionDays,
      removeOwnForwarders: plan.removeOwnForwarders,
      version,
    },
  });
  const wanted: Record<string, boolean> = {
    [Steps.forward]: true,
    [Steps.autoReply]: true,
    [Steps.removeOwnForwarders]: plan.removeOwnForwarders,
    // A suspension that failed in the hold is tried again when HR asks for it.
    [Steps.suspendLogin]: plan.suspendLogin,
  };
  const steps = await tx.offboardingStep.findMany({
    where: { offboardingId: id, kind: { in: [...ACTIVATION_STEPS] } },
    select: { kind: true, status: true },
  });
  const toRun: StepKind[] = [];
  for (const step of steps) {
    const again = step.status === 'SKIPPED' || step.status === 'FAILED';
    if (!again || !wanted[step.kind]) continue;
    await tx.offboardingStep.update({
      where: { offboardingId_kind: { offboardingId: id, kind: step.kind } },
      data: { status: 'PENDING', lastError: null, attempts: 0 },
    });
    toRun.push(step.kind as StepKind);
  }
  await recordAudit(
    tx,
    {
      actor: plan.actorId,
      action: 'offboarding.started',
      subject: subject(id),
      outcome: 'ok',
      details: {
        fromLeaverHold: true,
        forwardTo: plan.forwardTo,
        lastDay: plan.lastDay,
        runAt: plan.runAt.toISOString(),
        retentionDays: plan.retentionDays,
        removeOwnForwarders: plan.removeOwnForwarders,
      },
    },
    plan.now,
  );
  await deps.jobs.enqueue(tx, [
    job(OffboardingJobs.postStatus, { offboardingId: id }, { dedupeKey: `offboarding:${id}:post-status` }),
    ...toRun.map((kind) => ({ ...stepJob(id, kind, version), runAt: plan.runAt })),
  ]);
  return 'upgraded';
}
