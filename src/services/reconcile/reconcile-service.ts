/**
 * The drift and risk report in the app: the scheduled summary DM to the admins (RECONCILE_CRON)
 * and Adopt, which links a mailbox the host has and Mailroom does not know to its Slack owner.
 * Nothing changes unless an admin presses Adopt.
 */
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { domainOf, localPartOf } from '../../lib/address.ts';
import type { Logger } from '../../lib/logger.ts';
import { dateIn } from '../../lib/zoned-time.ts';
import type { Clock } from '../../platform/clock.ts';
import type { MailboxProvider } from '../../providers/mailbox-provider.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import { buildReconcileSummary } from '../../views/reconcile-messages.ts';
import { mailboxSubject, recordAudit } from '../audit/audit.ts';
import { linkOwner } from '../mailboxes/ownership.ts';
import { buildReconcileReport } from './collect.ts';
import type { ReconcileReport } from './model.ts';

export interface ReconcileServiceDeps {
  prisma: PrismaClient;
  provider: MailboxProvider;
  slack: SlackGateway;
  clock: Clock;
  logger: Logger;
  settings: { domains: readonly string[]; adminIds: readonly string[]; timeZone: string };
}

export type AdoptResult =
  | { ok: true; address: string; ownerId: string; imported: boolean }
  | { ok: false; code: 'not_admin' | 'bad_input' | 'not_at_host' | 'host_unavailable'; message: string };

export class ReconcileService {
  constructor(private readonly deps: ReconcileServiceDeps) {}

  report(): Promise<ReconcileReport> {
    const { prisma, provider, slack, clock, settings } = this.deps;
    return buildReconcileReport({ db: prisma, provider, domains: settings.domains, now: () => clock.now(), slack });
  }

  /**
   * The scheduled run: one summary DM per admin per day. The sweep's lease runs it once per tick
   * across replicas; the post's key (message metadata) keeps a repeated run from posting twice.
   */
  async sendSummary(): Promise<Record<string, number>> {
    const { slack, settings, clock, logger } = this.deps;
    const report = await this.report();
    const message = buildReconcileSummary(report);
    const key = `reconcile:${dateIn(clock.now(), settings.timeZone)}`;
    let posted = 0;
    for (const adminId of settings.adminIds) {
      try {
        if (await slack.findPostedMessage(adminId, key)) continue;
        await slack.postDirectMessage(adminId, message, { key });
        posted += 1;
      } catch (error) {
        logger.warn({ err: error, adminId }, 'reconcile summary DM failed');
      }
    }
    return { findings: report.findings.length, hostsDown: report.hosts.filter((h) => !h.ok).length, posted };
  }

  isAdmin(userId: string): boolean {
    return this.deps.settings.adminIds.includes(userId);
  }

  /** Who may press Adopt: an admin. Anyone else is refused, and the attempt audited. */
  async checkAdmin(userId: string, address: string): Promise<AdoptResult | undefined> {
    if (this.isAdmin(userId)) return undefined;
    await recordAudit(
      this.deps.prisma,
      {
        actor: userId,
        action: 'mailbox.adopted',
        subject: mailboxSubject(address),
        outcome: 'refused',
        details: { reason: 'not an admin' },
      },
      this.deps.clock.now(),
    );
    return { ok: false, code: 'not_admin', message: 'Only Mailroom admins can adopt mailboxes. This attempt was recorded.' };
  }

  /**
   * Links `address` (at the host, not yet in Mailroom, or deleted there) to `ownerId`: the Mailbox
   * row is recorded for the host serving its domain, the owner linked by the one ownership rule.
   */
  async adopt(input: { actorId: string; address: string; ownerId: string }): Promise<AdoptResult> {
    const { prisma, provider, slack, clock, settings } = this.deps;
    const address = input.address.trim().toLowerCase();
    const refused = await this.checkAdmin(input.actorId, address);
    if (refused) return refused;
    if (!/^[^@\s]+@[^@\s]+$/.test(address) || !settings.domains.includes(domainOf(address))) {
      return { ok: false, code: 'bad_input', message: `${address} is not an address in a managed domain.` };
    }
    const owner = await slack.getUser(input.ownerId);
    if (!owner || owner.deleted || owner.isBot) return { ok: false, code: 'bad_input', message: 'Choose an active person as the owner.' };
    const found = await provider.find(address);
    if (!found.ok) return { ok: false, code: 'host_unavailable', message: `The mail host could not be asked: ${found.reason}` };
    if (!found.value) return { ok: false, code: 'not_at_host', message: `There is no mailbox ${address} at the mail host any more.` };
    const domain = domainOf(address);
    const now = clock.now();
    const imported = await prisma.$transaction(async (tx) => {
      const existing = await tx.mailbox.findUnique({ where: { address }, select: { id: true, status: true } });
      const host = provider.nameFor(domain);
      const mailbox = existing
        ? await tx.mailbox.update({
            where: { id: existing.id },
            data: { status: existing.status === 'DELETED' ? 'ACTIVE' : existing.status, provider: host },
            select: { id: true },
          })
        : await tx.mailbox.create({
            // 0 is what cPanel calls unlimited; the real quota of an adopted mailbox is not known.
            data: { address, localPart: localPartOf(address), domain, provider: host, status: 'ACTIVE', quotaMb: 0, createdAt: now },
            select: { id: true },
          });
      await linkOwner(tx, { mailboxId: mailbox.id, slackUserId: owner.id, fullName: owner.realName, now });
      await recordAudit(
        tx,
        {
          actor: input.actorId,
          action: 'mailbox.adopted',
          subject: mailboxSubject(address),
          outcome: 'ok',
          details: { owner: owner.id, host, imported: !existing },
        },
        now,
      );
      return !existing;
    });
    return { ok: true, address, ownerId: owner.id, imported };
  }
}
