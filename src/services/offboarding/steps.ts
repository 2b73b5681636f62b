import type { Prisma } from '../../generated/prisma/client.ts';
import { sameAddress } from '../../lib/address.ts';
import { DAY_MS } from '../../lib/zoned-time.ts';
import { job, PermanentJobError } from '../../platform/jobs.ts';
import { isRetryable, type MailboxProvider, type ProviderResult } from '../../providers/mailbox-provider.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.ts';
import type { OffboardingAccess } from './access.ts';
import {
  ACTIVATION_STEPS,
  type ActionResult,
  type ActivationStep,
  type LoadedOffboarding,
  loadedSelect,
  lockOffboarding,
  OffboardingJobs,
  type OffboardingServiceDeps,
  type PriorState,
  priorStateSchema,
  refreshAsksJob,
  refreshJobs,
  type StepKind,
  Steps,
  stepJob,
  subject,
} from './model.ts';
import type { OffboardingRetention } from './retention.ts';

const AUTO_REPLY_MIN_MS = 60 * 60 * 1000;
/** The note on the auto-reply step where the server keeps no end date; deletion removes the reply. */
export const AUTO_REPLY_NO_STOP = 'the mail server keeps no end date, so it stays on until the mailbox is deleted';

/** A provider answer, or the job error it implies: retryable codes retry, the rest fail the step for good. */
function take<T>(result: ProviderResult<T>, what: string): T {
  if (result.ok) return result.value;
  const message = `${what}: ${result.reason}`;
  throw isRetryable(result.code) ? new Error(message) : new PermanentJobError(message);
}

/** The provider steps, each run by its own job: activation, restore (undo), deletion, and HR's Retry. */
export class OffboardingSteps {
  constructor(
    private readonly deps: OffboardingServiceDeps,
    private readonly access: OffboardingAccess,
    private readonly retention: OffboardingRetention,
  ) {}

