import type { SlackMessage } from '../../slack/gateway.ts';
import { postDirectMessageOnce } from '../../slack/post-once.ts';
import { forwardNoticeEmail } from '../../views/notification-templates.ts';
import { buildForwardNotice, buildOffboardStatusMessage } from '../../views/offboard-status.ts';
import { loadSummary, type OffboardingServiceDeps } from './model.ts';

/** Slack and email side effects, each its own job: HR's status message and the forward target's notice. */
export class OffboardingNotices {
  constructor(private readonly deps: OffboardingServiceDeps) {}

  async postStatus(id: number, retried: boolean): Promise<void> {
    const { prisma, slack } = this.deps;
    const existing = await prisma.offboarding.findUniqueOrThrow({ where: { id }, select: { statusTs: true, initiatedById: true } });
    if (existing.statusTs) return;
    const summary = await loadSummary(prisma, id);
    const message = buildOffboardStatusMessage(summary);
    const posted = await postDirectMessageOnce(slack, existing.initiatedById, message, { key: `offboarding-status:${id}`, retried });
    await prisma.offboarding.update({ where: { id }, data: { statusChannelId: posted.channel, statusTs: posted.ts } });
    // A copy found again was rendered by the earlier attempt: bring it up to date.
    await this.refreshStatus(id, posted.earlier ? undefined : message);
  }

  /** Renders the latest state; renders again after updating, so a slower, older refresh never wins. */
  async refreshStatus(id: number, shown?: SlackMessage): Promise<void> {
    const { prisma, slack } = this.deps;
    await this.deps.onStatusChange?.(id);
    let last = shown ? JSON.stringify(shown) : undefined;
    for (let pass = 0; pass < 3; pass += 1) {
      const row = await prisma.offboarding.findUniqueOrThrow({ where: { id }, select: { statusChannelId: true, statusTs: true } });
      if (!row.statusChannelId || !row.statusTs) return;
      const message = buildOffboardStatusMessage(await loadSummary(prisma, id));
      const text = JSON.stringify(message);
      if (text === last) return;
      await slack.updateMessage(row.statusChannelId, row.statusTs, message);
      last = text;
    }
  }

  async notifyForwardTarget(id: number, retried: boolean): Promise<void> {
    const { prisma, slack } = this.deps;
    const summary = await loadSummary(prisma, id);
    const user = await slack.lookupUserByEmail(summary.forwardTo);
    if (user && !user.deleted && !user.isBot)
      await postDirectMessageOnce(slack, user.id, buildForwardNotice(summary), { key: `forward-notice:${id}`, retried });
    await this.deps.sendEmail(prisma, {
      to: summary.forwardTo,
      ...forwardNoticeEmail(this.deps.settings.templates, summary),
      template: 'offboarding-forward-notice',
      dedupeKey: `offboarding:${id}:forward-email`,
    });
  }
}
