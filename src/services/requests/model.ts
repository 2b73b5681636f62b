import { z } from 'zod';
import type { RequestSummary } from '../../views/request-messages.ts';
import type { Db } from '../../platform/db-types.ts';
import { homeRefreshJob } from '../home/home-service.ts';
import { defineJob, job, type QueuedJob } from '../../platform/jobs.ts';
import { summarySelect } from './summary.ts';

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

export const RequestJobs = {
  postApprovalDm: defineJob('request.post_approval_dm', approverPayload),
  refreshApprovalMessages: defineJob('request.refresh_approval_messages', requestIdPayload),
  notify: defineJob('request.notify', noticePayload),
  provision: defineJob('mailbox.provision', requestIdPayload),
};

/** `approverIds` is a JSON column; anything but a list of ids reads as nobody. */
export const parseApproverIds = (value: unknown): string[] => z.array(z.string()).catch([]).parse(value);

export function loadSummary(db: Db, requestId: number): Promise<RequestSummary> {
  return db.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: summarySelect });
}

/** One approver's DM; the key makes a second enqueue (escalation to an admin who already has one) a no-op. */
export const approvalDmJob = (requestId: number, approverId: string): QueuedJob => (job(RequestJobs.postApprovalDm, { requestId, approverId }, { dedupeKey: `approval-dm:${requestId}:${approverId}`, requestId }));

export function noticeJob(requestId: number, userId: string, notice: Notice, key = '', attempts?: number): QueuedJob {
  return job(RequestJobs.notify, { requestId, userId, notice, ...(attempts === undefined ? {} : { attempts }) }, { dedupeKey: `notify:${requestId}:${notice}:${userId}:${key}`, requestId });
}

/** After a change of state: every approver's copy of the DM, and the Home tabs of the people the request concerns. */
export function refreshJobs(requestId: number, key: string, options: { admins?: boolean } = {}): QueuedJob[] {
  return [
    job(RequestJobs.refreshApprovalMessages, { requestId }, { dedupeKey: `refresh:${requestId}:${key}`, requestId }),
    homeRefreshJob(requestId, key, options.admins ?? false),
  ];
}
