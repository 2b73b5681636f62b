import type { SlackMessage } from '../slack/gateway.ts';
import { escapeHtml } from '../views/text.ts';
import { buildForwardNotice, buildOffboardStatusMessage } from '../views/offboard-status.ts';
import { loadSummary, type OffboardingServiceDeps } from './offboarding-model.ts';

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
    if (this.deps.sendEmail) {
      const text =
        `Mail sent to ${summary.address} (${summary.leaverName}, who has left) is now forwarded to you at ${summary.forwardTo}.\n` +
        `Senders get an automatic reply naming you until ${summary.deleteAfter.toISOString().slice(0, 10)}.`;
      await this.deps.sendEmail(prisma, {
        to: summary.forwardTo,
        subject: `Mail for ${summary.address} now reaches you`,
        text,
        html: `<p>Mail sent to <b>${escapeHtml(summary.address)}</b> (${escapeHtml(summary.leaverName)}, who has left) is now forwarded to you at ${escapeHtml(summary.forwardTo)}.</p><p>Senders get an automatic reply naming you until ${summary.deleteAfter.toISOString().slice(0, 10)}.</p>`,
        template: 'offboarding-forward-notice',
        dedupeKey: `offboarding:${id}:forward-email`,
      });
    }
  }
}
