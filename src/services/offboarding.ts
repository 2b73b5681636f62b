import { z } from 'zod';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { addDaysToDate, DAY_MS, dateIn, zonedTimeToUtc } from '../lib/zoned-time.ts';
import { isRetryable, type MailboxProvider, type ProviderResult } from '../providers/mailbox-provider.ts';
import type { SlackGateway, SlackMessage } from '../slack/gateway.ts';
import { type OffboardField, OffboardFields, OffboardOptions } from '../slack/ids.ts';
import { buildConfirmationMessage, EXTEND_OPTIONS } from '../views/offboard-confirm.ts';
import { buildForwardNotice, buildOffboardStatusMessage, type OffboardingSummary } from '../views/offboard-status.ts';
import { recordAudit, SYSTEM_ACTOR } from './audit.ts';
import type { Db } from './db-types.ts';
import { type EnqueueInput, type JobContext, type JobHandlers, type JobQueue, PermanentJobError } from './jobs.ts';
import { isManagedDomain } from './request-validation.ts';
import type { OffboardModalInput } from '../views/offboard-modal.ts';
import type { EmailInput } from './notifications.ts';

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
}

export interface OffboardingServiceDeps {
  prisma: PrismaClient;
  provider: MailboxProvider;
  slack: SlackGateway;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  settings: OffboardingSettings;
  /** Emails the forward target; unset until the mailer (issue 3) is wired. */
  sendEmail?: EmailHook;
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
const ACTIVATION_STEPS = [Steps.forward, Steps.autoReply, Steps.suspendLogin, Steps.removeOwnForwarders] as const;

export const OffboardingJobs = {
  activate: 'offboarding.activate',
  step: 'offboarding.step',
  restore: 'offboarding.restore',
  delete: 'offboarding.delete',
  postStatus: 'offboarding.post_status',
  refreshStatus: 'offboarding.refresh_status',
  ask: 'offboarding.ask_confirmation',
  refreshAsks: 'offboarding.refresh_confirmations',
  notifyForwardTarget: 'offboarding.notify_forward_target',
} as const;

const idPayload = z.object({ offboardingId: z.number().int().positive() });
const stepPayload = idPayload.extend({ step: z.enum(ACTIVATION_STEPS) });
const askPayload = idPayload.extend({ userId: z.string().min(1), round: z.number().int().min(0) });

const autoReplySchema = z.object({
  from: z.string(),
  subject: z.string(),
  body: z.string(),
  intervalHours: z.number(),
  start: z.string().nullable(),
  stop: z.string().nullable(),
});
/** What the provider had before Mailroom touched the mailbox; undo restores exactly this. */
const priorStateSchema = z.object({
  forwarders: z.array(z.string()),
  autoReply: autoReplySchema.nullable(),
  suspendedLogin: z.boolean(),
  capturedAt: z.string(),
});
type PriorState = z.infer<typeof priorStateSchema>;

export type OffboardFieldErrors = Partial<Record<OffboardField, string>>;

export interface RawOffboardForm {
  mailbox: string | undefined;
  forwardTo: string;
  lastDay: string | null;
  autoReplySubject: string;
  autoReplyBody: string;
  retentionDays: string;
  options: string[] | null;
}

export type SubmitResult = { ok: true; offboardingId: number; runsNow: boolean } | { ok: false; errors: OffboardFieldErrors };

export type Refusal =
  | { ok: false; code: 'not_hr'; checkFailed: boolean }
  | { ok: false; code: 'not_found' }
  | { ok: false; code: 'wrong_state'; status: string; by: string | null }
  | { ok: false; code: 'nothing_to_retry' }
  | { ok: false; code: 'bad_input'; message: string };

export type ActionResult = { ok: true; message: string } | Refusal;

/** What the modal opens with: exactly what the view builder takes. */
export type ModalPrefill = OffboardModalInput;

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
  steps: { select: { kind: true, status: true, lastError: true, attempts: true, doneAt: true } },
} satisfies Prisma.OffboardingSelect;

const emailSchema = z.email();
const isUniqueViolation = (error: unknown): boolean => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
const subject = (id: number): string => `offboarding:${id}`;
const sameAddress = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
const REMINDER_EVERY_MS = DAY_MS;
const GROUP_CACHE_MS = 60_000;
const AUTO_REPLY_MIN_MS = 60 * 60 * 1000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A provider answer, or the job error it implies: retryable codes retry, the rest fail the step for good. */
function take<T>(result: ProviderResult<T>, what: string): T {
  if (result.ok) return result.value;
  const message = `${what}: ${result.reason}`;
  throw isRetryable(result.code) ? new Error(message) : new PermanentJobError(message);
}

/** "jane.doe" → "Jane Doe": a readable name for a mailbox without a staff record. */
function nameFromAddress(address: string): string {
  const local = address.slice(0, address.lastIndexOf('@'));
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}

