/**
 * How fast the app answers Slack, how much memory its web process holds, and how soon it starts.
 *
 * The app runs as its own process(es) from the build (`node scripts/start.mjs`, what `npm start`
 * runs) on a fresh database against the loopback fakes started here; a bare Bolt app on the same
 * HTTPReceiver, acking at once, is the baseline, started by this benchmark too. For each: N signed
 * `/request-email` modal submissions, C at a time, then N Approve clicks, C at a time, with the jobs
 * of those requests running meanwhile. Twice: the app as one process, and as a web and a worker
 * process (MAILROOM_ROLE=web / worker).
 * Goals: ack p99 ≤ 1.5× bare Bolt's; web RSS ≤ 150 MB idle, ≤ 250 MB under load; start ≤ 1 s to /healthz.
 * Run on demand: `npm run bench:ack [-- N C]` (also part of `npm run bench`).
 */
import pLimit from 'p-limit';
import { startFakeCpanel } from '../src/sandbox/fakes/cpanel-server.ts';
import { startFakeSlack } from '../src/sandbox/fakes/slack-server.ts';
import { startFakeSmtp } from '../src/sandbox/fakes/smtp-server.ts';
import { startFakeTwilio } from '../src/sandbox/fakes/twilio-server.ts';
import { SlackDriver } from '../src/sandbox/slack-driver.ts';
import { Actions } from '../src/slack/ids.ts';
import {
  BOT_TOKEN,
  CPANEL_TOKEN,
  HR_USERGROUP,
  harnessEnv,
  harnessUsers,
  People,
  requestFormValues,
  SIGNING_SECRET,
  TWILIO_SID,
  TWILIO_TOKEN,
} from '../test/support/harness.ts';
import { createTestDatabase } from '../test/support/test-db.ts';
import {
  type BenchResult,
  type Child,
  cleanupAll,
  cpuMs,
  freePort,
  mb,
  ms,
  onCleanup,
  percentile,
  printResult,
  ratioResult,
  rssMb,
  sampleRss,
  startChild,
  waitForHttp,
} from './lib.ts';

const TOTAL = Number(process.argv[2] ?? 200);
/**
 * The approvers, in turn: Slack (and its fake) posts about one message per second into one
 * channel, so 200 DMs to one superior would take minutes to exist before they can be clicked.
 */
const SUPERIORS = [People.superior, People.admin, People.admin2, People.hr, People.hrGroupMember];
const CONCURRENCY = Number(process.argv[3] ?? 50);

interface Fakes {
  slackApiUrl: string;
  cpanelUrl: string;
  twilioUrl: string;
  smtpUrl: string;
  slack: Awaited<ReturnType<typeof startFakeSlack>>;
}

