import type { SlackMessage } from '../../slack/gateway.ts';
import { forwardNoticeEmail } from '../../views/notification-templates.ts';
import { buildForwardNotice, buildOffboardStatusMessage } from '../../views/offboard-status.ts';
import { loadSummary, type OffboardingServiceDeps } from './model.ts';

/** Slack and email side effects, each its own job: HR's status message and the forward target's notice. */
export class OffboardingNotices {
  constructor(private readonly deps: OffboardingServiceDeps) {}

  async postStatus(id: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const existing = await prisma.offboarding.findUniqueOrThrow({ where: { id }, select: { statusTs: true, initiatedById: true } });
    if (existing.statusTs) return;
    const summary = await loadSummary(prisma, id);
    const message = buildOffboardStatusMessage(summary);
    const posted = await slack.postDirectMessage(existing.initiatedById, message);
    await prisma.offboarding.update({ where: { id }, data: { statusChannelId: posted.channel, statusTs: posted.ts } });
    await this.refreshStatus(id, message);
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

  async notifyForwardTarget(id: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const summary = await loadSummary(prisma, id);
    const user = await slack.lookupUserByEmail(summary.forwardTo);
    if (user && !user.deleted && !user.isBot) await slack.postDirectMessage(user.id, buildForwardNotice(summary));
    await this.deps.sendEmail(prisma, {
      to: summary.forwardTo,
      ...forwardNoticeEmail(this.deps.settings.templates, summary),
      template: 'offboarding-forward-notice',
      dedupeKey: `offboarding:${id}:forward-email`,
    });
  }
}
