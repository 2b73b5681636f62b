/** Builds the drift and risk report: reads every mail host and compares it with Mailroom's records. Read-only. */
import type { MailboxStatus } from '../../generated/prisma/client.ts';
import { domainOf } from '../../lib/address.ts';
import type { Db } from '../../platform/db-types.ts';
import type { HostedForwarder, MailboxInfo, MailboxProvider, MailHost } from '../../providers/mailbox-provider.ts';
import type { SlackGateway } from '../../slack/gateway.ts';
import { linkedOwnerOf } from '../mailboxes/ownership.ts';
import type { Finding, HostStatus, ReconcileReport } from './model.ts';

export interface ReconcileDeps {
  db: Db;
  provider: MailboxProvider;
  /** MAIL_DOMAINS: the domains compared, and what counts as "outside" for a forward target. */
  domains: readonly string[];
  now: () => Date;
  /** Without Slack (the CLI with no SLACK_BOT_TOKEN) owners are not checked, and the report says so. */
  slack?: Pick<SlackGateway, 'getUser' | 'lookupUserByEmail'> | undefined;
}

interface HostReading {
  host: MailHost;
  status: HostStatus;
  mailboxes: Map<string, MailboxInfo>;
  forwarders: HostedForwarder[];
}

/** One host's mailboxes and forwarders over its domains; a failure marks only this host unavailable. */
async function readHost(host: MailHost): Promise<HostReading> {
  const reading: HostReading = {
    host,
    status: { name: host.name, domains: host.domains, ok: true, mailboxes: 0, forwarders: 0 },
    mailboxes: new Map(),
    forwarders: [],
  };
  for (const domain of host.domains) {
    const mailboxes = await host.provider.listMailboxes(domain);
    const forwarders = mailboxes.ok ? await host.provider.listDomainForwarders(domain) : mailboxes;
    if (!mailboxes.ok || !forwarders.ok) {
      const failure = !mailboxes.ok ? mailboxes : (forwarders as { reason: string });
      return { ...reading, status: { ...reading.status, ok: false, error: `${domain}: ${failure.reason}` } };
    }
    for (const mailbox of mailboxes.value) reading.mailboxes.set(mailbox.address.toLowerCase(), mailbox);
    reading.forwarders.push(...forwarders.value);
  }
  reading.status.mailboxes = reading.mailboxes.size;
  reading.status.forwarders = reading.forwarders.length;
  return reading;
}

type Row = { id: number; address: string; domain: string; provider: string; status: MailboxStatus };

/** What each readable host has that Mailroom does not know, lacks, forwards outside, or keeps suspended. */
function compareHost(
  reading: HostReading,
  rows: Map<string, Row>,
  openOffboarding: Set<string>,
  managed: Set<string>,
  hostOfRow: (row: Row) => string,
): Finding[] {
  const findings: Finding[] = [];
  const name = reading.host.name;
  for (const [address, mailbox] of reading.mailboxes) {
    const row = rows.get(address);
    if (!row || row.status === 'DELETED') findings.push({ kind: 'unknown_at_host', host: name, address, detail: 'not in Mailroom' });
    if (mailbox.suspendedLogin && !openOffboarding.has(address))
      findings.push({ kind: 'suspended_without_offboarding', host: name, address, detail: 'login suspended, no offboarding open' });
  }
  for (const row of rows.values()) {
    if (row.status === 'DELETED' || hostOfRow(row) !== name || reading.mailboxes.has(row.address)) continue;
    findings.push({ kind: 'missing_at_host', host: name, address: row.address, detail: `Mailroom has it as ${row.status.toLowerCase()}` });
  }
  for (const forwarder of reading.forwarders) {
    const from = forwarder.from.toLowerCase();
    const mailbox = reading.mailboxes.get(from);
    const row = rows.get(from);
    const active = mailbox !== undefined && !mailbox.suspendedLogin && (row === undefined || row.status === 'ACTIVE');
    // Only addresses: ":fail:", ":blackhole:", pipes and system users deliver nowhere outside.
    const target = forwarder.to.trim();
    if (!active || !/^[^@\s|:]+@[^@\s]+$/.test(target) || managed.has(domainOf(target))) continue;
    findings.push({ kind: 'external_forwarder', host: name, address: from, detail: `forwards to ${target}`, target });
  }
  return findings;
}

