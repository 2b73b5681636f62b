// Graceful shutdown. With a real SIGTERM to a child runner: no job starts after the signal, the
// running ones finish within the grace period, the claims of those that cannot are handed back at
// once (no lease to wait out), and the process exits. In-process: /healthz says 503 while the app
// drains, so a load balancer stops sending it traffic.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { JobQueue, job } from '../../src/platform/jobs.ts';
import { SlowJob } from '../support/crash/jobs.ts';
import { approvalMessageFor, clickButton, eventually, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

function startChild(
  db: TestDatabase,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/crash/job-child.ts'], {
    env: { ...process.env, DATABASE_URL: db.url, LEASE_MS: '30000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('SIGTERM to a job runner with queued work', () => {
  let db: TestDatabase;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await db?.drop();
  });

  it('starts nothing after the signal and lets the running jobs finish', async () => {
    await new JobQueue(systemClock, 5).enqueue(
      db.prisma,
      Array.from({ length: 16 }, (_, n) => job(SlowJob, { n }, { dedupeKey: `finish-${n}` })),
    );
    const { child, output, exited } = startChild(db, { JOB_MS: '700', SHUTDOWN_GRACE_MS: '5000' });
    children.push(child);
    await eventually(async () => output().includes('STARTED'), 'the first job to start');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const [beforeSignal = '', afterSignal = ''] = output().split('SIGTERM\n');
    expect(afterSignal).not.toContain('STARTED');
    expect(afterSignal).toContain('STOPPED 0');
    const started = beforeSignal.match(/STARTED/g)?.length ?? 0;
    const rows = await db.prisma.job.findMany({ where: { dedupeKey: { startsWith: 'finish-' } } });
    // Every job that started finished; every other one is back in the queue untouched.
    expect(rows.filter((row) => row.status === 'DONE')).toHaveLength(started);
    expect(rows.filter((row) => row.status === 'PENDING' && row.attempts === 0)).toHaveLength(16 - started);
    expect(rows.filter((row) => row.status === 'RUNNING')).toHaveLength(0);
  });

  it('hands back a job that outlasts the grace period, so another runner need not wait for the lease', async () => {
    await db.prisma.job.deleteMany(); // what the first test left in the queue
    await new JobQueue(systemClock, 5).enqueue(db.prisma, job(SlowJob, { n: 99 }, { dedupeKey: 'long-one' }));
    const { child, output, exited } = startChild(db, { JOB_MS: '60000', SHUTDOWN_GRACE_MS: '300' });
    children.push(child);
    await eventually(async () => output().includes('STARTED'), 'the long job to start');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toContain('STOPPED 1');
    const row = await db.prisma.job.findUniqueOrThrow({ where: { dedupeKey: 'long-one' } });
    expect(row).toMatchObject({ status: 'PENDING', attempts: 0, lockedBy: null, lockedAt: null });
  });
});

describe('the app while it drains', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SHUTDOWN_GRACE_SECONDS: '1', CPANEL_TIMEOUT_MS: '20000' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers /healthz 503 at once and hands a provisioning stuck at cPanel back to the queue', async () => {
    await submitRequestForm(h, { localPart: 'slow.host' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'slow.host' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    h.cpanel.delayMs = 10_000;
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    await eventually(
      () => h.db.prisma.job.findFirst({ where: { kind: 'mailbox.provision', status: 'RUNNING' } }),
      'provisioning to be under way',
    );
    expect((await fetch(`${h.appUrl}/healthz`)).status).toBe(200);

    const stopping = h.mailroom.stop();
    const health = await fetch(`${h.appUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ ok: false, error: 'shutting down' });
    await stopping;
    const provision = await h.db.prisma.job.findFirstOrThrow({ where: { kind: 'mailbox.provision' } });
    expect(provision).toMatchObject({ status: 'PENDING', attempts: 0, lockedBy: null });
    h.cpanel.delayMs = 0;
  });
});
