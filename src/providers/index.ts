import type { Config, MailHostConfig, ProviderConfig, ProviderName } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import { type CallObserver, timed } from '../lib/timed.ts';
import { AuroraProvider } from './aurora.ts';
import { AuroraWebmailProvider } from './aurora-webmail.ts';
import { CpanelProvider } from './cpanel.ts';
import type { MailboxProvider } from './mailbox-provider.ts';
import type { Mailer, MailMessage } from './mailer.ts';
import { RoutingProvider } from './routing.ts';
import type { SendResult, SmsMessage, SmsSender } from './sms-sender.ts';
import { WhmProvider } from './whm.ts';

/** The settings a provider needs; the config schema's cross-field rules guarantee them when it is chosen. */
function required(config: ProviderConfig, key: keyof ProviderConfig): string {
  const value = config[key];
  if (typeof value !== 'string' || value === '') throw new Error(`${key} is not set`);
  return value;
}

/** Said once at start when a provider signs in with something other than an API token. */
function warnAboutSignIn(name: ProviderName, config: ProviderConfig, logger: Logger): void {
  if (name === 'cpanel' && config.CPANEL_AUTH === 'password') {
    logger.warn(
      { provider: 'cpanel', auth: 'password' },
      'CPANEL_AUTH=password: Mailroom signs in to cPanel with the account password, which opens the whole account and counts towards cPHulk. Prefer an API token (cPanel → Security → Manage API Tokens) with CPANEL_AUTH=token.',
    );
  }
  if (name === 'whm' && config.WHM_AUTH === 'accesshash') {
    logger.warn(
      { provider: 'whm', auth: 'accesshash' },
      'WHM_AUTH=accesshash: the access hash is deprecated and cannot be limited or expired. Prefer a WHM API token (WHM → Manage API Tokens; scripts/convert_accesshash_to_token converts it) with WHM_AUTH=token.',
    );
  }
}

