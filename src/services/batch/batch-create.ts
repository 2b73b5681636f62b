/**
 * Creates the mailboxes of a checked batch file at the mail provider, a bounded number at a time.
 *
 * Idempotent: an address that already exists at the provider is "skipped", never an error, so a
 * half-done file is finished by running it again. A created mailbox gets a Mailbox row (with the
 * name of the provider that serves its domain) and an audit row, committed before the line is
 * reported; the lines that finish together are committed together (batch-writes.ts).
 *
 * Existing mailboxes are not adopted blindly: Mailroom records one it did not create in this run
 * only when the file's own password opens it (that is the mailbox the line describes, typically
 * created by an earlier run that was interrupted between the provider call and the database
 * write). Anything else stays out of Mailroom's inventory, so a batch file can never put someone
 * else's mailbox under Mailroom's offboarding.
 */
import { setTimeout as delay } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import { type Clock, systemClock } from '../../platform/clock.ts';
import type { MailboxProvider, ProviderResult } from '../../providers/mailbox-provider.ts';
import { mailboxSubject, recordAudit } from '../audit/audit.ts';
import { generatePassword } from '../credentials/password.ts';
import type { BatchEntry } from './batch-file.ts';
import { MailboxRecordWriter } from './batch-writes.ts';

export type BatchOutcome =
  | { status: 'created'; line: number; address: string; provider: string; passwordGenerated: boolean }
  | { status: 'skipped'; line: number; address: string; provider: string; reason: string; recorded: boolean }
  | { status: 'failed'; line: number; address: string | null; reason: string }
  | { status: 'not_attempted'; line: number; address: string; reason: string };

export interface BatchCreateDeps {
  prisma: PrismaClient;
  provider: MailboxProvider;
  logger: Logger;
  /** Audit actor, e.g. `cli:alice`. */
  actor: string;
  quotaMb: number;
  /** Time of the audit rows; the system clock unless a test sets one. */
  clock?: Clock;
  /** Stores a generated password where the user asked for it; called before the outcome is reported. */
  savePassword(address: string, password: string): void;
}

export interface BatchCreateOptions {
  concurrency: number;
  /** Extra attempts after an `unavailable` answer (timeouts, 5xx, connection errors). */
  retries: number;
  /** First retry delay; doubles each time. */
  retryDelayMs?: number;
  /** Aborting stops starting new lines; calls in flight finish and are recorded. */
  signal?: AbortSignal;
  /** Audit details, e.g. the file name. */
  source: string;
  onOutcome?(outcome: BatchOutcome): void;
}

export interface BatchCreateResult {
  /** In the entries' order. */
  outcomes: BatchOutcome[];
  /** Why lines were left unattempted, if they were. */
  stoppedBecause: 'interrupted' | 'credentials_refused' | null;
}

/** Waits `ms`, or less if `signal` aborts (then resolves too: the caller checks the signal). */
const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

