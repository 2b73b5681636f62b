import type { ProviderConfig, ProviderName } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import { AuroraProvider } from './aurora.ts';
import { CpanelProvider } from './cpanel.ts';
import type { MailboxProvider } from './mailbox-provider.ts';
import { RoutingProvider } from './routing.ts';
import { WhmProvider } from './whm.ts';

/** The settings a provider needs; the config schema's cross-field rules guarantee them when it is chosen. */
function required(config: ProviderConfig, key: keyof ProviderConfig): string {
  const value = config[key];
  if (typeof value !== 'string' || value === '') throw new Error(`${key} is not set`);
  return value;
}

function buildOne(name: ProviderName, config: ProviderConfig, logger: Logger): MailboxProvider {
  switch (name) {
    case 'cpanel':
      return new CpanelProvider({
        baseUrl: required(config, 'CPANEL_URL'),
        user: required(config, 'CPANEL_USER'),
        token: required(config, 'CPANEL_API_TOKEN'),
        ...(config.CPANEL_CA_FILE ? { caFile: config.CPANEL_CA_FILE } : {}),
        timeoutMs: config.CPANEL_TIMEOUT_MS,
        logger: logger.child({ module: 'cpanel' }),
      });
    case 'whm':
      return new WhmProvider({
        baseUrl: required(config, 'WHM_URL'),
        user: required(config, 'WHM_USER'),
        token: required(config, 'WHM_API_TOKEN'),
        cpanelUser: required(config, 'WHM_CPANEL_USER'),
        ...(config.WHM_CA_FILE ? { caFile: config.WHM_CA_FILE } : {}),
        timeoutMs: config.WHM_TIMEOUT_MS,
        logger: logger.child({ module: 'whm' }),
      });
    case 'aurora':
      return new AuroraProvider({
        baseUrl: required(config, 'AURORA_URL'),
        adminLogin: required(config, 'AURORA_ADMIN_LOGIN'),
        adminPassword: required(config, 'AURORA_ADMIN_PASSWORD'),
        tenantId: config.AURORA_TENANT_ID,
        ...(config.AURORA_CA_FILE ? { caFile: config.AURORA_CA_FILE } : {}),
        timeoutMs: config.AURORA_TIMEOUT_MS,
        logger: logger.child({ module: 'aurora' }),
      });
  }
}

/**
 * The MailboxProvider chosen by MAILBOX_PROVIDER, routed per domain by MAILBOX_PROVIDER_BY_DOMAIN.
 * Each mail host is built once, however many domains it serves.
 */
export function buildProvider(config: ProviderConfig, logger: Logger): MailboxProvider {
  const built = new Map<ProviderName, MailboxProvider>();
  const get = (name: ProviderName): MailboxProvider => {
    let provider = built.get(name);
    if (!provider) {
      provider = buildOne(name, config, logger);
      built.set(name, provider);
    }
    return provider;
  };
  const fallback = get(config.MAILBOX_PROVIDER);
  const routes = new Map<string, MailboxProvider>();
  for (const [domain, name] of Object.entries(config.MAILBOX_PROVIDER_BY_DOMAIN)) {
    if (name !== config.MAILBOX_PROVIDER) routes.set(domain, get(name));
  }
  return routes.size === 0 ? fallback : new RoutingProvider(fallback, routes);
}
