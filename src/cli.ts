// The `mailroom` command line. Each subcommand is registered in buildCli(); the program only runs
// when this file is the entry point (`tsx src/cli.ts …`, `npm run cli -- …`) or through bin/mailroom.mjs.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { AUDIT_FORMATS, AUDIT_OUTCOMES, type AuditCliOptions, AuditUsageError, runAuditExport } from './cli/audit.ts';
import { registerAuroraServerCommands } from './cli/aurora-server.ts';
import { ExitCode, runBatchCreate } from './cli/batch-create.ts';
import { CliError, type CliIo, requireDatabaseUrl } from './cli/common.ts';
import { runMigrate } from './cli/migrate.ts';
import { runReconcile } from './cli/reconcile.ts';
import { loadEnvFile } from './lib/env-file.ts';
import { RECONCILE_FORMATS } from './services/reconcile/format.ts';

const defaultIo: CliIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  terminal: process.stderr.isTTY ? process.stderr : undefined,
};

const intOption =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };

export function buildCli(io: Partial<CliIo> = {}): Command {
  const { env, out, err, terminal } = { ...defaultIo, ...io };
  const program = new Command('mailroom')
    .description('Mailroom: Slack chat-ops for company mailboxes')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => out(text.replace(/\n$/, '')),
      writeErr: (text) => err(text.replace(/\n$/, '')),
    });

  program
    .command('migrate')
    .description('apply pending migrations from prisma/migrations to DATABASE_URL (creates the database if needed)')
    .option('--migrations-dir <dir>', 'directory holding the migration folders (default: prisma/migrations)')
    .action(async (options: { migrationsDir?: string }) => runMigrate(options, { env, out, err }));

  addBatchCreateCommand(program, { env, out, err, terminal });
  registerAuroraServerCommands(program, { env, out, err });

  addAuditCommand(program, { env, out });

  program
    .command('reconcile')
    .description(
      "compare each mail host with Mailroom's records: unknown and missing mailboxes, owners gone from Slack, forwarders outside the managed domains, suspended mailboxes without an offboarding, overdue deletions (read-only)",
    )
    .option('--format <format>', RECONCILE_FORMATS.join(', '), 'text')
    .action(async (options: { format: string }) => runReconcile(options, { env, out }));

  return program;
}

function addBatchCreateCommand(program: Command, io: CliIo): void {
  const { env, out, err, terminal } = io;
  program
    .command('batch-create')
    .description(
      'create the mailboxes listed in FILE: "email | password" lines, or CSV with the header email,password,full_name,personal_email,phone',
    )
    .argument('<file>', 'the list; blank lines and lines starting with # are skipped')
    .option('--dry-run', 'check every line and report problems; create nothing')
    .option('--strict', 'refuse to start while any line has a problem')
    .option('--concurrency <n>', 'mailboxes created at the same time', intOption(1, 64), 8)
    .option('--retries <n>', 'extra attempts when the mail host is unreachable or answers 5xx', intOption(0, 10), 2)
    .option(
      '--credentials-out <file>',
      'append generated passwords to this file (created with mode 0600); required when a line has no password',
    )
    .option('--format <format>', 'pipe or csv (default: detected from the first line)')
    .option('--json', 'print one JSON report on stdout instead of text')
    .action(
      async (
        file: string,
        options: {
          dryRun?: boolean;
          strict?: boolean;
          concurrency: number;
          retries: number;
          credentialsOut?: string;
          json?: boolean;
          format?: string;
        },
      ) => {
        if (options.format !== undefined && options.format !== 'pipe' && options.format !== 'csv') {
          throw new CliError('--format must be pipe or csv', ExitCode.usage);
        }
        const { format, ...rest } = options;
        const code = await runBatchCreate(
          file,
          { ...rest, ...(format === 'pipe' || format === 'csv' ? { format } : {}) },
          { env, out, err, terminal },
        );
        // runBatchCreate has printed everything already; only the exit code is left to pass on.
        if (code !== 0) throw new CliError('', code);
      },
    );
}

function addAuditCommand(program: Command, io: Pick<CliIo, 'env' | 'out'>): void {
  const { env, out } = io;
  program
    .command('audit')
    .description('print the audit log (who did what, to what, when, with what result), oldest first; needs only DATABASE_URL')
    .option('--since <when>', 'from this time: a UTC day (2026-11-01), an ISO 8601 time with zone, or a span back from now (7d, 12h)')
    .option('--until <when>', 'before this time (a UTC day counts whole)')
    .option('--mailbox <address>', 'everything about one address: its mailbox, requests and offboardings')
    .option('--actor <id>', 'one actor: a Slack user id, system, or cli:<user>')
    .option('--action <action>', 'one action (request.approved), or a family ending in . or * (offboarding.)')
    .option('--subject <subject>', 'one subject, e.g. request:42 or offboarding:7')
    .option('--outcome <outcome>', AUDIT_OUTCOMES.join(', '))
    .option('--limit <n>', 'at most this many events', intOption(1, 10_000_000))
    .option('--format <format>', AUDIT_FORMATS.join(', '), 'text')
    .action(async (options: AuditCliOptions) => {
      const databaseUrl = requireDatabaseUrl(env, 'npm run cli -- audit');
      try {
        await runAuditExport(options, { databaseUrl, out });
      } catch (error) {
        if (error instanceof AuditUsageError) throw new CliError(error.message, 2);
        throw error;
      }
    });
}

/** Runs the CLI with `argv` (as in process.argv) and returns the exit code; never throws. */
export async function main(argv: readonly string[] = process.argv, io: Partial<CliIo> = {}): Promise<number> {
  const err = io.err ?? defaultIo.err;
  const program = buildCli(io).exitOverride();
  // Subcommands copied the program's settings when they were added: without their own override, a bad
  // option value (`audit --limit 0`) would call process.exit and end a caller that runs main in-process.
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed the message
    if (error instanceof CliError) {
      if (error.message) err(error.message);
      return error.exitCode;
    }
    err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(resolve(script)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  loadEnvFile();
  // Only exitCode: open handles are all closed by the commands, so the process ends by itself.
  process.exitCode = await main();
}