export async function createMailboxes(
  entries: readonly BatchEntry[],
  deps: BatchCreateDeps,
  options: BatchCreateOptions,
): Promise<BatchCreateResult> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const run: RunDeps = {
    ...deps,
    writer: new MailboxRecordWriter(deps.prisma, Math.max(1, Math.floor(options.concurrency / 2))),
    openRequests: await findOpenRequests(deps.prisma, entries),
  };
  let stoppedBecause: BatchCreateResult['stoppedBecause'] = null;
  const stopReason = (): string | null => {
    if (options.signal?.aborted) stoppedBecause ??= 'interrupted';
    if (stoppedBecause === 'interrupted') return 'not attempted: interrupted (run the file again to finish it)';
    if (stoppedBecause === 'credentials_refused') return 'not attempted: the provider refused Mailroom’s credentials';
    return null;
  };

  const unexpected = (entry: BatchEntry, error: unknown): BatchOutcome => {
    deps.logger.error({ err: error, line: entry.line }, 'batch-create: unexpected error');
    const reason = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    return { status: 'failed', line: entry.line, address: entry.address, reason };
  };
  // A slot is held for the provider calls only: a created line's rows are committed after its slot
  // is free again, so the next call does not wait for the commit. At most `concurrency` lines wait
  // for their commit at once (room()), so no more are created-but-unrecorded than before.
  const outcomes = await Promise.all(
    entries.map((entry) =>
      limit(async (): Promise<LineResult> => {
        await run.writer.room(Math.max(1, options.concurrency));
        const reason = stopReason();
        if (reason) return { status: 'not_attempted', line: entry.line, address: entry.address, reason };
        const result = await createOne(entry, run, options).catch((error: unknown) => unexpected(entry, error));
        // Decided before the slot is free, so the lines still queued are not attempted.
        if ('status' in result && result.status === 'failed' && result.reason.startsWith(CREDENTIALS_REFUSED))
          stoppedBecause ??= 'credentials_refused';
        return result;
      })
        .then((result) => ('recording' in result ? result.recording : result))
        .then((outcome) => {
          options.onOutcome?.(outcome);
          return outcome;
        }),
    ),
  );
  if (options.signal?.aborted) stoppedBecause ??= 'interrupted';
  return { outcomes, stoppedBecause };
}

const CREDENTIALS_REFUSED = 'credentials refused: ';

/** A line's outcome, or (created at the provider) the commit of its rows that settles it. */
type LineResult = BatchOutcome | { recording: Promise<BatchOutcome> };

type RunDeps = BatchCreateDeps & { writer: MailboxRecordWriter; openRequests: ReadonlyMap<string, number> };

/** The Slack requests still open for the file's addresses, looked up once for the whole file (500 at a time). */
async function findOpenRequests(prisma: PrismaClient, entries: readonly BatchEntry[]): Promise<Map<string, number>> {
  const open = new Map<string, number>();
  for (let i = 0; i < entries.length; i += 500) {
    const rows = await prisma.emailRequest.findMany({
      where: { openAddress: { in: entries.slice(i, i + 500).map((entry) => entry.address) } },
      select: { id: true, openAddress: true },
    });
    for (const row of rows) if (row.openAddress) open.set(row.openAddress, row.id);
  }
  return open;
}

async function createOne(entry: BatchEntry, deps: RunDeps, options: BatchCreateOptions): Promise<LineResult> {
  const { prisma, provider } = deps;
  const { line, address, domain } = entry;
  const providerName = provider.nameFor(domain);

  // A pending Slack request for this address would fail as "not created by this request".
  const openId = deps.openRequests.get(address);
  if (openId !== undefined)
    return { status: 'failed', line, address, reason: `request #${openId} for this address is still open in Slack; decide it there` };

  const password = entry.password ?? generatePassword();
  const generated = entry.password === null;
  let lastFailure: ProviderResult<never> | null = null;
  let hadTransientFailure = false;

  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) {
      if (options.signal?.aborted) break;
      await sleep((options.retryDelayMs ?? 500) * 2 ** (attempt - 1), options.signal);
      if (options.signal?.aborted) break;
    }
    const created = await provider.create({ localPart: entry.localPart, domain, password, quotaMb: deps.quotaMb });
    if (created.ok) return { recording: recordCreated(entry, deps, options, providerName, password, generated) };
    lastFailure = created;
    if (created.code === 'unavailable') {
      hadTransientFailure = true;
      continue;
    }
    if (created.code === 'already_exists') {
      // After a timeout the earlier attempt may have created it, and a file's own password proves
      // the mailbox is the one this line describes. A freshly generated password proves nothing,
      // and each wrong guess counts towards the provider's login throttling, so it is not tried.
      if (!hadTransientFailure && generated) return recordSkipped(entry, deps, options, providerName, false);
      const verified = await provider.verifyPassword(address, password);
      const opens = verified.ok && verified.value;
      if (hadTransientFailure && opens) return { recording: recordCreated(entry, deps, options, providerName, password, generated) };
      return recordSkipped(entry, deps, options, providerName, !generated && opens);
    }
    break;
  }

  const failure = lastFailure as { ok: false; code: string; reason: string };
  const reason = failure.code === 'auth_failed' ? `${CREDENTIALS_REFUSED}${failure.reason}` : failure.reason;
  await recordAudit(
    prisma,
    {
      actor: deps.actor,
      action: 'mailbox.create_failed',
      subject: mailboxSubject(address),
      outcome: 'failed',
      details: { address, provider: providerName, reason: failure.reason, code: failure.code, source: options.source, line },
    },
    now(deps),
  );
  return { status: 'failed', line, address, reason };
}

