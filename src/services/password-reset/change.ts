import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Db } from '../../platform/db-types.ts';
import { faultPoint } from '../../platform/faults.ts';
import { PermanentJobError } from '../../platform/jobs.ts';
import { resetLinkEmail, resetLinkSms } from '../../views/notification-templates.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.ts';
import { generatePassword } from '../credentials/password.ts';
import { job, linkContext, noticeJobs, passwordContext, type ResetDeps, ResetJobs, resetSubject } from './model.ts';

interface OwnerContacts {
  phone?: string;
  email?: string;
}

/**
 * Setting the new password at the host at most once. The password is generated once and sealed on
 * the reset; a retry (after a failure or a crash) first asks the host whether that password is
 * already set (verify_password, as mailbox creation does) and changes it only if not. The one-time
 * link is made from the same sealed password, after the host took it, so it holds what is set.
 */
export class ResetChange {
  constructor(private readonly deps: ResetDeps) {}

  async change(resetId: number, attempt: number): Promise<void> {
    const { prisma, secrets, logger } = this.deps;
    const reset = await prisma.passwordReset.findUnique({
      where: { id: resetId },
      select: { status: true, address: true, mailbox: { select: { provider: true } } },
    });
    if (!reset) throw new PermanentJobError(`password reset ${resetId} does not exist`);
    if (reset.status !== 'APPROVED' && reset.status !== 'CHANGING') return;
    const password = secrets.open(await this.sealedPassword(resetId), passwordContext(resetId));
    await prisma.passwordReset.updateMany({ where: { id: resetId, status: 'APPROVED' }, data: { status: 'CHANGING' } });
    // The host that holds the mailbox (recorded on its row), even if the hosts file now routes its domain elsewhere.
    const provider = this.deps.provider.atHost(reset.mailbox.provider);
    const host = provider.nameFor(reset.address.slice(reset.address.lastIndexOf('@') + 1));

    // An earlier attempt may have reached the host and died before recording it: ask before changing again.
    if (reset.status === 'CHANGING' || attempt > 1) {
      const set = await provider.verifyPassword(reset.address, password);
      if (!set.ok && set.code === 'unavailable') throw new Error(`${host} is unavailable: ${set.reason}`);
      if (!set.ok) throw new PermanentJobError(`${host} could not check ${reset.address}: ${set.reason}`);
      if (set.value) {
        logger.info({ resetId, attempt }, 'new password already set by an earlier attempt');
        return this.markDone(resetId);
      }
    }
    const changed = await provider.setPassword(reset.address, password);
    if (!changed.ok) {
      if (changed.code === 'unavailable') throw new Error(`${host} is unavailable: ${changed.reason}`);
      throw new PermanentJobError(`${host} refused the new password for ${reset.address}: ${changed.reason}`);
    }
    faultPoint('password-changed');
    await this.markDone(resetId);
  }

  /** Generated once: if a concurrent attempt stored one first, theirs wins and is reused. */
  private async sealedPassword(resetId: number): Promise<string> {
    const { prisma, secrets } = this.deps;
    const candidate = secrets.seal(generatePassword(), passwordContext(resetId));
    await prisma.passwordReset.updateMany({ where: { id: resetId, secretCipher: null }, data: { secretCipher: candidate } });
    const { secretCipher } = await prisma.passwordReset.findUniqueOrThrow({ where: { id: resetId }, select: { secretCipher: true } });
    if (!secretCipher) throw new Error('the sealed password vanished');
    return secretCipher;
  }

