import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadProviderConfig } from '../../src/config.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailroom-hosts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/mailroom',
  SLACK_BOT_TOKEN: 'xoxb-123-456-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-123',
  MAIL_DOMAINS: 'acme.com,beta.org,gamma.net',
  ADMIN_USER_IDS: 'U0ADMIN1',
  SECRET_KEY: 'a'.repeat(64),
  HR_USER_IDS: 'U0HRPERSON',
  ACME_TOKEN: 'ACMETOKEN123',
  BETA_PASSWORD: 'beta pass word',
  AURORA_PW: 'aurora-admin-pw',
};

const good = `# two cPanel accounts and an Aurora
hosts:
  - name: acme
    kind: cpanel
    url: https://acme.example.net:2083
    user: acme
    token_env: ACME_TOKEN
    domains: [acme.com]
  - name: beta
    kind: whm
    url: https://whm.example.net:2087
    user: reseller
    token_env: BETA_PASSWORD
    auth: accesshash
    cpanel_user: beta
    domains:
      - beta.org
  - name: mail
    kind: aurora
    url: https://mail.example.net/
    user: superadmin
    token_env: AURORA_PW
    tenant_id: 2
    domains: [gamma.net]
`;

function write(text: string, name = 'hosts.yml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the settings were accepted');
}

describe('MAIL_HOSTS_FILE', () => {
  it('reads every host with the secret from the variable it names, and needs no CPANEL_* settings', () => {
    const config = loadConfig({ ...base, MAIL_HOSTS_FILE: write(good) });
    expect(config.mailHosts?.map((h) => [h.name, h.kind, h.auth, h.secret, h.domains])).toEqual([
      ['acme', 'cpanel', 'token', 'ACMETOKEN123', ['acme.com']],
      ['beta', 'whm', 'accesshash', 'beta pass word', ['beta.org']],
      ['mail', 'aurora', 'password', 'aurora-admin-pw', ['gamma.net']],
    ]);
    expect(config.mailHosts?.[1]?.cpanelUser).toBe('beta');
    expect(config.mailHosts?.[2]?.tenantId).toBe(2);
    expect(loadProviderConfig({ ...base, MAIL_HOSTS_FILE: write(good) }).mailHosts).toHaveLength(3);
  });

  it('names a missing file', () => {
    expect(problemsOf({ ...base, MAIL_HOSTS_FILE: join(dir, 'nope.yml') })).toEqual([
      `MAIL_HOSTS_FILE ${join(dir, 'nope.yml')} cannot be read: no such file`,
    ]);
  });

  it('names a YAML error with its line', () => {
    const path = write('hosts:\n  - name: acme\n    kind: [cpanel\n  - name: beta\n');
    const problems = problemsOf({ ...base, MAIL_HOSTS_FILE: path });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^MAIL_HOSTS_FILE ${path} is not valid YAML \\(line 4, column \\d+\\): `));
  });

  it('names every problem of every host at once, each with its line', () => {
    const path = write(`hosts:
  - name: acme
    kind: plesk
    url: https://acme.example.net:2083
    user: acme
    token_env: ACME_TOKEN
    domains: [acme.com]
  - name: acme
    kind: cpanel
    url: https://other.example.net:2083
    user: other
    token_env: OTHER_TOKEN
    ca_file: missing-ca.pem
    domains: [acme.com, beta.org]
  - name: gamma
    kind: cpanel
    url: https://gamma.example.net:2083
    user: gamma
    token: SECRET-IN-THE-FILE
    domains: [gamma.net]
`);
    const problems = problemsOf({ ...base, MAIL_HOSTS_FILE: path });
    const at = `MAIL_HOSTS_FILE ${path}`;
    expect(problems).toEqual([
      `${at}: host "acme" (line 3): kind must be one of cpanel, whm, aurora`,
      `${at}: host "acme" (line 12): token_env names OTHER_TOKEN, which is not set`,
      `${at}: host "acme": ca_file ${join(dir, 'missing-ca.pem')} cannot be read (ENOENT)`,
      `${at}: host "gamma" (line 15): token_env is required: the name of the environment variable that holds the token or password`,
      `${at}: host "gamma" (line 15): token would put a secret in the file: put it in an environment variable and name that variable in token_env`,
      `${at}: no host serves gamma.net, which is in MAIL_DOMAINS`,
    ]);
  });

  it('names a duplicate host name and a domain served by two hosts', () => {
    const path = write(`- name: acme
  kind: cpanel
  url: https://acme.example.net:2083
  user: acme
  token_env: ACME_TOKEN
  domains: [acme.com, beta.org, gamma.net]
- name: acme
  kind: cpanel
  url: https://other.example.net:2083
  user: other
  token_env: ACME_TOKEN
  domains: [elsewhere.com]
- name: beta
  kind: cpanel
  url: https://beta.example.net:2083
  user: beta
  token_env: ACME_TOKEN
  domains: [beta.org]
`);
    const at = `MAIL_HOSTS_FILE ${path}`;
    expect(problemsOf({ ...base, MAIL_HOSTS_FILE: path })).toEqual([
      `${at}: host name "acme" is used twice (line 7)`,
      `${at}: host "acme" serves elsewhere.com, which is not in MAIL_DOMAINS (acme.com, beta.org, gamma.net)`,
      `${at}: beta.org is served by two hosts, "acme" and "beta" (line 18)`,
    ]);
  });

  it('refuses the single-host settings it replaces, and kind-specific settings on the wrong kind', () => {
    const path = write(
      good.replace('    tenant_id: 2\n', '    tenant_id: 2\n    cpanel_user: nobody\n').replace('auth: accesshash', 'auth: password'),
    );
    const problems = problemsOf({
      ...base,
      MAIL_HOSTS_FILE: path,
      MAILBOX_PROVIDER: 'cpanel',
      MAILBOX_PROVIDER_BY_DOMAIN: 'acme.com=cpanel',
    });
    expect(problems).toEqual([
      'MAILBOX_PROVIDER cannot be combined with MAIL_HOSTS_FILE: each host in the file names its kind; unset MAILBOX_PROVIDER',
      'MAILBOX_PROVIDER_BY_DOMAIN cannot be combined with MAIL_HOSTS_FILE: the file says which host serves each domain; unset MAILBOX_PROVIDER_BY_DOMAIN',
      `MAIL_HOSTS_FILE ${path}: host "beta" (line 14): auth must be token or accesshash for kind whm`,
      `MAIL_HOSTS_FILE ${path}: host "mail" (line 24): cpanel_user is only for kind whm`,
    ]);
  });

  it('names a file without hosts', () => {
    const path = write('hosts: []\n');
    expect(problemsOf({ ...base, MAIL_HOSTS_FILE: path })).toEqual([
      `MAIL_HOSTS_FILE ${path} lists no hosts: write a list under "hosts:" (see .env.example)`,
    ]);
  });
});
