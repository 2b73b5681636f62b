// Web and worker as separate processes on one database: the web serves Slack (and runs no job),
// the worker runs every job (and serves no Slack route, only /healthz and /metrics on WORKER_PORT).
// A request goes to ACTIVE through signed Slack requests to the web; then both /metrics pages are
// scraped and must show what the flow did.
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/lib/free-port.ts';
import { type AppProcess, startApp, startWorld, type World } from '../support/app-process.ts';
import { eventually, People, requestFormValues } from '../support/harness.ts';

/** The value of one series in a Prometheus text page, e.g. series(page, 'mailroom_jobs_total', { kind: 'x', outcome: 'done' }). */
function series(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of page.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[3] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[4]);
  }
  return undefined;
}

describe('web and worker roles as separate processes', () => {
  let world: World;
  let web: AppProcess;
  let worker: AppProcess;
  let workerPort: number;
  beforeAll(async () => {
    world = await startWorld();
    workerPort = await freePort();
    web = await startApp(world, undefined, { env: { MAILROOM_ROLE: 'web', METRICS_TOKEN: 'metrics-token-0123456789' } });
    worker = await startApp(world, undefined, {
      env: { MAILROOM_ROLE: 'worker', WORKER_PORT: String(workerPort), METRICS_TOKEN: 'metrics-token-0123456789' },
      healthPort: workerPort,
    });
  });
  afterAll(async () => {
    for (const child of [web?.child, worker?.child]) child?.kill('SIGTERM');
    await Promise.all([web?.exited, worker?.exited]);
    await world?.close();
  });

  const scrape = async (port: number) => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(response.status).toBe(200);
    return response.text();
  };

  it('takes a request to ACTIVE: Slack through the web, every job on the worker', async () => {
    const submitted = await world.driver.viewSubmission({
      userId: People.requester,
      view: { callbackId: 'request_email_modal', values: requestFormValues({ localPart: 'role.split' }) },
    });
    expect(submitted.status).toBe(200);
    const request = await eventually(() => world.db.prisma.emailRequest.findFirst({ where: { localPart: 'role.split' } }), 'the request');
    const dm = await eventually(() => world.db.prisma.approvalMessage.findFirst({ where: { requestId: request.id } }), 'the approval DM');
    const clicked = await world.driver.blockAction({
      userId: People.superior,
      actionId: 'request_approve',
      value: String(request.id),
      channelId: dm.channelId,
      messageTs: dm.ts,
      responseUrl: world.slack.responseUrl(`approve-${request.id}`),
      triggerId: world.slack.issueTriggerId(),
    });
    expect(clicked.status).toBe(200);
    await eventually(
      async () => (await world.db.prisma.emailRequest.findUnique({ where: { id: request.id } }))?.status === 'ACTIVE',
      'the request to become ACTIVE',
    );
    expect(world.cpanel.mailboxes.has('role.split@example.com')).toBe(true);
    const due = { OR: [{ status: 'RUNNING' as const }, { status: 'PENDING' as const, runAt: { lte: new Date() } }] };
    await eventually(async () => (await world.db.prisma.job.count({ where: due })) === 0, 'the due jobs to drain');
    // A send retried after a slow answer waits out its backoff: every delivery has ended before the scrape.
    await eventually(async () => (await world.db.prisma.delivery.count({ where: { status: 'PENDING' } })) === 0, 'every delivery to end');

    // Every job was claimed by the worker's runner (its id starts with the worker's pid), none by the web.
    // (The one-time link's purge waits for the link to expire.)
    const jobs = await world.db.prisma.job.findMany({
      where: { kind: { not: 'secret.purge' } },
      select: { kind: true, status: true, lockedBy: true },
    });
    expect(jobs.length).toBeGreaterThan(5);
    for (const row of jobs) {
      expect(row.status).toBe('DONE');
      expect(row.lockedBy?.startsWith(`${worker.child.pid}-`), `${row.kind} was claimed by ${row.lockedBy}`).toBe(true);
    }
  });

  it('the worker yields the CPU to the web on a shared host (WORKER_NICE, default 10); the web keeps its priority', () => {
    const own = getPriority();
    expect(getPriority(web.child.pid)).toBe(own);
    expect(getPriority(worker.child.pid)).toBe(Math.max(own, 10));
  });

  it('the worker serves no Slack route, only its probes; /metrics wants the token', async () => {
    const slack = await fetch(`http://127.0.0.1:${workerPort}/slack/events`, { method: 'POST', body: 'payload=%7B%7D' });
    expect(slack.status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${workerPort}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${workerPort}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${world.port}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('scrapes what the flow did: acks per surface on the web; jobs, provider calls, deliveries and the queue on the worker', async () => {
    const webPage = await scrape(world.port);
    expect(series(webPage, 'mailroom_slack_ack_seconds_count', { surface: 'view_submission' })).toBe(1);
    expect(series(webPage, 'mailroom_slack_ack_seconds_count', { surface: 'block_action' })).toBe(1);
    // The modal's address check asked cPanel from the web; the web ran no job.
    expect(series(webPage, 'mailroom_provider_call_seconds_count', { provider: 'cpanel', function: 'find', outcome: 'ok' })).toBe(1);
    expect(series(webPage, 'mailroom_jobs_total')).toBeUndefined();
    expect(series(webPage, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const workerPage = await scrape(workerPort);
    expect(series(workerPage, 'mailroom_jobs_total', { kind: 'mailbox.provision', outcome: 'done' })).toBe(1);
    expect(series(workerPage, 'mailroom_jobs_total', { kind: 'request.post_approval_dm', outcome: 'done' })).toBe(1);
    expect(series(workerPage, 'mailroom_provider_call_seconds_count', { provider: 'cpanel', function: 'create', outcome: 'ok' })).toBe(1);
    // One count per delivery the worker sent, as the Delivery rows record them.
    for (const channel of ['SMS', 'EMAIL'] as const) {
      const sent = await world.db.prisma.delivery.count({ where: { channel, status: 'SENT' } });
      expect(sent).toBeGreaterThan(0);
      expect(series(workerPage, 'mailroom_deliveries_total', { channel, status: 'sent' })).toBe(sent);
    }
    for (const lane of ['provider', 'slack', 'notify']) expect(series(workerPage, 'mailroom_jobs_queued', { lane })).toBe(0);
    expect(series(workerPage, 'mailroom_jobs_oldest_due_seconds')).toBe(0);
    expect(series(workerPage, 'mailroom_slack_ack_seconds_count', { surface: 'view_submission' })).toBeUndefined();
  });
});
