import { spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../src/db/client.ts';
import { dropDatabase, randomTestDatabaseName, testServerUrl } from '../support/test-db.ts';

const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

describe('npm start', () => {
  const sandboxDb = randomTestDatabaseName();
  afterAll(async () => {
    await dropDatabase(sandboxDb);
  });

  it('without Slack credentials runs the built-in sandbox, answers on /healthz and /sandbox, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...baseEnv, PORT: '0', LOG_LEVEL: 'warn', SANDBOX_DATABASE_URL: withDatabase(testServerUrl(), sandboxDb) },
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
      while (!/open (http:\/\/\S+)\/sandbox/.test(output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
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
  });

  it('with broken settings names every problem at once and exits 2, without echoing secrets', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...baseEnv, SLACK_BOT_TOKEN: 'not-a-bot-token', SLACK_SIGNING_SECRET: 'secret-value-123', SECRET_KEY: 'abc', MAIL_DOMAINS: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    for (const key of ['SLACK_BOT_TOKEN', 'DATABASE_URL', 'MAIL_DOMAINS', 'ADMIN_USER_IDS', 'SECRET_KEY', 'CPANEL_URL']) expect(result.stderr).toContain(key);
    expect(result.stderr).not.toContain('secret-value-123');
  });
});
