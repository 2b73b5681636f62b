import { z } from 'zod';
import type { OffboardingStatus, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db-types.ts';
import { defineJob, type JobQueue, job, type QueuedJob } from '../../platform/jobs.ts';
import type { MailboxProvider } from '../../providers/mailbox-provider.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import type { TemplateSettings } from '../notifications/model.ts';
import type { EmailInput } from '../notifications/notification-service.ts';
import type { OffboardingSummary } from './summary.ts';

/** An email for the person mail is forwarded to, handed to NotificationService.enqueueEmail. */
export type OffboardingEmail = Omit<EmailInput, 'requestId'>;
export type EmailHook = (db: Db, email: OffboardingEmail) => Promise<void>;

export interface OffboardingSettings {
  domains: readonly string[];
  hrUserIds: readonly string[];
  hrUsergroupId?: string | undefined;
  retentionDays: number;
  offboardHour: number;
  timeZone: string;
  generalContactEmail?: string | undefined;
  /** Answer the same sender at most once per this many hours. */
  autoReplyIntervalHours?: number;
  /** Time allowed for provider/Slack lookups inside Slack's 3 s. */
  lookupBudgetMs?: number;
  /** Company name and IT contact for emails. */
  templates: TemplateSettings;
}

export interface OffboardingServiceDeps {
  prisma: PrismaClient;
  provider: MailboxProvider;
  slack: SlackGateway;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  settings: OffboardingSettings;
  /** Emails the forward target (NotificationService.enqueueEmail). */
  sendEmail: EmailHook;
  /** In the transaction that starts an offboarding (or turns a leaver hold into one): the leaver alert is settled. */
  onStarted?: (tx: Prisma.TransactionClient, started: { offboardingId: number; address: string; actorId: string }) => Promise<void>;
  /** An offboarding's state changed (its status refresh ran): messages about it elsewhere (leaver alerts) follow. */
  onStatusChange?: (offboardingId: number) => Promise<void>;
}

export const Steps = {
  savePriorState: 'save_prior_state',
  forward: 'forward',
  autoReply: 'auto_reply',
  suspendLogin: 'suspend_login',
  removeOwnForwarders: 'remove_own_forwarders',
  restore: 'restore',
  delete: 'delete',
} as const;
export type StepKind = (typeof Steps)[keyof typeof Steps];
export const ACTIVATION_STEPS = [Steps.forward, Steps.autoReply, Steps.suspendLogin, Steps.removeOwnForwarders] as const;
export type ActivationStep = (typeof ACTIVATION_STEPS)[number];

export const idPayload = z.object({ offboardingId: z.number().int().positive() });
export const stepPayload = idPayload.extend({ step: z.enum(ACTIVATION_STEPS) });
export const askPayload = idPayload.extend({ userId: z.string().min(1), round: z.number().int().min(0) });

export const OffboardingJobs = {
  activate: defineJob('offboarding.activate', idPayload, { lane: 'provider' }),
  step: defineJob('offboarding.step', stepPayload, { lane: 'provider' }),
  restore: defineJob('offboarding.restore', idPayload, { lane: 'provider' }),
  delete: defineJob('offboarding.delete', idPayload, { lane: 'provider' }),
  postStatus: defineJob('offboarding.post_status', idPayload),
  refreshStatus: defineJob('offboarding.refresh_status', idPayload),
  ask: defineJob('offboarding.ask_confirmation', askPayload),
  refreshAsks: defineJob('offboarding.refresh_confirmations', idPayload),
  notifyForwardTarget: defineJob('offboarding.notify_forward_target', idPayload),
};
/** The jobs that talk to the mail server, one per step (see `stepJob`). */
const STEP_JOB_KINDS: string[] = [OffboardingJobs.activate, OffboardingJobs.step, OffboardingJobs.restore, OffboardingJobs.delete].map(
  (definition) => definition.kind,
);
export type IdPayload = z.infer<typeof idPayload>;
export type StepPayload = z.infer<typeof stepPayload>;
export type AskPayload = z.infer<typeof askPayload>;

const autoReplySchema = z.object({
  from: z.string(),
  subject: z.string(),
  body: z.string(),
  intervalHours: z.number(),
  start: z.string().nullable(),
  stop: z.string().nullable(),
});
/** What the provider had before Mailroom touched the mailbox; undo restores exactly this. */
export const priorStateSchema = z.object({
  forwarders: z.array(z.string()),
  autoReply: autoReplySchema.nullable(),
  suspendedLogin: z.boolean(),
  capturedAt: z.string(),
});
export type PriorState = z.infer<typeof priorStateSchema>;

export type Refusal =
  | { ok: false; code: 'not_hr'; checkFailed: boolean }
  | { ok: false; code: 'not_found' }
  | { ok: false; code: 'wrong_state'; status: string; by: string | null }
  | { ok: false; code: 'nothing_to_retry' }
  | { ok: false; code: 'step_running' }
  | { ok: false; code: 'bad_input'; message: string };

export type ActionResult = { ok: true; message: string } | Refusal;

const summarySelect = {
  id: true,
  address: true,
  leaverName: true,
  initiatedById: true,
  forwardTo: true,
  lastDay: true,
  runAt: true,
  deleteAfter: true,
  retentionDays: true,
  status: true,
  decidedById: true,
  decidedAt: true,
  cancelledById: true,
  completedAt: true,
  steps: { select: { kind: true, status: true, lastError: true, note: true, attempts: true, doneAt: true } },
} satisfies Prisma.OffboardingSelect;

/** What a provider step reads of its offboarding. */
export const loadedSelect = {
  id: true,
  mailboxId: true,
  address: true,
  leaverName: true,
  forwardTo: true,
  autoReplySubject: true,
  autoReplyBody: true,
  deleteAfter: true,
  priorState: true,
  status: true,
  decidedById: true,
  version: true,
  mailbox: { select: { provider: true } },
} satisfies Prisma.OffboardingSelect;
export type LoadedOffboarding = Prisma.OffboardingGetPayload<{ select: typeof loadedSelect }>;

export const subject = (id: number): string => `offboarding:${id}`;

export function loadSummary(db: Db, id: number): Promise<OffboardingSummary> {
  return db.offboarding.findUniqueOrThrow({ where: { id }, select: summarySelect });
}

/**
 * Locks the offboarding's row until the transaction ends and returns its latest committed status.
 * Undo and the start of every provider step take this lock, so the two never interleave.
 */
export async function lockOffboarding(tx: Prisma.TransactionClient, id: number): Promise<OffboardingStatus | undefined> {
  const rows = await tx.$queryRaw<Array<{ status: OffboardingStatus }>>`SELECT status FROM Offboarding WHERE id = ${id} FOR UPDATE`;
  return rows[0]?.status;
}

export function refreshJobs(id: number): QueuedJob[] {
  return [job(OffboardingJobs.refreshStatus, { offboardingId: id })];
}

export const refreshAsksJob = (id: number): QueuedJob => job(OffboardingJobs.refreshAsks, { offboardingId: id });

/** The job that runs a step; the version in the dedupe key lets a retry or an undo enqueue it again. */
export function stepJob(id: number, kind: StepKind, version: number): QueuedJob {
  const dedupeKey = `offboarding:${id}:${kind}:v${version}`;
  if (kind === Steps.savePriorState) return job(OffboardingJobs.activate, { offboardingId: id }, { dedupeKey });
  if (kind === Steps.restore) return job(OffboardingJobs.restore, { offboardingId: id }, { dedupeKey });
  if (kind === Steps.delete) return job(OffboardingJobs.delete, { offboardingId: id }, { dedupeKey });
  return job(OffboardingJobs.step, { offboardingId: id, step: kind }, { dedupeKey });
}

/**
 * The offboarding's steps that may be mid-call at the provider: still PENDING, with a job claimed by
 * a runner. A step commits DONE (or FAILED) before the runner marks its job finished and calls the
 * provider no more after that, so a RUNNING job whose step is settled is only bookkeeping.
 */
export async function countStepsAtProvider(db: Db, id: number): Promise<number> {
  // Every step job's dedupe key is `offboarding:<id>:<step>:v<version>`, the first activation's included.
  const running = await db.job.findMany({
    where: { status: 'RUNNING', kind: { in: STEP_JOB_KINDS }, dedupeKey: { startsWith: `offboarding:${id}:` } },
    select: { dedupeKey: true },
  });
  const kinds = running.map((job) => job.dedupeKey?.split(':')[2]).filter((kind): kind is string => Boolean(kind));
  if (kinds.length === 0) return 0;
  return db.offboardingStep.count({ where: { offboardingId: id, kind: { in: kinds }, status: 'PENDING' } });
}
