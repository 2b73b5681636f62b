import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const valid = {
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/mailroom',
  SLACK_BOT_TOKEN: 'xoxb-123-456-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-123',
  MAIL_DOMAINS: 'Example.com, example.org',
  CPANEL_URL: 'https://host.example.com:2083',
  CPANEL_USER: 'acme',
  CPANEL_API_TOKEN: 'TOKEN123',
  ADMIN_USER_IDS: 'U0ADMIN1,U0ADMIN2',
  SECRET_KEY: 'a'.repeat(64),
};

describe('loadConfig', () => {
  it('parses a valid environment with defaults and normalised lists', () => {
    const config = loadConfig(valid);
    expect(config.PORT).toBe(3000);
    expect(config.MAIL_DOMAINS).toEqual(['example.com', 'example.org']);
    expect(config.ADMIN_USER_IDS).toEqual(['U0ADMIN1', 'U0ADMIN2']);
    expect(config.DEFAULT_PHONE_REGION).toBe('US');
    expect(config.SLACK_APP_TOKEN).toBeUndefined();
  });

  it('names every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ ...valid, SECRET_KEY: 'short', MAIL_DOMAINS: '', CPANEL_API_TOKEN: undefined, SLACK_BOT_TOKEN: undefined });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/SECRET_KEY .*64 hex/);
    expect(problems).toMatch(/MAIL_DOMAINS .*at least one domain/);
    expect(problems).toMatch(/CPANEL_API_TOKEN is required when MAILBOX_PROVIDER=cpanel/);
    expect(problems).toMatch(/SLACK_BOT_TOKEN/);
  });

  it('refuses a malformed admin id', () => {
    expect(() => loadConfig({ ...valid, ADMIN_USER_IDS: 'bob' })).toThrow(/ADMIN_USER_IDS each entry must be a Slack user id/);
  });
});
