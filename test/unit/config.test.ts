import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadProviderConfig } from '../../src/config.ts';

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
  HR_USER_IDS: 'U0HRPERSON',
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

// ------------------------------------------------------------ mail providers (issue 5)

function problemsOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
}

const cliEnv = {
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/mailroom',
  MAIL_DOMAINS: 'example.com,example.org',
  CPANEL_URL: 'https://host.example.com:2083',
  CPANEL_USER: 'acme',
  CPANEL_API_TOKEN: 'TOKEN123',
};
const whmEnv = { WHM_URL: 'https://host.example.com:2087', WHM_USER: 'root', WHM_API_TOKEN: 'WHMTOKEN', WHM_CPANEL_USER: 'acme' };
const auroraEnv = { AURORA_URL: 'https://mail.example.com/', AURORA_ADMIN_LOGIN: 'superadmin', AURORA_ADMIN_PASSWORD: 'secret!' };

describe('mail provider settings', () => {
  it('loads the command-line settings without any Slack, SMS or secret-key setting', () => {
    const config = loadProviderConfig(cliEnv);
    expect(config.MAILBOX_PROVIDER).toBe('cpanel');
    expect(config.MAILBOX_PROVIDER_BY_DOMAIN).toEqual({});
    expect(config.AURORA_TENANT_ID).toBe(0);
    expect(config.MAILBOX_QUOTA_MB).toBe(1024);
    expect(problemsOf(() => loadProviderConfig({ ...cliEnv, DATABASE_URL: undefined }))).toMatch(/DATABASE_URL/);
  });

  it('accepts whm or aurora alone, without cPanel settings', () => {
    const noCpanel = { DATABASE_URL: cliEnv.DATABASE_URL, MAIL_DOMAINS: cliEnv.MAIL_DOMAINS };
    expect(loadProviderConfig({ ...noCpanel, ...whmEnv, MAILBOX_PROVIDER: 'whm' }).WHM_CPANEL_USER).toBe('acme');
    const aurora = loadProviderConfig({ ...noCpanel, ...auroraEnv, MAILBOX_PROVIDER: 'aurora', AURORA_TENANT_ID: '3' });
    expect(aurora.AURORA_TENANT_ID).toBe(3);
  });

  it('names every missing setting of the chosen provider', () => {
    const problems = problemsOf(() => loadProviderConfig({ ...cliEnv, MAILBOX_PROVIDER: 'aurora' }));
    for (const key of ['AURORA_URL', 'AURORA_ADMIN_LOGIN', 'AURORA_ADMIN_PASSWORD']) {
      expect(problems).toContain(`${key} is required when MAILBOX_PROVIDER=aurora`);
    }
    expect(problemsOf(() => loadProviderConfig({ ...cliEnv, MAILBOX_PROVIDER: 'exchange' }))).toMatch(
      /MAILBOX_PROVIDER must be one of cpanel, whm, aurora/,
    );
  });

  it('routes domains with MAILBOX_PROVIDER_BY_DOMAIN and requires the routed providers’ settings', () => {
    const config = loadProviderConfig({
      ...cliEnv,
      ...auroraEnv,
      MAILBOX_PROVIDER_BY_DOMAIN: ' Example.com = aurora , example.org=cpanel ',
    });
    expect(config.MAILBOX_PROVIDER_BY_DOMAIN).toEqual({ 'example.com': 'aurora', 'example.org': 'cpanel' });

    const problems = problemsOf(() => loadProviderConfig({ ...cliEnv, MAILBOX_PROVIDER_BY_DOMAIN: 'example.org=whm' }));
    expect(problems).toContain('WHM_API_TOKEN is required when MAILBOX_PROVIDER_BY_DOMAIN routes example.org to whm');
    expect(problems).toContain('WHM_CPANEL_USER is required when MAILBOX_PROVIDER_BY_DOMAIN routes example.org to whm');
  });

  it('refuses routes for domains outside MAIL_DOMAINS, malformed entries and duplicates', () => {
    expect(problemsOf(() => loadProviderConfig({ ...cliEnv, ...auroraEnv, MAILBOX_PROVIDER_BY_DOMAIN: 'example.net=aurora' }))).toMatch(
      /MAILBOX_PROVIDER_BY_DOMAIN names example.net, which is not in MAIL_DOMAINS/,
    );
    expect(problemsOf(() => loadProviderConfig({ ...cliEnv, MAILBOX_PROVIDER_BY_DOMAIN: 'example.com:aurora' }))).toMatch(
      /MAILBOX_PROVIDER_BY_DOMAIN each entry must be domain=provider/,
    );
    expect(problemsOf(() => loadProviderConfig({ ...cliEnv, MAILBOX_PROVIDER_BY_DOMAIN: 'example.com=exchange' }))).toMatch(
      /MAILBOX_PROVIDER_BY_DOMAIN each entry must be domain=provider/,
    );
    expect(
      problemsOf(() =>
        loadProviderConfig({ ...cliEnv, ...auroraEnv, MAILBOX_PROVIDER_BY_DOMAIN: 'example.com=aurora,example.com=cpanel' }),
      ),
    ).toMatch(/MAILBOX_PROVIDER_BY_DOMAIN names example.com twice/);
  });

  it('applies the same provider rules to the bot’s full configuration', () => {
    const problems = problemsOf(() => loadConfig({ ...valid, MAILBOX_PROVIDER: 'whm' }));
    expect(problems).toContain('WHM_URL is required when MAILBOX_PROVIDER=whm');
    expect(problems).not.toMatch(/^CPANEL_/m);
  });
});