  /** DONE, and the sealed password handed over to one one-time link (older unrevealed links to the mailbox die). */
  private async markDone(resetId: number): Promise<void> {
    const { prisma, jobs, clock, secrets, oneTimeSecrets } = this.deps;
    const contacts = await this.ownerContacts(resetId);
    await jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      const reset = await tx.passwordReset.findUniqueOrThrow({
        where: { id: resetId },
        select: { id: true, address: true, requesterId: true, ownerSlackId: true, secretCipher: true, approverIds: true },
      });
      const { count } = await tx.passwordReset.updateMany({
        where: { id: resetId, status: 'CHANGING', secretCipher: { not: null } },
        data: { status: 'DONE', completedAt: now, openMailboxId: null, secretCipher: null },
      });
      if (count === 0 || !reset.secretCipher) return;
      const password = secrets.open(reset.secretCipher, passwordContext(resetId));
      const secret = await oneTimeSecrets.create(tx, { resetId, credentials: { address: reset.address, password } });
      const superseded = await oneTimeSecrets.supersede(tx, reset.address, secret.id);
      const details = {
        address: reset.address,
        provider: this.deps.provider.nameFor(reset.address.split('@')[1] ?? ''),
        supersededLinks: superseded,
      };
      await recordAudit(
        tx,
        { actor: SYSTEM_ACTOR, action: 'password_reset.changed', subject: resetSubject(resetId), outcome: 'ok', details },
        now,
      );
      await this.deliver(tx, reset, secret.link, contacts);
      await jobs.enqueue(tx, [
        ...noticeJobs(reset, 'DONE'),
        ...(Array.isArray(reset.approverIds) && reset.approverIds.length > 0
          ? [job(ResetJobs.refreshApprovalDms, { resetId }, { dedupeKey: `reset-refresh:${resetId}:DONE` })]
          : []),
      ]);
    });
  }

  /** The link to the owner: a DM, an SMS and an email to their personal address (never to the mailbox just reset). */
  private async deliver(
    tx: Db,
    reset: { id: number; address: string; ownerSlackId: string | null },
    link: string,
    contacts: OwnerContacts,
  ): Promise<void> {
    const { notifications, settings, secrets, jobs } = this.deps;
    const base = `password-reset:${reset.id}:owner`;
    if (reset.ownerSlackId) {
      const sealedLink = secrets.seal(link, linkContext(reset.id, reset.ownerSlackId));
      await jobs.enqueue(
        tx,
        job(ResetJobs.postLink, { resetId: reset.id, userId: reset.ownerSlackId, sealedLink }, { dedupeKey: `reset-link:${reset.id}` }),
      );
    }
    const recipient = `owner:${reset.address}`;
    if (contacts.phone) {
      await notifications.enqueueSecretSms(tx, {
        to: contacts.phone,
        body: resetLinkSms(settings, reset.address, settings.ttlHours),
        template: 'reset-link-sms',
        dedupeKey: `${base}:sms`,
        secret: link,
      });
    } else {
      const reason = 'no phone number in the Staff directory or the Slack profile';
      await notifications.recordSkipped(tx, { channel: 'SMS', recipient, template: 'reset-link-sms', dedupeKey: `${base}:sms`, reason });
    }
    if (contacts.email) {
      await notifications.enqueueSecretEmail(tx, {
        to: contacts.email,
        ...resetLinkEmail(settings, reset.address, settings.ttlHours),
        template: 'reset-link-email',
        dedupeKey: `${base}:email`,
        secret: link,
      });
    } else {
      const reason = 'no personal email address in the Staff directory';
      await notifications.recordSkipped(tx, {
        channel: 'EMAIL',
        recipient,
        template: 'reset-link-email',
        dedupeKey: `${base}:email`,
        reason,
      });
    }
  }

  /** Phone: the Staff record, else the owner's Slack profile. Email: the personal address on the Staff record only. */
  private async ownerContacts(resetId: number): Promise<OwnerContacts> {
    const { prisma, slack, settings } = this.deps;
    const reset = await prisma.passwordReset.findUniqueOrThrow({
      where: { id: resetId },
      select: { ownerSlackId: true, mailbox: { select: { staff: { select: { personalEmail: true, phone: true } } } } },
    });
    const staff = reset.mailbox.staff;
    const normalise = (raw: string | null | undefined) => {
      const phone = raw?.trim() ? parsePhoneNumberFromString(raw.trim(), settings.phoneRegion as CountryCode) : undefined;
      return phone?.isValid() ? phone.number : undefined;
    };
    let phone = normalise(staff?.phone);
    if (!phone && reset.ownerSlackId) phone = normalise((await slack.getUser(reset.ownerSlackId))?.phone);
    return { ...(phone ? { phone } : {}), ...(staff?.personalEmail ? { email: staff.personalEmail } : {}) };
  }

  /** The change job died: FAILED, the mailbox is free for a new reset, and both people are told. */
  async markFailed(resetId: number, reason: string): Promise<void> {
    const { prisma, jobs, clock } = this.deps;
    await jobs.transaction(prisma, async (tx) => {
      const reset = await tx.passwordReset.findUniqueOrThrow({
        where: { id: resetId },
        select: { id: true, address: true, requesterId: true, ownerSlackId: true },
      });
      const { count } = await tx.passwordReset.updateMany({
        where: { id: resetId, status: { in: ['APPROVED', 'CHANGING'] } },
        data: { status: 'FAILED', failureReason: reason, openMailboxId: null, secretCipher: null },
      });
      if (count === 0) return;
      await recordAudit(
        tx,
        {
          actor: SYSTEM_ACTOR,
          action: 'password_reset.failed',
          subject: resetSubject(resetId),
          outcome: 'failed',
          details: { address: reset.address, reason },
        },
        clock.now(),
      );
      await jobs.enqueue(tx, [
        ...noticeJobs(reset, 'FAILED'),
        job(ResetJobs.refreshApprovalDms, { resetId }, { dedupeKey: `reset-refresh:${resetId}:FAILED` }),
      ]);
    });
  }
}
