// Which mail-host settings are required: those of every provider chosen globally, for a domain, or
// for the Aurora webmail mode, with the secret its sign-in method needs.
export type Env = Record<string, string | undefined>;
export const PROVIDER_NAMES = ['cpanel', 'whm', 'aurora'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
export const isProviderName = (value: string): value is ProviderName => (PROVIDER_NAMES as readonly string[]).includes(value);
export const isBlank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

/** The settings each provider needs; the secret depends on the sign-in method (CPANEL_AUTH, WHM_AUTH). */
function providerSettings(provider: ProviderName, env: Env): string[] {
  switch (provider) {
    case 'cpanel':
      return ['CPANEL_URL', 'CPANEL_USER', (env.CPANEL_AUTH ?? '').trim() === 'password' ? 'CPANEL_PASSWORD' : 'CPANEL_API_TOKEN'];
    case 'whm':
      return ['WHM_URL', 'WHM_USER', (env.WHM_AUTH ?? '').trim() === 'accesshash' ? 'WHM_ACCESS_HASH' : 'WHM_API_TOKEN', 'WHM_CPANEL_USER'];
    case 'aurora':
      return ['AURORA_URL', 'AURORA_ADMIN_LOGIN', 'AURORA_ADMIN_PASSWORD'];
  }
}

/** Each provider's settings are required when it is chosen globally or for any domain. */
export function providerProblems(env: Env): string[] {
  // A hosts file replaces these settings; its own checks are in config-hosts.ts.
  if (!isBlank(env.MAIL_HOSTS_FILE)) return [];
  const problems: string[] = [];
  const why = new Map<ProviderName, string>();
  const global = isBlank(env.MAILBOX_PROVIDER) ? 'cpanel' : (env.MAILBOX_PROVIDER ?? '').trim();
  if (isProviderName(global)) why.set(global, `MAILBOX_PROVIDER=${global}`);
  const mailDomains = (env.MAIL_DOMAINS ?? '')
    .split(',')
    .map((domain) => domain.trim().toLowerCase())
    .filter(Boolean);
  for (const entry of (env.MAILBOX_PROVIDER_BY_DOMAIN ?? '').split(',')) {
    const [domain = '', provider = ''] = entry.split('=').map((part) => part.trim().toLowerCase());
    // Malformed entries are reported by the schema.
    if (!domain || !isProviderName(provider)) continue;
    if (!why.has(provider)) why.set(provider, `MAILBOX_PROVIDER_BY_DOMAIN routes ${domain} to ${provider}`);
    if (mailDomains.length > 0 && !mailDomains.includes(domain)) {
      problems.push(`MAILBOX_PROVIDER_BY_DOMAIN names ${domain}, which is not in MAIL_DOMAINS (${mailDomains.join(', ')})`);
    }
  }
  if (!isBlank(env.AURORA_WEBMAIL_SERVER_ID) && !why.has('aurora')) why.set('aurora', 'AURORA_WEBMAIL_SERVER_ID is set');
  for (const [provider, reason] of why) {
    for (const key of providerSettings(provider, env)) {
      const method = key === 'CPANEL_PASSWORD' ? ' and CPANEL_AUTH=password' : key === 'WHM_ACCESS_HASH' ? ' and WHM_AUTH=accesshash' : '';
      if (isBlank(env[key])) problems.push(`${key} is required when ${reason}${method}`);
    }
  }
  return problems;
}
