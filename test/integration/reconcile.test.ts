/**
 * The drift and risk report against two cPanel hosts seeded with one of each kind of drift: the
 * CLI's three formats, the admins' DM on the fake Slack, Adopt (Mailbox row, owner, audit row), and
 * a host that is down reported as such while the other is still compared.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { type FakeCpanel, startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { usersSelect } from '../../src/sandbox/slack-driver.ts';
import { Actions, AdoptFields, Callbacks } from '../../src/slack/ids.ts';
import { BOT_TOKEN, type Harness, People, startHarness } from '../support/harness.ts';

let h: Harness;
let hostA: FakeCpanel;
let hostB: FakeCpanel;
let dir: string;
let hostsEnv: Record<string, string>;

function hostsFile(a: FakeCpanel, b: FakeCpanel): string {
  const path = join(dir, 'hosts.yml');
  writeFileSync(
    path,
    `hosts:
  - { name: host-a, kind: cpanel, url: "${a.url}", user: acme, token_env: HOST_A_TOKEN, timeout_ms: 1000, domains: [example.com] }
  - { name: host-b, kind: cpanel, url: "${b.url}", user: beta, token_env: HOST_B_TOKEN, timeout_ms: 1000, domains: [example.org] }
`,
  );
  return path;
}

/** One of each kind of drift, and things that must not be reported. */
async function seed(): Promise<void> {
  const db = h.db.prisma;
  const row = (address: string, provider: string, status: 'ACTIVE' | 'OFFBOARDING' = 'ACTIVE', staffId?: number) => {
    const [localPart = '', domain = ''] = address.split('@');
    return db.mailbox.create({ data: { address, localPart, domain, provider, status, quotaMb: 1024, ...(staffId ? { staffId } : {}) } });
  };
  hostB.addMailbox('stray@example.org', 'Stray-Password-123!'); // unknown at the host
  await row('ghost@example.com', 'host-a'); // missing at the host
  const gary = await db.staff.create({ data: { fullName: 'Gary Gone', workEmail: 'gary@example.com', slackUserId: People.gone } });
  hostA.addMailbox('gary@example.com', 'Gary-Password-123!');
  await row('gary@example.com', 'host-a', 'ACTIVE', gary.id); // owner's Slack account deactivated
  hostA.addMailbox('sales@example.com', 'Sales-Password-123!');
  await row('sales@example.com', 'host-a');
  hostA.forwarders.set('sales@example.com', ['rival@competitor.test', 'boss@example.org']); // one outside, one inside
  hostB.addMailbox('locked@example.org', 'Locked-Password-123!');
  const locked = hostB.mailboxes.get('locked@example.org');
  if (locked) locked.suspendedLogin = true; // suspended, no offboarding
  await row('locked@example.org', 'host-b');
  hostA.addMailbox('old@example.com', 'Old-Password-123!');
  const old = hostA.mailboxes.get('old@example.com');
  if (old) old.suspendedLogin = true; // suspended by its offboarding: not drift
  const oldRow = await row('old@example.com', 'host-a', 'OFFBOARDING');
  const now = h.clock.now();
  await db.offboarding.create({
    data: {
      mailboxId: oldRow.id,
      address: 'old@example.com',
      openAddress: 'old@example.com',
      initiatedById: People.hr,
      leaverName: 'Old Timer',
      forwardTo: 'sam@example.com',
      autoReplySubject: 'Gone',
      autoReplyBody: 'Gone.',
      lastDay: new Date(now.getTime() - 40 * 86_400_000),
      runAt: new Date(now.getTime() - 40 * 86_400_000),
      deleteAfter: new Date(now.getTime() - 2 * 86_400_000),
      retentionDays: 30,
      status: 'AWAITING_CONFIRMATION',
    },
  }); // deletion overdue
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailroom-reconcile-'));
  hostA = await startFakeCpanel({ user: 'acme', domains: ['example.com'] });
  hostB = await startFakeCpanel({ user: 'beta', domains: ['example.org'] });
  hostsEnv = { MAIL_HOSTS_FILE: hostsFile(hostA, hostB), HOST_A_TOKEN: hostA.token, HOST_B_TOKEN: hostB.token };
  h = await startHarness({ ...hostsEnv, MAILBOX_PROVIDER: '' });
  await seed();
});

