import { withTimeout } from '../../lib/timeout.ts';
import { isUniqueViolation } from '../../platform/db-types.ts';
import { job, type QueuedJob } from '../../platform/jobs.ts';
import type { SlackUser } from '../../slack/gateway.ts';
import { mention, slackDate } from '../../views/text.ts';
import { mailboxSubject, recordAudit } from '../audit/audit.ts';
import { linkedOwnerOf, linkOwner, mailboxesOwnedBy, ownsMailbox } from '../mailboxes/ownership.ts';
import { changeJob, noticeJobs, type ResetDeps, ResetJobs, resetSubject } from './model.ts';

export type StartResult = { ok: true; resetId: number; message: string } | { ok: false; code: string; message: string };

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DAY_MS = 86_400_000;
/** Resets that changed, or may still change, a password count towards the limit; rejected and failed ones do not. */
const COUNTED = ['PENDING_APPROVAL', 'APPROVED', 'CHANGING', 'DONE'] as const;

interface Target {
  mailbox: {
    id: number;
    address: string;
    status: string;
    staff: { slackUserId: string | null; superiorSlackId: string | null; personalEmail: string | null; phone: string | null } | null;
  };
  isOwner: boolean;
  ownerSlackId: string | null;
  approverIds: string[];
}

/** `/reset-email-password [address]`: who may reset which mailbox, the rate limit, and the reset row with its first jobs. */
export class ResetStart {
  constructor(private readonly deps: ResetDeps) {}

  async start(userId: string, text: string): Promise<StartResult> {
    if (!this.deps.settings.publicUrl) {
      return refusal(
        'no_public_url',
        'Password reset needs PUBLIC_URL (the one-time link that carries the new password); ask an admin to set it.',
      );
    }
    const user = await this.lookup(userId);
    if (!user || user.deleted || user.isBot)
      return refusal('unknown_user', 'Slack could not confirm who you are just now; please try again.');
    if (user.isGuest) {
      await this.audit(userId, 'password_reset.request', mailboxSubject(text.trim() || '-'), 'refused', { reason: 'guest' });
      return refusal('guest', 'Guests of this workspace cannot reset mailbox passwords. This attempt was recorded.');
    }
    const address = await this.chooseAddress(user, text.trim().toLowerCase());
    if (!address.ok) return address;
    const target = await this.resolve(user, address.address);
    if (!target.ok) return target;
    return this.create(userId, target.target);
  }

  private async lookup(userId: string): Promise<SlackUser | null> {
    const user = await withTimeout(this.deps.slack.getUser(userId), this.deps.settings.lookupBudgetMs ?? 1500).catch(() => null);
    return user === 'timeout' ? null : user;
  }

