import { isUniqueViolation } from '../../platform/db-types.ts';
import { type JobContext, job } from '../../platform/jobs.ts';
import { postDirectMessageOnce } from '../../slack/post-once.ts';
import { buildLeaverAlertMessage } from '../../views/leaver-alert.ts';
import { type DmPayload, LeaverJobs, type LeaverServiceDeps, loadAlert, refreshJob } from './model.ts';

/** HR's alert DMs: one per HR person per round, posted at most once, and kept up to date together. */
export class LeaverMessages {
  constructor(private readonly deps: LeaverServiceDeps) {}

  /** HR_USER_IDS and the members of HR_USERGROUP_ID, as /offboard counts HR. */
  async hrRecipients(): Promise<string[]> {
    const { settings, slack, logger } = this.deps;
    const ids = new Set(settings.hrUserIds);
    if (settings.hrUsergroupId) {
      try {
        for (const member of await slack.listUsergroupMembers(settings.hrUsergroupId)) ids.add(member);
      } catch (error) {
        // With nobody else to tell, fail so the job retries; otherwise tell HR_USER_IDS now.
        if (ids.size === 0) throw error;
        logger.warn({ err: error }, 'could not read the HR user group for a leaver alert');
      }
    }
    return [...ids];
  }

  async notifyHr(alertId: number, round: number): Promise<void> {
    const { prisma, jobs } = this.deps;
    const alert = await prisma.leaverAlert.findUniqueOrThrow({ where: { id: alertId }, select: { round: true } });
    if (alert.round !== round) return;
    const recipients = await this.hrRecipients();
    await jobs.transaction(prisma, (tx) =>
      jobs.enqueue(
        tx,
        recipients.map((userId) =>
          job(LeaverJobs.postDm, { alertId, round, userId }, { dedupeKey: `leaver:${alertId}:r${round}:dm:${userId}` }),
        ),
      ),
    );
  }

  /** Posts one HR person's DM; a retry first looks for its own earlier post (metadata key), so a crash leaves one DM. */
  async postDm(p: DmPayload, context: JobContext): Promise<void> {
    const { prisma, slack, clock } = this.deps;
    const where = { alertId_round_userId: { alertId: p.alertId, round: p.round, userId: p.userId } };
    if (await prisma.leaverAlertMessage.findUnique({ where })) return;
    const shown = await loadAlert(prisma, p.alertId);
    if (shown.round !== p.round) return;
    const key = `leaver-dm:${p.alertId}:${p.round}:${p.userId}`;
    const message = buildLeaverAlertMessage(shown);
    const posted = await postDirectMessageOnce(slack, p.userId, message, { key, retried: context.attempt > 1 });
    try {
      await prisma.leaverAlertMessage.create({
        data: { ...where.alertId_round_userId, channelId: posted.channel, ts: posted.ts, createdAt: clock.now() },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    // Someone may have acted while this was posted: bring this copy up to date too.
    const latest = buildLeaverAlertMessage(await loadAlert(prisma, p.alertId));
    if (posted.earlier || JSON.stringify(latest) !== JSON.stringify(message)) await slack.updateMessage(posted.channel, posted.ts, latest);
  }

  /** Every HR person's copy of this round shows the latest state (buttons gone once someone acted). */
  async refresh(alertId: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const alert = await loadAlert(prisma, alertId);
    const copies = await prisma.leaverAlertMessage.findMany({
      where: { alertId, round: alert.round },
      select: { channelId: true, ts: true },
    });
    const message = buildLeaverAlertMessage(alert);
    for (const copy of copies) await slack.updateMessage(copy.channelId, copy.ts, message);
  }
}

/**
 * The hold's offboarding changed (suspended, failed, undone, turned into an offboarding): its alert's
 * DMs follow. Wired as the offboarding service's `onStatusChange`, so it needs no leaver service.
 */
export async function refreshAlertsOfHold(deps: Pick<LeaverServiceDeps, 'prisma' | 'jobs'>, offboardingId: number): Promise<void> {
  const { prisma, jobs } = deps;
  const alerts = await prisma.leaverAlert.findMany({ where: { holdOffboardingId: offboardingId }, select: { id: true } });
  if (alerts.length === 0) return;
  await jobs.transaction(prisma, (tx) =>
    jobs.enqueue(
      tx,
      alerts.map((alert) => refreshJob(alert.id)),
    ),
  );
}
