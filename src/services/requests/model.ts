import { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import { withTimeout } from '../../lib/timeout.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db-types.ts';
import { defineJob, type JobQueue, job, type QueuedJob } from '../../platform/jobs.ts';
import type { MailboxProvider } from '../../providers/mailbox-provider.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import type { RequestNotifier } from './notifications.ts';
import type { RequestSummary } from './summary.ts';
import { summarySelect } from './summary.ts';
import type { FieldErrors } from './validation.ts';

/** What the request flow (requests.ts) and its Slack messages (request-dms.ts) share: job kinds, payloads, builders. */
export const requestIdPayload = z.object({ requestId: z.number().int().positive() });
export const approverPayload = requestIdPayload.extend({ approverId: z.string().min(1) });
export const noticePayload = requestIdPayload.extend({
  userId: z.string().min(1),
  notice: z.enum(['submitted', 'decided', 'ready', 'failed', 'admin_failure', 'reminder', 'expired']),
  /** For admin_failure: how many attempts the provisioning job made. */
  attempts: z.number().int().positive().optional(),
});
export type Notice = z.infer<typeof noticePayload>['notice'];

/** Whose Home tabs the refresh republishes besides the requester's: the DM holders' (default), the admins'. */
export const refreshPayload = requestIdPayload.extend({ holders: z.boolean().optional(), admins: z.boolean().optional() });

export const RequestJobs = {
  postApprovalDm: defineJob('request.post_approval_dm', approverPayload),
  refreshApprovalMessages: defineJob('request.refresh_approval_messages', refreshPayload),
  notify: defineJob('request.notify', noticePayload),
  provision: defineJob('mailbox.provision', requestIdPayload, { lane: 'provider' }),
};

/** `approverIds` is a JSON column; anything but a list of ids reads as nobody. */
export const parseApproverIds = (value: unknown): string[] => z.array(z.string()).catch([]).parse(value);

export function loadSummary(db: Db, requestId: number): Promise<RequestSummary> {
  return db.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: summarySelect });
}

/** One approver's DM; the key makes a second enqueue (escalation to an admin who already has one) a no-op. */
export const approvalDmJob = (requestId: number, approverId: string): QueuedJob =>
  job(RequestJobs.postApprovalDm, { requestId, approverId }, { dedupeKey: `approval-dm:${requestId}:${approverId}`, requestId });

export function noticeJob(requestId: number, userId: string, notice: Notice, key = '', attempts?: number): QueuedJob {
  return job(
    RequestJobs.notify,
    { requestId, userId, notice, ...(attempts === undefined ? {} : { attempts }) },
    { dedupeKey: `notify:${requestId}:${notice}:${userId}:${key}`, requestId },
  );
}

/**
 * After a change of state: one job brings every approver's copy of the DM and the requester's notice
 * up to date and then queues the Home refreshes of the people whose tab changed (the requester; the
 * DM holders unless `holders: false`; the admins with `admins`), coalesced per person.
 */
export function refreshJobs(requestId: number, key: string, options: { admins?: boolean; holders?: boolean } = {}): QueuedJob[] {
  const home = { ...(options.admins ? { admins: true } : {}), ...(options.holders === false ? { holders: false } : {}) };
  return [job(RequestJobs.refreshApprovalMessages, { requestId, ...home }, { dedupeKey: `refresh:${requestId}:${key}`, requestId })];
}

export interface RequestServiceDeps {
  prisma: PrismaClient;
  provider: MailboxProvider;
  slack: SlackGateway;
  jobs: JobQueue;
  clock: Clock;
  secrets: SecretBox;
  logger: Logger;
  /** SMS and email to approvers, requester, new hire and admins (issue 3). */
  notifier: RequestNotifier;
  settings: {
    domains: readonly string[];
    phoneRegion: string;
    adminIds: readonly string[];
    quotaMb: number;
    /** Remind approvers of a pending request every this many hours (0 = never). */
    reminderHours?: number;
    /** Expire a pending request after this many days without a decision (0 = never). */
    expiryDays?: number;
    /** At this reminder round the admins get the approval message too (0 = never). */
    escalateAfterReminders?: number;
    /** Time allowed for the provider's "does this address exist?" check inside Slack's 3 s. */
    lookupBudgetMs?: number;
  };
}

export type SubmitResult = { ok: true; requestId: number } | { ok: false; errors: FieldErrors };

export type DecisionRefusal =
  | { ok: false; code: 'not_found' }
  | { ok: false; code: 'not_approver'; approverIds: string[]; isRequester: boolean }
  | { ok: false; code: 'already_decided'; status: string; decidedById: string | null }
  | { ok: false; code: 'reason_required' }
  | { ok: false; code: 'guest' }
  | { ok: false; code: 'reason_invalid'; message: string };

export type DecisionResult = { ok: true; status: 'APPROVED' | 'REJECTED' } | DecisionRefusal;

export type CancelResult =
  | { ok: true; summary: RequestSummary }
  | { ok: false; code: 'not_found' | 'not_requester' }
  | { ok: false; code: 'already_decided'; status: string; decidedById: string | null };

export type RetryResult = { ok: true } | { ok: false; code: 'not_found' | 'not_admin' | 'not_failed' | 'address_taken' };

/** The context the mailbox password is sealed under (also read by the notifier, which hands it over). */
export const secretContext = (requestId: number): string => `email-request:${requestId}:mailbox-password`;

/**
 * Whether Slack says `userId` is a guest now. Slack slow or down counts as "no": a guest is only
 * stopped when Slack says so (used for the requester at submission and the decider at each click).
 */
export async function isGuestNow(
  deps: Pick<RequestServiceDeps, 'slack'> & { settings: { lookupBudgetMs?: number | undefined } },
  userId: string,
): Promise<boolean> {
  const user = await withTimeout(deps.slack.getUser(userId), deps.settings.lookupBudgetMs ?? 1500).catch(() => undefined);
  return Boolean(user && user !== 'timeout' && user.isGuest);
}
