import type { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../platform/clock.ts';
import { handle, type JobContext, type JobHandler, type JobQueue } from '../../platform/jobs.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import { postDirectMessageOnce } from '../../slack/post-once.ts';
import {
  buildAdminFailureMessage,
  buildApprovalMessage,
  buildDecisionNotice,
  buildExpiredNotice,
  buildMailboxReadyNotice,
  buildProvisioningFailedNotice,
  buildReminderMessage,
  buildSubmittedNotice,
} from '../../views/request-messages.ts';
import { homeRefreshJobs } from '../home/home-service.ts';
import { loadSummary, type noticePayload, parseApproverIds, RequestJobs, type refreshPayload } from './model.ts';
import type { RequestNotifier } from './notifications.ts';
import { type RequestSummary, summarySelect } from './summary.ts';

export interface RequestDmsDeps {
  prisma: PrismaClient;
  slack: SlackGateway;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  notifier: RequestNotifier;
  settings: { expiryDays?: number; adminIds: readonly string[] };
}

/**
 * The Slack messages about a request, each posted or refreshed by a job: the approvers' DMs (one
 * builder for every state, refreshed in place), the requester's "on its way" notice, and the notices.
 */
export class RequestDms {
  constructor(private readonly deps: RequestDmsDeps) {}

  /**
   * At most once per approver, as far as Slack allows: the DM carries its key as message metadata,
   * and a retried job (the last attempt may have posted and then died before recording it) looks
   * for that post before posting again.
   */
  private async postApprovalDm(requestId: number, approverId: string, attempt: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const existing = await prisma.approvalMessage.findUnique({ where: { requestId_userId: { requestId, userId: approverId } } });
    if (existing) return;
    const summary = await loadSummary(prisma, requestId);
    const posted = await postDirectMessageOnce(slack, approverId, buildApprovalMessage(summary), {
      key: `approval-dm:${requestId}:${approverId}`,
      retried: attempt > 1,
    });
    // The approver's SMS and email link to this DM: planned here (contacts, permalink), so they are
    // written with the DM's row rather than by a job of their own (which does it if a lookup failed).
    const contacts = { requestId, event: 'approval_requested' as const, userId: approverId, key: '' };
    const planned = await this.deps.notifier.planNow(contacts, summary, { channelId: posted.channel, ts: posted.ts });
    await this.deps.jobs.transaction(prisma, async (tx) => {
      await tx.approvalMessage.create({
        data: { requestId, userId: approverId, channelId: posted.channel, ts: posted.ts, createdAt: this.deps.clock.now() },
      });
      await this.deps.notifier.writeOrEnqueue(tx, contacts, planned);
      // The request now waits for this approver: their Home tab lists it.
      await this.deps.jobs.enqueue(tx, homeRefreshJobs([approverId]));
    });
    // A decision may have landed between loading and posting (or since the earlier attempt posted): bring this copy up to date too.
    const now = await prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } });
    if (posted.earlier || now.status !== summary.status)
      await slack.updateMessage(posted.channel, posted.ts, buildApprovalMessage(await loadSummary(prisma, requestId)));
  }

  /** Brings every message about the request up to its status: the approvers' DMs and the requester's notice. */
  private async refreshApprovalMessages({ requestId, holders = true, admins = false }: z.infer<typeof refreshPayload>): Promise<void> {
    const { prisma, slack } = this.deps;
    // One read of the request for the message and the notice's place (noticeTs is set once, never changed).
    const { noticeChannelId, noticeTs, approverIds, ...summary } = await prisma.emailRequest.findUniqueOrThrow({
      where: { id: requestId },
      select: { ...summarySelect, noticeChannelId: true, noticeTs: true, approverIds: true },
    });
    const notice = { noticeChannelId, noticeTs, approverIds };
    const messages = await prisma.approvalMessage.findMany({ where: { requestId }, select: { userId: true, channelId: true, ts: true } });
    const message = buildApprovalMessage(summary);
    for (const { channelId, ts } of messages) await slack.updateMessage(channelId, ts, message);
    const people = [summary.requesterId, ...(holders ? messages.map((m) => m.userId) : []), ...(admins ? this.deps.settings.adminIds : [])];
    await this.deps.jobs.enqueueAndWake(prisma, homeRefreshJobs(people));
    if (notice.noticeChannelId && notice.noticeTs) {
      await slack.updateMessage(
        notice.noticeChannelId,
        notice.noticeTs,
        buildSubmittedNotice(summary, parseApproverIds(notice.approverIds)),
      );
    }
  }

  /**
   * Posts the requester's "on its way" notice and remembers where, so that later refreshes update
   * it. A status change that committed while it was being posted found nothing to refresh: catch up.
   */
  private async postSubmittedNotice(requestId: number, userId: string, retried: boolean): Promise<void> {
    const { prisma, slack } = this.deps;
    const summary = await loadSummary(prisma, requestId);
    const row = await prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: { approverIds: true, noticeTs: true } });
    if (row.noticeTs) return;
    const approvers = parseApproverIds(row.approverIds);
    const posted = await postDirectMessageOnce(slack, userId, buildSubmittedNotice(summary, approvers), {
      key: `request-submitted:${requestId}:${userId}`,
      retried,
    });
    await prisma.emailRequest.update({ where: { id: requestId }, data: { noticeChannelId: posted.channel, noticeTs: posted.ts } });
    const now = await loadSummary(prisma, requestId);
    if (posted.earlier || now.status !== summary.status)
      await slack.updateMessage(posted.channel, posted.ts, buildSubmittedNotice(now, approvers));
  }

  private async sendNotice(payload: z.infer<typeof noticePayload>, context: JobContext): Promise<void> {
    const retried = context.attempt > 1;
    if (payload.notice === 'submitted') return this.postSubmittedNotice(payload.requestId, payload.userId, retried);
    const { prisma } = this.deps;
    const summary = await loadSummary(prisma, payload.requestId);
    if (payload.notice === 'ready') await this.writeReadyEmail(summary);
    const approvalLink = payload.notice === 'reminder' ? await this.approvalPermalink(payload.requestId, payload.userId) : undefined;
    const message = {
      decided: () => buildDecisionNotice(summary),
      ready: () => buildMailboxReadyNotice(summary),
      failed: () => buildProvisioningFailedNotice(summary),
      admin_failure: () => buildAdminFailureMessage(summary, payload.attempts ?? 0),
      reminder: () => buildReminderMessage(summary, approvalLink),
      expired: () => buildExpiredNotice(summary, this.deps.settings.expiryDays ?? 0),
    }[payload.notice]();
    // A notice (a reminder's round included) is one job: its id names the post.
    await postDirectMessageOnce(this.deps.slack, payload.userId, message, {
      key: `request-${payload.notice}:job-${context.jobId}`,
      retried,
    });
  }

  /**
   * The requester's "ready" email goes with their Slack notice: planned here (a Slack lookup for
   * their address) and written before the post, so a retry finds it written (its dedupe key) and
   * only posts; a `request.notify_contacts` job sends it instead if the lookup failed.
   */
  private async writeReadyEmail(summary: RequestSummary): Promise<void> {
    const contacts = { requestId: summary.id, event: 'ready' as const, key: '' };
    const planned = await this.deps.notifier.planNow(contacts, summary);
    await this.deps.jobs.transaction(this.deps.prisma, (tx) => this.deps.notifier.writeOrEnqueue(tx, contacts, planned));
  }

  /** A link to the approver's own copy of the request, for reminders; none if it cannot be had. */
  private async approvalPermalink(requestId: number, userId: string): Promise<string | undefined> {
    const copy = await this.deps.prisma.approvalMessage.findUnique({
      where: { requestId_userId: { requestId, userId } },
      select: { channelId: true, ts: true },
    });
    if (!copy) return undefined;
    try {
      return await this.deps.slack.getPermalink(copy.channelId, copy.ts);
    } catch (error) {
      this.deps.logger.warn({ err: error, requestId }, 'no permalink for the reminder');
      return undefined;
    }
  }

  jobHandlers(): JobHandler[] {
    return [
      handle(RequestJobs.postApprovalDm, {
        run: (payload, context) => this.postApprovalDm(payload.requestId, payload.approverId, context.attempt),
      }),
      handle(RequestJobs.refreshApprovalMessages, { run: (payload) => this.refreshApprovalMessages(payload) }),
      handle(RequestJobs.notify, { run: (payload, context) => this.sendNotice(payload, context) }),
    ];
  }
}