afterEach(async () => {
  await h.close();
  await Promise.all([hostA.close(), hostB.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function reconcileCli(format: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'mailroom', 'reconcile', '--format', format], {
    env: {
      DATABASE_URL: h.db.url,
      MAIL_DOMAINS: 'example.com,example.org',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: h.slack.apiUrl,
      ...hostsEnv,
    },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const EXPECTED = [
  ['unknown_at_host', 'host-b', 'stray@example.org'],
  ['missing_at_host', 'host-a', 'ghost@example.com'],
  ['owner_gone', 'host-a', 'gary@example.com'],
  ['external_forwarder', 'host-a', 'sales@example.com'],
  ['suspended_without_offboarding', 'host-b', 'locked@example.org'],
  ['deletion_overdue', 'host-a', 'old@example.com'],
];
const byKindOrder = (rows: string[][]) =>
  [...rows].sort((a, b) => EXPECTED.findIndex((e) => e[0] === a[0]) - EXPECTED.findIndex((e) => e[0] === b[0]));

describe('mailroom reconcile', () => {
  it('finds one of each kind of drift, in CSV, JSON and text, reading both hosts and changing nothing', async () => {
    const before = JSON.stringify([[...hostA.mailboxes], [...hostB.mailboxes], [...hostA.forwarders]]);

    const csv = await reconcileCli('csv');
    expect(csv.code).toBe(0);
    const rows = parse(csv.out, { columns: true }) as Array<Record<string, string>>;
    expect(byKindOrder(rows.map((r) => [r.kind ?? '', r.host ?? '', r.address ?? '']))).toEqual(EXPECTED);
    expect(rows.find((r) => r.kind === 'external_forwarder')?.target).toBe('rival@competitor.test');
    expect(rows.find((r) => r.kind === 'owner_gone')?.slack_user_id).toBe(People.gone);

    const json = await reconcileCli('json');
    const report = JSON.parse(json.out) as {
      hosts: Array<{ name: string; ok: boolean; mailboxes: number; forwarders: number }>;
      findings: Array<{ kind: string; host: string; address: string }>;
      counts: Record<string, number>;
      notes: string[];
    };
    expect(report.hosts).toEqual([
      { name: 'host-a', domains: ['example.com'], ok: true, mailboxes: 3, forwarders: 2 },
      { name: 'host-b', domains: ['example.org'], ok: true, mailboxes: 2, forwarders: 0 },
    ]);
    expect(byKindOrder(report.findings.map((f) => [f.kind, f.host, f.address]))).toEqual(EXPECTED);
    expect(Object.values(report.counts)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(report.notes).toEqual([]);

    const text = await reconcileCli('text');
    expect(text.out).toContain('host host-a (example.com): 3 mailboxes, 2 forwarders');
    expect(text.out).toContain('Mailboxes at the host that Mailroom does not know: 1\n  stray@example.org [host-b]: not in Mailroom');
    expect(text.out).toContain('sales@example.com [host-a]: forwards to rival@competitor.test');

    // Read-only: only list calls reached the hosts, and nothing changed there.
    const fns = new Set([...hostA.calls, ...hostB.calls].map((call) => call.fn));
    expect([...fns].sort()).toEqual(['list_forwarders', 'list_pops_with_disk']);
    expect(JSON.stringify([[...hostA.mailboxes], [...hostB.mailboxes], [...hostA.forwarders]])).toBe(before);
    expect(await reconcileCli('xml')).toMatchObject({ code: 2, err: '--format must be one of text, csv, json' });
  });

  it('reports a host that is down as such and still compares the other', async () => {
    hostB.failAlways('*', 'http503');
    const { code, out } = await reconcileCli('csv');
    expect(code).toBe(0);
    const rows = parse(out, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.kind, r.host, r.address])).toEqual([
      ['missing_at_host', 'host-a', 'ghost@example.com'],
      ['external_forwarder', 'host-a', 'sales@example.com'],
      ['owner_gone', 'host-a', 'gary@example.com'],
      ['deletion_overdue', 'host-a', 'old@example.com'],
      ['host_unavailable', 'host-b', ''],
    ]);
    expect(rows.at(-1)?.detail).toMatch(/^example\.org: cPanel list_pops_with_disk: HTTP 503/);
  });
});

describe('the scheduled summary and Adopt', () => {
  it('DMs each admin once a day, and Adopt links the unknown mailbox to the owner an admin picks (row, owner, audit)', async () => {
    expect(await h.mailroom.reconcileSweep.runOnce()).toMatchObject({ ran: true, reconcile: { findings: 6, hostsDown: 0, posted: 2 } });
    // A second run the same day (another tick, another replica) posts nothing new.
    expect(await h.mailroom.reconcileSweep.runOnce()).toMatchObject({ ran: true, reconcile: { posted: 0 } });
    const channel = h.slack.dmChannelFor(People.admin);
    const dms = h.slack.messagesIn(channel);
    expect(dms).toHaveLength(1);
    expect(h.slack.messagesIn(h.slack.dmChannelFor(People.admin2))).toHaveLength(1);
    const dm = dms[0];
    if (!dm) throw new Error('no DM');
    expect(dm.text).toBe('Mailroom drift and risk report: 6 finding(s)');
    const json = JSON.stringify(dm.blocks);
    for (const [, , address] of EXPECTED) expect(json).toContain(address);
    expect(json).toContain(`"action_id":"${Actions.reconcileAdopt}"`);

    // Someone who is not an admin is refused, and that is audited.
    const click = (userId: string) =>
      h.driver.blockAction({
        userId,
        actionId: Actions.reconcileAdopt,
        value: 'stray@example.org',
        channelId: channel,
        messageTs: dm.ts,
        responseUrl: h.slack.responseUrl(`adopt-${userId}`),
        triggerId: h.slack.issueTriggerId({ userId }),
      });
    await click(People.outsider);
    await h.slack.waitFor(() => h.slack.responsesTo(`adopt-${People.outsider}`)[0]);
    expect(h.slack.openModalOf(People.outsider)).toBeUndefined();

    await click(People.admin);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf(People.admin));
    expect(modal.callback_id).toBe(Callbacks.adoptModal);
    const answer = await h.driver.viewSubmission({
      userId: People.admin,
      view: {
        id: modal.id,
        callbackId: Callbacks.adoptModal,
        privateMetadata: modal.private_metadata,
        values: { [AdoptFields.owner]: { value: usersSelect(People.superior) } },
      },
    });
    expect(answer.status).toBe(200);

    const mailbox = await h.db.prisma.mailbox.findUnique({
      where: { address: 'stray@example.org' },
      select: { provider: true, status: true, staff: { select: { slackUserId: true } } },
    });
    expect(mailbox).toEqual({ provider: 'host-b', status: 'ACTIVE', staff: { slackUserId: People.superior } });
    const audits = await h.db.prisma.auditEvent.findMany({
      where: { action: 'mailbox.adopted' },
      select: { actor: true, outcome: true, subject: true, details: true },
      orderBy: { id: 'asc' },
    });
    expect(audits).toEqual([
      { actor: People.outsider, outcome: 'refused', subject: 'mailbox:stray@example.org', details: { reason: 'not an admin' } },
      {
        actor: People.admin,
        outcome: 'ok',
        subject: 'mailbox:stray@example.org',
        details: { owner: People.superior, host: 'host-b', imported: true },
      },
    ]);
    // The next report no longer lists it.
    expect((await h.mailroom.reconcile.report()).findings.map((f) => f.address)).not.toContain('stray@example.org');
  });
});
