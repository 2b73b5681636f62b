import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { withTimeout } from '../../lib/timeout.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { MailboxProvider } from '../../providers/mailbox-provider.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import { RequestFields } from '../../slack/ids.ts';
import type { RequestSummary } from '../../views/request-messages.ts';
import { recordAudit, requestSubject, SYSTEM_ACTOR } from '../audit/audit.ts';
import { isUniqueViolation } from '../../platform/db-types.ts';
import { handle, job, type JobHandler, type JobQueue, PermanentJobError, type QueuedJob } from '../../platform/jobs.ts';
import { homeRefreshJob } from '../home/home-service.ts';
import { generatePassword } from '../credentials/password.ts';
import type { RequestNotifier } from './notifications.ts';
import { type FieldErrors, type RawRequestForm, validateRequestForm } from './validation.ts';
import { RequestDms } from './dms.ts';
import { approvalDmJob, loadSummary, noticeJob, parseApproverIds, RequestJobs, refreshJobs } from './model.ts';

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
  | { ok: false; code: 'reason_required' };

export type DecisionResult = { ok: true; status: 'APPROVED' | 'REJECTED' } | DecisionRefusal;

export type CancelResult =
  | { ok: true; summary: RequestSummary }
  | { ok: false; code: 'not_found' | 'not_requester' }
  | { ok: false; code: 'already_decided'; status: string; decidedById: string | null };

export type RetryResult =
  | { ok: true }
  | { ok: false; code: 'not_found' | 'not_admin' | 'not_failed' | 'address_taken' };

export const secretContext = (requestId: number): string => `email-request:${requestId}:mailbox-password`;

/**
 * The request → approval → mailbox flow. Authorization, "exactly one decision" and idempotent
 * provisioning live here; Slack handlers only parse, ack and render.
 */
export class RequestService {
  /** The Slack messages about requests (approval DMs, notices) and their jobs. */
  private readonly dms: RequestDms;

  constructor(private readonly deps: RequestServiceDeps) {
    this.dms = new RequestDms(deps);
  }

  // ---------------------------------------------------------------- submit

  async submit(requesterId: string, form: RawRequestForm): Promise<SubmitResult> {
    const { prisma, settings, clock } = this.deps;
    const checked = validateRequestForm(form, { domains: settings.domains, phoneRegion: settings.phoneRegion, today: clock.now() });
    const errors: FieldErrors = checked.ok ? {} : { ...checked.errors };
    const address = checked.ok ? checked.value.address : undefined;

    const [superiorError, addressError] = await Promise.all([
      form.superiorId && !errors[RequestFields.superior] ? this.checkSuperior(form.superiorId) : undefined,
      address ? this.checkAddressFree(address) : undefined,
    ]);
    if (superiorError) errors[RequestFields.superior] = superiorError;
    if (addressError) errors[RequestFields.localPart] = addressError;

    let approverIds: string[] = [];
    let routedToAdmins = false;
    if (checked.ok && !superiorError) {
      routedToAdmins = checked.value.superiorId === requesterId;
      approverIds = routedToAdmins ? settings.adminIds.filter((id) => id !== requesterId) : [checked.value.superiorId];
      if (approverIds.length === 0) {
        errors[RequestFields.superior] = 'You are the superior and the only admin: nobody approves their own request. Ask another admin to file it.';
      }
    }
    if (!checked.ok || Object.keys(errors).length > 0) return { ok: false, errors };

    const value = checked.value;
    try {
      const request = await this.deps.jobs.transaction(prisma, async (tx) => {
        // The app's clock, not the database's: expiry, reminders and "waiting N" compare it to clock.now().
        const now = clock.now();
        const created = await tx.emailRequest.create({
          data: {
            createdAt: now,
            updatedAt: now,
            requesterId,
            superiorId: value.superiorId,
            approverIds,
            routedToAdmins,
            fullName: value.fullName,
            localPart: value.localPart,
            domain: value.domain,
            address: value.address,
            openAddress: value.address,
            personalEmail: value.personalEmail,
            phone: value.phone,
            startDate: value.startDate,
            note: value.note,
          },
          select: { id: true },
        });
        await recordAudit(tx, {
          actor: requesterId,
          action: 'request.submitted',
          subject: requestSubject(created.id),
          outcome: 'ok',
          details: { address: value.address, superiorId: value.superiorId, approverIds, routedToAdmins },
        }, now);
        await this.deps.jobs.enqueue(tx, [
          ...approverIds.map((approverId) => approvalDmJob(created.id, approverId)),
          noticeJob(created.id, requesterId, 'submitted'),
          homeRefreshJob(created.id, 'submitted'),
        ]);
        return created;
      });
      return { ok: true, requestId: request.id };
    } catch (error) {
      // Two submissions for one address raced past the check above: the unique index decides.
      if (isUniqueViolation(error)) return { ok: false, errors: { [RequestFields.localPart]: `${value.address} was just requested by someone else.` } };
      throw error;
    }
  }

