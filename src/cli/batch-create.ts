/**
 * `mailroom batch-create FILE`: creates the mailboxes listed in a file, the job the Aurora
 * documentation does with a serial PHP loop, but checked first, concurrent, idempotent, audited,
 * and without ever printing a password.
 */
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { pino } from 'pino';
import { ConfigError, loadProviderConfig, type ProviderConfig } from '../config.ts';
import { createLogger } from '../lib/logger.ts';
import { createPrismaClient } from '../platform/db/client.ts';
import { applyMigrations } from '../platform/db/migrate.ts';
import { buildProvider } from '../providers/index.ts';
import { type BatchCreateResult, createMailboxes } from '../services/batch/batch-create.ts';
import { type BatchFormat, type ParsedBatch, parseBatchFile } from '../services/batch/batch-file.ts';
import { describe, printSummary, problemRow, type Row, report } from './batch-create-report.ts';

export interface BatchCreateCliOptions {
  dryRun?: boolean;
  strict?: boolean;
  concurrency: number;
  retries: number;
  credentialsOut?: string;
  json?: boolean;
  format?: BatchFormat;
}

export interface BatchCreateIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  /** A terminal to draw the progress bar on; without one, progress is printed as plain lines. */
  terminal?: NodeJS.WriteStream | undefined;
  /** Ctrl-C / SIGTERM; default: the process's signals. */
  onInterrupt?: (handler: () => void) => () => void;
}

/** Exit codes: 0 all created or skipped, 1 something failed, 2 unusable input or settings, 130 interrupted. */
export const ExitCode = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

class UsageError extends Error {}

/** `cli:<os user>`: who ran the command, as the audit log records it. */
export function cliActor(env: NodeJS.ProcessEnv): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = env.USER ?? env.LOGNAME ?? env.USERNAME;
  }
  return `cli:${(name || 'unknown').replace(/\s+/g, '_')}`.slice(0, 64);
}

/** Opens FILE for appending generated passwords: created 0600, or an existing private regular file. */
function openCredentialsFile(path: string): { fd: number; fresh: boolean } {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW;
  try {
    const fd = openSync(path, flags | constants.O_CREAT | constants.O_EXCL, 0o600);
    return { fd, fresh: true };
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') {
      throw new UsageError(`Cannot create ${path}: ${(error as Error).message}`);
    }
  }
  const stat = lstatSync(path);
  if (!stat.isFile()) throw new UsageError(`${path} exists and is not a regular file; name a new file for --credentials-out.`);
  if ((stat.mode & 0o077) !== 0) {
    throw new UsageError(
      `${path} exists and other users may read it (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it or name a new file for --credentials-out.`,
    );
  }
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new UsageError(`${path} exists and belongs to another user; name a new file for --credentials-out.`);
  }
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    throw new UsageError(`Cannot open ${path}: ${(error as Error).message}`);
  }
  return { fd, fresh: fstatSync(fd).size === 0 };
}

const csvField = (value: string): string => `"${value.replace(/"/g, '""')}"`;