function buildOne(name: ProviderName, config: ProviderConfig, logger: Logger): MailboxProvider {
  warnAboutSignIn(name, config, logger);
  switch (name) {
    case 'cpanel':
      return new CpanelProvider({
        baseUrl: required(config, 'CPANEL_URL'),
        user: required(config, 'CPANEL_USER'),
        ...(config.CPANEL_AUTH === 'password'
          ? { password: required(config, 'CPANEL_PASSWORD') }
          : { token: required(config, 'CPANEL_API_TOKEN') }),
        ...(config.CPANEL_CA_FILE ? { caFile: config.CPANEL_CA_FILE } : {}),
        timeoutMs: config.CPANEL_TIMEOUT_MS,
        logger: logger.child({ module: 'cpanel' }),
      });
    case 'whm':
      return new WhmProvider({
        baseUrl: required(config, 'WHM_URL'),
        user: required(config, 'WHM_USER'),
        ...(config.WHM_AUTH === 'accesshash'
          ? { accessHash: required(config, 'WHM_ACCESS_HASH') }
          : { token: required(config, 'WHM_API_TOKEN') }),
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

/** One host of MAIL_HOSTS_FILE, named as the file names it; a refused sign-in points at the file. */
function buildHost(host: MailHostConfig, logger: Logger): MailboxProvider {
  const common = {
    name: host.name,
    baseUrl: host.url,
    user: host.user,
    ...(host.caFile ? { caFile: host.caFile } : {}),
    timeoutMs: host.timeoutMs,
    logger: logger.child({ module: host.kind, host: host.name }),
  };
  const credentialsHint = `check host "${host.name}" in MAIL_HOSTS_FILE: its user and the ${host.auth} in ${host.tokenEnv}`;
  if (host.auth === 'password' && host.kind === 'cpanel')
    logger.warn({ host: host.name }, `host ${host.name} signs in with the account password; prefer an API token`);
  if (host.auth === 'accesshash')
    logger.warn({ host: host.name }, `host ${host.name} signs in with the deprecated WHM access hash; prefer an API token`);
  switch (host.kind) {
    case 'cpanel':
      return new CpanelProvider({
        ...common,
        credentialsHint,
        ...(host.auth === 'password' ? { password: host.secret } : { token: host.secret }),
      });
    case 'whm':
      return new WhmProvider({
        ...common,
        credentialsHint,
        cpanelUser: host.cpanelUser ?? '',
        ...(host.auth === 'accesshash' ? { accessHash: host.secret } : { token: host.secret }),
      });
    case 'aurora': {
      const { user, ...rest } = common;
      return new AuroraProvider({ ...rest, adminLogin: user, adminPassword: host.secret, tenantId: host.tenantId });
    }
  }
}

/**
 * The MailboxProvider chosen by MAILBOX_PROVIDER, routed per domain by MAILBOX_PROVIDER_BY_DOMAIN;
 * or, with MAIL_HOSTS_FILE, the file's hosts, each serving its domains. Each mail host is built
 * once, however many domains it serves.
 */
export function buildProvider(config: ProviderConfig, logger: Logger, observe?: CallObserver): MailboxProvider {
  if (config.mailHosts) {
    const routes = new Map<string, MailboxProvider>();
    for (const host of config.mailHosts) {
      const built = buildHost(host, logger);
      // Timed once here, at the adapter, rather than at every call site.
      const provider = observe ? timed(built, host.name, observe) : built;
      for (const domain of host.domains) routes.set(domain, provider);
    }
    return new RoutingProvider(undefined, routes);
  }
  const built = new Map<ProviderName, MailboxProvider>();
  const get = (name: ProviderName): MailboxProvider => {
    let provider = built.get(name);
    if (!provider) {
      provider = buildOne(name, config, logger);
      // Timed once here, at the adapter, rather than at every call site.
      if (observe) provider = timed(provider, name, observe);
      built.set(name, provider);
    }
    return provider;
  };
  const webmailServer = config.AURORA_WEBMAIL_SERVER_ID;
  // With Aurora as webmail, every cPanel/WHM mailbox also gets its Aurora user (seed 001).
  const host = (name: ProviderName): MailboxProvider =>
    webmailServer !== undefined && name !== 'aurora'
      ? new AuroraWebmailProvider(get(name), get('aurora') as AuroraProvider, webmailServer)
      : get(name);
  const fallback = host(config.MAILBOX_PROVIDER);
  const routes = new Map<string, MailboxProvider>();
  for (const [domain, name] of Object.entries(config.MAILBOX_PROVIDER_BY_DOMAIN)) {
    if (name !== config.MAILBOX_PROVIDER) routes.set(domain, host(name));
  }
  return routes.size === 0 ? fallback : new RoutingProvider(fallback, routes);
}

/**
 * Twilio and SMTP, loaded on first use: their SDKs weigh tens of megabytes and only the worker sends,
 * so the web role never loads them. `isLogOnly` follows from the settings alone.
 */
export function lazySmsSender(config: Config, logger: Logger, observe?: CallObserver): SmsSender {
  let sender: Promise<SmsSender> | undefined;
  const load = () => {
    sender ??= import('./messaging.ts').then(({ buildSmsSender }) => {
      const real = buildSmsSender(config, logger);
      return observe ? timed(real, real.isLogOnly ? 'sms-log' : 'twilio', observe) : real;
    });
    return sender;
  };
  return {
    name: config.TWILIO_ACCOUNT_SID ? 'twilio' : 'log',
    isLogOnly: !config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN,
    send: async (message: SmsMessage): Promise<SendResult> => (await load()).send(message),
    findSent: async (to: string, body: string, since: Date) => (await load()).findSent?.(to, body, since),
  };
}

export function lazyMailer(config: Config, logger: Logger, observe?: CallObserver): Mailer {
  let mailer: Promise<Mailer> | undefined;
  let loaded: Mailer | undefined;
  const load = () => {
    mailer ??= import('./messaging.ts').then(({ buildMailer }) => {
      const real = buildMailer(config, logger);
      loaded = real;
      return observe ? timed(real, real.isLogOnly ? 'mail-log' : 'smtp', observe) : real;
    });
    return mailer;
  };
  return {
    name: config.SMTP_URL ? 'smtp' : 'log',
    isLogOnly: !config.SMTP_URL || !config.MAIL_FROM,
    send: async (message: MailMessage): Promise<SendResult> => (await load()).send(message),
    close: () => loaded?.close(),
  };
}
