/**
 * `mailroom audit`: the audit log read back for a review or an export, after real flows wrote it
 * (signed Slack requests, the job runner, the cPanel fake) and on rows written for the filters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { withDatabase } from '../../src/platform/db/client.ts';
import { applyMigrations } from '../../src/platform/db/migrate.ts';
import { approvalMessageFor, clickButton, eventually, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';
import { createTestDatabase, dropDatabase, randomTestDatabaseName, type TestDatabase, testServerUrl } from '../support/test-db.ts';

async function audit(databaseUrl: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'mailroom', 'audit', ...args], {
    env: { DATABASE_URL: databaseUrl },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err: err.join('\n') };
}

const jsonl = (lines: string[]) =>
  lines.map(
    (line) =>
      JSON.parse(line) as { id: number; at: string; actor: string; action: string; subject: string; outcome: string; details: unknown },
  );

describe('mailroom audit, after a real request → approval → mailbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('--mailbox gives the whole history of one address, in order, with who did each step', async () => {
    await submitRequestForm(h);
    await submitRequestForm(h, { localPart: 'someone.else', fullName: 'Someone Else' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { address: 'jane.doe@example.com' } });
    // An outsider's click is refused and audited: it belongs to the history too.
    const dm = await approvalMessageFor(h, request.id, People.superior);
    await clickButton(h, {
      userId: People.outsider,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    await clickButton(h, {
      userId: People.superior,
      actionId: 'request_approve',
      requestId: request.id,
      channelId: dm.channelId,
      messageTs: dm.ts,
    });
    await eventually(() => h.db.prisma.auditEvent.findFirst({ where: { action: 'mailbox.created' } }), 'the mailbox.created audit row');

    const { code, out, err } = await audit(h.db.url, '--mailbox', 'Jane.Doe@example.com', '--format', 'jsonl');
    expect(err).toBe('');
    expect(code).toBe(0);
    const rows = jsonl(out);
    expect(rows.map((row) => [row.action, row.actor, row.outcome])).toEqual([
      ['request.submitted', People.requester, 'ok'],
      ['request.decision_refused', People.outsider, 'refused'],
      ['request.approved', People.superior, 'ok'],
      ['mailbox.created', 'system', 'ok'],
    ]);
    expect(rows.every((row) => row.subject === `request:${request.id}`)).toBe(true);
    // The other request is not part of this address's history.
    expect(out.join('\n')).not.toContain('someone.else');
    // Oldest first, with real instants.
    const times = rows.map((row) => Date.parse(row.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // Nothing secret leaves through the export.
    const password = h.cpanel.callsTo('add_pop')[0]?.params.password;
    expect(password).toBeTruthy();
    const everything = await audit(h.db.url, '--format', 'csv');
    expect(everything.out.join('\n')).not.toContain(password);
  });
});

describe('mailroom audit: filters, formats and errors', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ connectionLimit: 2 });
    const at = (iso: string) => new Date(iso);
    await db.prisma.auditEvent.createMany({
      data: [
        {
          at: at('2026-11-01T08:00:00Z'),
          actor: 'U0REQUEST1',
          action: 'request.submitted',
          subject: 'request:1',
          outcome: 'ok',
          details: { address: 'a@example.com' },
        },
        {
          at: at('2026-11-01T09:00:00Z'),
          actor: 'U0OUTSIDER',
          action: 'request.decision_refused',
          subject: 'request:1',
          outcome: 'refused',
        },
        {
          at: at('2026-11-02T10:00:00Z'),
          actor: 'U0SUPERIOR',
          action: 'request.rejected',
          subject: 'request:1',
          outcome: 'ok',
          details: { reason: '=HYPERLINK("http://evil")' },
        },
        {
          at: at('2026-11-03T23:59:59Z'),
          actor: 'U0HRPERSON',
          action: 'offboarding.started',
          subject: 'offboarding:4',
          outcome: 'ok',
          details: { note: 'line\u001b[31mred' },
        },
        { at: at('2026-11-04T00:00:00Z'), actor: 'system', action: 'offboarding.activated', subject: 'offboarding:4', outcome: 'failed' },
        { at: at('2026-11-05T12:00:00Z'), actor: 'cli:ops', action: 'mailbox.created', subject: 'mailbox:b@example.com', outcome: 'ok' },
      ],
    });
  });
  afterAll(async () => {
    await db?.drop();
  });

  const actions = async (...args: string[]) => {
    const result = await audit(db.url, ...args, '--format', 'jsonl');
    expect(result.err).toBe('');
    return jsonl(result.out).map((row) => row.action);
  };

  it('filters by time (a UTC day counts whole), actor, action family, subject, outcome and limit', async () => {
    expect(await actions('--since', '2026-11-02', '--until', '2026-11-03')).toEqual(['request.rejected', 'offboarding.started']);
    expect(await actions('--since', '2026-11-01T08:30:00Z', '--until', '2026-11-02T11:00:00+01:00')).toEqual(['request.decision_refused']);
    expect(await actions('--actor', 'U0SUPERIOR')).toEqual(['request.rejected']);
    expect(await actions('--action', 'offboarding.')).toEqual(['offboarding.started', 'offboarding.activated']);
    expect(await actions('--action', 'request.*', '--outcome', 'ok')).toEqual(['request.submitted', 'request.rejected']);
    expect(await actions('--action', 'request')).toEqual([]);
    expect(await actions('--subject', 'mailbox:b@example.com')).toEqual(['mailbox.created']);
    expect(await actions('--outcome', 'failed')).toEqual(['offboarding.activated']);
    expect(await actions('--limit', '2')).toEqual(['request.submitted', 'request.decision_refused']);
  });

  it('reads a span back from now', async () => {
    const recent = await db.prisma.auditEvent.create({
      data: { actor: 'system', action: 'request.reminded', subject: 'request:9', outcome: 'ok' },
    });
    try {
      expect(await actions('--since', '1h')).toEqual(['request.reminded']);
    } finally {
      await db.prisma.auditEvent.delete({ where: { id: recent.id } });
    }
  });

  it('writes CSV that a spreadsheet cannot run, and text whose control characters cannot drive a terminal', async () => {
    const csv = await audit(db.url, '--format', 'csv', '--actor', 'U0SUPERIOR');
    expect(csv.code).toBe(0);
    expect(csv.out[0]).toBe('id,at,actor,action,subject,outcome,details');
    expect(csv.out).toHaveLength(2);
    // The details cell starts with {, so it is quoted as JSON; a cell that starts with = is neutralised.
    expect(csv.out[1]).toMatch(
      /^3,2026-11-02T10:00:00.000Z,U0SUPERIOR,request.rejected,request:1,ok,"{""reason"":""=HYPERLINK\(\\""http:\/\/evil\\""\)""}"$/,
    );
    const formula = await audit(db.url, '--format', 'csv', '--subject', 'request:1', '--limit', '1');
    expect(formula.out[1]).toContain('a@example.com');

    const text = await audit(db.url, '--since', '2026-11-03', '--until', '2026-11-03');
    expect(text.code).toBe(0);
    expect(text.out).toHaveLength(2);
    expect(text.out[0]).toMatch(
      /^2026-11-03 23:59:59Z {2}U0HRPERSON\s+offboarding\.started\s+offboarding:4\s+ok\s+\{"note":"line\\u001b\[31mred"\}$/,
    );
    expect(text.out.join('')).not.toContain('\u001b');
    expect(text.out[1]).toBe('1 event(s).');
    expect((await audit(db.url, '--actor', 'U0NOBODY0')).out).toEqual(['No audit events match.']);
  });

  it('neutralises a cell that a spreadsheet would run as a formula', async () => {
    const row = await db.prisma.auditEvent.create({
      data: { actor: '=cmd|calc', action: 'request.submitted', subject: '+request:7', outcome: 'ok' },
    });
    try {
      const csv = await audit(db.url, '--format', 'csv', '--subject', '+request:7');
      expect(csv.out[1]).toBe(`${row.id},${row.at.toISOString()},'=cmd|calc,request.submitted,'+request:7,ok,`);
    } finally {
      await db.prisma.auditEvent.delete({ where: { id: row.id } });
    }
  });

  it('names every bad option at once and exits 2 without touching the database', async () => {
    const result = await audit(
      'mysql://root@127.0.0.1:1/nowhere',
      '--since',
      '2026-02-30',
      '--until',
      'yesterday',
      '--outcome',
      'maybe',
      '--format',
      'xml',
      '--mailbox',
      'jane',
    );
    expect(result.code).toBe(2);
    expect(result.out).toEqual([]);
    expect(result.err).toContain('--since 2026-02-30: no such date');
    expect(result.err).toContain('--until yesterday: expected a date');
    expect(result.err).toContain('--outcome maybe: expected one of ok, refused, failed, ignored');
    expect(result.err).toContain('--format xml: expected one of text, csv, jsonl');
    expect(result.err).toContain('--mailbox jane: expected an address');
    const backwards = await audit(db.url, '--since', '2026-11-05', '--until', '2026-11-01');
    expect(backwards.code).toBe(2);
    expect(backwards.err).toBe('--since must be before --until');
    const limit = await audit(db.url, '--limit', '0');
    expect(limit.code).toBe(1);
    expect(limit.err).toContain('expected a whole number from 1');
  });

  it('explains a missing DATABASE_URL, an unmigrated database and an unreachable server, never with the password', async () => {
    const unset = await main(['node', 'mailroom', 'audit'], {
      env: {},
      out: () => undefined,
      err: (line) => expect(line).toMatch(/DATABASE_URL is not set[\s\S]*npm run cli -- audit/),
    });
    expect(unset).toBe(2);

    const name = randomTestDatabaseName();
    const empty = withDatabase(testServerUrl(), name);
    const noMigrations = mkdtempSync(join(tmpdir(), 'mailroom-no-migrations-'));
    await applyMigrations({ databaseUrl: empty, migrationsDir: noMigrations });
    try {
      const result = await audit(empty);
      expect(result.code).toBe(2);
      expect(result.err).toBe(
        `Could not read the audit log from root@127.0.0.1:3306/${name}: table AuditEvent does not exist in database ${name}: run npm run db:migrate first`,
      );
    } finally {
      await dropDatabase(name);
      rmSync(noMigrations, { recursive: true, force: true });
    }

    const unreachable = await audit('mysql://auditor:s3cret-pass@127.0.0.1:1/mailroom');
    expect(unreachable.code).toBe(2);
    expect(unreachable.err).toMatch(/^Could not read the audit log from auditor@127\.0\.0\.1:1\/mailroom: .*ECONNREFUSED/);
    expect(unreachable.err).not.toContain('s3cret-pass');

    const missing = await audit(withDatabase(testServerUrl(), `${name}_none`));
    expect(missing.err).toBe(
      `Could not read the audit log from root@127.0.0.1:3306/${name}_none: database ${name}_none does not exist: run npm run db:migrate first`,
    );

    const denied = await audit(db.url.replace('mysql://root@', 'mysql://nobody_here:s3cret-pass@'));
    expect(denied.code).toBe(2);
    expect(denied.err).toMatch(/Access denied for user 'nobody_here'/);
    expect(denied.err).not.toContain('s3cret-pass');
  });
});