export function defaultAutoReply(input: { leaverName: string; forwardTo: string; forwardToName?: string | undefined; generalContact?: string | undefined }) {
  const target = input.forwardToName ? `${input.forwardToName} (${input.forwardTo})` : input.forwardTo;
  return {
    subject: `${input.leaverName} no longer works here`,
    body:
      `Hello,\n\nThank you for your message. ${input.leaverName} no longer works with us, and this mailbox is no longer read.\n\n` +
      `Your message has been forwarded to ${target}, who will take care of it.` +
      (input.generalContact ? ` For anything else, please write to ${input.generalContact}.` : '') +
      '\n\nKind regards',
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * Offboarding: SCHEDULED → ACTIVE → AWAITING_CONFIRMATION → DELETING → DELETED, or → CANCELLING →
 * CANCELLED by undo. HR authorization, one-decision transitions and the per-step provider jobs
 * live here; Slack handlers only parse, ack and render.
 */
export class OffboardingService {
  private groupCache: { at: number; members: Set<string> } | undefined;

  constructor(private readonly deps: OffboardingServiceDeps) {}

  // ---------------------------------------------------------------- authorization

  /** HR = HR_USER_IDS or members of HR_USERGROUP_ID (usergroups.users.list, cached for a minute). */
  async checkHr(userId: string): Promise<{ ok: true } | { ok: false; code: 'not_hr'; checkFailed: boolean }> {
    const { settings, slack, clock, logger } = this.deps;
    if (settings.hrUserIds.includes(userId)) return { ok: true };
    if (!settings.hrUsergroupId) return { ok: false, code: 'not_hr', checkFailed: false };
    const now = clock.now().getTime();
    if (!this.groupCache || now - this.groupCache.at > GROUP_CACHE_MS) {
      try {
        const members = await withTimeout(slack.listUsergroupMembers(settings.hrUsergroupId), settings.lookupBudgetMs ?? 1500);
        if (members === 'timeout') return { ok: false, code: 'not_hr', checkFailed: true };
        this.groupCache = { at: now, members: new Set(members) };
      } catch (error) {
        logger.warn({ err: error }, 'could not read the HR user group');
        return { ok: false, code: 'not_hr', checkFailed: true };
      }
    }
    return this.groupCache.members.has(userId) ? { ok: true } : { ok: false, code: 'not_hr', checkFailed: false };
  }

  private async refuseNotHr(actorId: string, action: string, subjectText: string, checkFailed: boolean): Promise<Refusal> {
    await recordAudit(this.deps.prisma, { actor: actorId, action, subject: subjectText, outcome: 'refused', details: { reason: checkFailed ? 'hr_check_failed' : 'not_hr' } });
    return { ok: false, code: 'not_hr', checkFailed };
  }

  // ---------------------------------------------------------------- modal

  /** HR check and the modal's initial values (from the staff record when an address is given). */
  async prepareModal(actorId: string, addressText: string | undefined): Promise<{ ok: true; prefill: ModalPrefill } | Refusal> {
    const { settings, clock } = this.deps;
    const hr = await this.checkHr(actorId);
    if (!hr.ok) return this.refuseNotHr(actorId, 'offboarding.open', 'offboarding', hr.checkFailed);
    const prefill: ModalPrefill = {
      lastDay: dateIn(clock.now(), settings.timeZone),
      retentionDays: settings.retentionDays,
      ...(settings.generalContactEmail ? { generalContactEmail: settings.generalContactEmail } : {}),
    };
    const address = addressText?.trim().toLowerCase();
    if (!address || !emailSchema.safeParse(address).success) return { ok: true, prefill };
    const leaver = await this.leaverFacts(address);
    prefill.mailbox = { address };
    const superior = await this.superiorOf(address);
    if (superior) {
      prefill.forwardTo = superior.email;
      const reply = defaultAutoReply({ leaverName: leaver.name, forwardTo: superior.email, forwardToName: superior.name, generalContact: settings.generalContactEmail });
      prefill.autoReplySubject = reply.subject;
      prefill.autoReplyBody = reply.body;
    }
    return { ok: true, prefill };
  }

  /** Options for the mailbox type-ahead: managed mailboxes, plus a typed full address to import. */
  async searchMailboxes(actorId: string, query: string): Promise<Array<{ address: string; label: string }>> {
    const hr = await this.checkHr(actorId);
    if (!hr.ok) return [];
    const text = query.trim().toLowerCase();
    const rows = await this.deps.prisma.mailbox.findMany({
      where: { status: { not: 'DELETED' }, ...(text ? { address: { contains: text } } : {}) },
      select: { address: true, status: true, staff: { select: { fullName: true } } },
      orderBy: { address: 'asc' },
      take: 100,
    });
    const options = rows.map((row) => ({
      address: row.address,
      label: `${row.address}${row.staff ? ` — ${row.staff.fullName}` : ''}${row.status === 'OFFBOARDING' ? ' (offboarding)' : ''}`,
    }));
    const domain = text.slice(text.lastIndexOf('@') + 1);
    if (emailSchema.safeParse(text).success && isManagedDomain(domain, this.deps.settings.domains) && !options.some((o) => o.address === text)) {
      options.unshift({ address: text, label: `${text} (not managed by Mailroom yet)` });
    }
    return options.slice(0, 100);
  }

  private async leaverFacts(address: string): Promise<{ name: string; staffId: number | null; superiorSlackId: string | null }> {
    const staff = await this.deps.prisma.staff.findFirst({
      where: { OR: [{ workEmail: address }, { mailboxes: { some: { address } } }] },
      select: { id: true, fullName: true, superiorSlackId: true },
    });
    return { name: staff?.fullName ?? nameFromAddress(address), staffId: staff?.id ?? null, superiorSlackId: staff?.superiorSlackId ?? null };
  }

  private async superiorOf(address: string): Promise<{ email: string; name: string } | undefined> {
    const { superiorSlackId } = await this.leaverFacts(address);
    if (!superiorSlackId) return undefined;
    try {
      const user = await withTimeout(this.deps.slack.getUser(superiorSlackId), this.deps.settings.lookupBudgetMs ?? 1500);
      if (user === 'timeout' || !user?.email || user.deleted) return undefined;
      return { email: user.email.toLowerCase(), name: user.realName };
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'superior lookup failed');
      return undefined;
    }
  }

  // ---------------------------------------------------------------- submit

  async submit(actorId: string, form: RawOffboardForm): Promise<SubmitResult> {
    const { prisma, settings, clock, provider } = this.deps;
    const hr = await this.checkHr(actorId);
    if (!hr.ok) {
      await this.refuseNotHr(actorId, 'offboarding.submit', `mailbox:${form.mailbox ?? ''}`, hr.checkFailed);
      return { ok: false, errors: { [OffboardFields.mailbox]: hr.checkFailed ? 'Slack could not confirm that you are in HR just now; please submit again.' : 'Only HR can offboard mailboxes.' } };
    }
    const errors: OffboardFieldErrors = {};
    const now = clock.now();
    const today = dateIn(now, settings.timeZone);

    const address = (form.mailbox ?? '').trim().toLowerCase();
    const domain = address.slice(address.lastIndexOf('@') + 1);
    if (!address) errors[OffboardFields.mailbox] = 'Choose the mailbox to offboard.';
    else if (!emailSchema.safeParse(address).success) errors[OffboardFields.mailbox] = 'This is not an email address.';
    else if (!isManagedDomain(domain, settings.domains)) errors[OffboardFields.mailbox] = `Mailroom manages only ${settings.domains.join(', ')}.`;

    const lastDay = form.lastDay ?? today;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(lastDay) || Number.isNaN(new Date(`${lastDay}T00:00:00Z`).getTime())) {
      errors[OffboardFields.lastDay] = 'Pick a date.';
    } else if (lastDay < addDaysToDate(today, -366)) {
      errors[OffboardFields.lastDay] = 'The last day is more than a year ago.';
    } else if (lastDay > addDaysToDate(today, 366)) {
      errors[OffboardFields.lastDay] = 'The last day is more than a year away.';
    }

    const retentionText = form.retentionDays.trim();
    const retentionDays = retentionText === '' ? settings.retentionDays : Number(retentionText);
    if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > 3650) {
      errors[OffboardFields.retentionDays] = 'Enter a whole number of days from 0 to 3650.';
    }

    let forwardTo = form.forwardTo.trim().toLowerCase();
    let forwardToName: string | undefined;
    if (forwardTo && (forwardTo.length > 254 || !emailSchema.safeParse(forwardTo).success)) {
      errors[OffboardFields.forwardTo] = 'This is not a valid email address.';
    } else if (forwardTo && address && sameAddress(forwardTo, address)) {
      errors[OffboardFields.forwardTo] = 'Forward to someone else: this is the mailbox being offboarded.';
    }
    const subjectText = form.autoReplySubject.trim();
    const bodyText = form.autoReplyBody.trim();
    if (subjectText.length > 200) errors[OffboardFields.autoReplySubject] = 'Use at most 200 characters.';
    if (bodyText.length > 3000) errors[OffboardFields.autoReplyBody] = 'Use at most 3000 characters.';

    const options = form.options ?? [];
    const suspendLogin = options.includes(OffboardOptions.suspendLogin);
    const removeOwnForwarders = options.includes(OffboardOptions.removeOwnForwarders);

    // The mailbox: managed, importable from the provider, or a clear no.
    let mailbox: { id: number; status: string } | null = null;
    if (!errors[OffboardFields.mailbox]) {
      mailbox = await prisma.mailbox.findUnique({ where: { address }, select: { id: true, status: true } });
      const open = await prisma.offboarding.findUnique({ where: { openAddress: address }, select: { id: true, status: true, initiatedById: true } });
      if (open) {
        errors[OffboardFields.mailbox] = `${address} is already being offboarded (#${open.id}, ${open.status.toLowerCase().replace('_', ' ')}, started by <@${open.initiatedById}>). Undo that one first to change it.`;
      } else if (mailbox?.status === 'DELETED') {
        errors[OffboardFields.mailbox] = `${address} was already deleted.`;
      } else if (!mailbox) {
        const found = await withTimeout(provider.find(address), settings.lookupBudgetMs ?? 1500);
        if (found === 'timeout') errors[OffboardFields.mailbox] = 'The mail server did not answer in time; please submit again.';
        else if (!found.ok) errors[OffboardFields.mailbox] = `The mail server could not check this address: ${found.reason}`;
        else if (!found.value) errors[OffboardFields.mailbox] = `There is no mailbox ${address} on the mail server.`;
      }
    }

    const leaver = address && !errors[OffboardFields.mailbox] ? await this.leaverFacts(address) : undefined;
    if (!errors[OffboardFields.mailbox] && !errors[OffboardFields.forwardTo] && !forwardTo) {
      const superior = await this.superiorOf(address);
      if (superior) {
        forwardTo = superior.email;
        forwardToName = superior.name;
      } else {
        errors[OffboardFields.forwardTo] = 'No superior with an email address is on record for this mailbox; enter where its mail should go.';
      }
    }
    if (Object.keys(errors).length > 0 || !leaver) return { ok: false, errors };

    const runsNow = lastDay <= today;
    const runAt = runsNow ? now : zonedTimeToUtc(lastDay, settings.offboardHour, settings.timeZone);
    const deleteAfter = new Date(runAt.getTime() + retentionDays * DAY_MS);
    const reply = defaultAutoReply({ leaverName: leaver.name, forwardTo, forwardToName, generalContact: settings.generalContactEmail });

    try {
      const offboardingId = await this.deps.jobs.transaction(prisma, async (tx) => {
        let mailboxId = mailbox?.id;
        if (mailboxId === undefined) {
          const created = await tx.mailbox.create({
            data: {
              address,
              localPart: address.slice(0, address.lastIndexOf('@')),
              domain,
              provider: provider.nameFor(domain),
              status: 'OFFBOARDING',
              // Unknown for an imported mailbox; 0 is what cPanel calls unlimited.
              quotaMb: 0,
              staffId: leaver.staffId,
            },
            select: { id: true },
          });
          mailboxId = created.id;
          await recordAudit(tx, { actor: actorId, action: 'mailbox.imported', subject: `mailbox:${address}`, outcome: 'ok', details: { provider: provider.nameFor(domain) } }, now);
        } else {
          await tx.mailbox.update({ where: { id: mailboxId }, data: { status: 'OFFBOARDING' } });
        }
        const created = await tx.offboarding.create({
          data: {
            mailboxId,
            address,
            openAddress: address,
            initiatedById: actorId,
            leaverName: leaver.name.slice(0, 200),
            forwardTo,
            autoReplySubject: subjectText || reply.subject,
            autoReplyBody: bodyText || reply.body,
            lastDay: new Date(`${lastDay}T00:00:00Z`),
            runAt,
            deleteAfter,
            retentionDays,
            suspendLogin,
            removeOwnForwarders,
          },
          select: { id: true },
        });
        await tx.offboardingStep.createMany({
          data: [
            { offboardingId: created.id, kind: Steps.savePriorState },
            { offboardingId: created.id, kind: Steps.forward },
            { offboardingId: created.id, kind: Steps.autoReply },
            { offboardingId: created.id, kind: Steps.suspendLogin, ...(suspendLogin ? {} : { status: 'SKIPPED' as const, lastError: 'not asked for' }) },
            {
              offboardingId: created.id,
              kind: Steps.removeOwnForwarders,
              ...(removeOwnForwarders ? {} : { status: 'SKIPPED' as const, lastError: 'not asked for' }),
            },
          ],
        });
        await recordAudit(
          tx,
          {
            actor: actorId,
            action: 'offboarding.started',
            subject: subject(created.id),
            outcome: 'ok',
            details: { address, forwardTo, lastDay, runAt: runAt.toISOString(), retentionDays, suspendLogin, removeOwnForwarders, imported: mailbox === null },
          },
          now,
        );
        await this.deps.jobs.enqueue(tx, [
          { kind: OffboardingJobs.postStatus, payload: { offboardingId: created.id }, dedupeKey: `offboarding:${created.id}:post-status` },
          { kind: OffboardingJobs.activate, payload: { offboardingId: created.id }, dedupeKey: `offboarding:${created.id}:activate:v0`, runAt },
        ]);
        return created.id;
      });
      return { ok: true, offboardingId, runsNow };
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, errors: { [OffboardFields.mailbox]: `${address} is already being offboarded.` } };
      throw error;
    }
  }

  // ---------------------------------------------------------------- steps (jobs)

  private loadSummary(db: Db, id: number): Promise<OffboardingSummary> {
    return db.offboarding.findUniqueOrThrow({ where: { id }, select: summarySelect });
  }

  private refreshJobs(id: number): EnqueueInput[] {
    return [{ kind: OffboardingJobs.refreshStatus, payload: { offboardingId: id } }];
  }

  /**
   * Runs one provider step: skips it when already settled, counts the attempt, records the provider's
   * reason on failure (the job runner retries or gives up), and on success marks it DONE in one
   * transaction with whatever the step implies (`finish`).
   */
  private async runStep(
    id: number,
    kind: StepKind,
    allowed: readonly string[],
    work: (o: LoadedOffboarding) => Promise<((tx: Prisma.TransactionClient, o: LoadedOffboarding) => Promise<void>) | undefined>,
  ): Promise<void> {
    const { prisma, clock } = this.deps;
    const o = await prisma.offboarding.findUnique({ where: { id }, select: loadedSelect });
    if (!o) throw new PermanentJobError(`offboarding ${id} does not exist`);
    const step = await prisma.offboardingStep.findUnique({ where: { offboardingId_kind: { offboardingId: id, kind } }, select: { status: true } });
    if (!step || step.status !== 'PENDING') return;
    if (!allowed.includes(o.status)) {
      await this.deps.jobs.transaction(prisma, async (tx) => {
        await tx.offboardingStep.updateMany({ where: { offboardingId: id, kind, status: 'PENDING' }, data: { status: 'SKIPPED', lastError: `offboarding is ${o.status.toLowerCase()}` } });
        await this.deps.jobs.enqueue(tx, this.refreshJobs(id));
      });
      return;
    }
    await prisma.offboardingStep.update({ where: { offboardingId_kind: { offboardingId: id, kind } }, data: { attempts: { increment: 1 } } });
    let finish: Awaited<ReturnType<typeof work>>;
    try {
      finish = await work(o);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.deps.jobs.transaction(prisma, async (tx) => {
        await tx.offboardingStep.updateMany({ where: { offboardingId: id, kind, status: 'PENDING' }, data: { lastError: message } });
        await this.deps.jobs.enqueue(tx, this.refreshJobs(id));
      });
      throw error;
    }
    await this.deps.jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.offboardingStep.updateMany({
        where: { offboardingId: id, kind, status: 'PENDING' },
        data: { status: 'DONE', doneAt: clock.now(), lastError: null },
      });
      if (count === 0) return;
      await recordAudit(tx, { actor: SYSTEM_ACTOR, action: `offboarding.step.${kind}`, subject: subject(id), outcome: 'ok', details: { address: o.address } });
      await finish?.(tx, o);
      await this.deps.jobs.enqueue(tx, this.refreshJobs(id));
    });
    await this.maybeAskConfirmation(id);
  }

  /** The step's job died: the step is FAILED with the provider's reason and a Retry button. */
  private async failStep(id: number, kind: StepKind, error: Error, attempts: number): Promise<void> {
    const reason = error.message;
    await this.deps.jobs.transaction(this.deps.prisma, async (tx) => {
      const { count } = await tx.offboardingStep.updateMany({ where: { offboardingId: id, kind, status: 'PENDING' }, data: { status: 'FAILED', lastError: reason } });
      if (count === 0) return;
      await recordAudit(tx, { actor: SYSTEM_ACTOR, action: `offboarding.step.${kind}`, subject: subject(id), outcome: 'failed', details: { reason, attempts } });
      await this.deps.jobs.enqueue(tx, this.refreshJobs(id));
    });
  }

  /** Reads the provider's current state and saves it before anything changes, then starts the steps. */
  private activate(id: number): Promise<void> {
    const { provider, clock } = this.deps;
    return this.runStep(id, Steps.savePriorState, ['SCHEDULED'], async (o) => {
      const info = take(await provider.find(o.address), `Reading ${o.address}`);
      if (!info) throw new PermanentJobError(`${o.address} no longer exists on the mail server`);
      const forwarders = take(await provider.listForwarders(o.address), 'Listing forwarders');
      const reply = take(await provider.getAutoReply(o.address), 'Reading the auto-reply');
      const prior: PriorState = {
        forwarders,
        autoReply: reply ? { ...reply, start: reply.start?.toISOString() ?? null, stop: reply.stop?.toISOString() ?? null } : null,
        suspendedLogin: info.suspendedLogin,
        capturedAt: clock.now().toISOString(),
      };
      return async (tx) => {
        const { count } = await tx.offboarding.updateMany({
          where: { id, status: 'SCHEDULED' },
          data: { status: 'ACTIVE', priorState: prior, version: { increment: 1 } },
        });
        if (count === 0) return;
        await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'offboarding.activated', subject: subject(id), outcome: 'ok', details: { prior } });
        const pending = await tx.offboardingStep.findMany({ where: { offboardingId: id, kind: { in: [...ACTIVATION_STEPS] }, status: 'PENDING' }, select: { kind: true } });
        await this.deps.jobs.enqueue(
          tx,
          pending.map((step) => this.stepJob(id, step.kind as StepKind, o.version + 1)),
        );
      };
    });
  }

  private stepJob(id: number, kind: StepKind, version: number): EnqueueInput {
    const dedupeKey = `offboarding:${id}:${kind}:v${version}`;
    if (kind === Steps.savePriorState) return { kind: OffboardingJobs.activate, payload: { offboardingId: id }, dedupeKey };
    if (kind === Steps.restore) return { kind: OffboardingJobs.restore, payload: { offboardingId: id }, dedupeKey };
    if (kind === Steps.delete) return { kind: OffboardingJobs.delete, payload: { offboardingId: id }, dedupeKey };
    return { kind: OffboardingJobs.step, payload: { offboardingId: id, step: kind }, dedupeKey };
  }

  private runActivationStep(id: number, kind: (typeof ACTIVATION_STEPS)[number]): Promise<void> {
    const { provider, clock, settings } = this.deps;
    const live = ['ACTIVE', 'AWAITING_CONFIRMATION'];
    switch (kind) {
      case Steps.forward:
        return this.runStep(id, kind, live, async (o) => {
          const current = take(await provider.listForwarders(o.address), 'Listing forwarders');
          if (!current.some((target) => sameAddress(target, o.forwardTo))) take(await provider.addForwarder(o.address, o.forwardTo), `Forwarding to ${o.forwardTo}`);
          return async (tx) => {
            await this.deps.jobs.enqueue(tx, { kind: OffboardingJobs.notifyForwardTarget, payload: { offboardingId: id }, dedupeKey: `offboarding:${id}:forward-notice` });
          };
        });
      case Steps.autoReply:
        return this.runStep(id, kind, live, async (o) => {
          const start = clock.now();
          // cPanel wants stop > start; with a deletion due now, keep answering for at least an hour.
          const stop = new Date(Math.max(o.deleteAfter.getTime(), start.getTime() + AUTO_REPLY_MIN_MS));
          take(
            await provider.setAutoReply(o.address, {
              from: o.leaverName,
              subject: o.autoReplySubject,
              body: o.autoReplyBody,
              intervalHours: settings.autoReplyIntervalHours ?? 24,
              start,
              stop,
            }),
            'Setting the auto-reply',
          );
          return undefined;
        });
      case Steps.suspendLogin:
        return this.runStep(id, kind, live, async (o) => {
          const info = take(await provider.find(o.address), `Reading ${o.address}`);
          if (!info) throw new PermanentJobError(`${o.address} no longer exists on the mail server`);
          if (!info.suspendedLogin) take(await provider.suspendLogin(o.address), 'Suspending login');
          return undefined;
        });
      case Steps.removeOwnForwarders:
        return this.runStep(id, kind, live, async (o) => {
          const prior = priorStateSchema.parse(o.priorState);
          // Only what the leaver had before: the new forwarder to the superior is never touched.
          for (const target of prior.forwarders) {
            if (sameAddress(target, o.forwardTo)) continue;
            take(await provider.removeForwarder(o.address, target), `Removing the forwarder to ${target}`);
          }
          return undefined;
        });
    }
  }

  /** Undo: put back exactly what was saved, then CANCELLED and the mailbox ACTIVE. */
  private restore(id: number): Promise<void> {
    const { provider, clock } = this.deps;
    return this.runStep(id, Steps.restore, ['CANCELLING'], async (o) => {
      const prior = priorStateSchema.parse(o.priorState);
      const current = take(await provider.listForwarders(o.address), 'Listing forwarders');
      for (const target of prior.forwarders) {
        if (!current.some((t) => sameAddress(t, target))) take(await provider.addForwarder(o.address, target), `Restoring the forwarder to ${target}`);
      }
      if (!prior.forwarders.some((t) => sameAddress(t, o.forwardTo)) && current.some((t) => sameAddress(t, o.forwardTo))) {
        take(await provider.removeForwarder(o.address, o.forwardTo), `Removing the forwarder to ${o.forwardTo}`);
      }
      if (prior.autoReply) {
        const now = clock.now();
        const start = prior.autoReply.start ? new Date(prior.autoReply.start) : now;
        const stop = prior.autoReply.stop ? new Date(prior.autoReply.stop) : new Date(now.getTime() + 3650 * DAY_MS);
        take(await provider.setAutoReply(o.address, { ...prior.autoReply, start, stop }), 'Restoring the auto-reply');
      } else {
        take(await provider.removeAutoReply(o.address), 'Removing the auto-reply');
      }
      const info = take(await provider.find(o.address), `Reading ${o.address}`);
      if (!info) throw new PermanentJobError(`${o.address} no longer exists on the mail server`);
      if (info.suspendedLogin && !prior.suspendedLogin) take(await provider.resumeLogin(o.address), 'Unsuspending login');
      if (!info.suspendedLogin && prior.suspendedLogin) take(await provider.suspendLogin(o.address), 'Suspending login as before');
      return async (tx) => {
        const { count } = await tx.offboarding.updateMany({ where: { id, status: 'CANCELLING' }, data: { status: 'CANCELLED', openAddress: null, completedAt: clock.now() } });
        if (count === 0) return;
        await tx.mailbox.update({ where: { id: o.mailboxId }, data: { status: 'ACTIVE' } });
        await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'offboarding.restored', subject: subject(id), outcome: 'ok', details: { address: o.address } });
        await this.deps.jobs.enqueue(tx, [{ kind: OffboardingJobs.refreshAsks, payload: { offboardingId: id } }]);
      };
    });
  }

  /** Confirmed deletion: forwarders and auto-reply first (they outlive a mailbox), then the mailbox. */
  private deleteMailbox(id: number): Promise<void> {
    const { provider, clock } = this.deps;
    return this.runStep(id, Steps.delete, ['DELETING'], async (o) => {
      const current = take(await provider.listForwarders(o.address), 'Listing forwarders');
      for (const target of current) take(await provider.removeForwarder(o.address, target), `Removing the forwarder to ${target}`);
      take(await provider.removeAutoReply(o.address), 'Removing the auto-reply');
      const deleted = await provider.delete(o.address);
      if (!deleted.ok && deleted.code !== 'not_found') take(deleted, `Deleting ${o.address}`);
      return async (tx) => {
        const { count } = await tx.offboarding.updateMany({ where: { id, status: 'DELETING' }, data: { status: 'DELETED', openAddress: null, completedAt: clock.now() } });
        if (count === 0) return;
        await tx.mailbox.update({ where: { id: o.mailboxId }, data: { status: 'DELETED' } });
        await recordAudit(tx, {
          actor: SYSTEM_ACTOR,
          action: 'mailbox.deleted',
          subject: subject(id),
          outcome: 'ok',
          details: { address: o.address, confirmedBy: o.decidedById, alreadyGone: !deleted.ok },
        });
        await this.deps.jobs.enqueue(tx, [{ kind: OffboardingJobs.refreshAsks, payload: { offboardingId: id } }]);
      };
    });
  }

  // ---------------------------------------------------------------- retention and confirmation

  /** ACTIVE with retention over and no step still running → AWAITING_CONFIRMATION, and HR is asked. */
  async maybeAskConfirmation(id: number): Promise<boolean> {
    const { prisma, clock } = this.deps;
    const now = clock.now();
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { status: true, deleteAfter: true, initiatedById: true, address: true } });
    if (!o || o.status !== 'ACTIVE' || o.deleteAfter > now) return false;
    const pending = await prisma.offboardingStep.count({ where: { offboardingId: id, kind: { in: [...ACTIVATION_STEPS] }, status: 'PENDING' } });
    if (pending > 0) return false;
    const recipients = await this.confirmationRecipients(o.initiatedById);
    return this.deps.jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.offboarding.updateMany({
        where: { id, status: 'ACTIVE', deleteAfter: { lte: now } },
        data: { status: 'AWAITING_CONFIRMATION', confirmationAskedAt: now, remindedAt: now, reminderCount: 0, version: { increment: 1 } },
      });
      if (count === 0) return false;
      await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'offboarding.confirmation_requested', subject: subject(id), outcome: 'ok', details: { recipients } }, now);
      await this.deps.jobs.enqueue(tx, [...recipients.map((userId) => this.askJob(id, userId, 0)), ...this.refreshJobs(id)]);
      return true;
    });
  }

  private askJob(id: number, userId: string, round: number): EnqueueInput {
    return { kind: OffboardingJobs.ask, payload: { offboardingId: id, userId, round }, dedupeKey: `offboarding:${id}:ask:${userId}:${round}` };
  }

  /** The HR person who started it (while still HR) and HR_USER_IDS; the user group when that leaves nobody. */
  private async confirmationRecipients(initiatorId: string): Promise<string[]> {
    const { settings, slack, logger } = this.deps;
    const recipients = new Set<string>(settings.hrUserIds);
    const initiator = await this.checkHr(initiatorId);
    if (initiator.ok || initiator.checkFailed) recipients.add(initiatorId);
    if (recipients.size === 0 && settings.hrUsergroupId) {
      try {
        for (const member of await slack.listUsergroupMembers(settings.hrUsergroupId)) recipients.add(member);
      } catch (error) {
        logger.warn({ err: error }, 'could not read the HR user group for the confirmation');
      }
    }
    if (recipients.size === 0) recipients.add(initiatorId);
    return [...recipients];
  }

  /**
   * The sweep: offboardings whose retention ended are put to HR; unanswered questions are asked
   * again every 24 hours. Returns how many were asked and reminded.
   */
  async sweep(): Promise<{ asked: number; reminded: number }> {
    const { prisma, clock } = this.deps;
    const now = clock.now();
    const due = await prisma.offboarding.findMany({ where: { status: 'ACTIVE', deleteAfter: { lte: now } }, select: { id: true }, take: 200 });
    let asked = 0;
    for (const { id } of due) if (await this.maybeAskConfirmation(id)) asked += 1;

    const stale = await prisma.offboarding.findMany({
      where: { status: 'AWAITING_CONFIRMATION', remindedAt: { lte: new Date(now.getTime() - REMINDER_EVERY_MS) } },
      select: { id: true, remindedAt: true, reminderCount: true, initiatedById: true },
      take: 200,
    });
    let reminded = 0;
    for (const o of stale) {
      const recipients = await this.confirmationRecipients(o.initiatedById);
      const round = o.reminderCount + 1;
      const done = await this.deps.jobs.transaction(prisma, async (tx) => {
        // Conditional on the remindedAt we read: two sweeps never remind twice for the same day.
        const { count } = await tx.offboarding.updateMany({
          where: { id: o.id, status: 'AWAITING_CONFIRMATION', remindedAt: o.remindedAt },
          data: { remindedAt: now, reminderCount: round },
        });
        if (count === 0) return false;
        await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'offboarding.reminder', subject: subject(o.id), outcome: 'ok', details: { round, recipients } }, now);
        await this.deps.jobs.enqueue(tx, recipients.map((userId) => this.askJob(o.id, userId, round)));
        return true;
      });
      if (done) reminded += 1;
    }
    return { asked, reminded };
  }

  private async postAsk(payload: z.infer<typeof askPayload>): Promise<void> {
    const { prisma, slack } = this.deps;
    const key = { offboardingId_userId_round: { offboardingId: payload.offboardingId, userId: payload.userId, round: payload.round } };
    if (await prisma.offboardingMessage.findUnique({ where: key })) return;
    const summary = await this.loadSummary(prisma, payload.offboardingId);
    if (summary.status !== 'AWAITING_CONFIRMATION') return;
    const posted = await slack.postDirectMessage(payload.userId, buildConfirmationMessage(summary, payload.round));
    await prisma.offboardingMessage.create({ data: { ...key.offboardingId_userId_round, channelId: posted.channel, ts: posted.ts } });
    // A decision may have landed while posting: bring this copy up to date too.
    const now = await this.loadSummary(prisma, payload.offboardingId);
    if (now.status !== summary.status) await slack.updateMessage(posted.channel, posted.ts, buildConfirmationMessage(now, payload.round));
  }

  private async refreshAsks(id: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const summary = await this.loadSummary(prisma, id);
    const messages = await prisma.offboardingMessage.findMany({ where: { offboardingId: id }, select: { channelId: true, ts: true, round: true } });
    for (const m of messages) await slack.updateMessage(m.channelId, m.ts, buildConfirmationMessage(summary, m.round));
  }

  // ---------------------------------------------------------------- decisions (HR)

  async confirmDelete(id: number, actorId: string): Promise<ActionResult> {
    const { prisma, clock } = this.deps;
    const hr = await this.checkHr(actorId);
    if (!hr.ok) return this.refuseNotHr(actorId, 'offboarding.confirm_delete', subject(id), hr.checkFailed);
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { address: true, version: true } });
    if (!o) return { ok: false, code: 'not_found' };
    const now = clock.now();
    const decided = await this.deps.jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.offboarding.updateMany({
        where: { id, status: 'AWAITING_CONFIRMATION' },
        data: { status: 'DELETING', decidedById: actorId, decidedAt: now, version: { increment: 1 } },
      });
      if (count === 0) return false;
      await tx.offboardingStep.upsert({
        where: { offboardingId_kind: { offboardingId: id, kind: Steps.delete } },
        create: { offboardingId: id, kind: Steps.delete },
        update: { status: 'PENDING', lastError: null },
      });
      await recordAudit(tx, { actor: actorId, action: 'offboarding.delete_confirmed', subject: subject(id), outcome: 'ok', details: { address: o.address } }, now);
      await this.deps.jobs.enqueue(tx, [this.stepJob(id, Steps.delete, o.version + 1), ...this.refreshJobs(id), { kind: OffboardingJobs.refreshAsks, payload: { offboardingId: id } }]);
      return true;
    });
    if (decided) return { ok: true, message: `:wastebasket: Deleting ${o.address} now; the status message shows each step.` };
    return this.ignored(id, actorId, 'offboarding.confirm_delete');
  }

  async extend(id: number, actorId: string, days: number): Promise<ActionResult> {
    const { prisma, clock } = this.deps;
    const hr = await this.checkHr(actorId);
    if (!hr.ok) return this.refuseNotHr(actorId, 'offboarding.extend', subject(id), hr.checkFailed);
    if (!(EXTEND_OPTIONS as readonly number[]).includes(days)) return { ok: false, code: 'bad_input', message: 'This button is malformed; nothing was done.' };
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { address: true, version: true } });
    if (!o) return { ok: false, code: 'not_found' };
    const now = clock.now();
    const deleteAfter = new Date(now.getTime() + days * DAY_MS);
    const decided = await this.deps.jobs.transaction(prisma, async (tx) => {
      const { count } = await tx.offboarding.updateMany({
        where: { id, status: 'AWAITING_CONFIRMATION' },
        data: { status: 'ACTIVE', deleteAfter, decidedById: actorId, decidedAt: now, remindedAt: null, version: { increment: 1 } },
      });
      if (count === 0) return false;
      // The auto-reply stops at the deletion date: set it again with the new one.
      await tx.offboardingStep.updateMany({ where: { offboardingId: id, kind: Steps.autoReply }, data: { status: 'PENDING', lastError: null } });
      await recordAudit(tx, { actor: actorId, action: 'offboarding.extended', subject: subject(id), outcome: 'ok', details: { days, deleteAfter: deleteAfter.toISOString() } }, now);
      await this.deps.jobs.enqueue(tx, [
        this.stepJob(id, Steps.autoReply, o.version + 1),
        ...this.refreshJobs(id),
        { kind: OffboardingJobs.refreshAsks, payload: { offboardingId: id } },
      ]);
      return true;
    });
    if (decided) return { ok: true, message: `:hourglass: ${o.address} is kept ${days} more days; you will be asked again then.` };
    return this.ignored(id, actorId, 'offboarding.extend');
  }

  /** Undo / rehire, until the deletion is confirmed. */
  async undo(id: number, actorId: string): Promise<ActionResult> {
    const { prisma, clock } = this.deps;
    const hr = await this.checkHr(actorId);
    if (!hr.ok) return this.refuseNotHr(actorId, 'offboarding.undo', subject(id), hr.checkFailed);
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { address: true, version: true, mailboxId: true } });
    if (!o) return { ok: false, code: 'not_found' };
    const now = clock.now();
    const result = await this.deps.jobs.transaction(prisma, async (tx) => {
      // Nothing happened at the provider yet: cancel outright.
      const scheduled = await tx.offboarding.updateMany({
        where: { id, status: 'SCHEDULED' },
        data: { status: 'CANCELLED', openAddress: null, cancelledById: actorId, completedAt: now, version: { increment: 1 } },
      });
      if (scheduled.count > 0) {
        await tx.offboardingStep.updateMany({ where: { offboardingId: id, status: { in: ['PENDING', 'FAILED'] } }, data: { status: 'SKIPPED', lastError: 'cancelled before it ran' } });
        await tx.mailbox.update({ where: { id: o.mailboxId }, data: { status: 'ACTIVE' } });
        await recordAudit(tx, { actor: actorId, action: 'offboarding.cancelled', subject: subject(id), outcome: 'ok', details: { address: o.address, before: 'SCHEDULED' } }, now);
        await this.deps.jobs.enqueue(tx, [...this.refreshJobs(id), { kind: OffboardingJobs.refreshAsks, payload: { offboardingId: id } }]);
        return 'cancelled' as const;
      }
      const live = await tx.offboarding.updateMany({
        where: { id, status: { in: ['ACTIVE', 'AWAITING_CONFIRMATION'] } },
        data: { status: 'CANCELLING', cancelledById: actorId, version: { increment: 1 } },
      });
      if (live.count === 0) return false;
      await tx.offboardingStep.updateMany({
        where: { offboardingId: id, kind: { in: [...ACTIVATION_STEPS] }, status: { in: ['PENDING', 'FAILED'] } },
        data: { status: 'SKIPPED', lastError: 'cancelled by undo' },
      });
      await tx.offboardingStep.upsert({
        where: { offboardingId_kind: { offboardingId: id, kind: Steps.restore } },
        create: { offboardingId: id, kind: Steps.restore },
        update: { status: 'PENDING', lastError: null },
      });
      await recordAudit(tx, { actor: actorId, action: 'offboarding.cancelled', subject: subject(id), outcome: 'ok', details: { address: o.address } }, now);
      await this.deps.jobs.enqueue(tx, [this.stepJob(id, Steps.restore, o.version + 1), ...this.refreshJobs(id), { kind: OffboardingJobs.refreshAsks, payload: { offboardingId: id } }]);
      return 'restoring' as const;
    });
    if (result === 'cancelled') return { ok: true, message: `:leftwards_arrow_with_hook: The offboarding of ${o.address} is cancelled; nothing had been changed yet.` };
    if (result === 'restoring') return { ok: true, message: `:leftwards_arrow_with_hook: Restoring ${o.address} as it was; the status message shows each step.` };
    return this.ignored(id, actorId, 'offboarding.undo');
  }

  /** `/offboard undo <address>`: the open offboarding of that address. */
  async undoByAddress(addressText: string, actorId: string): Promise<ActionResult> {
    const hr = await this.checkHr(actorId);
    if (!hr.ok) return this.refuseNotHr(actorId, 'offboarding.undo', `mailbox:${addressText}`, hr.checkFailed);
    const address = addressText.trim().toLowerCase();
    if (!address) return { ok: false, code: 'bad_input', message: 'Name the mailbox: `/offboard undo jane.doe@example.com`' };
    const open = await this.deps.prisma.offboarding.findUnique({ where: { openAddress: address }, select: { id: true } });
    if (open) return this.undo(open.id, actorId);
    const last = await this.deps.prisma.offboarding.findFirst({ where: { address }, orderBy: { id: 'desc' }, select: { status: true, decidedById: true, cancelledById: true } });
    if (!last) return { ok: false, code: 'bad_input', message: `${address} is not being offboarded.` };
    return { ok: false, code: 'wrong_state', status: last.status, by: last.status === 'CANCELLED' ? last.cancelledById : last.decidedById };
  }

  /** Retry re-enqueues only the failed steps. */
  async retry(id: number, actorId: string): Promise<ActionResult> {
    const { prisma, clock } = this.deps;
    const hr = await this.checkHr(actorId);
    if (!hr.ok) return this.refuseNotHr(actorId, 'offboarding.retry', subject(id), hr.checkFailed);
    const o = await prisma.offboarding.findUnique({ where: { id }, select: { version: true } });
    if (!o) return { ok: false, code: 'not_found' };
    const kinds = await this.deps.jobs.transaction(prisma, async (tx) => {
      const failed = await tx.offboardingStep.findMany({ where: { offboardingId: id, status: 'FAILED' }, select: { kind: true } });
      if (failed.length === 0) return [];
      const { count } = await tx.offboarding.updateMany({ where: { id, version: o.version }, data: { version: { increment: 1 } } });
      if (count === 0) return [];
      const list = failed.map((step) => step.kind as StepKind);
      await tx.offboardingStep.updateMany({ where: { offboardingId: id, status: 'FAILED' }, data: { status: 'PENDING' } });
      await recordAudit(tx, { actor: actorId, action: 'offboarding.retry', subject: subject(id), outcome: 'ok', details: { steps: list } }, clock.now());
      await this.deps.jobs.enqueue(tx, [...list.map((kind) => this.stepJob(id, kind, o.version + 1)), ...this.refreshJobs(id)]);
      return list;
    });
    if (kinds.length === 0) return { ok: false, code: 'nothing_to_retry' };
    return { ok: true, message: `:arrows_counterclockwise: Trying again: ${kinds.join(', ').replace(/_/g, ' ')}.` };
  }

  private async ignored(id: number, actorId: string, action: string): Promise<Refusal> {
    const current = await this.deps.prisma.offboarding.findUniqueOrThrow({ where: { id }, select: { status: true, decidedById: true, cancelledById: true } });
    await recordAudit(this.deps.prisma, { actor: actorId, action, subject: subject(id), outcome: 'ignored', details: { reason: 'wrong_state', status: current.status } });
    const by = current.status.startsWith('CANCEL') ? current.cancelledById : current.decidedById;
    return { ok: false, code: 'wrong_state', status: current.status, by };
  }

  // ---------------------------------------------------------------- Slack side effects (jobs)

  private async postStatus(id: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const existing = await prisma.offboarding.findUniqueOrThrow({ where: { id }, select: { statusTs: true, initiatedById: true } });
    if (existing.statusTs) return;
    const summary = await this.loadSummary(prisma, id);
    const message = buildOffboardStatusMessage(summary);
    const posted = await slack.postDirectMessage(existing.initiatedById, message);
    await prisma.offboarding.update({ where: { id }, data: { statusChannelId: posted.channel, statusTs: posted.ts } });
    await this.refreshStatus(id, message);
  }

  /** Renders the latest state; renders again after updating, so a slower, older refresh never wins. */
  private async refreshStatus(id: number, shown?: SlackMessage): Promise<void> {
    const { prisma, slack } = this.deps;
    let last = shown ? JSON.stringify(shown) : undefined;
    for (let pass = 0; pass < 3; pass += 1) {
      const row = await prisma.offboarding.findUniqueOrThrow({ where: { id }, select: { statusChannelId: true, statusTs: true } });
      if (!row.statusChannelId || !row.statusTs) return;
      const message = buildOffboardStatusMessage(await this.loadSummary(prisma, id));
      const text = JSON.stringify(message);
      if (text === last) return;
      await slack.updateMessage(row.statusChannelId, row.statusTs, message);
      last = text;
    }
  }

  private async notifyForwardTarget(id: number): Promise<void> {
    const { prisma, slack } = this.deps;
    const summary = await this.loadSummary(prisma, id);
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

  jobHandlers(): JobHandlers {
    const id = (payload: z.infer<typeof idPayload>) => payload.offboardingId;
    const dead = (kind: StepKind) => (payload: z.infer<typeof idPayload>, error: Error, context: JobContext) => this.failStep(id(payload), kind, error, context.attempt);
    return {
      [OffboardingJobs.activate]: { schema: idPayload, run: (p: z.infer<typeof idPayload>) => this.activate(id(p)), onDead: dead(Steps.savePriorState) },
      [OffboardingJobs.step]: {
        schema: stepPayload,
        run: (p: z.infer<typeof stepPayload>) => this.runActivationStep(p.offboardingId, p.step),
        onDead: (p: z.infer<typeof stepPayload>, error, context) => this.failStep(p.offboardingId, p.step, error, context.attempt),
      },
      [OffboardingJobs.restore]: { schema: idPayload, run: (p: z.infer<typeof idPayload>) => this.restore(id(p)), onDead: dead(Steps.restore) },
      [OffboardingJobs.delete]: { schema: idPayload, run: (p: z.infer<typeof idPayload>) => this.deleteMailbox(id(p)), onDead: dead(Steps.delete) },
      [OffboardingJobs.postStatus]: { schema: idPayload, run: (p: z.infer<typeof idPayload>) => this.postStatus(id(p)) },
      [OffboardingJobs.refreshStatus]: { schema: idPayload, run: (p: z.infer<typeof idPayload>) => this.refreshStatus(id(p)) },
      [OffboardingJobs.ask]: { schema: askPayload, run: (p: z.infer<typeof askPayload>) => this.postAsk(p) },
      [OffboardingJobs.refreshAsks]: { schema: idPayload, run: (p: z.infer<typeof idPayload>) => this.refreshAsks(id(p)) },
      [OffboardingJobs.notifyForwardTarget]: { schema: idPayload, run: (p: z.infer<typeof idPayload>) => this.notifyForwardTarget(id(p)) },
    };
  }
}

const loadedSelect = {
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
} satisfies Prisma.OffboardingSelect;
type LoadedOffboarding = Prisma.OffboardingGetPayload<{ select: typeof loadedSelect }>;
