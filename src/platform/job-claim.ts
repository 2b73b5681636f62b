// Claiming due jobs of one lane: SELECT … FOR UPDATE SKIP LOCKED under READ COMMITTED (the session's
// level, set on every connection by platform/db/client.ts), walking the
// (status, lane, runAt) index, so several runners (and replicas) share the queue and each job runs once.
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { JobLane } from './lanes.ts';

export interface ClaimedJob {
  id: number;
  kind: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

export interface ClaimRequest {
  lane: JobLane;
  limit: number;
  now: Date;
  workerId: string;
  /** Also take over RUNNING jobs of this lane whose claim is older than this (their runner died). */
  staleBefore?: Date;
}

interface ClaimRow {
  id: number | bigint;
  kind: string;
  payload: unknown;
  attempts: number | bigint;
  maxAttempts: number | bigint;
}

/** A raw row as claimed: the attempt counted, the JSON payload parsed (MariaDB's JSON is text). */
function toClaimedJob(row: ClaimRow): ClaimedJob {
  const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
  return { id: Number(row.id), kind: row.kind, payload, attempts: Number(row.attempts) + 1, maxAttempts: Number(row.maxAttempts) };
}

/**
 * Two replicas claiming at once can still deadlock on the index entries the UPDATE rewrites;
 * InnoDB then rolls one back, which is harmless here: try the claim again.
 */
export async function claimJobs(prisma: PrismaClient, request: ClaimRequest): Promise<ClaimedJob[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await claimOnce(prisma, request);
    } catch (error) {
      const isConflict = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2034';
      if (!isConflict || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

function claimOnce(prisma: PrismaClient, { lane, limit, now, workerId, staleBefore }: ClaimRequest): Promise<ClaimedJob[]> {
  // READ COMMITTED (the session's): no gap locks, so concurrent claimers lock only the rows they take.
  return prisma.$transaction(async (tx) => {
    // Each query walks the (status, lane, runAt) index in order and stops after LIMIT rows, so it
    // locks only what it takes; an OR or a filesort would lock every due row and starve others.
    // Finished jobs (DONE, DEAD) sit under other status prefixes: a million of them cost nothing here.
    // The index is forced: on a small table the optimizer may pick another one (or a full scan),
    // whose scan briefly locks other lanes' rows, so their own concurrent claims would skip them.
    // Abandoned claims first (when asked for): their work is the oldest, and a deep queue must not delay a takeover.
    const abandoned = staleBefore
      ? await tx.$queryRaw<ClaimRow[]>`
            SELECT id, kind, payload, attempts, maxAttempts FROM Job FORCE INDEX (Job_status_lane_runAt_idx)
            WHERE status = 'RUNNING' AND lane = ${lane} AND lockedAt < ${staleBefore}
            ORDER BY status, lane, runAt, id
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED`
      : [];
    const due =
      abandoned.length < limit
        ? await tx.$queryRaw<ClaimRow[]>`
              SELECT id, kind, payload, attempts, maxAttempts FROM Job FORCE INDEX (Job_status_lane_runAt_idx)
              WHERE status = 'PENDING' AND lane = ${lane} AND runAt <= ${now}
              ORDER BY status, lane, runAt, id
              LIMIT ${limit - abandoned.length}
              FOR UPDATE SKIP LOCKED`
        : [];
    const rows = [...abandoned, ...due];
    if (rows.length === 0) return [];
    const ids = rows.map((row) => Number(row.id));
    await tx.job.updateMany({
      where: { id: { in: ids } },
      data: { status: 'RUNNING', lockedAt: now, lockedBy: workerId, attempts: { increment: 1 } },
    });
    // The rows are locked since the SELECT, so what it read is what the UPDATE changed: no re-read.
    return rows.map(toClaimedJob).sort((a, b) => a.id - b.id);
  });
}
