/** The drift and risk report: what each mail host has compared with Mailroom's records (issue 13). */

export const FINDING_KINDS = [
  'unknown_at_host',
  'missing_at_host',
  'owner_gone',
  'external_forwarder',
  'suspended_without_offboarding',
  'deletion_overdue',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** How each kind reads in the text report and the DM, in the report's order. */
export const FINDING_TITLES: Record<FindingKind, string> = {
  unknown_at_host: 'Mailboxes at the host that Mailroom does not know',
  missing_at_host: 'Mailroom mailboxes missing at the host',
  owner_gone: "Mailboxes whose owner's Slack account is gone",
  external_forwarder: 'Forwarders from active mailboxes to addresses outside the managed domains',
  suspended_without_offboarding: 'Suspended mailboxes with no open offboarding',
  deletion_overdue: 'Offboardings whose deletion is overdue',
};

export interface Finding {
  kind: FindingKind;
  /** The mail host's name, when the finding is about what a host has. */
  host: string | null;
  address: string;
  /** One line for a person: the forward target, the owner, the due date. */
  detail: string;
  /** The forward target (external_forwarder). */
  target?: string;
  /** The Slack user concerned (owner_gone). */
  slackUserId?: string;
  /** The offboarding concerned (deletion_overdue). */
  offboardingId?: number;
}

export interface HostStatus {
  name: string;
  domains: string[];
  /** False when the host could not be read; its comparisons are left out, the others' are not. */
  ok: boolean;
  error?: string;
  mailboxes: number;
  forwarders: number;
}

export interface ReconcileReport {
  generatedAt: string;
  hosts: HostStatus[];
  findings: Finding[];
  /** What could not be checked at all (e.g. owners without Slack settings). */
  notes: string[];
}

export const countByKind = (report: ReconcileReport): Record<FindingKind, number> =>
  Object.fromEntries(FINDING_KINDS.map((kind) => [kind, report.findings.filter((f) => f.kind === kind).length])) as Record<
    FindingKind,
    number
  >;
