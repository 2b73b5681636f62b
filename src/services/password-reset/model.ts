import { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db-types.ts';
import { defineJob, type JobQueue, job, type QueuedJob } from '../../platform/jobs.ts';

export { job };

import type { MailboxProvider } from '../../providers/mailbox-provider.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import type { ResetSummary } from '../../views/reset-messages.ts';
import type { OneTimeSecrets } from '../credentials/one-time-secrets.ts';
import type { TemplateSettings } from '../notifications/model.ts';
import type { NotificationService } from '../notifications/notification-service.ts';

const resetId = z.number().int().positive();
const noticePayload = z.object({
  resetId,
  userId: z.string().min(1),
  to: z.enum(['requester', 'owner']),
  /** Tells the notices of one reset apart (one per status it reaches). */
  key: z.string(),
});
const linkPayload = z.object({ resetId, userId: z.string().min(1), sealedLink: z.string().optional() });

export const ResetJobs = {
  /** Sets the sealed new password at the host, at most once (see change.ts). */
  change: defineJob('reset.change', z.object({ resetId })),
  postApprovalDm: defineJob('reset.post_approval_dm', z.object({ resetId, approverId: z.string().min(1) })),
  refreshApprovalDms: defineJob('reset.refresh_approval_dms', z.object({ resetId })),
  notify: defineJob('reset.notify', noticePayload),
  /** The owner's DM with the one-time link, sealed in the job until it is posted. */
  postLink: defineJob('reset.post_link', linkPayload),
};

export interface ResetSettings extends TemplateSettings {
  adminIds: readonly string[];
  /** Resets of one mailbox allowed in 24 hours (RESET_LIMIT_PER_DAY). */
  limitPerDay: number;
  ttlHours: number;
  /** Set: the link goes out. Unset: resets are refused (a password must never travel in plain text). */
  publicUrl: string | undefined;
  phoneRegion: string;
  lookupBudgetMs?: number;
}

export interface ResetDeps {
  prisma: PrismaClient;
  provider: MailboxProvider;
  slack: SlackGateway;
  jobs: JobQueue;
  clock: Clock;
  secrets: SecretBox;
  oneTimeSecrets: OneTimeSecrets;
  notifications: NotificationService;
  logger: Logger;
  settings: ResetSettings;
}

export const resetSubject = (id: number): string => `password-reset:${id}`;
export const passwordContext = (id: number): string => `password-reset:${id}:password`;
export const linkContext = (id: number, userId: string): string => `password-reset:${id}:link:${userId}`;

export const parseIds = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];

export async function loadReset(db: Db, id: number): Promise<ResetSummary> {
  const row = await db.passwordReset.findUniqueOrThrow({
    where: { id },
    select: {
      id: true,
      address: true,
      requesterId: true,
      ownerSlackId: true,
      approverIds: true,
      status: true,
      decidedById: true,
      decidedAt: true,
      failureReason: true,
    },
  });
  return { ...row, approverIds: parseIds(row.approverIds) };
}

/** Tells the requester and the owner (when they are different people and known) where the reset stands. */
export function noticeJobs(reset: { id: number; requesterId: string; ownerSlackId: string | null }, key: string): QueuedJob[] {
  const jobs = [
    job(
      ResetJobs.notify,
      { resetId: reset.id, userId: reset.requesterId, to: 'requester', key },
      { dedupeKey: `reset-notice:${reset.id}:${key}:requester` },
    ),
  ];
  if (reset.ownerSlackId && reset.ownerSlackId !== reset.requesterId) {
    jobs.push(
      job(
        ResetJobs.notify,
        { resetId: reset.id, userId: reset.ownerSlackId, to: 'owner', key },
        { dedupeKey: `reset-notice:${reset.id}:${key}:owner` },
      ),
    );
  }
  return jobs;
}

export const changeJob = (id: number): QueuedJob => job(ResetJobs.change, { resetId: id }, { dedupeKey: `reset-change:${id}` });
