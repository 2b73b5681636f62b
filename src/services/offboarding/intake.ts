import { domainOf, localPartOf } from '../../lib/address.ts';
import { withTimeout } from '../../lib/timeout.ts';
import { DAY_MS, dateIn, zonedTimeToUtc } from '../../lib/zoned-time.ts';
import { type Db, isUniqueViolation } from '../../platform/db-types.ts';
import { job } from '../../platform/jobs.ts';
import { mailboxOptionValue, parseMailboxOptionValue } from '../../slack/option-values.ts';
import { mailboxSubject, recordAudit } from '../audit/audit.ts';
import { isEmailAddress, isManagedDomain } from '../requests/validation.ts';
import type { OffboardingAccess } from './access.ts';
import { checkOffboardFields, type OffboardFieldErrors, type OffboardFields, type RawOffboardForm } from './form.ts';

export type { OffboardFieldErrors, OffboardFormField, RawOffboardForm } from './form.ts';

import { upgradeLeaverHold } from './hold.ts';
import { OffboardingJobs, type OffboardingServiceDeps, type Refusal, Steps, subject } from './model.ts';
import type { MailboxChoice, OffboardModalInput } from './prefill.ts';

export type SubmitResult = { ok: true; offboardingId: number; runsNow: boolean } | { ok: false; errors: OffboardFieldErrors };

/** What the modal opens with: exactly what the view builder takes. */
export type ModalPrefill = OffboardModalInput;

/** "jane.doe" → "Jane Doe": a readable name for a mailbox without a staff record. */
function nameFromAddress(address: string): string {
  return localPartOf(address)
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}

