import { z } from 'zod';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../platform/clock.ts';
import { defineJob, handle, type JobHandler, job, type QueuedJob } from '../../platform/jobs.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import { buildHomeView } from '../../views/home.ts';
import { HOME_LIST_MAX, type HomeData, type HomeList, type OpenOffboarding, type OwnRequest, type WaitingRequest } from './model.ts';

export interface HomeServiceDeps {
  prisma: PrismaClient;
  slack: SlackGateway;
  clock: Clock;
  /** The HR check `/offboard` uses (OffboardingService.checkHr), so the Home tab and the command agree. */
  checkHr: (userId: string) => Promise<{ ok: true } | { ok: false; checkFailed: boolean }>;
  logger: Logger;
  settings: { adminIds: readonly string[] };
}

const refreshPayload = z.object({ requestId: z.number().int().positive(), admins: z.boolean() });
type RefreshPayload = z.infer<typeof refreshPayload>;
const userRefreshPayload = z.object({ userId: z.string().min(1) });

export const HomeJobs = {
  // Opening the tab refreshes it anyway: a few attempts are enough.
  refreshForUser: defineJob('home.refresh', userRefreshPayload, { maxAttempts: 3 }),
  /** Queued by earlier versions (one per request and change, every tab it touched); still run, no longer queued. */
  refreshForRequest: defineJob('home.refresh_request', refreshPayload, { maxAttempts: 3 }),
};

/**
 * Republishes these people's Home tabs, at most one pending job per person: the key is held while
 * the job waits and released when it starts (see refreshForUser), so a later change folds into a
 * refresh still waiting, and one that comes after the refresh began queues the next.
 */
export const homeRefreshJobs = (userIds: Iterable<string>): QueuedJob[] =>
  [...new Set(userIds)].map((userId) => job(HomeJobs.refreshForUser, { userId }, { dedupeKey: `home:${userId}` }));

const approverIdList = z.array(z.string()).catch([]);

const waitingSelect = {
  id: true,
  address: true,
  fullName: true,
  requesterId: true,
  createdAt: true,
  escalatedAt: true,
} satisfies Prisma.EmailRequestSelect;

const ownSelect = {
  id: true,
  address: true,
  fullName: true,
  status: true,
  superiorId: true,
  approverIds: true,
  routedToAdmins: true,
  escalatedAt: true,
  decidedById: true,
  decidedAt: true,
  decisionReason: true,
  failureReason: true,
  createdAt: true,
} satisfies Prisma.EmailRequestSelect;

const offboardingSelect = {
  id: true,
  address: true,
  leaverName: true,
  initiatedById: true,
  status: true,
  runAt: true,
  deleteAfter: true,
  _count: { select: { steps: { where: { status: 'FAILED' } } } },
} satisfies Prisma.OffboardingSelect;

/** Newest first; the id breaks ties between rows created in the same millisecond. */
const newestFirst = [{ createdAt: 'desc' }, { id: 'desc' }] satisfies Prisma.EmailRequestOrderByWithRelationInput[];

/** Each person's App Home: loads what concerns them from MySQL and publishes it through the Slack gateway. */
export class HomeService {
  constructor(private readonly deps: HomeServiceDeps) {}

  async publish(userId: string): Promise<void> {
    const data = await this.load(userId);
    await this.deps.slack.publishHome(userId, buildHomeView(data, this.deps.clock.now()));
  }

