/**
 * `mailroom batch-create` against a real test database and the loopback cPanel (and Aurora) fakes:
 * in-process through the CLI's `main(argv, io)` (the same commander program bin/mailroom.mjs runs),
 * and as a user runs it — bin/mailroom.mjs as a child process — where the process itself matters:
 * Ctrl-C, and the exit code and stderr of a run that cannot start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { type FakeAurora, startFakeAurora } from '../../src/sandbox/fakes/aurora-server.ts';
import { type FakeCpanel, startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { generatePassword } from '../../src/services/credentials/password.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/mailroom.mjs');
const ACTOR = `cli:${userInfo().username}`;

let db: TestDatabase;
let cpanel: FakeCpanel;
let dir: string;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Deliberately no Slack, SMS, SMTP or SECRET_KEY settings: the CLI needs none of them.
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: db.url,
    MAIL_DOMAINS: 'example.com,example.org',
    MAILBOX_PROVIDER: 'cpanel',
    CPANEL_URL: cpanel.url,
    CPANEL_USER: 'acme',
    CPANEL_API_TOKEN: cpanel.token,
    CPANEL_TIMEOUT_MS: '2000',
    MAILBOX_QUOTA_MB: '2048',
    ...extra,
  };
}

function start(args: string[], env: NodeJS.ProcessEnv = baseEnv()): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, 'batch-create', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const done = new Promise<Run>((resolvePromise) => {
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/**
 * Runs `mailroom batch-create …args` in this process, in `dir` as the spawned CLI does, with the
 * same environment and no terminal (as with piped output); stdout and stderr are what it printed.
 */