describe('cPanel and WHM sign-in methods', () => {
  const noToken = { ...cliEnv, CPANEL_API_TOKEN: undefined };

  it('defaults to API tokens', () => {
    const config = loadProviderConfig({ ...cliEnv, ...whmEnv });
    expect(config).toMatchObject({ CPANEL_AUTH: 'token', WHM_AUTH: 'token' });
  });

  it('signs in to cPanel with the account password when CPANEL_AUTH=password, and then needs no token', () => {
    expect(loadProviderConfig({ ...noToken, CPANEL_AUTH: 'password', CPANEL_PASSWORD: 'hunter2 with spaces' })).toMatchObject({
      CPANEL_AUTH: 'password',
      CPANEL_PASSWORD: 'hunter2 with spaces',
    });
    const problems = problemsOf(() => loadProviderConfig({ ...cliEnv, CPANEL_AUTH: 'password' }));
    expect(problems).toBe('CPANEL_PASSWORD is required when MAILBOX_PROVIDER=cpanel and CPANEL_AUTH=password');
    expect(problemsOf(() => loadProviderConfig({ ...noToken }))).toBe('CPANEL_API_TOKEN is required when MAILBOX_PROVIDER=cpanel');
  });

  it('signs in to WHM with the access hash when WHM_AUTH=accesshash, line breaks and all', () => {
    const hash = 'abc123\ndef456\n';
    const env = { ...cliEnv, ...whmEnv, WHM_API_TOKEN: undefined, MAILBOX_PROVIDER: 'whm', WHM_AUTH: 'accesshash', WHM_ACCESS_HASH: hash };
    expect(loadProviderConfig(env)).toMatchObject({ WHM_AUTH: 'accesshash', WHM_ACCESS_HASH: hash.trim() });
    expect(problemsOf(() => loadProviderConfig({ ...env, WHM_ACCESS_HASH: undefined }))).toBe(
      'WHM_ACCESS_HASH is required when MAILBOX_PROVIDER=whm and WHM_AUTH=accesshash',
    );
  });

  it('names bad methods and malformed secrets at once, without echoing the secrets', () => {
    const problems = problemsOf(() =>
      loadProviderConfig({
        ...cliEnv,
        CPANEL_AUTH: 'basic',
        WHM_AUTH: 'hash',
        CPANEL_PASSWORD: 'two\nlines-secret',
        WHM_ACCESS_HASH: 'not a hash!-secret',
      }),
    );
    expect(problems).toContain('CPANEL_AUTH must be token or password');
    expect(problems).toContain('WHM_AUTH must be token or accesshash');
    expect(problems).toContain('CPANEL_PASSWORD must be one line');
    expect(problems).toContain('WHM_ACCESS_HASH must be the letters and digits of the access hash');
    expect(problems).not.toContain('secret');
  });
});

// ------------------------------------------------------------ offboarding (issue 4)

describe('offboarding settings', () => {
  it('defaults retention, hour, sweep schedule and time zone', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      HR_USER_IDS: ['U0HRPERSON'],
      RETENTION_DAYS: 30,
      OFFBOARD_HOUR: 17,
      OFFBOARD_SWEEP_CRON: '0 */15 * * * *',
      TIME_ZONE: 'UTC',
    });
    expect(config.HR_USERGROUP_ID).toBeUndefined();
  });

  it('needs HR_USER_IDS or HR_USERGROUP_ID, and either alone is enough', () => {
    const { HR_USER_IDS: _hr, ...withoutHr } = valid;
    expect(() => loadConfig(withoutHr)).toThrow(/HR_USER_IDS or HR_USERGROUP_ID is required/);
    expect(loadConfig({ ...withoutHr, HR_USERGROUP_ID: 'S0HRTEAM' }).HR_USERGROUP_ID).toBe('S0HRTEAM');
  });

  it('names bad retention, hour, cron, time zone, contact and group id at once', () => {
    let problems = '';
    try {
      loadConfig({
        ...valid,
        RETENTION_DAYS: '4000',
        OFFBOARD_HOUR: '24',
        OFFBOARD_SWEEP_CRON: '*/15 * * * *',
        TIME_ZONE: 'Mars/Olympus',
        GENERAL_CONTACT_EMAIL: 'not-an-email',
        HR_USERGROUP_ID: 'hr-team',
      });
    } catch (error) {
      problems = (error as ConfigError).problems.join('\n');
    }
    for (const key of [
      'RETENTION_DAYS',
      'OFFBOARD_HOUR',
      'OFFBOARD_SWEEP_CRON .*six-field',
      'TIME_ZONE .*IANA',
      'GENERAL_CONTACT_EMAIL',
      'HR_USERGROUP_ID',
    ]) {
      expect(problems).toMatch(new RegExp(key));
    }
  });
});
