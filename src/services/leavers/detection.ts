import type { Prisma } from '../../generated/prisma/client.ts';
import { isUniqueViolation } from '../../platform/db-types.ts';
import type { SlackUser } from '../../slack/gateway.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.ts';
import { mailboxesOwnedBy } from '../mailboxes/ownership.ts';
import { alertSubject, type DetectionSource, type LeaverServiceDeps, notifyJob, refreshJob, releaseJob } from './model.ts';

export type RaiseOutcome = 'raised' | 'raised_again' | 'repeat' | 'decided' | 'offboarding_open' | 'mailbox_not_active';

interface Mailbox {
  id: number;
  address: string;
}

/**
 * A deactivated Slack user who owns ACTIVE mailboxes: one alert per leaver and mailbox. The alert
 * row's unique (user, mailbox) key makes a retried or repeated event, or the daily check finding
 * the same leaver again, add nothing; a new deactivation after a reactivation raises it again.
 */
export class LeaverDetection {
  constructor(private readonly deps: LeaverServiceDeps) {}

  async deactivated(user: SlackUser, source: DetectionSource): Promise<RaiseOutcome[]> {
    if (user.isBot) return [];
    const owned = await mailboxesOwnedBy(this.deps.prisma, { slackUserId: user.id, email: user.email ?? null }, ['ACTIVE']);
    const outcomes: RaiseOutcome[] = [];
    for (const mailbox of owned) outcomes.push(await this.raise(user, mailbox, source));
    return outcomes;
  }

  private async raise(user: SlackUser, mailbox: Mailbox, source: DetectionSource): Promise<RaiseOutcome> {
    try {
      return await this.deps.jobs.transaction(this.deps.prisma, (tx) => this.raiseIn(tx, user, mailbox, source));
    } catch (error) {
      // The same leaver reported twice at once (an event and its retry, or the daily check): one wins.
      if (isUniqueViolation(error)) return 'repeat';
      throw error;
    }
  }

  private async raiseIn(tx: Prisma.TransactionClient, user: SlackUser, mailbox: Mailbox, source: DetectionSource): Promise<RaiseOutcome> {
    const now = this.deps.clock.now();
    const existing = await tx.leaverAlert.findUnique({
      where: { slackUserId_mailboxId: { slackUserId: user.id, mailboxId: mailbox.id } },
      select: { id: true, status: true, round: true, decidedAt: true, reactivatedAt: true },
    });
    if (existing?.status === 'OPEN') return 'repeat';
    // A decision covers the deactivation it was about; only a new one after a reactivation is news.
    const cameBack = existing?.reactivatedAt && (!existing.decidedAt || existing.reactivatedAt >= existing.decidedAt);
    if (existing && existing.status !== 'WITHDRAWN' && !cameBack) return 'decided';
    const current = await tx.mailbox.findUnique({ where: { id: mailbox.id }, select: { status: true } });
    if (current?.status !== 'ACTIVE') return 'mailbox_not_active';
    if (await tx.offboarding.findUnique({ where: { openAddress: mailbox.address }, select: { id: true } })) return 'offboarding_open';
    const facts = {
      leaverName: user.realName.slice(0, 200),
      address: mailbox.address,
      // Slack's `updated` is the account's last change, here its deactivation.
      deactivatedAt: user.updated && user.updated <= now ? user.updated : now,
      detectedBy: source,
    };
    const reset = { decidedById: null, decidedAt: null, reason: null, offboardingId: null, holdOffboardingId: null, reactivatedAt: null };
    let id: number;
    let round = 1;
    if (existing) {
      round = existing.round + 1;
      const { count } = await tx.leaverAlert.updateMany({
        where: { id: existing.id, round: existing.round },
        data: { ...facts, ...reset, status: 'OPEN', round },
      });
      if (count === 0) return 'repeat';
      id = existing.id;
    } else {
      ({ id } = await tx.leaverAlert.create({
        data: { ...facts, slackUserId: user.id, mailboxId: mailbox.id, createdAt: now },
        select: { id: true },
      }));
    }
    let holdId: number | undefined;
    if (this.deps.settings.autoSuspend) {
      holdId = await this.deps.offboarding.createLeaverHold(tx, {
        mailboxId: mailbox.id,
        address: mailbox.address,
        leaverName: facts.leaverName,
        alertId: id,
        now,
      });
      await tx.leaverAlert.update({ where: { id }, data: { holdOffboardingId: holdId } });
    }
    const details = {
      alertId: id,
      slackUserId: user.id,
      source,
      round,
      deactivatedAt: facts.deactivatedAt.toISOString(),
      holdOffboardingId: holdId ?? null,
    };
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, action: 'leaver.detected', subject: alertSubject(mailbox.address), outcome: 'ok', details },
      now,
    );
    await this.deps.jobs.enqueue(tx, notifyJob(id, round));
    return existing ? 'raised_again' : 'raised';
  }

  /** The account is active again: open alerts are withdrawn (and a hold undone); decided ones remember it. */
  async reactivated(userId: string, source: DetectionSource): Promise<number> {
    const { prisma, clock } = this.deps;
    const alerts = await prisma.leaverAlert.findMany({
      where: { slackUserId: userId },
      select: { id: true, status: true, address: true, decidedAt: true, reactivatedAt: true, holdOffboardingId: true },
    });
    let withdrawn = 0;
    for (const alert of alerts) {
      const now = clock.now();
      if (alert.status !== 'OPEN') {
        if (alert.reactivatedAt && alert.decidedAt && alert.reactivatedAt >= alert.decidedAt) continue;
        await prisma.leaverAlert.updateMany({ where: { id: alert.id, status: alert.status }, data: { reactivatedAt: now } });
        continue;
      }
      const done = await this.deps.jobs.transaction(prisma, async (tx) => {
        const { count } = await tx.leaverAlert.updateMany({
          where: { id: alert.id, status: 'OPEN' },
          data: { status: 'WITHDRAWN', reactivatedAt: now, decidedAt: now, decidedById: null },
        });
        if (count === 0) return false;
        await recordAudit(
          tx,
          {
            actor: SYSTEM_ACTOR,
            action: 'leaver.withdrawn',
            subject: alertSubject(alert.address),
            outcome: 'ok',
            details: { alertId: alert.id, source },
          },
          now,
        );
        await this.deps.jobs.enqueue(tx, [
          refreshJob(alert.id),
          ...(alert.holdOffboardingId ? [releaseJob(alert.id, alert.holdOffboardingId, SYSTEM_ACTOR)] : []),
        ]);
        return true;
      });
      if (done) withdrawn += 1;
    }
    return withdrawn;
  }
}