/** ACTIVE mailboxes whose owner (by the one ownership rule) has a deactivated or vanished Slack account. */
async function ownersGone(deps: ReconcileDeps, rows: Row[], notes: string[]): Promise<Finding[]> {
  const { slack } = deps;
  if (!slack) {
    notes.push("Owners' Slack accounts were not checked: SLACK_BOT_TOKEN is not set.");
    return [];
  }
  const findings: Finding[] = [];
  try {
    for (const row of rows) {
      if (row.status !== 'ACTIVE') continue;
      const linked = await linkedOwnerOf(deps.db, row.id);
      const user = linked ? await slack.getUser(linked) : await slack.lookupUserByEmail(row.address);
      if (linked && (!user || user.deleted)) {
        const why = user ? 'is deactivated' : 'no longer exists';
        findings.push({
          kind: 'owner_gone',
          host: row.provider,
          address: row.address,
          detail: `owner <@${linked}> ${why}`,
          slackUserId: linked,
        });
      } else if (!linked && user?.deleted) {
        findings.push({
          kind: 'owner_gone',
          host: row.provider,
          address: row.address,
          detail: `owner <@${user.id}> is deactivated`,
          slackUserId: user.id,
        });
      }
    }
  } catch (error) {
    notes.push(`Owners' Slack accounts could not all be checked: ${error instanceof Error ? error.message : String(error)}`);
  }
  return findings;
}

/** Offboardings still open after their deletion date (not yet confirmed, or stuck). */
async function overdueDeletions(deps: ReconcileDeps, now: Date): Promise<Finding[]> {
  const overdue = await deps.db.offboarding.findMany({
    where: { openAddress: { not: null }, status: { in: ['SCHEDULED', 'ACTIVE', 'AWAITING_CONFIRMATION'] }, deleteAfter: { lt: now } },
    select: { id: true, address: true, status: true, deleteAfter: true, mailbox: { select: { provider: true } } },
    orderBy: { deleteAfter: 'asc' },
  });
  return overdue.map((o) => ({
    kind: 'deletion_overdue' as const,
    host: o.mailbox.provider,
    address: o.address,
    detail: `offboarding #${o.id} was due for deletion on ${o.deleteAfter.toISOString().slice(0, 10)} (${o.status.toLowerCase().replace('_', ' ')})`,
    offboardingId: o.id,
  }));
}

export async function buildReconcileReport(deps: ReconcileDeps): Promise<ReconcileReport> {
  const now = deps.now();
  const managed = new Set(deps.domains.map((domain) => domain.toLowerCase()));
  const rowList = await deps.db.mailbox.findMany({
    where: { domain: { in: [...managed] } },
    select: { id: true, address: true, domain: true, provider: true, status: true },
    orderBy: { address: 'asc' },
  });
  const rows = new Map(rowList.map((row) => [row.address.toLowerCase(), row]));
  const open = await deps.db.offboarding.findMany({ where: { openAddress: { not: null } }, select: { address: true } });
  const openOffboarding = new Set(open.map((o) => o.address.toLowerCase()));
  const hosts = deps.provider.hostsFor([...managed]);
  const names = new Set(hosts.map((host) => host.name));
  // A mailbox belongs to the host that created it; a row naming no current host, to its domain's.
  const hostOfRow = (row: Row) => (names.has(row.provider) ? row.provider : deps.provider.nameFor(row.domain));
  const readings = await Promise.all(hosts.map((host) => readHost(host)));
  const findings = readings.flatMap((reading) =>
    reading.status.ok ? compareHost(reading, rows, openOffboarding, managed, hostOfRow) : [],
  );
  const notes: string[] = [];
  findings.push(...(await ownersGone(deps, rowList, notes)), ...(await overdueDeletions(deps, now)));
  return { generatedAt: now.toISOString(), hosts: readings.map((r) => r.status), findings, notes };
}
