import { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db-types.ts';
import { faultPoint } from '../../platform/faults.ts';
import { defineJob, handle, type JobContext, type JobHandler, type JobQueue, job, PermanentJobError } from '../../platform/jobs.ts';
import { insertRows } from '../../platform/sql-insert.ts';
import type { Mailer } from '../../providers/mailer.ts';
import type { SendResult, SmsSender } from '../../providers/sms-sender.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import { postDirectMessageOnce } from '../../slack/post-once.ts';
import { buildDeliveryFailedAlert } from '../../views/delivery-messages.ts';
import { fillSecret, SECRET_SLOT } from '../../views/notification-templates.ts';

export { type Contact, ContactResolver } from './contacts.ts';

export interface EmailInput {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** A short stable name of the template, recorded on the Delivery row. */
  template: string;
  /** Enqueueing the same key twice is a no-op: one Delivery, one send. */
  dedupeKey: string;
  requestId?: number;
}

export interface SmsInput {
  to: string;
  body: string;
  template: string;
  dedupeKey: string;
  requestId?: number;
}

/** The secret (a one-time link, a password) fills SECRET_SLOT in the content at send time only. */
export interface SecretPart {
  secret: string;
}

const deliveryId = z.number().int().positive();
const emailPayload = z.object({ deliveryId, subject: z.string(), text: z.string(), html: z.string(), sealedSecret: z.string().optional() });
const smsPayload = z.object({ deliveryId, body: z.string().min(1), sealedSecret: z.string().optional() });
const alertPayload = z.object({ deliveryId: z.number().int().positive(), adminId: z.string().min(1) });
type EmailPayload = z.infer<typeof emailPayload>;
type SmsPayload = z.infer<typeof smsPayload>;

export const NotificationJobs = {
  email: defineJob('delivery.email', emailPayload, { lane: 'notify' }),
  sms: defineJob('delivery.sms', smsPayload, { lane: 'notify' }),
  alertAdmins: defineJob('delivery.alert_admins', alertPayload, { lane: 'notify' }),
};

/** What a log line shows instead of the secret. */
const WITHHELD = '[secret withheld]';

const secretContext = (id: number): string => `delivery:${id}:secret`;

const DELIVERY_COLUMNS = [
  'channel',
  'recipient',
  'template',
  'status',
  'lastError',
  'dedupeKey',
  'requestId',
  'createdAt',
  'updatedAt',
] as const;

/** INSERT IGNORE (a delivery's dedupe key exists: nothing to do), in SQL: see platform/sql-insert.ts. */
const insertDeliveries = (db: Db, rows: Array<Record<(typeof DELIVERY_COLUMNS)[number], string | number | Date | null>>): Promise<number> =>
  insertRows(db, 'Delivery', DELIVERY_COLUMNS, rows, { ignore: true });

export interface NotificationServiceDeps {
  prisma: PrismaClient;
  jobs: JobQueue;
  clock: Clock;
  secrets: SecretBox;
  sms: SmsSender;
  mailer: Mailer;
  slack: SlackGateway;
  logger: Logger;
  /** Told in Slack when a delivery carrying a secret fails for good. */
  adminIds: readonly string[];
  /** Each delivery outcome (sent, logged, skipped, retry, failed), for the metrics. */
  onOutcome?: (channel: 'SMS' | 'EMAIL', outcome: DeliveryOutcome) => void;
}

export type DeliveryOutcome = 'sent' | 'logged' | 'skipped' | 'retry' | 'failed';

/**
 * SMS and email as durable jobs. Each message is a `Delivery` row (channel, recipient, template,
 * status, provider id, last error: never the body) plus a job whose payload holds the body; a
 * secret part travels sealed with SECRET_KEY, bound to its delivery, and is removed from the job
 * once sent. Twilio/SMTP failures are classified by the adapters: permanent ones fail the delivery
 * at once, others are retried with the queue's backoff.
 */
export class NotificationService {
  constructor(private readonly deps: NotificationServiceDeps) {}

  /** Creates a Delivery and its send job in the caller's transaction (or directly with the client). */
  async enqueueEmail(db: Db, email: EmailInput): Promise<void> {
    await this.enqueueDelivery(db, 'EMAIL', email, { subject: email.subject, text: email.text, html: email.html }, undefined);
  }

  async enqueueSms(db: Db, sms: SmsInput): Promise<void> {
    await this.enqueueDelivery(db, 'SMS', sms, { body: sms.body }, undefined);
  }

  /** As enqueueEmail, for content whose SECRET_SLOT is filled with `secret` at send time. */
  async enqueueSecretEmail(db: Db, email: EmailInput & SecretPart): Promise<void> {
    await this.enqueueDelivery(db, 'EMAIL', email, { subject: email.subject, text: email.text, html: email.html }, email.secret);
  }

  async enqueueSecretSms(db: Db, sms: SmsInput & SecretPart): Promise<void> {
    await this.enqueueDelivery(db, 'SMS', sms, { body: sms.body }, sms.secret);
  }

  /** Records that a message was not sent because there is nobody to send it to (e.g. no phone on file). */
  async recordSkipped(
    db: Db,
    input: { channel: 'SMS' | 'EMAIL'; recipient: string; template: string; dedupeKey: string; requestId?: number; reason: string },
  ): Promise<void> {
    const now = this.deps.clock.now();
    await insertDeliveries(db, [
      {
        channel: input.channel,
        recipient: input.recipient.slice(0, 320),
        template: input.template,
        status: 'SKIPPED',
        lastError: input.reason,
        dedupeKey: input.dedupeKey,
        requestId: input.requestId ?? null,
        createdAt: now,
        updatedAt: now,
      },
    ]);
    this.deps.onOutcome?.(input.channel, 'skipped');
  }

  private async enqueueDelivery(
    db: Db,
    channel: 'SMS' | 'EMAIL',
    input: { to: string; template: string; dedupeKey: string; requestId?: number },
    content: Omit<EmailPayload, 'deliveryId' | 'sealedSecret'> | Omit<SmsPayload, 'deliveryId' | 'sealedSecret'>,
    secret: string | undefined,
  ): Promise<void> {
    const id = await this.createDelivery(db, channel, input.to, input);
    if (id === undefined) return;
    const sealed = secret === undefined ? {} : { sealedSecret: this.deps.secrets.seal(secret, secretContext(id)) };
    const options = { dedupeKey: `delivery:${id}`, ...(input.requestId ? { requestId: input.requestId } : {}) };
    await this.deps.jobs.enqueue(
      db,
      channel === 'SMS'
        ? job(NotificationJobs.sms, { deliveryId: id, ...(content as Omit<SmsPayload, 'deliveryId' | 'sealedSecret'>), ...sealed }, options)
        : job(
            NotificationJobs.email,
            { deliveryId: id, ...(content as Omit<EmailPayload, 'deliveryId' | 'sealedSecret'>), ...sealed },
            options,
          ),
    );
  }

  /** Returns the new Delivery's id, or undefined when one with this dedupe key already exists. */
  private async createDelivery(
    db: Db,
    channel: 'SMS' | 'EMAIL',
    to: string,
    input: { template: string; dedupeKey: string; requestId?: number },
  ): Promise<number | undefined> {
    const now = this.deps.clock.now();
    const count = await insertDeliveries(db, [
      {
        channel,
        recipient: to,
        template: input.template,
        status: 'PENDING',
        lastError: null,
        dedupeKey: input.dedupeKey,
        requestId: input.requestId ?? null,
        createdAt: now,
        updatedAt: now,
      },
    ]);
    if (count === 0) return undefined;
    return (await db.delivery.findUniqueOrThrow({ where: { dedupeKey: input.dedupeKey }, select: { id: true } })).id;
  }

  // ---------------------------------------------------------------- sending (jobs)

  private openSecret(payload: { deliveryId: number; sealedSecret?: string | undefined }, content: string[]): string | undefined {
    if (payload.sealedSecret) return this.deps.secrets.open(payload.sealedSecret, secretContext(payload.deliveryId));
    if (content.some((part) => part.includes(SECRET_SLOT)))
      throw new PermanentJobError('the secret of this delivery is no longer available');
    return undefined;
  }

  private async deliver(channel: 'SMS' | 'EMAIL', payload: EmailPayload | SmsPayload, context: JobContext): Promise<void> {
    const { prisma, clock } = this.deps;
    const delivery = await prisma.delivery.findUnique({
      where: { id: payload.deliveryId },
      select: { id: true, status: true, recipient: true, template: true },
    });
    if (!delivery) throw new PermanentJobError(`delivery ${payload.deliveryId} does not exist`);
    // Sent, logged or failed already (e.g. the process died after sending, before the job was marked done).
    if (delivery.status !== 'PENDING') return;

    let result: SendResult;
    let isLogOnly: boolean;
    if (channel === 'SMS') {
      const { body } = payload as SmsPayload;
      const secret = this.openSecret(payload, [body]);
      isLogOnly = this.deps.sms.isLogOnly;
      const text = secret === undefined ? body : fillSecret(body, secret, 'text');
      // A retry does not know whether the last attempt's SMS left (it may have died right after
      // Twilio accepted it): it asks Twilio first, and sends only if Twilio has no such message
      // (same number and text) from the last hour, real time: retries come within minutes, and an
      // identical later message (a reminder) is hours apart.
      const since = new Date(Date.now() - 60 * 60 * 1000);
      const sentBefore = context.attempt > 1 ? await this.deps.sms.findSent?.(delivery.recipient, text, since) : undefined;
      result = sentBefore
        ? { ok: true, providerId: sentBefore }
        : await this.deps.sms.send({
            to: delivery.recipient,
            body: text,
            logSafeBody: fillSecret(body, WITHHELD, 'text'),
            template: delivery.template,
          });
      if (result.ok) faultPoint('sms-sent');
    } else {
      const { subject, text, html } = payload as EmailPayload;
      const secret = this.openSecret(payload, [text, html]);
      isLogOnly = this.deps.mailer.isLogOnly;
      result = await this.deps.mailer.send({
        to: delivery.recipient,
        subject,
        text: secret === undefined ? text : fillSecret(text, secret, 'text'),
        html: secret === undefined ? html : fillSecret(html, secret, 'html'),
        logSafeText: fillSecret(text, WITHHELD, 'text'),
        template: delivery.template,
        deliveryKey: `mailroom-delivery-${delivery.id}`,
      });
    }

    if (result.ok) {
      // The sealed secret has done its job: it leaves the job row in the same transaction that records
      // the delivery as sent, so no crash in between can keep it at rest.
      const { sealedSecret, ...rest } = payload;
      await prisma.$transaction([
        prisma.delivery.update({
          where: { id: delivery.id },
          data: {
            status: isLogOnly ? 'LOGGED' : 'SENT',
            providerId: result.providerId,
            sentAt: clock.now(),
            attempts: context.attempt,
            lastError: null,
          },
        }),
        ...(sealedSecret ? [prisma.job.update({ where: { id: context.jobId }, data: { payload: rest } })] : []),
      ]);
      this.deps.onOutcome?.(channel, isLogOnly ? 'logged' : 'sent');
      context.logger.info(
        { deliveryId: delivery.id, channel, template: delivery.template, providerId: result.providerId, logOnly: isLogOnly },
        'delivery sent',
      );
      return;
    }
    await prisma.delivery.update({
      where: { id: delivery.id },
      data: { attempts: context.attempt, lastError: result.reason, ...(result.permanent ? { status: 'FAILED' as const } : {}) },
    });
    if (result.permanent) throw new PermanentJobError(result.reason);
    this.deps.onOutcome?.(channel, 'retry');
    throw new Error(result.reason);
  }

  /** The job died: the delivery is FAILED; if it carried a secret, the admins are told in Slack. */
  private async markDead(channel: 'SMS' | 'EMAIL', payload: EmailPayload | SmsPayload, error: Error): Promise<void> {
    const { prisma, jobs } = this.deps;
    this.deps.onOutcome?.(channel, 'failed');
    await jobs.transaction(prisma, async (tx) => {
      await tx.delivery.updateMany({
        where: { id: payload.deliveryId, status: { in: ['PENDING', 'FAILED'] } },
        data: { status: 'FAILED', lastError: error.message },
      });
      if (payload.sealedSecret && this.deps.adminIds.length > 0) {
        // One job per admin: a retry after a Slack hiccup does not DM the admins already told.
        await jobs.enqueue(
          tx,
          this.deps.adminIds.map((adminId) =>
            job(
              NotificationJobs.alertAdmins,
              { deliveryId: payload.deliveryId, adminId },
              { dedupeKey: `delivery-alert:${payload.deliveryId}:${adminId}` },
            ),
          ),
        );
      }
    });
  }

  private async alertAdmin(id: number, adminId: string, retried: boolean): Promise<void> {
    const delivery = await this.deps.prisma.delivery.findUniqueOrThrow({
      where: { id },
      select: { id: true, channel: true, recipient: true, template: true, lastError: true, requestId: true },
    });
    const message = buildDeliveryFailedAlert(delivery);
    await postDirectMessageOnce(this.deps.slack, adminId, message, { key: `delivery-alert:${id}:${adminId}`, retried });
  }

  jobHandlers(): JobHandler[] {
    return [
      handle(NotificationJobs.email, {
        run: (payload, context) => this.deliver('EMAIL', payload, context),
        onDead: (payload, error) => this.markDead('EMAIL', payload, error),
      }),
      handle(NotificationJobs.sms, {
        run: (payload, context) => this.deliver('SMS', payload, context),
        onDead: (payload, error) => this.markDead('SMS', payload, error),
      }),
      handle(NotificationJobs.alertAdmins, {
        run: (payload, context) => this.alertAdmin(payload.deliveryId, payload.adminId, context.attempt > 1),
      }),
    ];
  }
}