  async load(userId: string): Promise<HomeData> {
    const { prisma, settings } = this.deps;
    // An approver is whoever holds an approval DM for the request (the superior, or the admins when
    // routed or escalated to them); nobody decides their own request, whatever the rows say.
    const waitingWhere = {
      status: 'PENDING_APPROVAL',
      requesterId: { not: userId },
      approvalMessages: { some: { userId } },
    } satisfies Prisma.EmailRequestWhereInput;
    const isAdmin = settings.adminIds.includes(userId);
    const [hr, waiting, mine, failedCount] = await Promise.all([
      this.deps.checkHr(userId),
      list<WaitingRequest>(
        prisma.emailRequest.findMany({ where: waitingWhere, orderBy: newestFirst, take: HOME_LIST_MAX, select: waitingSelect }),
        prisma.emailRequest.count({ where: waitingWhere }),
      ),
      list<OwnRequest>(
        prisma.emailRequest
          .findMany({ where: { requesterId: userId }, orderBy: newestFirst, take: HOME_LIST_MAX, select: ownSelect })
          .then((rows) => rows.map((row) => ({ ...row, approverIds: approverIdList.parse(row.approverIds) }))),
        prisma.emailRequest.count({ where: { requesterId: userId } }),
      ),
      isAdmin ? prisma.emailRequest.count({ where: { status: 'FAILED' } }) : undefined,
    ]);
    const data: HomeData = { userId, isHr: hr.ok, hrCheckFailed: !hr.ok && hr.checkFailed, waiting, mine };
    if (hr.ok) data.offboardings = await this.openOffboardings();
    if (failedCount !== undefined) data.failedCount = failedCount;
    return data;
  }

  /**
   * Each tab is loaded afresh, so the newest state wins whichever change queued the job. A failure
   * for one person (a deactivated account) does not keep the others stale; the job then fails and
   * is retried, publishing every tab again, which is harmless.
   */
  private async refreshForRequest({ requestId, admins }: RefreshPayload): Promise<void> {
    const request = await this.deps.prisma.emailRequest.findUnique({
      where: { id: requestId },
      select: { requesterId: true, approvalMessages: { select: { userId: true } } },
    });
    if (!request) return;
    const users = new Set([
      request.requesterId,
      ...request.approvalMessages.map((message) => message.userId),
      ...(admins ? this.deps.settings.adminIds : []),
    ]);
    const failed: string[] = [];
    for (const userId of users) {
      try {
        await this.publish(userId);
      } catch (error) {
        this.deps.logger.warn({ err: error, userId, requestId }, 'could not refresh a Home tab');
        failed.push(userId);
      }
    }
    if (failed.length > 0) throw new Error(`${failed.length} of ${users.size} Home tabs were not refreshed: ${failed.join(', ')}`);
  }

  /**
   * Releases the job's key first, then reads and publishes. A change that commits after the release
   * queues a new refresh; one whose enqueue found the key still held had locked that key row (InnoDB
   * takes a shared lock on a duplicate key), so the release waited for its commit and the read below
   * sees it. Either way the newest state is published.
   */
  private async refreshForUser(userId: string, jobId: number): Promise<void> {
    await this.deps.prisma.job.updateMany({ where: { id: jobId }, data: { dedupeKey: null } });
    await this.publish(userId);
  }

  jobHandlers(): JobHandler[] {
    return [
      handle(HomeJobs.refreshForUser, { run: (payload, context) => this.refreshForUser(payload.userId, context.jobId) }),
      handle(HomeJobs.refreshForRequest, { run: (payload) => this.refreshForRequest(payload) }),
    ];
  }

  /** Offboardings not yet DELETED or CANCELLED, the next deletion first. */
  private openOffboardings(): Promise<HomeList<OpenOffboarding>> {
    // Leaver holds are shown in the leaver alert DMs, where HR decides on them.
    const where = { status: { notIn: ['DELETED', 'CANCELLED'] }, kind: 'OFFBOARDING' } satisfies Prisma.OffboardingWhereInput;
    return list<OpenOffboarding>(
      this.deps.prisma.offboarding
        .findMany({ where, orderBy: [{ deleteAfter: 'asc' }, { id: 'asc' }], take: HOME_LIST_MAX, select: offboardingSelect })
        .then((rows) => rows.map(({ _count, ...row }) => ({ ...row, failedSteps: _count.steps }))),
      this.deps.prisma.offboarding.count({ where }),
    );
  }
}

async function list<T>(items: Promise<T[]>, total: Promise<number>): Promise<HomeList<T>> {
  const [rows, count] = await Promise.all([items, total]);
  return { items: rows, total: Math.max(count, rows.length) };
}
