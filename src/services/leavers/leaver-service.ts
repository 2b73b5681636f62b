import { setTimeout as sleep } from 'node:timers/promises';
import { handle, type JobHandler } from '../../platform/jobs.ts';
import { type RawSlackUser, type SlackUser, toSlackUser } from '../../slack/gateway.ts';
import type { ModalPrefill } from '../offboarding/offboarding-service.ts';
import { type AlertRefusal, type DismissResult, LeaverDecisions } from './decisions.ts';
import { LeaverDetection, type RaiseOutcome } from './detection.ts';
import { LeaverMessages } from './messages.ts';
import { type DetectionSource, LeaverJobs, type LeaverServiceDeps, type ReleasePayload } from './model.ts';

export { settleAlertsOnOffboarding } from './decisions.ts';
export { refreshAlertsOfHold } from './messages.ts';
export { LeaverJobs, type LeaverServiceDeps, type LeaverSettings } from './model.ts';
export type { AlertRefusal, DismissResult };

const DEFAULT_PAGE_SIZE = 200;

export interface DailyCheckCounts {
  [key: string]: number;
  pages: number;
  members: number;
  deactivated: number;
  raised: number;
  withdrawn: number;
}

/**
 * Leavers nobody offboarded: a Slack user who owns an ACTIVE mailbox is deactivated (the user_change
 * event, or the daily check of users.list for events that never arrived) while no offboarding is open:
 * HR gets one DM with Start offboarding / Not a leaver; with LEAVER_AUTO_SUSPEND the login is
 * suspended at once as a hold that Undo restores; a reactivation first withdraws the alert.
 */
export class LeaverService {
  private readonly detection: LeaverDetection;
  private readonly messages: LeaverMessages;
  private readonly decisions: LeaverDecisions;

  constructor(private readonly deps: LeaverServiceDeps & { timeZone: string }) {
    this.detection = new LeaverDetection(deps);
    this.messages = new LeaverMessages(deps);
    this.decisions = new LeaverDecisions(deps);
  }

  /** The user_change event: `deleted` true raises, false withdraws. Cheap for everyone without a mailbox or an alert. */
  async onUserChange(raw: RawSlackUser | undefined): Promise<void> {
    const user = toSlackUser(raw);
    if (!user) return;
    // Guest, bot and deactivated checks of later submissions and clicks see this change at once.
    this.deps.slack.rememberUser(user);
    if (user.deleted) await this.detection.deactivated(user, 'event');
    else await this.detection.reactivated(user.id, 'event');
  }

  deactivated(user: SlackUser, source: DetectionSource): Promise<RaiseOutcome[]> {
    return this.detection.deactivated(user, source);
  }

  /**
   * The daily check: every page of users.list, a pause between pages to stay inside Slack's Tier 2
   * rate (the Web API client also waits out a 429's Retry-After), deactivated members raised,
   * members with an open alert who are active again withdrawn. Returns (and logs) the counts.
   */
  async dailyCheck(): Promise<DailyCheckCounts> {
    const { prisma, slack, settings } = this.deps;
    const watched = new Set(
      (await prisma.leaverAlert.findMany({ select: { slackUserId: true }, distinct: ['slackUserId'] })).map((a) => a.slackUserId),
    );
    const counts: DailyCheckCounts = { pages: 0, members: 0, deactivated: 0, raised: 0, withdrawn: 0 };
    let cursor: string | undefined;
    do {
      if (counts.pages > 0 && settings.pageIntervalMs > 0) await sleep(settings.pageIntervalMs);
      const page = await slack.listUsers(cursor, settings.pageSize ?? DEFAULT_PAGE_SIZE);
      counts.pages += 1;
      for (const user of page.users) {
        counts.members += 1;
        if (user.isBot) continue;
        if (user.deleted) {
          counts.deactivated += 1;
          const outcomes = await this.detection.deactivated(user, 'daily_check');
          counts.raised += outcomes.filter((o) => o === 'raised' || o === 'raised_again').length;
        } else if (watched.has(user.id)) {
          counts.withdrawn += await this.detection.reactivated(user.id, 'daily_check');
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    // What it found is audited per alert (leaver.detected, leaver.withdrawn); the run itself is only logged.
    this.deps.logger.info(counts, 'leaver daily check done');
    return counts;
  }

  prepareStart(alertId: number, actorId: string): Promise<{ ok: true; prefill: ModalPrefill } | AlertRefusal> {
    return this.decisions.prepareStart(alertId, actorId);
  }

  prepareDismiss(alertId: number, actorId: string): Promise<{ ok: true; address: string; leaverName: string } | AlertRefusal> {
    return this.decisions.prepareDismiss(alertId, actorId);
  }

  dismiss(alertId: number, actorId: string, reason: string): Promise<DismissResult> {
    return this.decisions.dismiss(alertId, actorId, reason);
  }

  private async releaseHold(p: ReleasePayload): Promise<void> {
    const result = await this.deps.offboarding.releaseHold(p.offboardingId, p.actorId);
    // A step still talking to the mail server finishes within seconds: try again then.
    if (!result.ok && result.code === 'step_running') throw new Error('a step of the hold is running; retrying the release');
  }

  jobHandlers(): JobHandler[] {
    const { messages } = this;
    return [
      handle(LeaverJobs.notifyHr, { run: (p) => messages.notifyHr(p.alertId, p.round) }),
      handle(LeaverJobs.postDm, { run: (p, context) => messages.postDm(p, context) }),
      handle(LeaverJobs.refresh, { run: (p) => messages.refresh(p.alertId) }),
      handle(LeaverJobs.releaseHold, { run: (p) => this.releaseHold(p) }),
    ];
  }
}
