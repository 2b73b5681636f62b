import { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { Db } from '../../platform/db-types.ts';
import { defineJob, handle, type JobHandler, type JobQueue, job } from '../../platform/jobs.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import {
  adminFailureEmail,
  approvalRequestEmail,
  approvalRequestSms,
  type EmailContent,
  newHireCheckInboxSms,
  newHireLinkEmail,
  newHireLinkSms,
  newHirePasswordEmail,
  newHireRejectedEmail,
  newHireRejectedSms,
  type RequestFacts,
  requesterReadyEmail,
  requesterRejectedEmail,
} from '../../views/notification-templates.ts';
import type { OneTimeSecrets } from '../credentials/one-time-secrets.ts';
import type { ContactResolver } from '../notifications/contacts.ts';
import type { TemplateSettings } from '../notifications/model.ts';
import type { NotificationService } from '../notifications/notification-service.ts';
import { type RequestSummary, summarySelect } from './summary.ts';

const contactsPayload = z.object({
  requestId: z.number().int().positive(),
  event: z.enum(['approval_requested', 'rejected', 'ready', 'failed']),
  /** The approver, for approval_requested. */
  userId: z.string().min(1).optional(),
  attempts: z.number().int().min(0).optional(),
  /** Tells repeated events apart (e.g. a second failure after a retry). */
  key: z.string().default(''),
});
type ContactsPayload = z.infer<typeof contactsPayload>;

/** Deliveries planned outside a transaction (their Slack lookups done), to be written inside one. */
export interface PlannedDeliveries {
  write(tx: Db): Promise<void>;
}

export const RequestNotifyJobs = { notifyContacts: defineJob('request.notify_contacts', contactsPayload, { lane: 'notify' }) };

export interface RequestNotifierDeps {
  prisma: PrismaClient;
  jobs: JobQueue;
  slack: SlackGateway;
  secrets: SecretBox;
  notifications: NotificationService;
  contacts: ContactResolver;
  oneTimeSecrets: OneTimeSecrets;
  logger: Logger;
  /** Opens the mailbox password sealed on EmailRequest.secretCipher. */
  passwordContext: (requestId: number) => string;
  settings: TemplateSettings & {
    adminIds: readonly string[];
    /** Set: credentials go out as one-time links. Unset: the password goes by email to the personal address only. */
    publicUrl: string | undefined;
    ttlHours: number;
  };
}

/**
 * Who hears what outside Slack about a mailbox request (SMS and email; Slack DMs stay in
 * RequestService). Called inside RequestService's transactions; anything that needs a Slack
 * lookup (contacts, permalinks) runs later as a `request.notify_contacts` job.
 */
export class RequestNotifier {
  constructor(private readonly deps: RequestNotifierDeps) {}

  /** After the approval DM to `approverId` is stored: SMS and email to that approver, with a link to the DM. */
  /** `key` tells rounds apart: '' when the request arrives, `reminder-N` for the N-th reminder. */
  async approvalRequested(db: Db, requestId: number, approverId: string, key = ''): Promise<void> {
    await this.enqueueContactsJob(db, { requestId, event: 'approval_requested', userId: approverId, key });
  }

  async requestRejected(db: Db, requestId: number): Promise<void> {
    await this.enqueueContactsJob(db, { requestId, event: 'rejected', key: '' });
  }

  async provisioningFailed(db: Db, requestId: number, key: string, attempts: number): Promise<void> {
    await this.enqueueContactsJob(db, { requestId, event: 'failed', key, attempts });
  }

