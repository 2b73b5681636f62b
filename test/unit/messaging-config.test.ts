import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const valid = {
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/mailroom',
  SLACK_BOT_TOKEN: 'xoxb-123-456-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-123',
  MAIL_DOMAINS: 'example.com',
  CPANEL_URL: 'https://host.example.com:2083',
  CPANEL_USER: 'acme',
  CPANEL_API_TOKEN: 'TOKEN123',
  ADMIN_USER_IDS: 'U0ADMIN1',
  HR_USER_IDS: 'U0HR0001',
  SECRET_KEY: 'a'.repeat(64),
};
const SID = `AC${'0'.repeat(32)}`;

function problems(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('messaging settings (Twilio, SMTP, credential links)', () => {
  it('runs without any of them (deliveries are logged) and applies defaults', () => {
    const config = loadConfig(valid);
    expect(config.TWILIO_ACCOUNT_SID).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.PUBLIC_URL).toBeUndefined();
    expect(config.CREDENTIAL_LINK_TTL_HOURS).toBe(72);
    expect(config.COMPANY_NAME).toBe('Mailroom');
  });

  it('accepts a full Twilio + SMTP + link setup and trims the public URL', () => {
    const config = loadConfig({
      ...valid,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_MESSAGING_SERVICE_SID: `MG${'1'.repeat(32)}`,
      SMTP_URL: 'smtps://user:pw@smtp.example.com:465',
      MAIL_FROM: 'Acme IT <it@example.com>',
      PUBLIC_URL: 'https://mailroom.example.com/',
      CREDENTIAL_LINK_TTL_HOURS: '24',
    });
    expect(config.PUBLIC_URL).toBe('https://mailroom.example.com');
    expect(config.CREDENTIAL_LINK_TTL_HOURS).toBe(24);
  });

  it('checks settings that only work together, all at once', () => {
    const found = problems({ ...valid, TWILIO_FROM: '+14155550100', SMTP_URL: 'smtp://127.0.0.1:25' });
    expect(found).toMatch(/TWILIO_ACCOUNT_SID is required when any TWILIO_\* setting is set/);
    expect(found).toMatch(/TWILIO_AUTH_TOKEN is required/);
    expect(found).toMatch(/MAIL_FROM is required when SMTP_URL is set/);
    expect(problems({ ...valid, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't' })).toMatch(
      /TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required/,
    );
    expect(
      problems({
        ...valid,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: 't',
        TWILIO_FROM: '+14155550100',
        TWILIO_MESSAGING_SERVICE_SID: `MG${'1'.repeat(32)}`,
      }),
    ).toMatch(/both set: set only one/);
    expect(
      problems({
        ...valid,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: 't',
        TWILIO_FROM: '+14155550100',
        TWILIO_API_URL: 'http://127.0.0.1:9',
        TWILIO_REGION: 'au1',
      }),
    ).toMatch(/TWILIO_REGION cannot be combined with TWILIO_API_URL/);
    expect(problems({ ...valid, NODE_ENV: 'production', PUBLIC_URL: 'http://mailroom.example.com' })).toMatch(
      /PUBLIC_URL must be https:\/\/ in production/,
    );
  });

  it('names malformed values', () => {
    const found = problems({
      ...valid,
      TWILIO_ACCOUNT_SID: 'SK123',
      TWILIO_AUTH_TOKEN: 't',
      TWILIO_FROM: '555-1234',
      SMTP_URL: 'http://x',
      MAIL_FROM: 'nobody',
      PUBLIC_URL: 'ftp://x',
      CREDENTIAL_LINK_TTL_HOURS: '0',
    });
    expect(found).toMatch(/TWILIO_ACCOUNT_SID must be a Twilio Account SID/);
    expect(found).toMatch(/TWILIO_FROM must be a phone number in E.164 form/);
    expect(found).toMatch(/SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(found).toMatch(/MAIL_FROM must be an address/);
    expect(found).toMatch(/PUBLIC_URL must be an http\(s\) URL/);
    expect(found).toMatch(/CREDENTIAL_LINK_TTL_HOURS/);
  });
});