export function defaultAutoReply(input: {
  leaverName: string;
  forwardTo: string;
  forwardToName?: string | undefined;
  generalContact?: string | undefined;
}) {
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

/** `/offboard` up to the submitted modal: HR check, prefill, mailbox type-ahead, validation, and the new offboarding. */
export class OffboardingIntake {
  constructor(
    private readonly deps: OffboardingServiceDeps,
    private readonly access: OffboardingAccess,
  ) {}

  /** HR check and the modal's initial values (from the staff record when an address is given). */
  async prepareModal(
    actorId: string,
    addressText: string | undefined,
    lastDay?: string,
  ): Promise<{ ok: true; prefill: ModalPrefill } | Refusal> {
    const { settings, clock } = this.deps;
    const hr = await this.access.checkHr(actorId);
    if (!hr.ok) return this.access.refuseNotHr(actorId, 'offboarding.open', 'offboarding', hr.checkFailed);
    const prefill: ModalPrefill = {
      lastDay: lastDay ?? dateIn(clock.now(), settings.timeZone),
      retentionDays: settings.retentionDays,
      ...(settings.generalContactEmail ? { generalContactEmail: settings.generalContactEmail } : {}),
    };
    const address = addressText?.trim().toLowerCase();
    if (!address || !isEmailAddress(address)) return { ok: true, prefill };
    const leaver = await this.leaverFacts(address);
    const managed = await this.deps.prisma.mailbox.findUnique({ where: { address }, select: { id: true } });
    prefill.mailbox = { address, value: mailboxOptionValue(address, managed?.id ?? null, settings.domains) };
    const superior = await this.superiorOf(address);
    if (superior) {
      prefill.forwardTo = superior.email;
      const reply = defaultAutoReply({
        leaverName: leaver.name,
        forwardTo: superior.email,
        forwardToName: superior.name,
        generalContact: settings.generalContactEmail,
      });
      prefill.autoReplySubject = reply.subject;
      prefill.autoReplyBody = reply.body;
    }
    return { ok: true, prefill };
  }

  /** Options for the mailbox type-ahead: managed mailboxes, plus a typed full address to import. */
  async searchMailboxes(actorId: string, query: string): Promise<MailboxChoice[]> {
    const hr = await this.access.checkHr(actorId);
    if (!hr.ok) return [];
    const text = query.trim().toLowerCase();
    const rows = await this.deps.prisma.mailbox.findMany({
      where: { status: { not: 'DELETED' }, ...(text ? { address: { contains: text } } : {}) },
      select: { id: true, address: true, status: true, staff: { select: { fullName: true } } },
      orderBy: { address: 'asc' },
      take: 100,
    });
    const domains = this.deps.settings.domains;
    const options: MailboxChoice[] = rows.map((row) => ({
      address: row.address,
      value: mailboxOptionValue(row.address, row.id, domains),
      label: `${row.address}${row.staff ? ` — ${row.staff.fullName}` : ''}${row.status === 'OFFBOARDING' ? ' (offboarding)' : ''}`,
    }));
    if (isEmailAddress(text) && isManagedDomain(domainOf(text), this.deps.settings.domains) && !options.some((o) => o.address === text)) {
      options.unshift({ address: text, value: mailboxOptionValue(text, null, domains), label: `${text} (not managed by Mailroom yet)` });
    }
    return options.slice(0, 100);
  }

  /** The address a submitted mailbox option names (an id when the address did not fit a value). */
  private async resolveMailboxChoice(value: string): Promise<string> {
    const ref = parseMailboxOptionValue(value.trim());
    switch (ref.kind) {
      case 'address':
        return ref.address;
      case 'mailbox':
        return (await this.deps.prisma.mailbox.findUnique({ where: { id: ref.id }, select: { address: true } }))?.address ?? '';
      case 'import': {
        const domain = this.deps.settings.domains[ref.domainIndex];
        return domain ? `${ref.localPart}@${domain}` : '';
      }
    }
  }

  private async leaverFacts(address: string): Promise<{ name: string; staffId: number | null; superiorSlackId: string | null }> {
    const staff = await this.deps.prisma.staff.findFirst({
      where: { OR: [{ workEmail: address }, { mailboxes: { some: { address } } }] },
      select: { id: true, fullName: true, superiorSlackId: true },
    });
    return {
      name: staff?.fullName ?? nameFromAddress(address),
      staffId: staff?.id ?? null,
      superiorSlackId: staff?.superiorSlackId ?? null,
    };
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

  async submit(actorId: string, form: RawOffboardForm): Promise<SubmitResult> {
    const hr = await this.access.checkHr(actorId);
    if (!hr.ok) {
      await this.access.refuseNotHr(actorId, 'offboarding.submit', mailboxSubject(form.mailbox ?? ''), hr.checkFailed);
      return {
        ok: false,
        errors: {
          mailbox: hr.checkFailed
            ? 'Slack could not confirm that you are in HR just now; please submit again.'
            : 'Only HR can offboard mailboxes.',
        },
      };
    }
    const now = this.deps.clock.now();
    const address = (await this.resolveMailboxChoice(form.mailbox ?? '')).trim().toLowerCase();
    const { errors, fields } = checkOffboardFields(form, address, dateIn(now, this.deps.settings.timeZone), this.deps.settings);
    const mailbox = errors.mailbox ? null : await this.checkMailbox(address, errors);
    const leaver = address && !errors.mailbox ? await this.leaverFacts(address) : undefined;
    let forwardToName: string | undefined;
    if (!errors.mailbox && !errors.forwardTo && !fields.forwardTo) {
      const superior = await this.superiorOf(address);
      if (superior) {
        fields.forwardTo = superior.email;
        forwardToName = superior.name;
      } else {
        errors.forwardTo = 'No superior with an email address is on record for this mailbox; enter where its mail should go.';
      }
    }
    if (Object.keys(errors).length > 0 || !leaver) return { ok: false, errors };
    const reply = defaultAutoReply({
      leaverName: leaver.name,
      forwardTo: fields.forwardTo,
      forwardToName,
      generalContact: this.deps.settings.generalContactEmail,
    });
    try {
      return await this.create({
        actorId,
        now,
        address,
        mailbox,
        leaver,
        ...fields,
        subject: fields.subject || reply.subject,
        body: fields.body || reply.body,
      });
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, errors: { mailbox: `${address} is already being offboarded.` } };
      throw error;
    }
  }

  /** The mailbox: managed, importable from the provider, or a clear no (written into `errors`). */
  private async checkMailbox(address: string, errors: OffboardFieldErrors): Promise<{ id: number; status: string } | null> {
    const { prisma, provider, settings } = this.deps;
    const mailbox = await prisma.mailbox.findUnique({ where: { address }, select: { id: true, status: true } });
    const open = await prisma.offboarding.findUnique({
      where: { openAddress: address },
      select: { id: true, status: true, initiatedById: true, kind: true },
    });
    // A leaver hold (LEAVER_AUTO_SUSPEND) is what Start offboarding builds on.
    if (open && open.kind !== 'LEAVER_HOLD') {
      errors.mailbox = `${address} is already being offboarded (#${open.id}, ${open.status.toLowerCase().replace('_', ' ')}, started by <@${open.initiatedById}>). Undo that one first to change it.`;
    } else if (mailbox?.status === 'DELETED') {
      errors.mailbox = `${address} was already deleted.`;
    } else if (!mailbox) {
      const found = await withTimeout(provider.find(address), settings.lookupBudgetMs ?? 1500);
      if (found === 'timeout') errors.mailbox = 'The mail server did not answer in time; please submit again.';
      else if (!found.ok) errors.mailbox = `The mail server could not check this address: ${found.reason}`;
      else if (!found.value) errors.mailbox = `There is no mailbox ${address} on the mail server.`;
    }
    return mailbox;
  }

  /** One transaction: the mailbox (imported when the provider had it alone), the offboarding, its steps, the audit row and the jobs. */
  private async create(plan: OffboardingPlan): Promise<SubmitResult> {
    const { prisma, settings } = this.deps;
    const runsNow = plan.lastDay <= dateIn(plan.now, settings.timeZone);
    const runAt = runsNow ? plan.now : zonedTimeToUtc(plan.lastDay, settings.offboardHour, settings.timeZone);
    const hold = await prisma.offboarding.findFirst({ where: { openAddress: plan.address, kind: 'LEAVER_HOLD' }, select: { id: true } });
    if (hold) {
      const upgraded = await this.deps.jobs.transaction(prisma, async (tx) => {
        const outcome = await upgradeLeaverHold(this.deps, tx, hold.id, { ...plan, runAt, leaverName: plan.leaver.name });
        if (outcome === 'upgraded')
          await this.deps.onStarted?.(tx, { offboardingId: hold.id, address: plan.address, actorId: plan.actorId });
        return outcome;
      });
      if (upgraded === 'upgraded') return { ok: true, offboardingId: hold.id, runsNow };
      return { ok: false, errors: { mailbox: `The login of ${plan.address} is still being suspended; submit again in a moment.` } };
    }
    const offboardingId = await this.deps.jobs.transaction(prisma, async (tx) => {
      const mailboxId = await this.mailboxFor(tx, plan);
      const { id } = await tx.offboarding.create({
        data: {
          mailboxId,
          address: plan.address,
          openAddress: plan.address,
          initiatedById: plan.actorId,
          leaverName: plan.leaver.name.slice(0, 200),
          forwardTo: plan.forwardTo,
          autoReplySubject: plan.subject,
          autoReplyBody: plan.body,
          lastDay: new Date(`${plan.lastDay}T00:00:00Z`),
          runAt,
          deleteAfter: new Date(runAt.getTime() + plan.retentionDays * DAY_MS),
          retentionDays: plan.retentionDays,
          suspendLogin: plan.suspendLogin,
          removeOwnForwarders: plan.removeOwnForwarders,
          createdAt: plan.now,
        },
        select: { id: true },
      });
      const skipped = (asked: boolean) => (asked ? {} : { status: 'SKIPPED' as const, lastError: 'not asked for' });
      await tx.offboardingStep.createMany({
        data: [
          { offboardingId: id, kind: Steps.savePriorState },
          { offboardingId: id, kind: Steps.forward },
          { offboardingId: id, kind: Steps.autoReply },
          { offboardingId: id, kind: Steps.suspendLogin, ...skipped(plan.suspendLogin) },
          { offboardingId: id, kind: Steps.removeOwnForwarders, ...skipped(plan.removeOwnForwarders) },
        ].map((step) => ({ ...step, createdAt: plan.now })),
      });
      const { address, forwardTo, lastDay, retentionDays, suspendLogin, removeOwnForwarders } = plan;
      const details = {
        address,
        forwardTo,
        lastDay,
        runAt: runAt.toISOString(),
        retentionDays,
        suspendLogin,
        removeOwnForwarders,
        imported: plan.mailbox === null,
      };
      await recordAudit(tx, { actor: plan.actorId, action: 'offboarding.started', subject: subject(id), outcome: 'ok', details }, plan.now);
      await this.deps.jobs.enqueue(tx, [
        job(OffboardingJobs.postStatus, { offboardingId: id }, { dedupeKey: `offboarding:${id}:post-status` }),
        job(OffboardingJobs.activate, { offboardingId: id }, { dedupeKey: `offboarding:${id}:activate:v0`, runAt }),
      ]);
      await this.deps.onStarted?.(tx, { offboardingId: id, address: plan.address, actorId: plan.actorId });
      return id;
    });
    return { ok: true, offboardingId, runsNow };
  }

  /** The managed mailbox, marked OFFBOARDING; or one imported from the provider, which had it alone. */
  private async mailboxFor(tx: Db, plan: OffboardingPlan): Promise<number> {
    const { provider } = this.deps;
    if (plan.mailbox) {
      await tx.mailbox.update({ where: { id: plan.mailbox.id }, data: { status: 'OFFBOARDING' } });
      return plan.mailbox.id;
    }
    const domain = domainOf(plan.address);
    const created = await tx.mailbox.create({
      data: {
        address: plan.address,
        localPart: localPartOf(plan.address),
        domain,
        provider: provider.nameFor(domain),
        status: 'OFFBOARDING',
        // Unknown for an imported mailbox; 0 is what cPanel calls unlimited.
        quotaMb: 0,
        staffId: plan.leaver.staffId,
        createdAt: plan.now,
      },
      select: { id: true },
    });
    const details = { provider: provider.nameFor(domain) };
    await recordAudit(
      tx,
      { actor: plan.actorId, action: 'mailbox.imported', subject: mailboxSubject(plan.address), outcome: 'ok', details },
      plan.now,
    );
    return created.id;
  }
}

interface OffboardingPlan extends OffboardFields {
  actorId: string;
  now: Date;
  address: string;
  mailbox: { id: number; status: string } | null;
  leaver: { name: string; staffId: number | null };
}
