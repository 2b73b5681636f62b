/**
 * `mailroom batch-create FILE`: creates the mailboxes listed in a file, the job the Aurora
 * documentation does with a serial PHP loop, but checked first, concurrent, idempotent, audited,
 * and without ever printing a password.
 */
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import { pino } from 'pino';
import cliProgress from 'cli-progress';
import { ConfigError, loadProviderConfig } from '../config.ts';
import { createPrismaClient } from '../platform/db/client.ts';
import { applyMigrations } from '../platform/db/migrate.ts';
import { createLogger } from '../lib/logger.ts';
import { buildProvider } from '../providers/index.ts';
import { type BatchOutcome, createMailboxes } from '../services/batch/batch-create.ts';
import { type BatchFormat, type BatchProblem, type ParsedBatch, parseBatchFile } from '../services/batch/batch-file.ts';

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

type Row =
  | BatchOutcome
  | { status: 'invalid'; line: number; address: string | null; reason: string }
  | { status: 'valid'; line: number; address: string };

const problemRow = (problem: BatchProblem): Row => ({ status: 'invalid', line: problem.line, address: problem.address, reason: problem.reasons.join('; ') });

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

async function run(file: string, options: BatchCreateCliOptions, io: BatchCreateIo): Promise<number> {
  const config = loadProviderConfig(io.env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = parseBatchFile(text, { domains: config.MAIL_DOMAINS, phoneRegion: config.DEFAULT_PHONE_REGION }, options.format);
  const human = !options.json;
  const say = (line: string) => {
    if (human) io.out(line);
  };
  const toGenerate = parsed.entries.filter((entry) => entry.password === null).length;

  say(`${basename(file)}: ${parsed.lineCount} line(s) in ${parsed.format === 'pipe' ? '“email | password”' : 'CSV'} format; ${parsed.entries.length} valid, ${parsed.problems.length} with problems.`);
  if (parsed.problems.length > 0) {
    say('Problems (these lines will not be created):');
    for (const problem of parsed.problems) say(`  line ${problem.line}: ${problem.address ? `${problem.address}: ` : ''}${problem.reasons.join('; ')}`);
  }

  if (options.dryRun) {
    if (toGenerate > 0 && !options.credentialsOut) say(`Note: ${toGenerate} line(s) have no password; a real run needs --credentials-out FILE for the generated ones.`);
    say(`Dry run: nothing was created. ${parsed.entries.length} mailbox(es) would be created or skipped if they exist.`);
    if (!human) {
      const rows: Row[] = [...parsed.problems.map(problemRow), ...parsed.entries.map((e): Row => ({ status: 'valid', line: e.line, address: e.address }))];
      io.out(JSON.stringify(report(file, parsed, rows, { dryRun: true, stoppedBecause: null, credentialsFile: null }), null, 2));
    }
    return parsed.problems.length > 0 ? ExitCode.failed : ExitCode.ok;
  }
  if (options.strict && parsed.problems.length > 0) {
    const message = `--strict: refusing to start while ${parsed.problems.length} line(s) have problems; nothing was created.`;
    if (human) say(message);
    else {
      io.err(message);
      io.out(JSON.stringify(report(file, parsed, parsed.problems.map(problemRow), { dryRun: false, stoppedBecause: 'strict', credentialsFile: null }), null, 2));
    }
    return ExitCode.failed;
  }
  if (toGenerate > 0 && !options.credentialsOut) {
    throw new UsageError(
      `${toGenerate} line(s) have no password. Generated passwords are only ever written to a file you name: add --credentials-out FILE (created with mode 0600). Nothing was created.`,
    );
  }

  const credentials = toGenerate > 0 && options.credentialsOut ? openCredentialsFile(options.credentialsOut) : null;
  // Logs go to stderr, so that stdout carries only the report (and --json stays parseable).
  const logger = createLogger({ level: io.env.LOG_LEVEL?.trim() ? config.LOG_LEVEL : 'error', destination: pino.destination(2) }).child({ command: 'batch-create' });
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
    if (human && io.terminal && parsed.entries.length > 0) {
      bar = new cliProgress.SingleBar(
        {
          stream: io.terminal,
          format: ' {bar} {value}/{total} | created {created} · skipped {skipped} · failed {failed}',
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(parsed.entries.length, 0, counts);
    }
    let done = 0;
    const result = await createMailboxes(
      parsed.entries,
      {
        prisma,
        provider,
        logger,
        actor,
        quotaMb: config.MAILBOX_QUOTA_MB,
        savePassword: (address, password) => {
          if (!credentials) throw new Error('no credentials file is open');
          writeSync(credentials.fd, `${address},${csvField(password)}\n`);
          fsyncSync(credentials.fd);
        },
      },
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

    const rows: Row[] = [...parsed.problems.map(problemRow), ...result.outcomes].sort((a, b) => a.line - b.line);
    const generated = result.outcomes.filter((o) => o.status === 'created' && o.passwordGenerated).length;
    const credentialsFile = credentials ? (options.credentialsOut ?? null) : null;
    if (human) printSummary(say, rows, result.stoppedBecause, generated, credentialsFile);
    else io.out(JSON.stringify(report(file, parsed, rows, { dryRun: false, stoppedBecause: result.stoppedBecause, credentialsFile }), null, 2));

    if (result.stoppedBecause === 'interrupted') return ExitCode.interrupted;
    return rows.some((row) => row.status === 'failed' || row.status === 'invalid' || row.status === 'not_attempted') ? ExitCode.failed : ExitCode.ok;
  } finally {
    bar?.stop();
    release();
    if (credentials) closeSync(credentials.fd);
    await prisma?.$disconnect();
    logger.flush();
  }
}

function describe(outcome: BatchOutcome): string {
  switch (outcome.status) {
    case 'created':
      return `created  ${outcome.address} (line ${outcome.line}) at ${outcome.provider}${outcome.passwordGenerated ? ', password generated' : ''}`;
    case 'skipped':
      return `skipped  ${outcome.address} (line ${outcome.line}): ${outcome.reason}`;
    case 'failed':
      return `failed   ${outcome.address ?? '-'} (line ${outcome.line}): ${outcome.reason}`;
    case 'not_attempted':
      return `not attempted  ${outcome.address} (line ${outcome.line})`;
  }
}

function printSummary(
  say: (line: string) => void,
  rows: Row[],
  stoppedBecause: string | null,
  generated: number,
  credentialsFile: string | null,
): void {
  const of = (status: Row['status']) => rows.filter((row) => row.status === status);
  const created = of('created');
  const skipped = of('skipped');
  const failed = [...of('invalid'), ...of('failed')].sort((a, b) => a.line - b.line);
  const notAttempted = of('not_attempted');
  say('');
  say(
    `Summary: ${created.length} created, ${skipped.length} skipped, ${failed.length} failed` +
      `${notAttempted.length > 0 ? `, ${notAttempted.length} not attempted` : ''}.`,
  );
  if (stoppedBecause === 'interrupted') say('Interrupted: the calls in flight were finished; run the same command again to finish the file.');
  if (stoppedBecause === 'credentials_refused') say('Stopped: the mail provider refused Mailroom’s credentials; fix the settings and run the file again.');
  const list = (title: string, items: Row[]) => {
    if (items.length === 0) return;
    say(`${title}:`);
    for (const row of items) {
      const reason = 'reason' in row ? row.reason : '';
      say(`  line ${row.line}  ${row.address ?? '-'}${reason ? `  ${reason}` : ''}`);
    }
  };
  list('Skipped', skipped);
  list('Failed', failed);
  list('Not attempted', notAttempted);
  if (generated > 0 && credentialsFile) say(`Generated passwords of ${generated} new mailbox(es) were appended to ${credentialsFile} (mode 0600).`);
}

function report(
  file: string,
  parsed: ParsedBatch,
  rows: Row[],
  extra: { dryRun: boolean; stoppedBecause: string | null; credentialsFile: string | null },
) {
  const count = (status: Row['status']) => rows.filter((row) => row.status === status).length;
  return {
    file,
    format: parsed.format,
    dryRun: extra.dryRun,
    stoppedBecause: extra.stoppedBecause,
    summary: {
      lines: parsed.lineCount,
      valid: parsed.entries.length,
      invalid: parsed.problems.length,
      created: count('created'),
      skipped: count('skipped'),
      failed: count('failed') + count('invalid'),
      notAttempted: count('not_attempted'),
    },
    credentialsFile: extra.credentialsFile,
    results: [...rows]
      .sort((a, b) => a.line - b.line)
      .map((row) => (row.status === 'invalid' ? { ...row, status: 'failed' as const, invalid: true } : row)),
  };
}
