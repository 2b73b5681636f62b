import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('npm start', () => {
  it('without Slack credentials says what to set and exits 2', () => {
    const result = run({});
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/SLACK_BOT_TOKEN/);
    expect(result.stderr).toMatch(/SLACK_SIGNING_SECRET/);
  });

  it('with broken settings names every problem at once and exits 2, without echoing secrets', () => {
    const result = run({ SLACK_BOT_TOKEN: 'not-a-bot-token', SLACK_SIGNING_SECRET: 'secret-value-123', SECRET_KEY: 'abc', MAIL_DOMAINS: '' });
    expect(result.status).toBe(2);
    for (const key of ['SLACK_BOT_TOKEN', 'DATABASE_URL', 'MAIL_DOMAINS', 'ADMIN_USER_IDS', 'SECRET_KEY', 'CPANEL_URL']) expect(result.stderr).toContain(key);
    expect(result.stderr).not.toContain('secret-value-123');
  });
});
