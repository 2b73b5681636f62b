/** What `mailroom batch-create` prints: one line per outcome, the summary for a person, and the --json report. */
import type { BatchOutcome } from '../services/batch/batch-create.ts';
import type { BatchProblem, ParsedBatch } from '../services/batch/batch-file.ts';

/** One line of the file as reported: its outcome, a line with problems (invalid), or a dry run's valid line. */
export type Row =
  | BatchOutcome
  | { status: 'invalid'; line: number; address: string | null; reason: string }
  | { status: 'valid'; line: number; address: string };

export const problemRow = (problem: BatchProblem): Row => ({
  status: 'invalid',
  line: problem.line,
  address: problem.address,
  reason: problem.reasons.join('; '),
});

/** The progress line of one outcome, when there is no progress bar. */
export function describe(outcome: BatchOutcome): string {
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

export function printSummary(
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
  if (stoppedBecause === 'interrupted')
    say('Interrupted: the calls in flight were finished; run the same command again to finish the file.');
  if (stoppedBecause === 'credentials_refused')
    say('Stopped: the mail provider refused Mailroom’s credentials; fix the settings and run the file again.');
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
  if (generated > 0 && credentialsFile)
    say(`Generated passwords of ${generated} new mailbox(es) were appended to ${credentialsFile} (mode 0600).`);
}

export function report(
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