async function cli(args: string[], env: NodeJS.ProcessEnv = baseEnv()): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const code = await main([process.execPath, BIN, 'batch-create', ...args], {
      env,
      out: (line) => {
        stdout += `${line}\n`;
      },
      err: (line) => {
        stderr += `${line}\n`;
      },
      terminal: undefined,
    });
    return { code, signal: null, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

/** The real bin/mailroom.mjs in a child process, to the end. */
const spawnCli = (args: string[], env?: NodeJS.ProcessEnv) => start(args, env).done;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function writeList(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Every password the test knows must stay off the terminal. */
function expectNoSecrets(run: Run, secrets: string[]): void {
  for (const secret of secrets) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

function readCredentials(path: string): Map<string, string> {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  expect(header).toBe('email,password');
  return new Map(
    rows.map((row) => {
      const comma = row.indexOf(',');
      return [row.slice(0, comma), JSON.parse(row.slice(comma + 1).replace(/""/g, '\\"')) as string];
    }),
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  cpanel = await startFakeCpanel({ user: 'acme', domains: ['example.com', 'example.org'] });
  dir = mkdtempSync(join(tmpdir(), 'mailroom-batch-'));
  await db.prisma.auditEvent.deleteMany();
  await db.prisma.mailbox.deleteMany();
  await db.prisma.staff.deleteMany();
});

afterEach(async () => {
  await cpanel.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mailroom batch-create', () => {
  it('creates the good lines, skips existing mailboxes, reports every bad line, and finishes idempotently on a re-run', async () => {
    const pw = {
      alice: generatePassword(),
      bob: generatePassword(),
      alice2: generatePassword(),
      erin: generatePassword(),
      ceo: generatePassword(),
    };
    cpanel.addMailbox('ceo@example.com', generatePassword());
    const file = writeList('accounts.txt', [
      '# new hires, November (the Aurora example format)',
      `alice@example.com | ${pw.alice}`,
      `Bob@Example.org | ${pw.bob}`,
      '',
      'carol@example.com |',
      `alice@example.com | ${pw.alice2}`,
      'this line has no separator',
      'dave@example.com | 12345luggage',
      `erin@elsewhere.test | ${pw.erin}`,
      `ceo@example.com | ${pw.ceo}`,
      `${pw.erin} | swapped@example.com`,
    ]);
    const secrets = [...Object.values(pw), '12345luggage'];

    const first = await cli([file, '--credentials-out', 'new-passwords.csv']);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toContain('Summary: 3 created, 1 skipped, 5 failed.');
    expect(first.stdout).toMatch(
      /Problems \(these lines will not be created\):\n {2}line 6: alice@example\.com: duplicate of line 2\n {2}line 7: expected “email \| password”/,
    );
    expect(first.stdout).toContain('line 8: dave@example.com: the password is too weak (strength 63 of 100; at least 65 is needed');
    expect(first.stdout).toContain('line 9: erin@elsewhere.test: elsewhere.test is not one of the managed domains');
    expect(first.stdout).toContain('line 11: the email field is not an email address');
    expect(first.stdout).toMatch(/Skipped:\n {2}line 10 {2}ceo@example\.com {2}already exists at cpanel/);
    expect(first.stdout).toMatch(/\[\d\/4\] created {2}carol@example\.com \(line 5\) at cpanel, password generated/);
    expectNoSecrets(first, secrets);

    // The credentials file: 0600, only the generated password, and it opens the mailbox.
    const credentialsPath = join(dir, 'new-passwords.csv');
    expect(statSync(credentialsPath).mode & 0o777).toBe(0o600);
    const credentials = readCredentials(credentialsPath);
    expect([...credentials.keys()]).toEqual(['carol@example.com']);
    const carolPassword = credentials.get('carol@example.com') as string;
    expect(cpanel.mailboxes.get('carol@example.com')?.passwordHash).toBe(sha256(carolPassword));
    expectNoSecrets(first, [carolPassword]);

    // Only the valid lines reached cPanel, the existing one untouched.
    expect(
      cpanel
        .callsTo('add_pop')
        .map((call) => `${call.params.email}@${call.params.domain}`)
        .sort(),
    ).toEqual(['alice@example.com', 'bob@example.org', 'carol@example.com', 'ceo@example.com']);
    expect(cpanel.mailboxes.get('alice@example.com')?.passwordHash).toBe(sha256(pw.alice));
    expect(cpanel.mailboxes.get('ceo@example.com')?.passwordHash).not.toBe(sha256(pw.ceo));

    const mailboxes = await db.prisma.mailbox.findMany({
      orderBy: { address: 'asc' },
      select: { address: true, provider: true, quotaMb: true, status: true },
    });
    expect(mailboxes).toEqual([
      { address: 'alice@example.com', provider: 'cpanel', quotaMb: 2048, status: 'ACTIVE' },
      { address: 'bob@example.org', provider: 'cpanel', quotaMb: 2048, status: 'ACTIVE' },
      { address: 'carol@example.com', provider: 'cpanel', quotaMb: 2048, status: 'ACTIVE' },
    ]);
    const audits = await db.prisma.auditEvent.findMany({
      orderBy: { subject: 'asc' },
      select: { actor: true, action: true, subject: true, outcome: true, details: true },
    });
    expect(audits.map((a) => [a.actor, a.action, a.subject, a.outcome])).toEqual([
      [ACTOR, 'mailbox.created', 'mailbox:alice@example.com', 'ok'],
      [ACTOR, 'mailbox.created', 'mailbox:bob@example.org', 'ok'],
      [ACTOR, 'mailbox.created', 'mailbox:carol@example.com', 'ok'],
      [ACTOR, 'mailbox.create_skipped', 'mailbox:ceo@example.com', 'ignored'],
    ]);
    expect(audits[2]?.details).toMatchObject({
      provider: 'cpanel',
      quotaMb: 2048,
      passwordGenerated: true,
      source: 'accounts.txt',
      line: 5,
    });
    expect(JSON.stringify(audits)).not.toContain(carolPassword);
    for (const secret of secrets) expect(JSON.stringify(audits)).not.toContain(secret);

    // Run the very same command again: nothing is created twice.
    const second = await cli([file, '--credentials-out', 'new-passwords.csv']);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('Summary: 0 created, 4 skipped, 5 failed.');
    expectNoSecrets(second, [...secrets, carolPassword]);
    expect(await db.prisma.mailbox.count()).toBe(3);
    expect(await db.prisma.auditEvent.count({ where: { action: 'mailbox.created' } })).toBe(3);
    expect(cpanel.mailboxes.size).toBe(4);
    expect(cpanel.mailboxes.get('carol@example.com')?.passwordHash).toBe(sha256(carolPassword));
    expect([...readCredentials(credentialsPath).keys()]).toEqual(['carol@example.com']);
  });

  it('prints a JSON report with --json and exits 0 when nothing failed', async () => {
    const password = generatePassword();
    const file = writeList('two.txt', [`frank@example.com | ${password}`, 'gina@example.org |']);
    const run = await cli([file, '--json', '--credentials-out', 'creds.csv']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      format: 'pipe',
      dryRun: false,
      stoppedBecause: null,
      summary: { lines: 2, valid: 2, invalid: 0, created: 2, skipped: 0, failed: 0, notAttempted: 0 },
      credentialsFile: 'creds.csv',
      results: [
        { line: 1, address: 'frank@example.com', status: 'created', provider: 'cpanel', passwordGenerated: false },
        { line: 2, address: 'gina@example.org', status: 'created', provider: 'cpanel', passwordGenerated: true },
      ],
    });
    const generated = readCredentials(join(dir, 'creds.csv')).get('gina@example.org') as string;
    expectNoSecrets(run, [password, generated]);
  });

  it('reads CSV with a header, quoted fields and staff details', async () => {
    const password = 'Quoted, "with" commas-9Zx!';
    const file = writeList('people.csv', [
      'email,password,full_name,personal_email,phone',
      `hana@example.com,"${password.replace(/"/g, '""')}","Hana Ito, PhD",hana.ito@gmail.com,(415) 555-2671`,
      'ivan@example.com,,Ivan Petrov,,',
      'jo@example.com,abc,Jo,jo@example.com,123',
    ]);
    const run = await cli([file, '--credentials-out', 'csv-creds.csv']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Summary: 2 created, 0 skipped, 1 failed.');
    expect(run.stdout).toMatch(
      /line 4: jo@example\.com: the password is too weak.*; personal_email: Use an address outside example\.com, example\.org.*; phone: /,
    );
    expectNoSecrets(run, [password]);
    expect(cpanel.mailboxes.get('hana@example.com')?.passwordHash).toBe(sha256(password));
    const staff = await db.prisma.staff.findUnique({
      where: { workEmail: 'hana@example.com' },
      select: { fullName: true, personalEmail: true, phone: true, mailboxes: { select: { address: true } } },
    });
    expect(staff).toEqual({
      fullName: 'Hana Ito, PhD',
      personalEmail: 'hana.ito@gmail.com',
      phone: '+14155552671',
      mailboxes: [{ address: 'hana@example.com' }],
    });
  });

  it('--dry-run and --strict stop before the provider; a missing --credentials-out refuses to start', async () => {
    const file = writeList('mixed.txt', [`kim@example.com | ${generatePassword()}`, 'lee@example.com |', 'oops']);

    const dry = await cli([file, '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('line 3: expected “email | password”');
    expect(dry.stdout).toContain('Dry run: nothing was created.');
    expect(dry.stdout).toContain('needs --credentials-out FILE');

    const strict = await cli([file, '--strict', '--credentials-out', 'c.csv']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('--strict: refusing to start while 1 line(s) have problems');

    const noCredentials = await cli([file]);
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toContain('add --credentials-out FILE');

    const clean = writeList('clean.txt', [`kim@example.com | ${generatePassword()}`]);
    expect((await cli([clean, '--dry-run'])).code).toBe(0);

    expect(cpanel.calls).toEqual([]);
    expect(await db.prisma.mailbox.count()).toBe(0);
    expect(await db.prisma.auditEvent.count()).toBe(0);
  });

  it('refuses to append generated passwords to a file others can read', async () => {
    const file = writeList('one.txt', ['max@example.com |']);
    const shared = join(dir, 'shared.csv');
    writeFileSync(shared, '');
    chmodSync(shared, 0o644);
    const run = await cli([file, '--credentials-out', shared]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('other users may read it (mode 644)');
    expect(cpanel.calls).toEqual([]);
  });

  it('needs only database and provider settings, and names what is missing (a real process: exit code and stderr)', async () => {
    const file = writeList('one.txt', [`max@example.com | ${generatePassword()}`]);
    const run = await spawnCli([file], baseEnv({ CPANEL_API_TOKEN: '', DATABASE_URL: '' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('CPANEL_API_TOKEN is required when MAILBOX_PROVIDER=cpanel');
    expect(run.stderr).toContain('DATABASE_URL');
    expect(run.stderr).not.toMatch(/SLACK|SECRET_KEY|ADMIN_USER_IDS/);
  });

  it('records a mailbox an interrupted earlier run created, when the file’s password opens it', async () => {
    const password = generatePassword();
    // As if a previous run died between cPanel's answer and the database write.
    cpanel.addMailbox('nina@example.com', password);
    const file = writeList('resume.txt', [`nina@example.com | ${password}`]);
    const run = await cli([file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Summary: 0 created, 1 skipped, 0 failed.');
    expect(run.stdout).toContain('already exists at cpanel with the password in the file; now recorded by Mailroom');
    expect(await db.prisma.mailbox.findUnique({ where: { address: 'nina@example.com' }, select: { provider: true } })).toEqual({
      provider: 'cpanel',
    });
    expect(await db.prisma.auditEvent.findMany({ select: { action: true, actor: true } })).toEqual([
      { action: 'mailbox.recorded', actor: ACTOR },
    ]);
  });

  it('retries an unreachable provider and recognises a create that succeeded before timing out', async () => {
    const password = generatePassword();
    cpanel.failNext('add_pop', 1, 'succeed-then-timeout');
    cpanel.failNext('add_pop', 1, 'http503');
    const file = writeList('flaky.txt', [`olga@example.com | ${password}`]);
    const run = await cli([file, '--retries', '2'], baseEnv({ CPANEL_TIMEOUT_MS: '300' }));
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('Summary: 1 created, 0 skipped, 0 failed.');
    expect(await db.prisma.auditEvent.count({ where: { action: 'mailbox.created' } })).toBe(1);
  });

  it('stops when the provider refuses the credentials, leaving the rest unattempted', async () => {
    const file = writeList(
      'three.txt',
      [1, 2, 3].map((n) => `user${n}@example.com | ${generatePassword()}`),
    );
    const run = await cli([file, '--concurrency', '1'], baseEnv({ CPANEL_API_TOKEN: 'WRONGTOKEN0123456789' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Summary: 0 created, 0 skipped, 1 failed, 2 not attempted.');
    expect(run.stdout).toContain('Stopped: the mail provider refused Mailroom’s credentials');
    expect(run.stdout).not.toContain('WRONGTOKEN0123456789');
    expect(cpanel.calls).toHaveLength(1);
  });

  it('stops cleanly on Ctrl-C after the calls in flight (a real process and signal), and a re-run finishes the file', async () => {
    cpanel.delayMs = 400;
    const file = writeList(
      'six.txt',
      [1, 2, 3, 4, 5, 6].map((n) => `p${n}@example.com | ${generatePassword()}`),
    );
    const { child, done } = start([file, '--concurrency', '2']);
    await new Promise<void>((resolveWhenStarted) => {
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes('[1/6]')) {
          child.stdout?.off('data', onData);
          resolveWhenStarted();
        }
      };
      child.stdout?.on('data', onData);
    });
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Stopping: waiting for the calls in flight');
    expect(run.stdout).toMatch(/Summary: \d created, 0 skipped, 0 failed, \d not attempted\./);
    expect(run.stdout).toContain('Interrupted: the calls in flight were finished');
    const created = await db.prisma.mailbox.count();
    expect(created).toBeGreaterThanOrEqual(1);
    expect(created).toBeLessThan(6);
    // Whatever reached cPanel was recorded: no call was abandoned half-way.
    expect(cpanel.mailboxes.size).toBe(created);

    cpanel.delayMs = 0;
    const rerun = await cli([file]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`Summary: ${6 - created} created, ${created} skipped, 0 failed.`);
    expect(await db.prisma.mailbox.count()).toBe(6);
  });

  it('records each mailbox exactly once when many finish together (grouped writes), and a re-run records none twice', async () => {
    // A DELETED row for one address (an earlier leaver) and a Staff row for another: both are taken over, not duplicated.
    const old = await db.prisma.staff.create({ data: { fullName: 'Old Name', workEmail: 'g3@example.com', phone: '+14155552671' } });
    await db.prisma.mailbox.create({
      data: { address: 'g1@example.com', localPart: 'g1', domain: 'example.com', provider: 'cpanel', status: 'DELETED', quotaMb: 1 },
    });
    const lines = Array.from({ length: 48 }, (_, i) => `g${i}@example.com,"${generatePassword().replace(/"/g, '""')}",Person ${i},,`);
    const file = writeList('group.csv', ['email,password,full_name,personal_email,phone', ...lines]);
    const run = await cli([file, '--concurrency', '16']);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('Summary: 48 created, 0 skipped, 0 failed.');
    const mailboxes = await db.prisma.mailbox.findMany({
      select: { address: true, status: true, quotaMb: true, staff: { select: { fullName: true } } },
    });
    expect(mailboxes).toHaveLength(48);
    expect(cpanel.mailboxes.size).toBe(48);
    for (const mailbox of mailboxes) {
      expect(mailbox).toMatchObject({ status: 'ACTIVE', quotaMb: 2048, staff: { fullName: `Person ${mailbox.address.slice(1, -12)}` } });
    }
    expect(await db.prisma.staff.count()).toBe(48);
    // The existing person keeps their phone (the file has none) and gets the file's name.
    expect(await db.prisma.staff.findUnique({ where: { id: old.id }, select: { fullName: true, phone: true } })).toEqual({
      fullName: 'Person 3',
      phone: '+14155552671',
    });
    const created = await db.prisma.auditEvent.findMany({ where: { action: 'mailbox.created' }, select: { subject: true } });
    expect(new Set(created.map((row) => row.subject)).size).toBe(48);
    expect(created).toHaveLength(48);

    const rerun = await cli([file, '--concurrency', '16']);
    expect(rerun.stdout).toContain('Summary: 0 created, 48 skipped, 0 failed.');
    expect(await db.prisma.mailbox.count()).toBe(48);
    expect(await db.prisma.auditEvent.count({ where: { action: 'mailbox.created' } })).toBe(48);
  });

  describe('with a domain routed to Aurora', () => {
    let aurora: FakeAurora;
    beforeEach(async () => {
      aurora = await startFakeAurora({ domains: ['example.org'] });
    });
    afterEach(async () => {
      await aurora.close();
    });

    it('creates each mailbox at its domain’s provider and records that provider', async () => {
      const env = baseEnv({
        MAILBOX_PROVIDER_BY_DOMAIN: 'example.org=aurora',
        AURORA_URL: aurora.url,
        AURORA_ADMIN_LOGIN: aurora.adminLogin,
        AURORA_ADMIN_PASSWORD: aurora.adminPassword,
      });
      const file = writeList('routed.txt', [`quinn@example.com | ${generatePassword()}`, `rosa@example.org | ${generatePassword()}`]);
      const run = await cli([file, '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as { results: Array<{ provider: string }> }).results.map((r) => r.provider)).toEqual([
        'cpanel',
        'aurora',
      ]);
      expect(aurora.userByEmail('rosa@example.org')).toBeDefined();
      expect([...cpanel.mailboxes.keys()]).toEqual(['quinn@example.com']);
      const rows = await db.prisma.mailbox.findMany({ orderBy: { address: 'asc' }, select: { address: true, provider: true } });
      expect(rows).toEqual([
        { address: 'quinn@example.com', provider: 'cpanel' },
        { address: 'rosa@example.org', provider: 'aurora' },
      ]);
      expect(run.stdout).not.toContain(aurora.adminPassword);
    });

    it('reports a line Aurora would leave without a mail account as failed, and repairs a lost account', async () => {
      const env = baseEnv({
        MAILBOX_PROVIDER: 'aurora',
        AURORA_URL: aurora.url,
        AURORA_ADMIN_LOGIN: aurora.adminLogin,
        AURORA_ADMIN_PASSWORD: aurora.adminPassword,
      });
      // The first create loses its account (a swallowed deadlock on the real server).
      aurora.failNext('Core.CreateUser', 1, { mode: 'lose-account' });
      const file = writeList('aurora.txt', [`rosa@example.org | ${generatePassword()}`, `sam@example.com | ${generatePassword()}`]);
      const run = await cli([file, '--concurrency', '1'], env);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toContain('Summary: 1 created, 0 skipped, 1 failed.');
      expect(run.stdout).toContain('sam@example.com (line 2): example.com is not set up as a mail domain in Aurora');
      expect(aurora.accountByEmail('rosa@example.org')).toBeDefined();
      expect(aurora.userByEmail('sam@example.com')).toBeUndefined();
      expect(aurora.bareUsers()).toEqual([]);
      const rows = await db.prisma.mailbox.findMany({ select: { address: true } });
      expect(rows).toEqual([{ address: 'rosa@example.org' }]);
      const audit = await db.prisma.auditEvent.findMany({ where: { action: 'mailbox.create_failed' }, select: { details: true } });
      expect(JSON.stringify(audit)).toContain('example.com is not set up as a mail domain in Aurora');
    });
  });
});