  /**
   * Runs one provider step: skips it when already settled, counts the attempt, records the provider's
   * reason on failure (the job runner retries or gives up), and on success marks it DONE in one
   * transaction with whatever the step implies (`finish`).
   */
  private async runStep(
    id: number,
    kind: StepKind,
    allowed: readonly string[],
    work: (
      o: LoadedOffboarding,
      provider: MailboxProvider,
    ) => Promise<((tx: Prisma.TransactionClient, o: LoadedOffboarding) => Promise<void>) | undefined>,
  ): Promise<void> {
    const { prisma, clock } = this.deps;
    // Decided under the row lock Undo takes: a step either starts before an Undo (which then sees
    // its job RUNNING and refuses) or sees the Undo and does nothing.
    const o = await this.deps.jobs.transaction(prisma, async (tx) => {
      const status = await lockOffboarding(tx, id);
      if (!status) throw new PermanentJobError(`offboarding ${id} does not exist`);
      const step = await tx.offboardingStep.findUnique({
        where: { offboardingId_kind: { offboardingId: id, kind } },
        select: { status: true },
      });
      if (step?.status !== 'PENDING') return undefined;
      if (!allowed.includes(status)) {
        await tx.offboardingStep.updateMany({
          where: { offboardingId: id, kind, status: 'PENDING' },
          data: { status: 'SKIPPED', lastError: `offboarding is ${status.toLowerCase()}` },
        });
        await this.deps.jobs.enqueue(tx, refreshJobs(id));
        return undefined;
      }
      await tx.offboardingStep.update({ where: { offboardingId_kind: { offboardingId: id, kind } }, data: { attempts: { increment: 1 } } });
      return tx.offboarding.findUniqueOrThrow({ where: { id }, select: loadedSelect });
    });
    if (!o) return;
    let finish: Awaited<ReturnType<typeof work>>;
    try {
      // The host that holds this mailbox (its Mailbox row's provider), whatever serves the domain now.
      finish = await work(o, this.deps.provider.atHost(o.mailbox.provider));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.deps.jobs.transaction(prisma, async (tx) => {
        await tx.offboardingStep.updateMany({ where: { offboardingId: id, kind, status: 'PENDING' }, data: { lastError: message } });
        await this.deps.jobs.enqueue(tx, refreshJobs(id));
      });
      throw error;
    }
    await this.deps.jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.offboardingStep.updateMany({
        where: { offboardingId: id, kind, status: 'PENDING' },
        data: { status: 'DONE', doneAt: clock.now(), lastError: null },
      });
      if (count === 0) return;
      await recordAudit(
        tx,
        { actor: SYSTEM_ACTOR, action: `offboarding.step.${kind}`, subject: subject(id), outcome: 'ok', details: { address: o.address } },
        this.deps.clock.now(),
      );
      await finish?.(tx, o);
      await this.deps.jobs.enqueue(tx, refreshJobs(id));
    });
    await this.retention.maybeAskConfirmation(id);
  }

  /** The step's job died: the step is FAILED with the provider's reason and a Retry button. */
  async failStep(id: number, kind: StepKind, error: Error, attempts: number): Promise<void> {
    const reason = error.message;
    await this.deps.jobs.transaction(this.deps.prisma, async (tx) => {
      const { count } = await tx.offboardingStep.updateMany({
        where: { offboardingId: id, kind, status: 'PENDING' },
        data: { status: 'FAILED', lastError: reason },
      });
      if (count === 0) return;
      await recordAudit(
        tx,
        { actor: SYSTEM_ACTOR, action: `offboarding.step.${kind}`, subject: subject(id), outcome: 'failed', details: { reason, attempts } },
        this.deps.clock.now(),
      );
      await this.deps.jobs.enqueue(tx, refreshJobs(id));
    });
  }

  /** Reads the provider's current state and saves it before anything changes, then starts the steps. */
  activate(id: number): Promise<void> {
    const { clock } = this.deps;
    return this.runStep(id, Steps.savePriorState, ['SCHEDULED'], async (o, provider) => {
      const info = take(await provider.find(o.address), `Reading ${o.address}`);
      if (!info) throw new PermanentJobError(`${o.address} no longer exists on the mail server`);
      const forwarders = take(await provider.listForwarders(o.address), 'Listing forwarders');
      const reply = take(await provider.getAutoReply(o.address), 'Reading the auto-reply');
      const prior: PriorState = {
        forwarders,
        autoReply: reply ? { ...reply, start: reply.start?.toISOString() ?? null, stop: reply.stop?.toISOString() ?? null } : null,
        suspendedLogin: info.suspendedLogin,
        capturedAt: clock.now().toISOString(),
      };
      return async (tx) => {
        const { count } = await tx.offboarding.updateMany({
          where: { id, status: 'SCHEDULED' },
          data: { status: 'ACTIVE', priorState: prior, version: { increment: 1 } },
        });
        if (count === 0) return;
        await recordAudit(
          tx,
          { actor: SYSTEM_ACTOR, action: 'offboarding.activated', subject: subject(id), outcome: 'ok', details: { prior } },
          this.deps.clock.now(),
        );
        const pending = await tx.offboardingStep.findMany({
          where: { offboardingId: id, kind: { in: [...ACTIVATION_STEPS] }, status: 'PENDING' },
          select: { kind: true },
        });
        await this.deps.jobs.enqueue(
          tx,
          pending.map((step) => stepJob(id, step.kind as StepKind, o.version + 1)),
        );
      };
    });
  }

  runActivationStep(id: number, kind: ActivationStep): Promise<void> {
    const { clock, settings } = this.deps;
    const live = ['ACTIVE', 'AWAITING_CONFIRMATION'];
    switch (kind) {
      case Steps.forward:
        return this.runStep(id, kind, live, async (o, provider) => {
          const current = take(await provider.listForwarders(o.address), 'Listing forwarders');
          if (!current.some((target) => sameAddress(target, o.forwardTo)))
            take(await provider.addForwarder(o.address, o.forwardTo), `Forwarding to ${o.forwardTo}`);
          return async (tx) => {
            await this.deps.jobs.enqueue(
              tx,
              job(OffboardingJobs.notifyForwardTarget, { offboardingId: id }, { dedupeKey: `offboarding:${id}:forward-notice` }),
            );
          };
        });
      case Steps.autoReply:
        return this.runStep(id, kind, live, async (o, provider) => {
          const start = clock.now();
          // cPanel wants stop > start; with a deletion due now, keep answering for at least an hour.
          const stop = new Date(Math.max(o.deleteAfter.getTime(), start.getTime() + AUTO_REPLY_MIN_MS));
          take(
            await provider.setAutoReply(o.address, {
              from: o.leaverName,
              subject: o.autoReplySubject,
              body: o.autoReplyBody,
              intervalHours: settings.autoReplyIntervalHours ?? 24,
              start,
              stop,
            }),
            'Setting the auto-reply',
          );
          // Some servers ignore the end date without an error (Aurora without
          // AllowScheduledAutoresponder): ask what was kept, and say so rather than show a stop date.
          const kept = await provider.getAutoReply(o.address);
          const note = kept.ok && kept.value && !kept.value.stop ? AUTO_REPLY_NO_STOP : null;
          return async (tx) => {
            await tx.offboardingStep.update({ where: { offboardingId_kind: { offboardingId: id, kind } }, data: { note } });
          };
        });
      case Steps.suspendLogin:
        return this.runStep(id, kind, live, async (o, provider) => {
          const info = take(await provider.find(o.address), `Reading ${o.address}`);
          if (!info) throw new PermanentJobError(`${o.address} no longer exists on the mail server`);
          if (!info.suspendedLogin) take(await provider.suspendLogin(o.address), 'Suspending login');
          return undefined;
        });
      case Steps.removeOwnForwarders:
        return this.runStep(id, kind, live, async (o, provider) => {
          const prior = priorStateSchema.parse(o.priorState);
          // Only what the leaver had before: the new forwarder to the superior is never touched.
          for (const target of prior.forwarders) {
            if (sameAddress(target, o.forwardTo)) continue;
            take(await provider.removeForwarder(o.address, target), `Removing the forwarder to ${target}`);
          }
          return undefined;
        });
    }
  }

  /** Undo: put back exactly what was saved, then CANCELLED and the mailbox ACTIVE. */
  restore(id: number): Promise<void> {
    const { clock } = this.deps;
    return this.runStep(id, Steps.restore, ['CANCELLING'], async (o, provider) => {
      const prior = priorStateSchema.parse(o.priorState);
      const current = take(await provider.listForwarders(o.address), 'Listing forwarders');
      for (const target of prior.forwarders) {
        if (!current.some((t) => sameAddress(t, target)))
          take(await provider.addForwarder(o.address, target), `Restoring the forwarder to ${target}`);
      }
      if (!prior.forwarders.some((t) => sameAddress(t, o.forwardTo)) && current.some((t) => sameAddress(t, o.forwardTo))) {
        take(await provider.removeForwarder(o.address, o.forwardTo), `Removing the forwarder to ${o.forwardTo}`);
      }
      if (prior.autoReply) {
        const now = clock.now();
        const start = prior.autoReply.start ? new Date(prior.autoReply.start) : now;
        const stop = prior.autoReply.stop ? new Date(prior.autoReply.stop) : new Date(now.getTime() + 3650 * DAY_MS);
        take(await provider.setAutoReply(o.address, { ...prior.autoReply, start, stop }), 'Restoring the auto-reply');
      } else {
        take(await provider.removeAutoReply(o.address), 'Removing the auto-reply');
      }
      const info = take(await provider.find(o.address), `Reading ${o.address}`);
      if (!info) throw new PermanentJobError(`${o.address} no longer exists on the mail server`);
      if (info.suspendedLogin && !prior.suspendedLogin) take(await provider.resumeLogin(o.address), 'Unsuspending login');
      if (!info.suspendedLogin && prior.suspendedLogin) take(await provider.suspendLogin(o.address), 'Suspending login as before');
      return async (tx) => {
        const { count } = await tx.offboarding.updateMany({
          where: { id, status: 'CANCELLING' },
          data: { status: 'CANCELLED', openAddress: null, completedAt: clock.now() },
        });
        if (count === 0) return;
        await tx.mailbox.update({ where: { id: o.mailboxId }, data: { status: 'ACTIVE' } });
        await recordAudit(
          tx,
          { actor: SYSTEM_ACTOR, action: 'offboarding.restored', subject: subject(id), outcome: 'ok', details: { address: o.address } },
          this.deps.clock.now(),
        );
        await this.deps.jobs.enqueue(tx, [refreshAsksJob(id)]);
      };
    });
  }

  /** Confirmed deletion: forwarders and auto-reply first (they outlive a mailbox), then the mailbox. */
  deleteMailbox(id: number): Promise<void> {
    const { clock } = this.deps;
    return this.runStep(id, Steps.delete, ['DELETING'], async (o, provider) => {
      const current = take(await provider.listForwarders(o.address), 'Listing forwarders');
      for (const target of current) take(await provider.removeForwarder(o.address, target), `Removing the forwarder to ${target}`);
      take(await provider.removeAutoReply(o.address), 'Removing the auto-reply');
      const deleted = await provider.delete(o.address);
      if (!deleted.ok && deleted.code !== 'not_found') take(deleted, `Deleting ${o.address}`);
      return async (tx) => {
        const { count } = await tx.offboarding.updateMany({
          where: { id, status: 'DELETING' },
          data: { status: 'DELETED', openAddress: null, completedAt: clock.now() },
        });
        if (count === 0) return;
        await tx.mailbox.update({ where: { id: o.mailboxId }, data: { status: 'DELETED' } });
        await recordAudit(
          tx,
          {
            actor: SYSTEM_ACTOR,
            action: 'mailbox.deleted',
            subject: subject(id),
            outcome: 'ok',
            details: { address: o.address, confirmedBy: o.decidedById, alreadyGone: !deleted.ok },
          },
          this.deps.clock.now(),
        );
        await this.deps.jobs.enqueue(tx, [refreshAsksJob(id)]);
      };
    });
  }

  /** Retry re-enqueues only the failed steps. */
  async retry(id: number, actorId: string): Promise<ActionResult> {
    const { prisma, clock } = this.deps;
    const hr = await this.access.checkHr(actorId);
    if (!hr.ok) return this.access.refuseNotHr(actorId, 'offboarding.retry', subject(id), hr.checkFailed);
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { version: true } });
    if (!o) return { ok: false, code: 'not_found' };
    const kinds = await this.deps.jobs.transaction(prisma, async (tx) => {
      const failed = await tx.offboardingStep.findMany({ where: { offboardingId: id, status: 'FAILED' }, select: { kind: true } });
      if (failed.length === 0) return [];
      const { count } = await tx.offboarding.updateMany({ where: { id, version: o.version }, data: { version: { increment: 1 } } });
      if (count === 0) return [];
      const list = failed.map((step) => step.kind as StepKind);
      await tx.offboardingStep.updateMany({ where: { offboardingId: id, status: 'FAILED' }, data: { status: 'PENDING' } });
      await recordAudit(
        tx,
        { actor: actorId, action: 'offboarding.retry', subject: subject(id), outcome: 'ok', details: { steps: list } },
        clock.now(),
      );
      await this.deps.jobs.enqueue(tx, [...list.map((kind) => stepJob(id, kind, o.version + 1)), ...refreshJobs(id)]);
      return list;
    });
    if (kinds.length === 0) return { ok: false, code: 'nothing_to_retry' };
    return { ok: true, message: `:arrows_counterclockwise: Trying again: ${kinds.join(', ').replace(/_/g, ' ')}.` };
  }
}