async function recordCreated(
  entry: BatchEntry,
  deps: RunDeps,
  options: BatchCreateOptions,
  providerName: string,
  password: string,
  generated: boolean,
): Promise<BatchOutcome> {
  const { line, address } = entry;
  // First the password, so the user has it even if the database write below fails.
  if (generated) deps.savePassword(address, password);
  try {
    await deps.writer.write({
      entry,
      providerName,
      quotaMb: deps.quotaMb,
      at: now(deps),
      audit: {
        actor: deps.actor,
        action: 'mailbox.created',
        subject: mailboxSubject(address),
        outcome: 'ok',
        details: { address, provider: providerName, quotaMb: deps.quotaMb, passwordGenerated: generated, source: options.source, line },
      },
    });
  } catch (error) {
    deps.logger.error({ err: error, address }, 'batch-create: created at the provider but not recorded');
    return {
      status: 'failed',
      line,
      address,
      reason: `created at ${providerName}, but Mailroom could not record it (${error instanceof Error ? error.message : String(error)}); run the file again to record it`,
    };
  }
  return { status: 'created', line, address, provider: providerName, passwordGenerated: generated };
}

async function recordSkipped(
  entry: BatchEntry,
  deps: BatchCreateDeps,
  options: BatchCreateOptions,
  providerName: string,
  passwordMatches: boolean,
): Promise<BatchOutcome> {
  const { line, address } = entry;
  const known = await deps.prisma.mailbox.findUnique({ where: { address }, select: { status: true } });
  const record = passwordMatches && (!known || known.status === 'DELETED');
  await deps.prisma.$transaction(async (tx) => {
    if (record) await upsertMailbox(tx, entry, deps, providerName);
    await recordAudit(
      tx,
      {
        actor: deps.actor,
        action: record ? 'mailbox.recorded' : 'mailbox.create_skipped',
        subject: mailboxSubject(address),
        outcome: record ? 'ok' : 'ignored',
        details: { address, provider: providerName, reason: 'already exists', source: options.source, line },
      },
      now(deps),
    );
  });
  const reason = record
    ? `already exists at ${providerName} with the password in the file; now recorded by Mailroom`
    : `already exists at ${providerName}`;
  return {
    status: 'skipped',
    line,
    address,
    provider: providerName,
    reason,
    recorded: record || (known !== null && known.status !== 'DELETED'),
  };
}

const now = (deps: BatchCreateDeps): Date => (deps.clock ?? systemClock).now();

async function upsertMailbox(tx: Prisma.TransactionClient, entry: BatchEntry, deps: BatchCreateDeps, providerName: string): Promise<void> {
  const { address, localPart, domain } = entry;
  let staffId: number | null = null;
  if (entry.fullName) {
    const details = {
      fullName: entry.fullName,
      ...(entry.personalEmail ? { personalEmail: entry.personalEmail } : {}),
      ...(entry.phone ? { phone: entry.phone } : {}),
    };
    const staff = await tx.staff.upsert({
      where: { workEmail: address },
      create: { workEmail: address, ...details, createdAt: now(deps) },
      update: details,
      select: { id: true },
    });
    staffId = staff.id;
  }
  const mailbox = {
    localPart,
    domain,
    provider: providerName,
    status: 'ACTIVE' as const,
    quotaMb: deps.quotaMb,
    ...(staffId === null ? {} : { staffId }),
  };
  await tx.mailbox.upsert({ where: { address }, create: { address, ...mailbox, createdAt: now(deps) }, update: mailbox });
}
