import { z } from 'zod';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db-types.ts';
import { defineJob, type JobQueue, job, type QueuedJob } from '../../platform/jobs.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import type { LeaverAlertSummary } from '../../views/leaver-alert.ts';
import type { OffboardingService } from '../offboarding/offboarding-service.ts';

export interface LeaverSettings {
  hrUserIds: readonly string[];
  hrUsergroupId?: string | undefined;
  /** LEAVER_AUTO_SUSPEND: suspend the login at once, as a hold that Undo restores. */
  autoSuspend: boolean;
  /** The pause between users.list pages (Slack's Tier 2: about 20 calls a minute). */
  pageIntervalMs: number;
  /** Members per users.list page (Slack advises at most 200). */
  pageSize?: number;
}

export interface LeaverServiceDeps {
  prisma: PrismaClient;
  slack: SlackGateway;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  offboarding: OffboardingService;
  settings: LeaverSettings;
}

const alertPayload = z.object({ alertId: z.number().int().positive() });
const roundPayload = alertPayload.extend({ round: z.number().int().positive() });
const dmPayload = roundPayload.extend({ userId: z.string().min(1) });
const releasePayload = alertPayload.extend({ offboardingId: z.number().int().positive(), actorId: z.string().min(1) });

export const LeaverJobs = {
  /** Works out who HR is (HR_USER_IDS and the user group) and queues one DM each. */
  notifyHr: defineJob('leaver.notify_hr', roundPayload),
  postDm: defineJob('leaver.post_dm', dmPayload),
  refresh: defineJob('leaver.refresh', alertPayload),
  /** Undoes the LEAVER_AUTO_SUSPEND hold (Not a leaver, or the account came back). */
  releaseHold: defineJob('leaver.release_hold', releasePayload),
};
export type DmPayload = z.infer<typeof dmPayload>;
export type ReleasePayload = z.infer<typeof releasePayload>;

export const detectionSources = ['event', 'daily_check'] as const;
export type DetectionSource = (typeof detectionSources)[number];

/** Leaver audit rows name the mailbox, so `mailroom audit --mailbox` shows them with its other history. */
export const alertSubject = (address: string): string => `mailbox:${address}`;

export const refreshJob = (alertId: number): QueuedJob => job(LeaverJobs.refresh, { alertId });

export const notifyJob = (alertId: number, round: number): QueuedJob =>
  job(LeaverJobs.notifyHr, { alertId, round }, { dedupeKey: `leaver:${alertId}:r${round}:notify` });

export const releaseJob = (alertId: number, offboardingId: number, actorId: string): QueuedJob =>
  job(LeaverJobs.releaseHold, { alertId, offboardingId, actorId }, { dedupeKey: `leaver:${alertId}:release:${offboardingId}` });

const alertSelect = {
  id: true,
  slackUserId: true,
  leaverName: true,
  address: true,
  deactivatedAt: true,
  detectedBy: true,
  status: true,
  decidedById: true,
  reason: true,
  offboardingId: true,
  holdOffboardingId: true,
  round: true,
} satisfies Prisma.LeaverAlertSelect;

/** The alert as its DM shows it, with the hold's state read from its offboarding row. */
export async function loadAlert(db: Db, id: number): Promise<LeaverAlertSummary & { round: number }> {
  const { holdOffboardingId, ...alert } = await db.leaverAlert.findUniqueOrThrow({ where: { id }, select: alertSelect });
  const hold = holdOffboardingId
    ? await db.offboarding.findUnique({
        where: { id: holdOffboardingId },
        select: {
          id: true,
          kind: true,
          status: true,
          steps: { where: { kind: 'suspend_login' }, select: { status: true, lastError: true } },
        },
      })
    : null;
  return {
    ...alert,
    hold: hold ? { id: hold.id, kind: hold.kind, status: hold.status, suspend: hold.steps[0] ?? null } : null,
  };
}
