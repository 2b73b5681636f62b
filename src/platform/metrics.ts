// Prometheus metrics (prom-client), one registry per Mailroom: ack latency per Slack surface, jobs by
// kind and outcome, the queue's depth and oldest due job (read on scrape, cached), provider call
// latency, deliveries by channel and outcome, and Node's default process metrics.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Clock } from './clock.ts';
import type { JobObserver } from './job-runner.ts';
import { JOB_LANES } from './lanes.ts';

/** How long a scrape reuses the last queue reading (two indexed queries). */
const QUEUE_CACHE_MS = 5_000;

export type AckSurface = 'slash_command' | 'block_action' | 'view_submission' | 'view_closed' | 'options' | 'event' | 'other';

export class Metrics {
  readonly registry = new Registry();
  readonly ackSeconds: Histogram<'surface'>;
  readonly jobs: Counter<'kind' | 'outcome'>;
  readonly providerSeconds: Histogram<'provider' | 'function' | 'outcome'>;
  readonly deliveries: Counter<'channel' | 'status'>;
  private queueReading: { at: number; value: Promise<QueueReading> } | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.ackSeconds = new Histogram({
      name: 'mailroom_slack_ack_seconds',
      help: 'Time from a Slack request reaching Mailroom to its answer (the ack), per surface',
      labelNames: ['surface'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
      registers,
    });
    this.jobs = new Counter({
      name: 'mailroom_jobs_total',
      help: 'Job runs by kind and outcome (done, retry, dead)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.providerSeconds = new Histogram({
      name: 'mailroom_provider_call_seconds',
      help: 'Calls to the mail hosts, Twilio and SMTP, by provider, function and outcome (ok, error)',
      labelNames: ['provider', 'function', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers,
    });
    this.deliveries = new Counter({
      name: 'mailroom_deliveries_total',
      help: 'SMS and email deliveries by channel and outcome (sent, logged, skipped, retry, failed)',
      labelNames: ['channel', 'status'],
      registers,
    });
    const reading = () => this.readQueue();
    new Gauge({
      name: 'mailroom_jobs_queued',
      help: 'Jobs due and waiting for a runner, per lane',
      labelNames: ['lane'],
      registers,
      async collect() {
        const { depth } = await reading();
        for (const lane of JOB_LANES) this.set({ lane }, depth[lane] ?? 0);
      },
    });
    new Gauge({
      name: 'mailroom_jobs_oldest_due_seconds',
      help: 'How long the oldest due job has waited (0 when none is due)',
      registers,
      async collect() {
        this.set((await reading()).oldestDueSeconds);
      },
    });
  }

  readonly jobObserver: JobObserver = {
    finished: (kind, outcome) => this.jobs.inc({ kind, outcome }),
  };

  observeProviderCall = (provider: string, fn: string, outcome: 'ok' | 'error', seconds: number): void => {
    this.providerSeconds.observe({ provider, function: fn, outcome }, seconds);
  };

  /** Both gauges from one reading, at most every QUEUE_CACHE_MS: COUNT over due PENDING rows and MIN(runAt), both on indexes. */
  private readQueue(): Promise<QueueReading> {
    const now = Date.now();
    if (this.queueReading && now - this.queueReading.at < QUEUE_CACHE_MS) return this.queueReading.value;
    const value = this.queryQueue().catch((error: unknown) => {
      this.queueReading = undefined;
      throw error;
    });
    this.queueReading = { at: now, value };
    return value;
  }

  private async queryQueue(): Promise<QueueReading> {
    const at = this.clock.now();
    const rows = await this.prisma.$queryRaw<Array<{ lane: string; n: bigint | number }>>`
      SELECT lane, COUNT(*) AS n FROM Job FORCE INDEX (Job_status_lane_runAt_idx)
      WHERE status = 'PENDING' AND runAt <= ${at} GROUP BY lane`;
    const [oldest] = await this.prisma.$queryRaw<Array<{ runAt: Date | null }>>`
      SELECT MIN(runAt) AS runAt FROM Job FORCE INDEX (Job_status_runAt_idx) WHERE status = 'PENDING'`;
    const depth: Record<string, number> = {};
    for (const row of rows) depth[row.lane] = Number(row.n);
    const oldestAt = oldest?.runAt ? new Date(oldest.runAt).getTime() : undefined;
    const oldestDueSeconds = oldestAt !== undefined && oldestAt <= at.getTime() ? (at.getTime() - oldestAt) / 1000 : 0;
    return { depth, oldestDueSeconds };
  }
}

interface QueueReading {
  depth: Record<string, number>;
  oldestDueSeconds: number;
}

/**
 * GET /metrics. With METRICS_TOKEN set, only `Authorization: Bearer <token>` is answered (401
 * otherwise); without it the page is open, as Prometheus scrapes usually are on a private network.
 */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Unauthorized');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) =>
        res
          .writeHead(503, { 'content-type': 'text/plain' })
          .end(`metrics unavailable: ${error instanceof Error ? error.message : 'error'}`),
    );
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The Slack surface of a request body Bolt has buffered (form-encoded command or payload, or an event's JSON). */
export function slackSurface(rawBody: Buffer | undefined, contentType: string | undefined): AckSurface {
  if (!rawBody) return 'other';
  const text = rawBody.toString('utf8');
  if (contentType?.includes('application/json')) return text.includes('"event_callback"') ? 'event' : 'other';
  const form = new URLSearchParams(text);
  if (form.has('command')) return 'slash_command';
  const payload = form.get('payload');
  if (!payload) return 'other';
  let type: unknown;
  try {
    type = (JSON.parse(payload) as { type?: unknown }).type;
  } catch {
    return 'other';
  }
  if (type === 'block_actions') return 'block_action';
  if (type === 'view_submission' || type === 'view_closed') return type;
  if (type === 'block_suggestion') return 'options';
  return 'other';
}
