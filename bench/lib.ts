/**
 * What the benchmarks share: free ports, child processes and databases that are cleaned up even on
 * failure or Ctrl-C, percentiles, RSS, and the result rows of the summary table.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

export interface BenchResult {
  bench: string;
  goal: string;
  measured: string;
  baseline: string;
  /** measured ÷ baseline (or the figure the goal compares), when there is one. */
  ratio?: number;
  /** undefined: informational, or the baseline was skipped. */
  pass?: boolean;
  note?: string;
}

const cleanups: Array<() => Promise<void> | void> = [];

/** Runs at the end of the run, on failure and on Ctrl-C, newest first. */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

export async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try {
      await cleanup?.();
    } catch (error) {
      console.error('cleanup failed:', error instanceof Error ? error.message : error);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Child {
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts a child process that is killed at clean-up at the latest (SIGTERM, then SIGKILL). */
export function startChild(command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  onCleanup(stop);
  return { process: child, output: () => output, stop };
}

/** Polls `url` until it answers 200; returns the milliseconds it took. */
export async function waitForHttp(url: string, child: Child | undefined, timeoutMs = 60_000): Promise<number> {
  const start = performance.now();
  for (;;) {
    try {
      const answer = await fetch(url);
      if (answer.status === 200) return performance.now() - start;
    } catch {
      // not listening yet
    }
    if (child && child.process.exitCode !== null) throw new Error(`process exited before ${url} answered:\n${child.output()}`);
    if (performance.now() - start > timeoutMs)
      throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${child?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") "; utime and stime are the 12th and 13th of them.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size of a process in MB (Linux /proc). */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Samples a process's RSS every 100 ms until stopped; returns the peak. */
export function sampleRss(pid: number | undefined): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // exited
    }
  }, 100);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export const ms = (value: number): string => `${Math.round(value)} ms`;
export const mb = (value: number): string => `${Math.round(value)} MB`;

/** A goal "measured ≤ limit × baseline" as a result row. */
export function ratioResult(
  bench: string,
  goal: string,
  measured: number,
  baseline: number,
  limit: number,
  format: (v: number) => string = ms,
): BenchResult {
  const ratio = measured / baseline;
  return { bench, goal, measured: format(measured), baseline: format(baseline), ratio, pass: ratio <= limit };
}

export function printResult(result: BenchResult): void {
  const verdict = result.pass === undefined ? 'INFO' : result.pass ? 'PASS' : 'MISS';
  const ratio = result.ratio === undefined ? '' : ` ratio ${result.ratio.toFixed(2)}`;
  console.log(
    `[${verdict}] ${result.bench}: goal ${result.goal}; measured ${result.measured}; baseline ${result.baseline};${ratio}${result.note ? ` (${result.note})` : ''}`,
  );
}

export function printSummary(results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.bench,
    r.goal,
    r.measured,
    r.baseline,
    r.ratio === undefined ? '' : r.ratio.toFixed(2),
    r.pass === undefined ? 'INFO' : r.pass ? 'PASS' : 'MISS',
  ]);
  const header = ['bench', 'goal', 'measured', 'baseline', 'ratio', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}`);
  for (const row of rows) console.log(line(row));
  const notes = results.filter((r) => r.note);
  if (notes.length > 0) console.log(`\nNotes:\n${notes.map((r) => `- ${r.bench}: ${r.note}`).join('\n')}`);
}