  private async chooseAddress(user: SlackUser, text: string): Promise<{ ok: true; address: string } | Extract<StartResult, { ok: false }>> {
    if (text) {
      return ADDRESS.test(text) && !text.includes(' ')
        ? { ok: true, address: text }
        : refusal(
            'bad_address',
            `“${text.slice(0, 80)}” is not an email address. Try \`/reset-email-password\` for your own mailbox, or \`/reset-email-password jane.doe@example.com\`.`,
          );
    }
    const owned = await mailboxesOwnedBy(this.deps.prisma, { slackUserId: user.id, email: user.email ?? null }, ['ACTIVE']);
    const [only] = owned;
    if (owned.length === 1 && only) return { ok: true, address: only.address };
    if (owned.length === 0) {
      return refusal(
        'no_mailbox',
        'Mailroom knows no mailbox of yours (by your Slack email or the staff directory). To reset another mailbox, name it: `/reset-email-password jane.doe@example.com`.',
      );
    }
    return refusal(
      'which_mailbox',
      `You own several mailboxes; name the one to reset: ${owned.map((m) => `\`/reset-email-password ${m.address}\``).join(', ')}.`,
    );
  }

  private async resolve(user: SlackUser, address: string): Promise<{ ok: true; target: Target } | Extract<StartResult, { ok: false }>> {
    const { prisma, settings } = this.deps;
    const mailbox = await prisma.mailbox.findUnique({
      where: { address },
      select: {
        id: true,
        address: true,
        status: true,
        staff: { select: { slackUserId: true, superiorSlackId: true, personalEmail: true, phone: true } },
      },
    });
    if (!mailbox) return refusal('not_managed', `Mailroom does not manage ${address}, so it cannot reset its password.`);
    if (mailbox.status !== 'ACTIVE') {
      return refusal(
        'not_active',
        `${address} is ${mailbox.status === 'OFFBOARDING' ? 'being offboarded' : 'deleted'}; its password cannot be reset.`,
      );
    }
    const owner = { slackUserId: user.id, email: user.email ?? null };
    if (await ownsMailbox(prisma, owner, address)) {
      // Owned by the Slack email: record the link, so later notices reach the owner without Slack's help.
      if (!mailbox.staff?.slackUserId) {
        await linkOwner(prisma, { mailboxId: mailbox.id, slackUserId: user.id, fullName: user.realName, now: this.deps.clock.now() });
      }
      return { ok: true, target: { mailbox, isOwner: true, ownerSlackId: user.id, approverIds: [] } };
    }
    const ownerSlackId = await this.ownerOf(mailbox.id, address);
    const superior = mailbox.staff?.superiorSlackId;
    // The owner's superior approves; without one (or when the superior is the one asking), the admins.
    const approverIds = superior && superior !== user.id ? [superior] : settings.adminIds.filter((id) => id !== user.id);
    if (approverIds.length === 0) return refusal('no_approver', `Nobody but you could approve resetting ${address}; ask another admin.`);
    if (!ownerSlackId && !mailbox.staff?.phone && !mailbox.staff?.personalEmail) {
      return refusal(
        'unreachable_owner',
        `The owner of ${address} cannot be reached (no Slack account, phone or personal email on file), so a new password could not be delivered.`,
      );
    }
    return { ok: true, target: { mailbox, isOwner: false, ownerSlackId, approverIds } };
  }

  /** The one ownership rule: the linked Staff record, else the Slack user whose profile email is the address. */
  private async ownerOf(mailboxId: number, address: string): Promise<string | null> {
    const linked = await linkedOwnerOf(this.deps.prisma, mailboxId);
    if (linked) return linked;
    const found = await withTimeout(this.deps.slack.lookupUserByEmail(address), this.deps.settings.lookupBudgetMs ?? 1500).catch(
      () => null,
    );
    return found && found !== 'timeout' && !found.deleted ? found.id : null;
  }

  private async create(userId: string, target: Target): Promise<StartResult> {
    const { prisma, jobs, clock, settings } = this.deps;
    const { mailbox } = target;
    const open = await prisma.passwordReset.findUnique({ where: { openMailboxId: mailbox.id }, select: { id: true } });
    if (open) return refusal('in_progress', `A password reset of ${mailbox.address} is already in progress (#${open.id}).`);
    try {
      const outcome = await jobs.transaction(prisma, async (tx) => {
        const now = clock.now();
        // One reset decision per mailbox at a time: the count below cannot be raced.
        await tx.$queryRaw`SELECT id FROM Mailbox WHERE id = ${mailbox.id} FOR UPDATE`;
        const recent = await tx.passwordReset.findMany({
          where: { mailboxId: mailbox.id, createdAt: { gt: new Date(now.getTime() - DAY_MS) }, status: { in: [...COUNTED] } },
          select: { createdAt: true },
          orderBy: { createdAt: 'asc' },
        });
        const gate = recent[recent.length - settings.limitPerDay];
        if (recent.length >= settings.limitPerDay && gate) return { limited: new Date(gate.createdAt.getTime() + DAY_MS) };
        const reset = await tx.passwordReset.create({
          data: {
            mailboxId: mailbox.id,
            address: mailbox.address,
            openMailboxId: mailbox.id,
            requesterId: userId,
            ownerSlackId: target.ownerSlackId,
            approverIds: target.approverIds,
            status: target.isOwner ? 'APPROVED' : 'PENDING_APPROVAL',
            createdAt: now,
          },
          select: { id: true, requesterId: true, ownerSlackId: true },
        });
        const details = { address: mailbox.address, byOwner: target.isOwner, approverIds: target.approverIds };
        await recordAudit(
          tx,
          { actor: userId, action: 'password_reset.requested', subject: resetSubject(reset.id), outcome: 'ok', details },
          now,
        );
        await jobs.enqueue(tx, this.firstJobs(reset, target));
        return { resetId: reset.id };
      });
      if (outcome.limited) return this.limited(userId, mailbox.address, outcome.limited);
      return { ok: true, resetId: outcome.resetId ?? 0, message: this.startedMessage(mailbox.address, target) };
    } catch (error) {
      if (isUniqueViolation(error)) return refusal('in_progress', `A password reset of ${mailbox.address} is already in progress.`);
      throw error;
    }
  }

  private firstJobs(reset: { id: number; requesterId: string; ownerSlackId: string | null }, target: Target): QueuedJob[] {
    if (target.isOwner) return [changeJob(reset.id)];
    return [
      ...target.approverIds.map((approverId) =>
        job(ResetJobs.postApprovalDm, { resetId: reset.id, approverId }, { dedupeKey: `reset-approval-dm:${reset.id}:${approverId}` }),
      ),
      ...noticeJobs(reset, 'PENDING_APPROVAL'),
    ];
  }

  private async limited(userId: string, address: string, next: Date): Promise<StartResult> {
    const { limitPerDay } = this.deps.settings;
    await this.audit(userId, 'password_reset.request', mailboxSubject(address), 'refused', {
      reason: 'rate_limited',
      limitPerDay,
      nextAt: next.toISOString(),
    });
    return refusal(
      'rate_limited',
      `The password of ${address} has already been reset ${limitPerDay} time${limitPerDay === 1 ? '' : 's'} in the last 24 hours, the most allowed. The next reset is possible from ${slackDate(next)}.`,
    );
  }

  private startedMessage(address: string, target: Target): string {
    if (target.isOwner) {
      return `:key: Resetting the password of *${address}* now. The new password comes as a one-time link: in a DM from me, and by SMS and email to your phone and personal address on file.`;
    }
    return `:hourglass: Asked ${target.approverIds.map(mention).join(', ')} to approve resetting the password of *${address}*. The new password will go to its owner only.`;
  }

  private async audit(actor: string, action: string, subject: string, outcome: 'refused', details: Record<string, unknown>): Promise<void> {
    await recordAudit(this.deps.prisma, { actor, action, subject, outcome, details: details as never }, this.deps.clock.now());
  }
}

const refusal = (code: string, message: string): Extract<StartResult, { ok: false }> => ({ ok: false, code, message });