async function startFakes(): Promise<Fakes> {
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, users: harnessUsers, usergroups: { [HR_USERGROUP]: [People.hrGroupMember] } });
  const cpanel = await startFakeCpanel({ user: 'acme', token: CPANEL_TOKEN, domains: ['example.com', 'example.org'] });
  const twilio = await startFakeTwilio({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
  const smtp = await startFakeSmtp({ user: 'mailroom', password: 'smtp-password' });
  onCleanup(() => Promise.all([slack.close(), cpanel.close(), twilio.close(), smtp.close()]).then(() => undefined));
  return { slack, slackApiUrl: slack.apiUrl, cpanelUrl: cpanel.url, twilioUrl: twilio.url, smtpUrl: smtp.url };
}

interface Target {
  url: string;
  /** The process whose memory is reported (the web process). */
  web: Child;
  /** The database the app writes to, to find the approval DMs; none for bare Bolt. */
  db?: Awaited<ReturnType<typeof createTestDatabase>>;
}

interface Latencies {
  submit: number[];
  approve: number[];
  /** CPU the answering (web) process used per request in each phase, in ms: with C requests queued on it, about p50 ÷ C. */
  cpuPerRequest: { submit: number; approve: number };
}

async function timed(work: () => Promise<{ status: number; body?: string }>, into: number[]): Promise<void> {
  const start = performance.now();
  const answer = await work();
  const elapsed = performance.now() - start;
  into.push(elapsed);
  // Bolt answers 404 when a listener has not acked within its 3 s: counted (and timed), not fatal.
  if (answer.status !== 200) failures.push(`${answer.status} after ${Math.round(elapsed)} ms`);
}

const failures: string[] = [];

/** N submissions C at a time, then (once their DMs exist) N Approve clicks C at a time. */
async function drive(target: Target, fakes: Fakes, prefix: string): Promise<Latencies> {
  const driver = new SlackDriver({ appUrl: target.url, signingSecret: SIGNING_SECRET, issueTriggerId: () => fakes.slack.issueTriggerId() });
  const limit = pLimit(CONCURRENCY);
  const latencies: Latencies = { submit: [], approve: [], cpuPerRequest: { submit: 0, approve: 0 } };
  console.error(`ack: driving ${prefix} at ${target.url}`);
  const pid = target.web.process.pid;
  let cpuBefore = cpuMs(pid);
  await Promise.all(
    Array.from({ length: TOTAL }, (_, i) =>
      limit(() =>
        timed(
          () =>
            driver.viewSubmission({
              userId: People.requester,
              view: {
                callbackId: 'request_email_modal',
                values: requestFormValues({ localPart: `${prefix}.${i}`, superior: SUPERIORS[i % SUPERIORS.length] ?? People.superior }),
              },
            }),
          latencies.submit,
        ),
      ),
    ),
  );
  latencies.cpuPerRequest.submit = (cpuMs(pid) - cpuBefore) / TOTAL;
  // The app's DMs carry the ids to click; bare Bolt gets the same clicks with made-up ones.
  const dms = target.db
    ? await waitForDms(target.db)
    : Array.from({ length: TOTAL }, (_, i) => ({ requestId: i + 1, userId: People.superior, channelId: 'D0', ts: `1.${i}` }));
  cpuBefore = cpuMs(pid);
  await Promise.all(
    dms.map((dm) =>
      limit(() =>
        timed(
          () =>
            driver.blockAction({
              userId: dm.userId,
              actionId: Actions.approve,
              value: String(dm.requestId),
              channelId: dm.channelId,
              messageTs: dm.ts,
              responseUrl: fakes.slack.responseUrl(`bench-${dm.requestId}`),
              triggerId: fakes.slack.issueTriggerId(),
            }),
          latencies.approve,
        ),
      ),
    ),
  );
  latencies.cpuPerRequest.approve = (cpuMs(pid) - cpuBefore) / Math.max(dms.length, 1);
  return latencies;
}

/** The approval DMs posted so far: all of them, or those there are after 90 s (noted in the results). */
async function waitForDms(db: NonNullable<Target['db']>) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const rows = await db.prisma.approvalMessage.findMany({ select: { requestId: true, userId: true, channelId: true, ts: true } });
    if (rows.length >= TOTAL || (Date.now() > deadline && rows.length > 0)) {
      if (rows.length < TOTAL) failures.push(`only ${rows.length} of ${TOTAL} DMs posted after 90 s, so ${rows.length} clicks`);
      return rows;
    }
    if (Date.now() > deadline) throw new Error(`no approval DM was posted within 90 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startBareBolt(fakes: Fakes): Promise<Target> {
  const port = await freePort();
  const web = startChild(process.execPath, ['--import', 'tsx', 'bench/support/bare-bolt.ts'], {
    ...process.env,
    PORT: String(port),
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: fakes.slackApiUrl,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, web);
  return { url, web };
}

/** The app from the build, as `npm start` runs it; returns the web process and how long it took to answer /healthz. */
async function startApp(fakes: Fakes, split: boolean): Promise<Target & { startMs: number; worker?: Child }> {
  const db = await createTestDatabase({ connectionLimit: 2 });
  onCleanup(() => db.drop());
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...harnessEnv({ databaseUrl: db.url, ...fakes }),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JOB_POLL_MS: '200',
    JOB_BACKOFF_BASE_MS: '1000',
  };
  const port = await freePort();
  // e.g. BENCH_WEB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the process that answers Slack.
  const nodeArgs = (process.env.BENCH_WEB_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const web = startChild(process.execPath, [...nodeArgs, 'scripts/start.mjs'], {
    ...env,
    PORT: String(port),
    ...(split ? { MAILROOM_ROLE: 'web' } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  const startMs = await waitForHttp(`${url}/healthz`, web);
  if (!split) return { url, web, db, startMs };
  const workerPort = await freePort();
  const worker = startChild(process.execPath, ['scripts/start.mjs'], { ...env, WORKER_PORT: String(workerPort), MAILROOM_ROLE: 'worker' });
  await waitForHttp(`http://127.0.0.1:${workerPort}/healthz`, worker);
  return { url, web, db, startMs, worker };
}

function latencyResults(label: string, app: Latencies, bare: Latencies): BenchResult[] {
  return (['submit', 'approve'] as const).map((kind) => {
    const p = (values: number[]) =>
      `p50 ${ms(percentile(values, 50))} / p95 ${ms(percentile(values, 95))} / p99 ${ms(percentile(values, 99))}`;
    const result = ratioResult(
      `ack ${kind} c=${CONCURRENCY} ${label}`,
      'p99 ≤1.5× bare Bolt',
      percentile(app[kind], 99),
      percentile(bare[kind], 99),
      1.5,
    );
    // The answering process's CPU in the phase (its jobs too, in one process) ÷ requests.
    const cpu = `CPU of the answering process ${app.cpuPerRequest[kind].toFixed(1)} ms per request (bare Bolt ${bare.cpuPerRequest[kind].toFixed(1)} ms)`;
    return { ...result, measured: p(app[kind]), baseline: p(bare[kind]), note: cpu };
  });
}

/** BENCH_PRINT_METRICS=1: where the web process waited (outbound calls' mean latency, ack latency per surface). */
async function printCallMetrics(url: string): Promise<void> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sums = new Map<string, { sum: number; count: number }>();
  for (const line of text.split('\n')) {
    const m = /^(mailroom_(?:provider_call|slack_ack)_seconds)_(sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const key = `${m[1]} ${m[3]}`;
    const entry = sums.get(key) ?? { sum: 0, count: 0 };
    entry[m[2] as 'sum' | 'count'] = Number(m[4]);
    sums.set(key, entry);
  }
  for (const [key, { sum, count }] of sums) console.error(`metrics: ${key}: ${count} calls, mean ${ms((sum / Math.max(count, 1)) * 1000)}`);
}

async function oneMode(fakes: Fakes, split: boolean): Promise<BenchResult[]> {
  const label = split ? 'web+worker' : 'one process';
  const bare = await startBareBolt(fakes);
  await new Promise((r) => setTimeout(r, 1000));
  const bareIdle = rssMb(bare.web.process.pid);
  const bareLoad = sampleRss(bare.web.process.pid);
  const bareLatencies = await drive(bare, fakes, 'bare');
  const bareLoaded = bareLoad();
  await bare.web.stop();

  const app = await startApp(fakes, split);
  await new Promise((r) => setTimeout(r, 1000));
  const appIdle = rssMb(app.web.process.pid);
  const appLoad = sampleRss(app.web.process.pid);
  const appLatencies = await drive(app, fakes, split ? 'split' : 'single');
  const appLoaded = appLoad();
  if (process.env.BENCH_PRINT_METRICS) await printCallMetrics(app.url);
  const results = latencyResults(label, appLatencies, bareLatencies);
  if (failures.length > 0) {
    for (const r of results) r.note = `${r.note}; ${failures.length} requests not acked in time (${failures.slice(0, 3).join(', ')}…)`;
    failures.length = 0;
  }
  results.push(
    {
      bench: `web RSS idle (${label})`,
      goal: '≤150 MB',
      measured: mb(appIdle),
      baseline: `bare Bolt ${mb(bareIdle)}`,
      ratio: appIdle / 150,
      pass: appIdle <= 150,
    },
    {
      bench: `web RSS loaded (${label})`,
      goal: '≤250 MB',
      measured: mb(appLoaded),
      baseline: `bare Bolt ${mb(bareLoaded)}`,
      ratio: appLoaded / 250,
      pass: appLoaded <= 250,
    },
    {
      bench: `start → /healthz (${label})`,
      goal: '≤1 s',
      measured: ms(app.startMs),
      baseline: '1000 ms',
      ratio: app.startMs / 1000,
      pass: app.startMs <= 1000,
    },
  );
  await app.worker?.stop();
  await app.web.stop();
  await app.db?.drop();
  return results;
}

/** Builds dist/ first when it is stale, so start-up is timed on the build, not on the build step. */
async function ensureBuild(): Promise<void> {
  // @ts-expect-error: a plain .mjs script without types
  const { build, isStale } = (await import('../scripts/build.mjs')) as { build(o: { quiet: boolean }): void; isStale(): boolean };
  if (isStale()) build({ quiet: true });
}

export async function benchAck(): Promise<BenchResult[]> {
  await ensureBuild();
  const fakes = await startFakes();
  // BENCH_ACK_MODES=single or split runs one of the two (default both).
  const modes = process.env.BENCH_ACK_MODES ?? 'single,split';
  return [...(modes.includes('single') ? await oneMode(fakes, false) : []), ...(modes.includes('split') ? await oneMode(fakes, true) : [])];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    for (const result of await benchAck()) printResult(result);
  } finally {
    await cleanupAll();
  }
}
