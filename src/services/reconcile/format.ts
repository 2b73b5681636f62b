/** The report as text for a person, CSV for a spreadsheet, JSON for a machine. */
import { stringify } from 'csv-stringify/sync';
import { countByKind, FINDING_KINDS, FINDING_TITLES, type ReconcileReport } from './model.ts';

export const RECONCILE_FORMATS = ['text', 'csv', 'json'] as const;
export type ReconcileFormat = (typeof RECONCILE_FORMATS)[number];

export const CSV_COLUMNS = ['kind', 'host', 'address', 'detail', 'target', 'slack_user_id', 'offboarding_id'] as const;

export function formatText(report: ReconcileReport): string {
  const lines = [`Mailroom drift and risk report, ${report.generatedAt}`, ''];
  for (const host of report.hosts) {
    lines.push(
      host.ok
        ? `host ${host.name} (${host.domains.join(', ')}): ${host.mailboxes} mailboxes, ${host.forwarders} forwarders`
        : `host ${host.name} (${host.domains.join(', ')}): UNAVAILABLE, not compared: ${host.error}`,
    );
  }
  const counts = countByKind(report);
  for (const kind of FINDING_KINDS) {
    lines.push('', `${FINDING_TITLES[kind]}: ${counts[kind]}`);
    for (const f of report.findings.filter((finding) => finding.kind === kind)) {
      lines.push(`  ${f.address}${f.host ? ` [${f.host}]` : ''}: ${f.detail}`);
    }
  }
  for (const note of report.notes) lines.push('', `Note: ${note}`);
  return lines.join('\n');
}

/** One row per finding, then one per unavailable host (kind host_unavailable); formulas neutralised. */
export function formatCsv(report: ReconcileReport): string {
  const rows: Array<Array<string | number>> = report.findings.map((f) => [
    f.kind,
    f.host ?? '',
    f.address,
    f.detail,
    f.target ?? '',
    f.slackUserId ?? '',
    f.offboardingId ?? '',
  ]);
  for (const host of report.hosts) if (!host.ok) rows.push(['host_unavailable', host.name, '', host.error ?? '', '', '', '']);
  // escape_formulas: a cell that starts with = + - @ is prefixed with ' so a spreadsheet shows it as text.
  return stringify([[...CSV_COLUMNS], ...rows], { escape_formulas: true, eof: false });
}

export function formatJson(report: ReconcileReport): string {
  return JSON.stringify({ ...report, counts: countByKind(report) }, null, 2);
}

export function formatReport(report: ReconcileReport, format: ReconcileFormat): string {
  return format === 'csv' ? formatCsv(report) : format === 'json' ? formatJson(report) : formatText(report);
}
