import { withTimeout } from '../../lib/timeout.ts';
import { recordAudit } from '../audit/audit.ts';
import { type OffboardingServiceDeps, type Refusal, subject } from './model.ts';

const GROUP_CACHE_MS = 60_000;

/** Who may act on offboardings, and the audited refusals every HR action shares. */
export class OffboardingAccess {
  private groupCache: { at: number; members: Set<string> } | undefined;

  constructor(private readonly deps: OffboardingServiceDeps) {}

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

  async refuseNotHr(actorId: string, action: string, subjectText: string, checkFailed: boolean): Promise<Refusal> {
    await recordAudit(
      this.deps.prisma,
      { actor: actorId, action, subject: subjectText, outcome: 'refused', details: { reason: checkFailed ? 'hr_check_failed' : 'not_hr' } },
      this.deps.clock.now(),
    );
    return { ok: false, code: 'not_hr', checkFailed };
  }

  /** A decision that lost to another one (or came too late): audited, answered with who decided. */
  async refuseWrongState(id: number, actorId: string, action: string): Promise<Refusal> {
    const current = await this.deps.prisma.offboarding.findUniqueOrThrow({
      where: { id },
      select: { status: true, decidedById: true, cancelledById: true },
    });
    await recordAudit(
      this.deps.prisma,
      { actor: actorId, action, subject: subject(id), outcome: 'ignored', details: { reason: 'wrong_state', status: current.status } },
      this.deps.clock.now(),
    );
    const by = current.status.startsWith('CANCEL') ? current.cancelledById : current.decidedById;
    return { ok: false, code: 'wrong_state', status: current.status, by };
  }
}
