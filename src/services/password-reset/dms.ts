import { handle, type JobContext, type JobHandler } from '../../platform/jobs.ts';
import { postDirectMessageOnce } from '../../slack/post-once.ts';
import { buildResetApprovalMessage, buildResetLinkMessage, buildResetNotice } from '../../views/reset-messages.ts';
import { ResetChange } from './change.ts';
import { linkContext, loadReset, type ResetDeps, ResetJobs } from './model.ts';

/** The Slack side of a reset, each message a job: the approvers' DMs (refreshed in place), the notices, the owner's link. */
export class ResetDms {
  constructor(private readonly deps: ResetDeps) {}

  private async postApprovalDm(resetId: number, approverId: string, attempt: number): Promise<void> {
    const { prisma, slack, clock } = this.deps;
    const existing = await prisma.passwordResetMessage.findUnique({ where: { resetId_userId: { resetId, userId: approverId } } });
    if (existing) return;
    const summary = await loadReset(prisma, resetId);
    const posted = await postDirectMessageOnce(slack, approverId, buildResetApprovalMessage(summary), {
      key: `reset-approval-dm:${resetId}:${approverId}`,
      retried: attempt > 1,
    });
    await prisma.passwordResetMessage.create({
      data: { resetId, userId: approverId, channelId: posted.channel, ts: posted.ts, createdAt: clock.now() },
    });
    // Decided while this was being posted (the refresh found nothing to update): catch up.
    const now = await loadReset(prisma, resetId);
    if (posted.earlier || now.status !== summary.status)
      await slack.updateMessage(posted.channel, posted.ts, buildResetApprovalMessage(now));
  }

  private async refresh(resetId: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const message = buildResetApprovalMessage(await loadReset(prisma, resetId));
    const copies = await prisma.passwordResetMessage.findMany({ where: { resetId }, select: { channelId: true, ts: true } });
    for (const { channelId, ts } of copies) await slack.updateMessage(channelId, ts, message);
  }

  private async notify(
    payload: { resetId: number; userId: string; to: 'requester' | 'owner'; key: string },
    attempt: number,
  ): Promise<void> {
    const summary = await loadReset(this.deps.prisma, payload.resetId);
    // The notice speaks of the status that queued it, even if the reset has moved on since.
    const status = payload.key as typeof summary.status;
    const key = `reset-notice:${payload.resetId}:${payload.key}:${payload.to}`;
    await postDirectMessageOnce(this.deps.slack, payload.userId, buildResetNotice({ ...summary, status }, payload.to), {
      key,
      retried: attempt > 1,
    });
  }

  /** Posts the owner's link, then drops the sealed link from the job in the same breath as it is recorded done. */
  private async postLink(
    payload: { resetId: number; userId: string; sealedLink?: string | undefined },
    context: JobContext,
  ): Promise<void> {
    const { prisma, slack, secrets, settings } = this.deps;
    if (!payload.sealedLink) return;
    const link = secrets.open(payload.sealedLink, linkContext(payload.resetId, payload.userId));
    const { address } = await prisma.passwordReset.findUniqueOrThrow({ where: { id: payload.resetId }, select: { address: true } });
    await postDirectMessageOnce(slack, payload.userId, buildResetLinkMessage(address, link, settings.ttlHours), {
      key: `reset-link:${payload.resetId}`,
      retried: context.attempt > 1,
    });
    const { sealedLink: _, ...rest } = payload;
    await prisma.job.update({ where: { id: context.jobId }, data: { payload: rest } });
  }

  jobHandlers(): JobHandler[] {
    const change = new ResetChange(this.deps);
    return [
      handle(ResetJobs.change, {
        run: (payload, context) => change.change(payload.resetId, context.attempt),
        onDead: (payload, error) => change.markFailed(payload.resetId, error.message),
      }),
      handle(ResetJobs.postApprovalDm, {
        run: (payload, context) => this.postApprovalDm(payload.resetId, payload.approverId, context.attempt),
      }),
      handle(ResetJobs.refreshApprovalDms, { run: (payload) => this.refresh(payload.resetId) }),
      handle(ResetJobs.notify, { run: (payload, context) => this.notify(payload, context.attempt) }),
      handle(ResetJobs.postLink, { run: (payload, context) => this.postLink(payload, context) }),
    ];
  }
}