  private async checkSuperior(superiorId: string): Promise<string | undefined> {
    try {
      const user = await withTimeout(this.deps.slack.getUser(superiorId), this.deps.settings.lookupBudgetMs ?? 1500);
      if (user === 'timeout') return 'Slack did not answer in time while checking this person; please submit again.';
      if (!user) return 'This person was not found in Slack.';
      if (user.isBot) return 'Choose a person, not a bot or app.';
      if (user.deleted) return 'This person’s Slack account is deactivated; choose an active superior.';
      return undefined;
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'superior lookup failed');
      return 'Slack could not check this person just now; please submit again.';
    }
  }

  private async checkAddressFree(address: string): Promise<string | undefined> {
    const { prisma, provider, logger, settings } = this.deps;
    const [open, mailbox] = await Promise.all([
      prisma.emailRequest.findUnique({ where: { openAddress: address }, select: { id: true } }),
      prisma.mailbox.findFirst({ where: { address, status: { not: 'DELETED' } }, select: { id: true } }),
    ]);
    if (open) return `${address} is already requested (request #${open.id} is still open).`;
    if (mailbox) return `${address} already exists.`;
    // The provider may be slow or down; the request is still worth keeping, because provisioning
    // checks again and refuses an address someone else holds.
    const found = await withTimeout(provider.find(address), settings.lookupBudgetMs ?? 1500);
    if (found === 'timeout' || !found.ok) {
      logger.warn({ address, outcome: found === 'timeout' ? 'timeout' : found.code }, 'could not check the address at the provider; provisioning will');
      return undefined;
    }
    return found.value ? `${address} already exists on the mail server.` : undefined;
  }

  // ---------------------------------------------------------------- decide

  private isAllowedToDecide(request: { requesterId: string; approverIds: unknown }, actorId: string): boolean {
    if (actorId === request.requesterId) return false;
    return parseApproverIds(request.approverIds).includes(actorId) || this.deps.settings.adminIds.includes(actorId);
  }

  /** Whether `actorId` may decide now; refusals are audited. Used before opening the reason modal. */
  async checkCanDecide(requestId: number, actorId: string): Promise<{ ok: true; address: string } | DecisionRefusal> {
    const request = await this.deps.prisma.emailRequest.findUnique({
      where: { id: requestId },
      select: { id: true, requesterId: true, approverIds: true, status: true, decidedById: true, address: true },
    });
    if (!request) return { ok: false, code: 'not_found' };
    if (!this.isAllowedToDecide(request, actorId)) return this.refuse(request, actorId);
    if (request.status !== 'PENDING_APPROVAL') return { ok: false, code: 'already_decided', status: request.status, decidedById: request.decidedById };
    return { ok: true, address: request.address };
  }

  private async refuse(request: { id: number; requesterId: string; approverIds: unknown }, actorId: string): Promise<DecisionRefusal> {
    const approverIds = parseApproverIds(request.approverIds);
    await recordAudit(this.deps.prisma, {
      actor: actorId,
      action: 'request.decision_refused',
      subject: requestSubject(request.id),
      outcome: 'refused',
      details: { reason: actorId === request.requesterId ? 'own_request' : 'not_approver' },
    }, this.deps.clock.now());
    return { ok: false, code: 'not_approver', approverIds, isRequester: actorId === request.requesterId };
  }

  /**
   * One conditional update (`WHERE status = PENDING_APPROVAL`) inside the transaction that also
   * writes the audit row and the implied jobs: double clicks, Slack retries and two approvers
   * clicking at once yield exactly one decision.
   */
  async decide(input: { requestId: number; actorId: string; decision: 'approve' | 'reject'; reason?: string }): Promise<DecisionResult> {
    const { prisma, clock } = this.deps;
    const request = await prisma.emailRequest.findUnique({
      where: { id: input.requestId },
      select: { id: true, requesterId: true, approverIds: true, address: true },
    });
    if (!request) return { ok: false, code: 'not_found' };
    if (!this.isAllowedToDecide(request, input.actorId)) return this.refuse(request, input.actorId);
    const reason = input.reason?.trim();
    if (input.decision === 'reject' && !reason) return { ok: false, code: 'reason_required' };

    const status = input.decision === 'approve' ? 'APPROVED' : 'REJECTED';
    const decided = await this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      const { count } = await tx.emailRequest.updateMany({
        where: { id: request.id, status: 'PENDING_APPROVAL' },
        data: {
          status,
          decidedById: input.actorId,
          decidedAt: now,
          decisionReason: status === 'REJECTED' ? reason : null,
          // A rejected address is free again; an approved one stays reserved until provisioning ends.
          ...(status === 'REJECTED' ? { openAddress: null } : {}),
          version: { increment: 1 },
        },
      });
      if (count === 0) return false;
      await recordAudit(tx, {
        actor: input.actorId,
        action: status === 'APPROVED' ? 'request.approved' : 'request.rejected',
        subject: requestSubject(request.id),
        outcome: 'ok',
        details: status === 'REJECTED' ? { reason: reason ?? '' } : { address: request.address },
      }, now);
      const jobs: QueuedJob[] = [...refreshJobs(request.id, status), noticeJob(request.id, request.requesterId, 'decided')];
      if (status === 'APPROVED') {
        jobs.push(job(RequestJobs.provision, { requestId: request.id }, { dedupeKey: `provision:${request.id}:0`, requestId: request.id }));
      }
      await this.deps.jobs.enqueue(tx, jobs);
      if (status === 'REJECTED') await this.deps.notifier.requestRejected(tx, request.id);
      return true;
    });
    if (decided) return { ok: true, status };

    const current = await prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id }, select: { status: true, decidedById: true } });
    await recordAudit(prisma, {
      actor: input.actorId,
      action: `request.${input.decision}`,
      subject: requestSubject(request.id),
      outcome: 'ignored',
      details: { reason: 'already_decided', status: current.status },
    }, this.deps.clock.now());
    return { ok: false, code: 'already_decided', status: current.status, decidedById: current.decidedById };
  }

  /**
   * The requester (or an admin) withdraws a request nobody has decided yet: the same conditional
   * update as a decision, so a cancel and an approval racing each other yield exactly one outcome.
   */
  async cancel(requestId: number, actorId: string): Promise<CancelResult> {
    const { prisma, clock } = this.deps;
    const request = await prisma.emailRequest.findUnique({ where: { id: requestId }, select: { id: true, requesterId: true } });
    if (!request) return { ok: false, code: 'not_found' };
    if (actorId !== request.requesterId && !this.deps.settings.adminIds.includes(actorId)) {
      await recordAudit(prisma, { actor: actorId, action: 'request.cancel', subject: requestSubject(requestId), outcome: 'refused', details: { reason: 'not_requester' } }, this.deps.clock.now());
      return { ok: false, code: 'not_requester' };
    }
    const cancelled = await this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      const { count } = await tx.emailRequest.updateMany({
        where: { id: requestId, status: 'PENDING_APPROVAL' },
        data: { status: 'CANCELLED', decidedById: actorId, decidedAt: now, openAddress: null, version: { increment: 1 } },
      });
      if (count === 0) return false;
      await recordAudit(tx, { actor: actorId, action: 'request.cancelled', subject: requestSubject(requestId), outcome: 'ok' }, now);
      await this.deps.jobs.enqueue(tx, refreshJobs(requestId, 'CANCELLED'));
      return true;
    });
    if (cancelled) return { ok: true, summary: await loadSummary(prisma, requestId) };
    const current = await prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: { status: true, decidedById: true } });
    await recordAudit(prisma, { actor: actorId, action: 'request.cancel', subject: requestSubject(requestId), outcome: 'ignored', details: { reason: 'already_decided', status: current.status } }, this.deps.clock.now());
    return { ok: false, code: 'already_decided', status: current.status, decidedById: current.decidedById };
  }

  // ---------------------------------------------------------------- stale requests (the sweep)

  /**
   * Pending requests nobody decided: the approvers are reminded every `reminderHours`, and after
   * `expiryDays` the request expires (requester told, address free). Safe to run on several
   * replicas: each change is a conditional update, and the sweep holds a lease besides.
   */
  async sweepPending(): Promise<{ reminded: number; expired: number }> {
    const { prisma, clock, settings } = this.deps;
    const now = clock.now();
    let expired = 0;
    let reminded = 0;
    const expiryDays = settings.expiryDays ?? 0;
    if (expiryDays > 0) {
      const stale = await prisma.emailRequest.findMany({
        where: { status: 'PENDING_APPROVAL', createdAt: { lte: new Date(now.getTime() - expiryDays * 86_400_000) } },
        select: { id: true, requesterId: true },
        take: 200,
      });
      for (const request of stale) if (await this.expire(request, expiryDays)) expired += 1;
    }
    const reminderHours = settings.reminderHours ?? 0;
    if (reminderHours > 0) {
      const before = new Date(now.getTime() - reminderHours * 3_600_000);
      const waiting = await prisma.emailRequest.findMany({
        where: { status: 'PENDING_APPROVAL', OR: [{ remindedAt: null, createdAt: { lte: before } }, { remindedAt: { lte: before } }] },
        select: { id: true, requesterId: true, approverIds: true, reminderCount: true, escalatedAt: true },
        take: 200,
      });
      for (const request of waiting) if (await this.remind(request)) reminded += 1;
    }
    return { reminded, expired };
  }

  private async remind(request: { id: number; requesterId: string; approverIds: unknown; reminderCount: number; escalatedAt: Date | null }): Promise<boolean> {
    const { prisma, clock, settings } = this.deps;
    const approvers = parseApproverIds(request.approverIds);
    const round = request.reminderCount + 1;
    const admins = settings.adminIds.filter((id) => id !== request.requesterId && !approvers.includes(id));
    const escalateNow = !request.escalatedAt && admins.length > 0 && settings.escalateAfterReminders !== undefined && settings.escalateAfterReminders > 0 && round >= settings.escalateAfterReminders;
    // Admins who already hold the approval message are reminded like the approvers.
    const recipients = request.escalatedAt ? [...approvers, ...admins] : approvers;
    return this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      // Conditional on the count read above: two sweeps racing send one reminder.
      const { count } = await tx.emailRequest.updateMany({
        where: { id: request.id, status: 'PENDING_APPROVAL', reminderCount: request.reminderCount },
        data: { remindedAt: now, reminderCount: { increment: 1 } },
      });
      if (count === 0) return false;
      await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'request.reminded', subject: requestSubject(request.id), outcome: 'ok', details: { recipients, round } }, now);
      await this.deps.jobs.enqueue(tx, recipients.map((userId) => noticeJob(request.id, userId, 'reminder', String(round))));
      // Superiors miss DMs: each reminder also goes by SMS and email, as the first call did.
      for (const userId of recipients) await this.deps.notifier.approvalRequested(tx, request.id, userId, `reminder-${round}`);
      if (escalateNow) {
        await tx.emailRequest.update({ where: { id: request.id }, data: { escalatedAt: now } });
        await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'request.escalated', subject: requestSubject(request.id), outcome: 'ok', details: { to: admins, afterReminders: round } }, now);
        // The admins get the approval message itself (the same job as the superior's), so their copies update with every decision.
        await this.deps.jobs.enqueue(tx, [
          ...admins.map((adminId) => approvalDmJob(request.id, adminId)),
          ...refreshJobs(request.id, 'escalated'),
        ]);
      }
      return true;
    });
  }

  private async expire(request: { id: number; requesterId: string }, days: number): Promise<boolean> {
    const { prisma, clock } = this.deps;
    return this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      // The same conditional update as a decision: an approval landing now wins, or the expiry does.
      const { count } = await tx.emailRequest.updateMany({
        where: { id: request.id, status: 'PENDING_APPROVAL' },
        data: { status: 'EXPIRED', decidedAt: now, openAddress: null, version: { increment: 1 } },
      });
      if (count === 0) return false;
      await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'request.expired', subject: requestSubject(request.id), outcome: 'ok', details: { afterDays: days } }, now);
      await this.deps.jobs.enqueue(tx, [...refreshJobs(request.id, 'EXPIRED'), noticeJob(request.id, request.requesterId, 'expired')]);
      return true;
    });
  }

  /** FAILED → provisioning again, for an admin; the address must still be free of other open requests. */
  async retryProvisioning(requestId: number, actorId: string): Promise<RetryResult> {
    const { prisma } = this.deps;
    if (!this.deps.settings.adminIds.includes(actorId)) {
      await recordAudit(prisma, { actor: actorId, action: 'request.retry', subject: requestSubject(requestId), outcome: 'refused', details: { reason: 'not_admin' } }, this.deps.clock.now());
      return { ok: false, code: 'not_admin' };
    }
    const request = await prisma.emailRequest.findUnique({ where: { id: requestId }, select: { id: true, address: true, version: true } });
    if (!request) return { ok: false, code: 'not_found' };
    try {
      return await this.deps.jobs.transaction(prisma, async (tx) => {
        const { count } = await tx.emailRequest.updateMany({
          where: { id: requestId, status: 'FAILED' },
          data: { status: 'APPROVED', failureReason: null, openAddress: request.address, version: { increment: 1 } },
        });
        if (count === 0) return { ok: false as const, code: 'not_failed' as const };
        await recordAudit(tx, { actor: actorId, action: 'request.retry', subject: requestSubject(requestId), outcome: 'ok' }, this.deps.clock.now());
        await this.deps.jobs.enqueue(tx, [
          job(RequestJobs.provision, { requestId }, { dedupeKey: `provision:${requestId}:${request.version + 1}`, requestId }),
          // The admins' Home tabs count failed requests.
          ...refreshJobs(requestId, `retry-${request.version + 1}`, { admins: true }),
        ]);
        return { ok: true as const };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, code: 'address_taken' };
      throw error;
    }
  }

  // ---------------------------------------------------------------- provision

  /**
   * Creates the mailbox exactly once. The password is generated once, sealed, and reused by every
   * retry, so "already exists" can be told apart: if our password opens it, an earlier attempt of
   * this very request created it (e.g. it timed out after cPanel had acted).
   */
  async provision(requestId: number, attempt: number): Promise<void> {
    const { prisma, provider, secrets, settings, logger } = this.deps;
    const request = await prisma.emailRequest.findUnique({
      where: { id: requestId },
      select: { id: true, status: true, localPart: true, domain: true, address: true, secretCipher: true },
    });
    if (!request) throw new PermanentJobError(`request ${requestId} does not exist`);
    if (request.status === 'ACTIVE') return;
    if (request.status !== 'APPROVED' && request.status !== 'PROVISIONING') {
      logger.info({ requestId, status: request.status }, 'provisioning skipped: request is no longer approved');
      return;
    }

    let sealed = request.secretCipher;
    if (!sealed) {
      const candidate = secrets.seal(generatePassword(), secretContext(requestId));
      // Conditional: if a concurrent attempt already stored a password, theirs wins and is reused.
      await prisma.emailRequest.updateMany({ where: { id: requestId, secretCipher: null }, data: { secretCipher: candidate } });
      sealed = (await prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: { secretCipher: true } })).secretCipher;
      if (!sealed) throw new Error('the sealed password vanished');
    }
    await prisma.emailRequest.updateMany({ where: { id: requestId, status: 'APPROVED' }, data: { status: 'PROVISIONING' } });
    const password = secrets.open(sealed, secretContext(requestId));

    const created = await provider.create({ localPart: request.localPart, domain: request.domain, password, quotaMb: settings.quotaMb });
    if (!created.ok) {
      // The host serving this domain (MAILBOX_PROVIDER_BY_DOMAIN), not the default provider.
      const host = provider.nameFor(request.domain);
      if (created.code === 'already_exists') {
        const ours = await provider.verifyPassword(request.address, password);
        if (!ours.ok) throw new Error(`could not verify the existing mailbox: ${ours.reason}`);
        if (!ours.value) {
          throw new PermanentJobError(`${request.address} already exists on the mail server and was not created by this request.`);
        }
        logger.info({ requestId, attempt }, 'mailbox already created by an earlier attempt of this request');
      } else if (created.code === 'unavailable') {
        throw new Error(`${host} is unavailable: ${created.reason}`);
      } else {
        throw new PermanentJobError(`${host} refused to create ${request.address}: ${created.reason}`);
      }
    }
    await this.markActive(requestId);
  }

  private async markActive(requestId: number): Promise<void> {
    const { prisma, clock, provider, settings } = this.deps;
    await this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      const request = await tx.emailRequest.findUniqueOrThrow({
        where: { id: requestId },
        select: { id: true, requesterId: true, superiorId: true, fullName: true, localPart: true, domain: true, address: true, personalEmail: true, phone: true },
      });
      const { count } = await tx.emailRequest.updateMany({
        where: { id: requestId, status: { in: ['APPROVED', 'PROVISIONING'] } },
        data: { status: 'ACTIVE', openAddress: null, provisionedAt: now, failureReason: null },
      });
      if (count === 0) return;
      const staff = await tx.staff.upsert({
        where: { workEmail: request.address },
        create: { fullName: request.fullName, workEmail: request.address, personalEmail: request.personalEmail, phone: request.phone, superiorSlackId: request.superiorId, createdAt: now },
        update: { fullName: request.fullName, personalEmail: request.personalEmail, phone: request.phone, superiorSlackId: request.superiorId },
        select: { id: true },
      });
      const mailbox = { localPart: request.localPart, domain: request.domain, provider: provider.nameFor(request.domain), status: 'ACTIVE' as const, quotaMb: settings.quotaMb, requestId, staffId: staff.id };
      await tx.mailbox.upsert({ where: { address: request.address }, create: { address: request.address, ...mailbox, createdAt: now }, update: mailbox });
      await recordAudit(tx, {
        actor: SYSTEM_ACTOR,
        action: 'mailbox.created',
        subject: requestSubject(requestId),
        outcome: 'ok',
        details: { address: request.address, provider: provider.nameFor(request.domain), quotaMb: settings.quotaMb },
      }, now);
      await this.deps.jobs.enqueue(tx, [...refreshJobs(requestId, 'ACTIVE'), noticeJob(requestId, request.requesterId, 'ready')]);
      await this.deps.notifier.mailboxReady(tx, requestId);
    });
  }

  /** The provisioning job died: the request is FAILED, the admins and the requester are told. */
  async markProvisioningFailed(requestId: number, reason: string, attempts: number): Promise<void> {
    const { prisma, settings } = this.deps;
    await this.deps.jobs.transaction(prisma, async (tx) => {
      const request = await tx.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: { requesterId: true, address: true, version: true } });
      const { count } = await tx.emailRequest.updateMany({
        where: { id: requestId, status: { in: ['APPROVED', 'PROVISIONING'] } },
        data: { status: 'FAILED', failureReason: reason, openAddress: null },
      });
      if (count === 0) return;
      await recordAudit(tx, {
        actor: SYSTEM_ACTOR,
        action: 'mailbox.create_failed',
        subject: requestSubject(requestId),
        outcome: 'failed',
        details: { address: request.address, reason, attempts },
      }, this.deps.clock.now());
      const key = `failed-${request.version}`;
      await this.deps.jobs.enqueue(tx, [
        ...refreshJobs(requestId, key, { admins: true }),
        noticeJob(requestId, request.requesterId, 'failed', key),
        ...settings.adminIds.map((adminId) => noticeJob(requestId, adminId, 'admin_failure', `${key}-${attempts}`, attempts)),
      ]);
      await this.deps.notifier.provisioningFailed(tx, requestId, `${key}-${attempts}`, attempts);
    });
  }

  jobHandlers(): JobHandler[] {
    return [
      ...this.dms.jobHandlers(),
      handle(RequestJobs.provision, {
        run: (payload, context) => this.provision(payload.requestId, context.attempt),
        onDead: (payload, error, context) => this.markProvisioningFailed(payload.requestId, error.message, context.attempt),
      }),
    ];
  }
}
