import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../src/platform/db/client.ts';
import { probeDatabase } from '../../src/platform/db/server.ts';
import { appEntryArgs } from '../support/app-entry.ts';
import { dropDatabase, randomTestDatabaseName, testServerUrl } from '../support/test-db.ts';

const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
/** Well-formed Slack settings; the sandbox replaces them with its own. */
const slackEnv = { SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdefghijkl', SLACK_SIGNING_SECRET: 'signing-secret-0123456789abcdef' };

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Runs `node --import tsx src/main.ts ...args` until it exits, probing `port` all along; returns
 * the exit code, both outputs, and whether anything ever answered on the port.
 */
async function runToExit(args: string[], env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, [...appEntryArgs(), ...args], {
    env: { ...baseEnv, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exited = false;
  const code = new Promise<number | null>((resolve) =>
    child.on('exit', (status) => {
      exited = true;
      resolve(status);
    }),
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let answered = false;
  while (!exited) {
    if (await listens(port)) answered = true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  clearTimeout(killer);
  if (await listens(port)) answered = true;
  return { code: await code, stdout, stderr, answered };
}

describe('npm start', () => {
  const sandboxDbs = [randomTestDatabaseName(), randomTestDatabaseName()];
  const untouchedDbs = [randomTestDatabaseName(), randomTestDatabaseName(), randomTestDatabaseName()];
  afterAll(async () => {
    for (const name of [...sandboxDbs, ...untouchedDbs]) await dropDatabase(name);
  });

  /** Starts main.ts, waits for the sandbox banner, checks /healthz and /sandbox, then stops it with SIGTERM. */
  async function expectSandboxRuns(args: string[], env: Record<string, string>, database: string): Promise<string> {
    const child = spawn(process.execPath, [...appEntryArgs(), ...args], {
      env: { ...baseEnv, PORT: '0', LOG_LEVEL: 'warn', SANDBOX_DATABASE_URL: withDatabase(testServerUrl(), database), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/open (http:\/\/\S+)\/sandbox/.test(output) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const url = /open (http:\/\/\S+)\/sandbox/.exec(output)?.[1];
      expect(url, output).toBeDefined();
      expect(output).toMatch(/SLACK_BOT_TOKEN/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const page = await fetch(`${url}/sandbox`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Mailroom sandbox');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    return output;
  }

  it('without Slack credentials (outside production) runs the built-in sandbox, answers on /healthz and /sandbox, and stops on SIGTERM', async () => {
    await expectSandboxRuns([], {}, sandboxDbs[0] as string);
  });

  it('`npm run sandbox` (--sandbox) runs the sandbox even when Slack credentials are set', async () => {
    await expectSandboxRuns(['--sandbox'], slackEnv, sandboxDbs[1] as string);
  });

  it('with NODE_ENV=production and no Slack settings names every missing setting, exits 2, and starts no sandbox', async () => {
    const port = await freePort();
    const [sandboxDb, appDb] = untouchedDbs as [string, string];
    const result = await runToExit(
      [],
      {
        NODE_ENV: 'production',
        SANDBOX_DATABASE_URL: withDatabase(testServerUrl(), sandboxDb),
        DATABASE_URL: withDatabase(testServerUrl(), appDb),
      },
      port,
    );
    expect(result.code, result.stderr).toBe(2);
    for (const key of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'MAIL_DOMAINS', 'ADMIN_USER_IDS', 'SECRET_KEY'])
      expect(result.stderr).toContain(key);
    expect(result.stderr).toMatch(/production/);
    expect(result.stdout).not.toMatch(/sandbox/i);
    expect(result.answered).toBe(false);
    // The sandbox would have dropped and re-created its database; the app would have migrated its own.
    expect(await probeDatabase(withDatabase(testServerUrl(), sandboxDb), '_prisma_migrations')).toBe(
      `database ${sandboxDb} does not exist: run npm run db:migrate first`,
    );
    expect(await probeDatabase(withDatabase(testServerUrl(), appDb), '_prisma_migrations')).toBe(
      `database ${appDb} does not exist: run npm run db:migrate first`,
    );
  });

  it('refuses `npm run sandbox` under NODE_ENV=production (exit 2), with or without Slack credentials', async () => {
    const sandboxDb = untouchedDbs[2] as string;
    for (const env of [{}, slackEnv]) {
      const port = await freePort();
      const result = await runToExit(
        ['--sandbox'],
        { NODE_ENV: 'production', SANDBOX_DATABASE_URL: withDatabase(testServerUrl(), sandboxDb), ...env },
        port,
      );
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('will not run its sandbox with NODE_ENV=production');
      expect(result.answered).toBe(false);
    }
    expect(await probeDatabase(withDatabase(testServerUrl(), sandboxDb), '_prisma_migrations')).toBe(
      `database ${sandboxDb} does not exist: run npm run db:migrate first`,
    );
  });

  it('with broken settings names every problem at once and exits 2, without echoing secrets', () => {
    const result = spawnSync(process.execPath, appEntryArgs(), {
      env: {
        ...baseEnv,
        SLACK_BOT_TOKEN: 'not-a-bot-token',
        SLACK_SIGNING_SECRET: 'secret-value-123',
        SECRET_KEY: 'abc',
        MAIL_DOMAINS: '',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    for (const key of ['SLACK_BOT_TOKEN', 'DATABASE_URL', 'MAIL_DOMAINS', 'ADMIN_USER_IDS', 'SECRET_KEY', 'CPANEL_URL'])
      expect(result.stderr).toContain(key);
    expect(result.stderr).not.toContain('secret-value-123');
  });
});
