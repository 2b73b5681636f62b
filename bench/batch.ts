/**
 * Batch creation: 1,000 mailboxes, each provider call delayed 20 ms by the loopback cPanel fake (a
 * process of its own, bench/support/fake-cpanel.ts, for both runs), with
 * `mailroom batch-create --concurrency 16` (its `main()` in this process, database and all), against
 * the seed's own serial PHP loop (bench/php/seed-batch.php, run with php-cli against an identical
 * fake) and against the concurrency floor (1000 × 20 ms ÷ 16). Goals: ≥ 10× faster than PHP,
 * ≤ 1.3× the floor. Run on demand: `npm run bench:batch` (also part of `npm run bench`);
 * BENCH_NO_PHP=1 skips the PHP run (22 s) while working on the Mailroom side.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli.ts';
import { generatePassword } from '../src/services/credentials/password.ts';
import { createTestDatabase } from '../test/support/test-db.ts';
import { type BenchResult, cleanupAll, ms, onCleanup, printResult, ROOT, ratioResult, startChild } from './lib.ts';

const COUNT = 1000;
const DELAY_MS = 20;
const CONCURRENCY = 16;
const TOKEN = 'BENCHTOKEN0123456789ABCDEFGHIJKL';

/** The fake in a process of its own (bench/support/fake-cpanel.ts), as a real cPanel is remote. */
async function fakeCpanel(): Promise<{ url: string; stats: string }> {
  const child = startChild(process.execPath, ['--import', 'tsx', 'bench/support/fake-cpanel.ts'], {
    ...process.env,
    CPANEL_TOKEN: TOKEN,
    DELAY_MS: String(DELAY_MS),
  });
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const line = child
      .output()
      .split('\n')
      .find((text) => text.startsWith('{"url"'));
    if (line) return JSON.parse(line) as { url: string; stats: string };
    if (child.process.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the cPanel fake did not start:\n${child.output()}`);
}

interface FakeStats {
  created: number;
  maxInFlight: number;
  firstAt: number | null;
  lastAt: number | null;
  cpuMs: number;
}

async function fakeStats(cpanel: { stats: string }): Promise<FakeStats> {
  return (await (await fetch(cpanel.stats)).json()) as FakeStats;
}

function writeFile(dir: string, name: string, prefix: string): string {
  const lines = Array.from({ length: COUNT }, (_, i) => `${prefix}${i}@example.com | ${generatePassword()}`);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The run's duration, and where its time went: before the first add_pop (start-up, file, database), the add_pops, CPU. */
async function runMailroom(dir: string): Promise<{ elapsed: number; breakdown: string }> {
  const db = await createTestDatabase();
  onCleanup(() => db.drop());
  const cpanel = await fakeCpanel();
  const file = writeFile(dir, 'mailroom.txt', 'm');
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: db.url,
    MAIL_DOMAINS: 'example.com',
    MAILBOX_PROVIDER: 'cpanel',
    CPANEL_URL: cpanel.url,
    CPANEL_USER: 'acme',
    CPANEL_API_TOKEN: TOKEN,
    MAILBOX_QUOTA_MB: '2048',
  };
  let out = '';
  const fakeCpuBefore = (await fakeStats(cpanel)).cpuMs;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const code = await main([process.execPath, 'mailroom', 'batch-create', file, '--concurrency', String(CONCURRENCY)], {
    env,
    out: (line) => {
      out += `${line}\n`;
    },
    err: () => undefined,
    terminal: undefined,
  });
  const elapsed = performance.now() - start;
  const startedAt = Date.now() - elapsed;
  const cpu = process.cpuUsage(cpuBefore);
  const created = await db.prisma.mailbox.count();
  const stats = await fakeStats(cpanel);
  const atFake = stats.created;
  let breakdown = '';
  if (stats.firstAt !== null && stats.lastAt !== null) {
    breakdown = `first add_pop after ${ms(stats.firstAt - startedAt)}, add_pops over ${ms(stats.lastAt - stats.firstAt)}, at most ${stats.maxInFlight} in flight; CPU: Mailroom ${ms((cpu.user + cpu.system) / 1000)}, the fake cPanel ${ms(stats.cpuMs - fakeCpuBefore)}`;
  }
  if (code !== 0 || created !== COUNT || atFake !== COUNT)
    throw new Error(`batch-create: exit ${code}, ${created} recorded, ${atFake} at the fake\n${out.slice(-2000)}`);
  return { elapsed, breakdown };
}

async function runPhp(dir: string): Promise<number | undefined> {
  if (process.env.BENCH_NO_PHP || spawnSync('php', ['--version']).status !== 0) return undefined;
  const cpanel = await fakeCpanel();
  const file = writeFile(dir, 'cr.txt', 'p');
  const start = performance.now();
  // Asynchronous, so the fake in this process keeps answering while PHP waits on it.
  const { spawn } = await import('node:child_process');
  const output = await new Promise<string>((resolveRun, reject) => {
    const child = spawn('php', [join(ROOT, 'bench/php/seed-batch.php'), cpanel.url, `acme:${TOKEN}`, file]);
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    onCleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', () => resolveRun(text));
  });
  const elapsed = performance.now() - start;
  const created = output.split('\n').filter((line) => line.includes('created successfully')).length;
  if (created !== COUNT || (await fakeStats(cpanel)).created !== COUNT)
    throw new Error(`the PHP loop created ${created} of ${COUNT}:\n${output.slice(0, 500)}`);
  return elapsed;
}

export async function benchBatch(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-bench-batch-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const { elapsed: mailroom, breakdown } = await runMailroom(dir);
  const php = await runPhp(dir);
  const floor = (COUNT * DELAY_MS) / CONCURRENCY;
  const label = `batch ${COUNT} @${DELAY_MS}ms c=${CONCURRENCY}`;
  const vsPhp: BenchResult =
    php === undefined
      ? { bench: `${label} vs seed PHP`, goal: '≥10× faster', measured: ms(mailroom), baseline: 'SKIP (no php)' }
      : {
          ...ratioResult(`${label} vs seed PHP`, '≥10× faster (ratio ≤ 0.10)', mailroom, php, 0.1),
          note: `${(php / mailroom).toFixed(1)}× faster`,
        };
  return [vsPhp, { ...ratioResult(`${label} vs floor`, '≤1.3× floor', mailroom, floor, 1.3), note: breakdown }];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    for (const result of await benchBatch()) printResult(result);
  } finally {
    await cleanupAll();
  }
}