  /**
   * In markActive's transaction, with the request as provisioning read it: hands the sealed mailbox password over to the new hire's
   * deliveries (a one-time link, or the password-bearing email) and clears it from the request. The requester's email goes
   * with their Slack notice (the `request.notify` "ready" job, RequestDms), which plans it with planNow.
   */
  async mailboxReady(db: Db, request: RequestSummary & { secretCipher: string | null }): Promise<void> {
    const { settings, notifications } = this.deps;
    const requestId = request.id;
    const facts = this.facts(request, '');
    const dedupe = (who: string) => `request:${requestId}:ready:${who}`;
    if (request.secretCipher) {
      const password = this.deps.secrets.open(request.secretCipher, this.deps.passwordContext(requestId));
      if (settings.publicUrl) {
        const { link } = await this.deps.oneTimeSecrets.create(db, { requestId, credentials: { address: request.address, password } });
        await notifications.enqueueSecretSms(db, {
          to: request.phone,
          body: newHireLinkSms(settings, facts, settings.ttlHours),
          template: 'new-hire-credentials-link-sms',
          dedupeKey: dedupe('new-hire:sms'),
          requestId,
          secret: link,
        });
        await notifications.enqueueSecretEmail(db, {
          to: request.personalEmail,
          ...newHireLinkEmail(settings, facts, settings.ttlHours),
          template: 'new-hire-credentials-link-email',
          dedupeKey: dedupe('new-hire:email'),
          requestId,
          secret: link,
        });
      } else {
        await notifications.enqueueSecretEmail(db, {
          to: request.personalEmail,
          ...newHirePasswordEmail(settings, facts),
          template: 'new-hire-credentials-password-email',
          dedupeKey: dedupe('new-hire:email'),
          requestId,
          secret: password,
        });
        await notifications.enqueueSms(db, {
          to: request.phone,
          body: newHireCheckInboxSms(settings, facts),
          template: 'new-hire-check-inbox-sms',
          dedupeKey: dedupe('new-hire:sms'),
          requestId,
        });
      }
      // Handed over: from here the password exists only sealed in the deliveries (and the link's secret).
      await db.emailRequest.updateMany({ where: { id: requestId }, data: { secretCipher: null } });
    } else {
      this.deps.logger.warn({ requestId }, 'mailbox ready but no sealed password left to hand over');
    }
  }

  /**
   * The SMS and email of `payload`'s event, planned by the job that caused it (its Slack lookups:
   * contacts, the DM's permalink), so that job writes them in its own transaction instead of
   * queueing a `request.notify_contacts` job; `dm` is the approval DM just posted. Undefined when a
   * lookup failed: the caller passes that on to writeOrEnqueue, which queues the job (it retries).
   */
  async planNow(
    payload: ContactsPayload,
    request: RequestSummary,
    dm?: { channelId: string; ts: string },
  ): Promise<PlannedDeliveries | undefined> {
    try {
      const plan = await this.plan(payload, request, dm);
      return { write: (tx) => (plan ? plan.write(tx) : Promise.resolve()) };
    } catch (error) {
      this.deps.logger.warn(
        { err: { message: error instanceof Error ? error.message : String(error) }, requestId: payload.requestId, event: payload.event },
        'contacts not resolved now; a request.notify_contacts job will',
      );
      return undefined;
    }
  }

  /** Writes what planNow planned, or (nothing planned) queues the `request.notify_contacts` job for it. */
  async writeOrEnqueue(db: Db, payload: ContactsPayload, planned: PlannedDeliveries | undefined): Promise<void> {
    if (planned) await planned.write(db);
    else await this.enqueueContactsJob(db, payload);
  }

  private async enqueueContactsJob(db: Db, payload: ContactsPayload): Promise<void> {
    const who = payload.userId ? `:${payload.userId}` : '';
    await this.deps.jobs.enqueue(
      db,
      job(RequestNotifyJobs.notifyContacts, payload, {
        dedupeKey: `notify-contacts:${payload.requestId}:${payload.event}${who}:${payload.key}`,
        requestId: payload.requestId,
      }),
    );
  }

  private facts(
    request: {
      id: number;
      fullName: string;
      address: string;
      startDate: Date | null;
      note: string | null;
      decisionReason: string | null;
      failureReason: string | null;
    },
    requesterName: string,
  ): RequestFacts {
    return {
      id: request.id,
      fullName: request.fullName,
      address: request.address,
      requesterName,
      startDate: request.startDate,
      note: request.note,
      decisionReason: request.decisionReason,
      failureReason: request.failureReason,
    };
  }

  // ---------------------------------------------------------------- the job

  private async notifyContacts(payload: ContactsPayload): Promise<void> {
    const { prisma, jobs } = this.deps;
    const request = await prisma.emailRequest.findUniqueOrThrow({ where: { id: payload.requestId }, select: summarySelect });
    // Slack lookups first, then one transaction that writes every delivery of this event.
    const plan = await this.plan(payload, request);
    if (plan) await jobs.transaction(prisma, (tx) => plan.write(tx));
  }

