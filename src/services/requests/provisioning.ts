import { isUniqueViolation } from '../../platform/db-types.ts';
import { faultPoint } from '../../platform/faults.ts';
import { job, PermanentJobError } from '../../platform/jobs.ts';
import { recordAudit, requestSubject, SYSTEM_ACTOR } from '../audit/audit.ts';
import { generatePassword } from '../credentials/password.ts';
import { type ProvisionedRequest, upsertStaffAndMailbox } from './mailbox-rows.ts';
import { noticeJob, RequestJobs, type RequestServiceDeps, type RetryResult, refreshJobs, secretContext } from './model.ts';
import { summarySelect } from './summary.ts';

/** Creating the mailbox exactly once, marking it active or failed, and an admin's retry. */
export class Provisioning {
  constructor(private readonly deps: RequestServiceDeps) {}

  /** FAILED → provisioning again, for an admin; the address must still be free of other open requests. */
  async retryProvisioning(requestId: number, actorId: string): Promise<RetryResult> {
    const { prisma } = this.deps;
    if (!this.deps.settings.adminIds.includes(actorId)) {
      await recordAudit(
        prisma,
        {
          actor: actorId,
          action: 'request.retry',
          subject: requestSubject(requestId),
          outcome: 'refused',
          details: { reason: 'not_admin' },
        },
        this.deps.clock.now(),
      );
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
        await recordAudit(
          tx,
          { actor: actorId, action: 'request.retry', subject: requestSubject(requestId), outcome: 'ok' },
          this.deps.clock.now(),
        );
        await this.deps.jobs.enqueue(tx, [
          job(RequestJobs.provision, { requestId }, { dedupeKey: `provision:${requestId}:${request.version + 1}`, requestId }),
          // The admins' Home tabs count failed requests.
          ...refreshJobs(requestId, `retry-${request.version + 1}`, { admins: true, holders: false }),
        ]);
        return { ok: true as const };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, code: 'address_taken' };
      throw error;
    }
  }

  /**
   * Creates the mailbox exactly once. The password is generated once, sealed, and reused by every
   * retry, so "already exists" can be told apart: if our password opens it, an earlier attempt of
   * this very request created it (e.g. it timed out after cPanel had acted).
   */
  async provision(requestId: number, attempt: number): Promise<void> {
    const { prisma, provider, secrets, settings, logger } = this.deps;
    // Everything markActive and the new hire's deliveries need, read once (none of it changes after approval).
    const request = await prisma.emailRequest.findUnique({
      where: { id: requestId },
      select: { ...summarySelect, localPart: true, domain: true, secretCipher: true },
    });
    if (!request) throw new PermanentJobError(`request ${requestId} does not exist`);
    if (request.status === 'ACTIVE') return;
    if (request.status !== 'APPROVED' && request.status !== 'PROVISIONING') {
      logger.info({ requestId, status: request.status }, 'provisioning skipped: request is no longer approved');
      return;
    }

    const sealed = request.secretCipher ?? (await this.storePassword(requestId));
    if (request.status === 'APPROVED' && request.secretCipher) {
      await prisma.emailRequest.updateMany({ where: { id: requestId, status: 'APPROVED' }, data: { status: 'PROVISIONING' } });
    }
    const password = secrets.open(sealed, secretContext(requestId));

    const created = await provider.create({ localPart: request.localPart, domain: request.domain, password, quotaMb: settings.quotaMb });
    if (created.ok) faultPoint('mailbox-created');
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
    await this.markActive({ ...request, secretCipher: sealed });
  }

  /**
   * The first attempt's password, sealed, stored with the move to PROVISIONING in one conditional
   * update; if a concurrent attempt stored one first, theirs wins and is read back and reused.
   */
  private async storePassword(requestId: number): Promise<string> {
    const { prisma, secrets } = this.deps;
    const candidate = secrets.seal(generatePassword(), secretContext(requestId));
    const { count } = await prisma.emailRequest.updateMany({
      where: { id: requestId, secretCipher: null, status: { in: ['APPROVED', 'PROVISIONING'] } },
      data: { secretCipher: candidate, status: 'PROVISIONING' },
    });
    if (count === 1) return candidate;
    const stored = await prisma.emailRequest.findUniqueOrThrow({ where: { id: requestId }, select: { secretCipher: true } });
    if (!stored.secretCipher) throw new Error('the sealed password vanished');
    return stored.secretCipher;
  }

  private async markActive(request: ProvisionedRequest): Promise<void> {
    const { prisma, clock, provider, settings } = this.deps;
    const requestId = request.id;
    await this.deps.jobs.transaction(prisma, async (tx) => {
      const now = clock.now();
      const { count } = await tx.emailRequest.updateMany({
        where: { id: requestId, status: { in: ['APPROVED', 'PROVISIONING'] } },
        data: { status: 'ACTIVE', openAddress: null, provisionedAt: now, failureReason: null },
      });
      if (count === 0) return;
      await upsertStaffAndMailbox(tx, { ...request, provider: provider.nameFor(request.domain), quotaMb: settings.quotaMb }, now);
      await recordAudit(
        tx,
        {
          actor: SYSTEM_ACTOR,
          action: 'mailbox.created',
          subject: requestSubject(requestId),
          outcome: 'ok',
          details: { address: request.address, provider: provider.nameFor(request.domain), quotaMb: settings.quotaMb },
        },
        now,
      );
      await this.deps.jobs.enqueue(tx, [
        ...refreshJobs(requestId, 'ACTIVE', { holders: false }),
        noticeJob(requestId, request.requesterId, 'ready'),
      ]);
      await this.deps.notifier.mailboxReady(tx, request);
    });
  }

  /** The provisioning job died: the request is FAILED, the admins and the requester are told. */
  async markProvisioningFailed(requestId: number, reason: string, attempts: number): Promise<void> {
    const { prisma, settings } = this.deps;
    await this.deps.jobs.transaction(prisma, async (tx) => {
      const request = await tx.emailRequest.findUniqueOrThrow({
        where: { id: requestId },
        select: { requesterId: true, address: true, version: true },
      });
      const { count } = await tx.emailRequest.updateMany({
        where: { id: requestId, status: { in: ['APPROVED', 'PROVISIONING'] } },
        data: { status: 'FAILED', failureReason: reason, openAddress: null },
      });
      if (count === 0) return;
      await recordAudit(
        tx,
        {
          actor: SYSTEM_ACTOR,
          action: 'mailbox.create_failed',
          subject: requestSubject(requestId),
          outcome: 'failed',
          details: { address: request.address, reason, attempts },
        },
        this.deps.clock.now(),
      );
      const key = `failed-${request.version}`;
      await this.deps.jobs.enqueue(tx, [
        ...refreshJobs(requestId, key, { admins: true, holders: false }),
        noticeJob(requestId, request.requesterId, 'failed', key),
        ...settings.adminIds.map((adminId) => noticeJob(requestId, adminId, 'admin_failure', `${key}-${attempts}`, attempts)),
      ]);
      await this.deps.notifier.provisioningFailed(tx, requestId, `${key}-${attempts}`, attempts);
    });
  }
}
