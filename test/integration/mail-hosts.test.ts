/**
 * Two cPanel hosts in one run (MAIL_HOSTS_FILE): host-a serves example.com, host-b example.org.
 * A request for each domain lands at its host, offboarding goes to the host that holds the
 * mailbox, and the batch CLI splits one file across both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { type FakeCpanel, startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { approvalMessageFor, clickButton, eventually, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';
import { OFFBOARDING_ENV, settled, startOffboarding, today } from '../support/offboarding.ts';

let h: Harness;
let hostA: FakeCpanel;
let hostB: FakeCpanel;
let dir: string;
let hostsEnv: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailroom-hosts-'));
  hostA = await startFakeCpanel({ user: 'acme', domains: ['example.com'] });
  // host-b's account also holds example.com, which the file routes to host-a: only the file decides.
  hostB = await startFakeCpanel({ user: 'beta', domains: ['example.org', 'example.com'] });
  const file = join(dir, 'hosts.yml');
  writeFileSync(
    file,
    `hosts:
  - name: host-a
    kind: cpanel
    url: ${hostA.url}
    user: acme
    token_env: HOST_A_TOKEN
    timeout_ms: 2000
    domains: [example.com]
  - name: host-b
    kind: cpanel
    url: ${hostB.url}
    user: beta
    token_env: HOST_B_TOKEN
    timeout_ms: 2000
    domains: [example.org]
`,
  );
  hostsEnv = { MAIL_HOSTS_FILE: file, HOST_A_TOKEN: hostA.token, HOST_B_TOKEN: hostB.token };
  h = await startHarness({ ...hostsEnv, ...OFFBOARDING_ENV, MAILBOX_PROVIDER: '' });
});

afterAll(async () => {
  await h?.close();
  await Promise.all([hostA?.close(), hostB?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function requestAndApprove(domain: string): Promise<void> {
  const answer = await submitRequestForm(h, { localPart: 'jane', domain });
  expect(answer.body).toBe('');
  const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { address: `jane@${domain}` } });
  const dm = await approvalMessageFor(h, request.id, People.superior);
  await clickButton(h, {
    userId: People.superior,
    actionId: 'request_approve',
    requestId: request.id,
    channelId: dm.channelId,
    messageTs: dm.ts,
  });
  await eventually(
    () => h.db.prisma.emailRequest.findFirst({ where: { id: request.id, status: 'ACTIVE' } }),
    `jane@${domain} to be ACTIVE`,
  );
}

const providerOf = async (address: string) =>
  (await h.db.prisma.mailbox.findUniqueOrThrow({ where: { address }, select: { provider: true } })).provider;

describe('several mail hosts of one kind', () => {
  it('creates each requested mailbox at the host serving its domain, and records that host', async () => {
    await requestAndApprove('example.com');
    await requestAndApprove('example.org');
    expect([...hostA.mailboxes.keys()]).toEqual(['jane@example.com']);
    expect([...hostB.mailboxes.keys()]).toEqual(['jane@example.org']);
    // The modal's "is it free?" check asked the right host too; the harness's own cPanel saw nothing.
    expect(hostA.callsTo('list_pops_with_disk').map((c) => c.params.domain)).toEqual(['example.com']);
    expect(hostB.callsTo('list_pops_with_disk').map((c) => c.params.domain)).toEqual(['example.org']);
    expect(h.cpanel.calls).toEqual([]);
    expect(await providerOf('jane@example.com')).toBe('host-a');
    expect(await providerOf('jane@example.org')).toBe('host-b');
  });

  it('offboards each mailbox at its own host, and a mailbox at the host that created it even when its domain is served elsewhere now', async () => {
    // Created by host-b when it served example.com (before the file routed example.com to host-a).
    hostB.addMailbox('moved@example.com', 'Moved-Passw0rd-For-Tests!');
    await h.db.prisma.mailbox.create({
      data: { address: 'moved@example.com', localPart: 'moved', domain: 'example.com', provider: 'host-b', quotaMb: 1024 },
    });
    for (const address of ['jane@example.com', 'jane@example.org', 'moved@example.com']) {
      const offboarding = await startOffboarding(h, {
        mailbox: address,
        forwardTo: 'sam@example.com',
        lastDay: today(h),
        subject: 'Out of office',
        body: 'Please write to Sam.',
      });
      const steps = await settled(h, offboarding.id);
      expect(steps.map((s) => [s.kind, s.status, s.lastError])).not.toContainEqual(expect.arrayContaining(['FAILED']));
    }
    expect(hostA.forwarders.get('jane@example.com')).toEqual(['sam@example.com']);
    expect(hostA.mailboxes.get('jane@example.com')?.suspendedLogin).toBe(true);
    expect(hostB.forwarders.get('jane@example.org')).toEqual(['sam@example.com']);
    expect(hostB.mailboxes.get('jane@example.org')?.suspendedLogin).toBe(true);
    expect(hostB.forwarders.get('moved@example.com')).toEqual(['sam@example.com']);
    expect(hostB.mailboxes.get('moved@example.com')?.suspendedLogin).toBe(true);
    // Nothing about the others' mailboxes reached the wrong host.
    expect(hostA.calls.filter((c) => JSON.stringify(c.params).includes('example.org'))).toEqual([]);
    expect(hostA.calls.filter((c) => JSON.stringify(c.params).includes('moved'))).toEqual([]);
    expect(hostB.calls.filter((c) => JSON.stringify(c.params).includes('jane@example.com'))).toEqual([]);
  });

  it('splits a batch file across the hosts', async () => {
    const file = join(dir, 'batch.txt');
    writeFileSync(file, 'ann@example.com | Str0ng-Batch-Passw0rd-One!\nbob@example.org | Str0ng-Batch-Passw0rd-Two!\n');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['node', 'mailroom', 'batch-create', file], {
      env: { DATABASE_URL: h.db.url, MAIL_DOMAINS: 'example.com,example.org', ...hostsEnv },
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      terminal: undefined,
    });
    expect({ code, err: err.join('\n') }).toEqual({ code: 0, err: '' });
    expect(out.join('\n')).toContain('created  ann@example.com (line 1) at host-a');
    expect(out.join('\n')).toContain('created  bob@example.org (line 2) at host-b');
    expect(hostA.mailboxes.has('ann@example.com')).toBe(true);
    expect(hostB.mailboxes.has('bob@example.org')).toBe(true);
    expect(hostA.mailboxes.has('bob@example.org') || hostB.mailboxes.has('ann@example.com')).toBe(false);
    expect([await providerOf('ann@example.com'), await providerOf('bob@example.org')]).toEqual(['host-a', 'host-b']);
  });
});