  /** The deliveries of one event (null: none are due, e.g. the request was decided before its approver could be called). */
  private async plan(payload: ContactsPayload, request: RequestSummary, postedDm?: { channelId: string; ts: string }) {
    const { contacts, settings } = this.deps;
    const requester = await contacts.resolve(request.requesterId);
    const facts = this.facts(request, requester.name);
    const plan = new DeliveryPlan(
      this.deps.notifications,
      `request:${request.id}:${payload.event}${payload.key ? `:${payload.key}` : ''}`,
      request.id,
    );
    switch (payload.event) {
      case 'approval_requested':
        // Decided before the job ran: nobody needs to be called to a request that is no longer pending.
        if (!payload.userId || request.status !== 'PENDING_APPROVAL') return null;
        if (!(await this.planApprovalRequested(plan, request.id, payload.userId, facts, postedDm))) return null;
        break;
      case 'rejected':
        plan.email('requester', requester, requesterRejectedEmail(settings, facts), 'requester-rejected-email');
        plan.smsTo('new-hire', request.phone, newHireRejectedSms(settings, facts), 'new-hire-rejected-sms');
        plan.emailTo('new-hire', request.personalEmail, newHireRejectedEmail(settings, facts), 'new-hire-rejected-email');
        break;
      case 'ready':
        plan.email(
          'requester',
          requester,
          requesterReadyEmail(settings, facts, settings.publicUrl ? 'link' : 'password'),
          'requester-ready-email',
        );
        break;
      case 'failed': {
        const admins = await Promise.all(settings.adminIds.map((id) => contacts.resolve(id)));
        for (const admin of admins)
          plan.email(
            admin.slackUserId,
            admin,
            adminFailureEmail(settings, facts, payload.attempts ?? 0),
            'admin-provisioning-failed-email',
          );
        break;
      }
    }
    return plan;
  }

  /** The approver's SMS and email, linking to their DM; false when there is no DM (yet) to link to. */
  private async planApprovalRequested(
    plan: DeliveryPlan,
    requestId: number,
    approverId: string,
    facts: RequestFacts,
    postedDm?: { channelId: string; ts: string },
  ): Promise<boolean> {
    const { prisma, contacts, settings } = this.deps;
    const dm = postedDm ?? (await prisma.approvalMessage.findUnique({ where: { requestId_userId: { requestId, userId: approverId } } }));
    if (!dm) return false;
    const [approver, link] = await Promise.all([contacts.resolve(approverId), this.deps.slack.getPermalink(dm.channelId, dm.ts)]);
    plan.sms(approverId, approver, approvalRequestSms(settings, facts), 'approval-request-sms');
    plan.email(approverId, approver, approvalRequestEmail(settings, facts, link), 'approval-request-email');
    return true;
  }

  jobHandlers(): JobHandler[] {
    return [handle(RequestNotifyJobs.notifyContacts, { run: (payload) => this.notifyContacts(payload) })];
  }
}

/**
 * The deliveries one event asks for, written together: to a person (by their Staff/Slack contact,
 * or a SKIPPED row saying why not) or to an address typed into the request.
 */
class DeliveryPlan {
  private readonly steps: Array<(tx: Db) => Promise<void>> = [];

  constructor(
    private readonly notifications: NotificationService,
    private readonly base: string,
    private readonly requestId: number,
  ) {}

  email(who: string, contact: { email?: string; slackUserId: string }, content: EmailContent, template: string): void {
    const dedupeKey = `${this.base}:${who}:email`;
    const { requestId } = this;
    this.steps.push((tx) =>
      contact.email
        ? this.notifications.enqueueEmail(tx, { to: contact.email, ...content, template, dedupeKey, requestId })
        : this.notifications.recordSkipped(tx, {
            channel: 'EMAIL',
            recipient: `slack:${contact.slackUserId}`,
            template,
            dedupeKey,
            requestId,
            reason: 'no email address in the Staff directory or the Slack profile',
          }),
    );
  }

  sms(who: string, contact: { phone?: string; phoneProblem?: string; slackUserId: string }, body: string, template: string): void {
    const dedupeKey = `${this.base}:${who}:sms`;
    const { requestId } = this;
    const reason = contact.phoneProblem ?? 'no phone number in the Staff directory or the Slack profile';
    this.steps.push((tx) =>
      contact.phone
        ? this.notifications.enqueueSms(tx, { to: contact.phone, body, template, dedupeKey, requestId })
        : this.notifications.recordSkipped(tx, {
            channel: 'SMS',
            recipient: `slack:${contact.slackUserId}`,
            template,
            dedupeKey,
            requestId,
            reason,
          }),
    );
  }

  emailTo(who: string, to: string, content: EmailContent, template: string): void {
    this.steps.push((tx) =>
      this.notifications.enqueueEmail(tx, { to, ...content, template, dedupeKey: `${this.base}:${who}:email`, requestId: this.requestId }),
    );
  }

  smsTo(who: string, to: string, body: string, template: string): void {
    this.steps.push((tx) =>
      this.notifications.enqueueSms(tx, { to, body, template, dedupeKey: `${this.base}:${who}:sms`, requestId: this.requestId }),
    );
  }

  async write(tx: Db): Promise<void> {
    for (const step of this.steps) await step(tx);
  }
}
