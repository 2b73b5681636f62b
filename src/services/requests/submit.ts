import { withTimeout } from '../../lib/timeout.ts';
import { isUniqueViolation } from '../../platform/db-types.ts';
import { recordAudit, requestSubject } from '../audit/audit.ts';
import { homeRefreshJobs } from '../home/home-service.ts';
import { approvalDmJob, isGuestNow, noticeJob, type RequestServiceDeps, type SubmitResult } from './model.ts';
import { type FieldErrors, type RawRequestForm, validateRequestForm } from './validation.ts';

/** Submitting a request: validation, the superior and address checks, and the one transaction that files it. */
export class RequestIntake {
  constructor(private readonly deps: RequestServiceDeps) {}

  async submit(requesterId: string, form: RawRequestForm): Promise<SubmitResult> {
    const { prisma, settings, clock } = this.deps;
    const checked = validateRequestForm(form, { domains: settings.domains, phoneRegion: settings.phoneRegion, today: clock.now() });
    const errors: FieldErrors = checked.ok ? {} : { ...checked.errors };
    const address = checked.ok ? checked.value.address : undefined;

    const [requesterError, superiorError, addressError] = await Promise.all([
      this.checkRequester(requesterId),
      form.superiorId && !errors.superior ? this.checkSuperior(form.superiorId) : undefined,
      address ? this.checkAddressFree(address) : undefined,
    ]);
    // A guest cannot ask for a mailbox: said on the first field, since the form has none for the requester.
    if (requesterError) return { ok: false, errors: { fullName: requesterError } };
    if (superiorError) errors.superior = superiorError;
    if (addressError) errors.localPart = addressError;

    let approverIds: string[] = [];
    let routedToAdmins = false;
    if (checked.ok && !superiorError) {
      routedToAdmins = checked.value.superiorId === requesterId;
      approverIds = routedToAdmins ? settings.adminIds.filter((id) => id !== requesterId) : [checked.value.superiorId];
      if (approverIds.length === 0) {
        errors.superior = 'You are the superior and the only admin: nobody approves their own request. Ask another admin to file it.';
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
        await recordAudit(
          tx,
          {
            actor: requesterId,
            action: 'request.submitted',
            subject: requestSubject(created.id),
            outcome: 'ok',
            details: { address: value.address, superiorId: value.superiorId, approverIds, routedToAdmins },
          },
          now,
        );
        await this.deps.jobs.enqueue(tx, [
          ...approverIds.map((approverId) => approvalDmJob(created.id, approverId)),
          noticeJob(created.id, requesterId, 'submitted'),
          ...homeRefreshJobs([requesterId]),
        ]);
        return created;
      });
      return { ok: true, requestId: request.id };
    } catch (error) {
      // Two submissions for one address raced past the check above: the unique index decides.
      if (isUniqueViolation(error)) return { ok: false, errors: { localPart: `${value.address} was just requested by someone else.` } };
      throw error;
    }
  }

  private async checkRequester(requesterId: string): Promise<string | undefined> {
    if (await isGuestNow(this.deps, requesterId))
      return 'Guests in this Slack workspace cannot request mailboxes; ask a full member of your team to file the request.';
    return undefined;
  }

  private async checkSuperior(superiorId: string): Promise<string | undefined> {
    try {
      const user = await withTimeout(this.deps.slack.getUser(superiorId), this.deps.settings.lookupBudgetMs ?? 1500);
      if (user === 'timeout') return 'Slack did not answer in time while checking this person; please submit again.';
      if (!user) return 'This person was not found in Slack.';
      if (user.isBot) return 'Choose a person, not a bot or app.';
      if (user.deleted) return 'This person’s Slack account is deactivated; choose an active superior.';
      if (user.isGuest) return 'This person is a guest in this Slack workspace; choose a full member as superior.';
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
      logger.warn(
        { address, outcome: found === 'timeout' ? 'timeout' : found.code },
        'could not check the address at the provider; provisioning will',
      );
      return undefined;
    }
    return found.value ? `${address} already exists on the mail server.` : undefined;
  }
}