function processSignals(handler: () => void): () => void {
  let count = 0;
  const listener = () => {
    count += 1;
    // A second Ctrl-C means "now": leave without waiting for the calls in flight.
    if (count > 1) process.exit(ExitCode.interrupted);
    handler();
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

export async function runBatchCreate(file: string, options: BatchCreateCliOptions, io: BatchCreateIo): Promise<number> {
  try {
    return await run(file, options, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return ExitCode.usage;
    }
    if (error instanceof ConfigError) {
      io.err(`batch-create cannot run; fix these settings (see .env.example):\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
      return ExitCode.usage;
    }
    throw error;
  }
}

/** One run of the command: its arguments, the settings and the parsed file. */
interface BatchRun {
  file: string;
  options: BatchCreateCliOptions;
  io: BatchCreateIo;
  config: ProviderConfig;
  parsed: ParsedBatch;
  /** Not --json: progress and the summary are printed for a person. */
  human: boolean;
  /** Prints a line for a person; silent with --json. */
  say: (line: string) => void;
  /** Lines without a password, whose passwords are generated. */
  toGenerate: number;
}

async function run(file: string, options: BatchCreateCliOptions, io: BatchCreateIo): Promise<number> {
  const config = loadProviderConfig(io.env);
  const text = readBatchFile(file);
  const parsed = parseBatchFile(text, { domains: config.MAIL_DOMAINS, phoneRegion: config.DEFAULT_PHONE_REGION }, options.format);
  const human = !options.json;
  const say = (line: string) => {
    if (human) io.out(line);
  };
  const toGenerate = parsed.entries.filter((entry) => entry.password === null).length;
  const batch: BatchRun = { file, options, io, config, parsed, human, say, toGenerate };

  say(
    `${basename(file)}: ${parsed.lineCount} line(s) in ${parsed.format === 'pipe' ? '“email | password”' : 'CSV'} format; ${parsed.entries.length} valid, ${parsed.problems.length} with problems.`,
  );
  if (parsed.problems.length > 0) {
    say('Problems (these lines will not be created):');
    for (const problem of parsed.problems)
      say(`  line ${problem.line}: ${problem.address ? `${problem.address}: ` : ''}${problem.reasons.join('; ')}`);
  }
  return stopBeforeCreating(batch) ?? (await createAll(batch));
}

function readBatchFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

/** A dry run, or --strict with problems: the exit code, with nothing created; null to go on and create. */
function stopBeforeCreating({ file, options, io, parsed, human, say, toGenerate }: BatchRun): number | null {
  if (options.dryRun) {
    if (toGenerate > 0 && !options.credentialsOut)
      say(`Note: ${toGenerate} line(s) have no password; a real run needs --credentials-out FILE for the generated ones.`);
    say(`Dry run: nothing was created. ${parsed.entries.length} mailbox(es) would be created or skipped if they exist.`);
    if (!human) {
      const rows: Row[] = [
        ...parsed.problems.map(problemRow),
        ...parsed.entries.map((e): Row => ({ status: 'valid', line: e.line, address: e.address })),
      ];
      io.out(JSON.stringify(report(file, parsed, rows, { dryRun: true, stoppedBecause: null, credentialsFile: null }), null, 2));
    }
    return parsed.problems.length > 0 ? ExitCode.failed : ExitCode.ok;
  }
  if (options.strict && parsed.problems.length > 0) {
    const message = `--strict: refusing to start while ${parsed.problems.length} line(s) have problems; nothing was created.`;
    if (human) say(message);
    else {
      io.err(message);
      io.out(
        JSON.stringify(
          report(file, parsed, parsed.problems.map(problemRow), { dryRun: false, stoppedBecause: 'strict', credentialsFile: null }),
          null,
          2,
        ),
      );
    }
    return ExitCode.failed;
  }
  if (toGenerate > 0 && !options.credentialsOut) {
    throw new UsageError(
      `${toGenerate} line(s) have no password. Generated passwords are only ever written to a file you name: add --credentials-out FILE (created with mode 0600). Nothing was created.`,
    );
  }
  return null;
}

/** Creates the valid entries, reporting progress and then the summary or the JSON report; returns the exit code. */
async function createAll(batch: BatchRun): Promise<number> {
  const { file, options, io, config, parsed, human, say, toGenerate } = batch;
  const credentials = toGenerate > 0 && options.credentialsOut ? openCredentialsFile(options.credentialsOut) : null;
  // Logs go to stderr, so that stdout carries only the report (and --json stays parseable).
  const logger = createLogger({ level: io.env.LOG_LEVEL?.trim() ? config.LOG_LEVEL : 'error', destination: pino.destination(2) }).child({
    command: 'batch-create',
  });
  let prisma: ReturnType<typeof createPrismaClient> | undefined;
  const controller = new AbortController();
  const release = (io.onInterrupt ?? processSignals)(() => {
    if (!controller.signal.aborted) {
      if (human) io.err('Stopping: waiting for the calls in flight (Ctrl-C again to quit at once)…');
      controller.abort();
    }
  });
  let bar: cliProgress.SingleBar | null = null;
  try {
    if (credentials?.fresh) writeSync(credentials.fd, 'email,password\n');
    await applyMigrations({ databaseUrl: config.DATABASE_URL });
    prisma = createPrismaClient(config.DATABASE_URL, { connectionLimit: Math.min(options.concurrency + 1, 10) });
    const provider = buildProvider(config, logger);
    const actor = cliActor(io.env);

    if (parsed.entries.length > 0) say(`Creating ${parsed.entries.length} mailbox(es) (concurrency ${options.concurrency}) as ${actor}…`);
    const counts = { created: 0, skipped: 0, failed: 0 };
    bar = startProgressBar(batch, counts);
    let done = 0;
    const result = await createMailboxes(
      parsed.entries,
      { prisma, provider, logger, actor, quotaMb: config.MAILBOX_QUOTA_MB, savePassword: passwordSaver(credentials) },
      {
        concurrency: options.concurrency,
        retries: options.retries,
        signal: controller.signal,
        source: basename(file),
        onOutcome: (outcome) => {
          done += 1;
          if (outcome.status === 'created' || outcome.status === 'skipped' || outcome.status === 'failed') counts[outcome.status] += 1;
          if (bar) bar.update(done, counts);
          else if (outcome.status !== 'not_attempted') say(`[${done}/${parsed.entries.length}] ${describe(outcome)}`);
        },
      },
    );
    bar?.stop();
    bar = null;
    return finish(batch, result, credentials ? (options.credentialsOut ?? null) : null);
  } finally {
    bar?.stop();
    release();
    if (credentials) closeSync(credentials.fd);
    await prisma?.$disconnect();
    logger.flush();
  }
}

/** The progress bar, for a person at a terminal when there is something to create; null otherwise. */
function startProgressBar(
  { io, parsed, human }: BatchRun,
  counts: Record<'created' | 'skipped' | 'failed', number>,
): cliProgress.SingleBar | null {
  if (!human || !io.terminal || parsed.entries.length === 0) return null;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.terminal,
      format: ' {bar} {value}/{total} | created {created} · skipped {skipped} · failed {failed}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(parsed.entries.length, 0, counts);
  return bar;
}

/** Appends a generated password to the credentials file and syncs it before the mailbox is created. */
function passwordSaver(credentials: { fd: number } | null): (address: string, password: string) => void {
  return (address, password) => {
    if (!credentials) throw new Error('no credentials file is open');
    writeSync(credentials.fd, `${address},${csvField(password)}\n`);
    fsyncSync(credentials.fd);
  };
}

/** Prints the summary (or the JSON report) and returns the exit code. */
function finish({ file, io, parsed, human, say }: BatchRun, result: BatchCreateResult, credentialsFile: string | null): number {
  const rows: Row[] = [...parsed.problems.map(problemRow), ...result.outcomes].sort((a, b) => a.line - b.line);
  const generated = result.outcomes.filter((o) => o.status === 'created' && o.passwordGenerated).length;
  if (human) printSummary(say, rows, result.stoppedBecause, generated, credentialsFile);
  else
    io.out(JSON.stringify(report(file, parsed, rows, { dryRun: false, stoppedBecause: result.stoppedBecause, credentialsFile }), null, 2));

  if (result.stoppedBecause === 'interrupted') return ExitCode.interrupted;
  return rows.some((row) => row.status === 'failed' || row.status === 'invalid' || row.status === 'not_attempted')
    ? ExitCode.failed
    : ExitCode.ok;
}
