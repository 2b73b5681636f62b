import type { Config, MailHostConfig, ProviderConfig, ProviderName } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import { AuroraProvider } from './aurora.ts';
import { AuroraWebmailProvider } from './aurora-webmail.ts';
import { CpanelProvider } from './cpanel.ts';
import type { MailboxProvider } from './mailbox-provider.ts';
import { LogMailer, type Mailer, SmtpMailer } from './mailer.ts';
import { RoutingProvider } from './routing.ts';
import { LogSmsSender, type SmsSender, TwilioSmsSender } from './sms-sender.ts';
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
export function buildProvider(config: ProviderConfig, logger: Logger): MailboxProvider {
  if (config.mailHosts) {
    const routes = new Map<string, MailboxProvider>();
    for (const host of config.mailHosts) {
      const provider = buildHost(host, logger);
      for (const domain of host.domains) routes.set(domain, provider);
    }
    return new RoutingProvider(undefined, routes);
  }
  const built = new Map<ProviderName, MailboxProvider>();
  const get = (name: ProviderName): MailboxProvider => {
    let provider = built.get(name);
    if (!provider) {
      provider = buildOne(name, config, logger);
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

/** Twilio when configured (the config schema checks the settings go together), else a log-only stand-in. */
export function buildSmsSender(config: Config, logger: Logger): SmsSender {
  if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN) {
    logger.warn('TWILIO_* not set: SMS are written to the log (secrets withheld), not sent');
    return new LogSmsSender(logger.child({ module: 'sms' }));
  }
  return new TwilioSmsSender({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    ...(config.TWILIO_FROM ? { from: config.TWILIO_FROM } : {}),
    ...(config.TWILIO_MESSAGING_SERVICE_SID ? { messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID } : {}),
    ...(config.TWILIO_API_URL ? { apiUrl: config.TWILIO_API_URL } : {}),
    timeoutMs: config.TWILIO_TIMEOUT_MS,
  });
}

/** SMTP when configured, else a log-only stand-in. */
export function buildMailer(config: Config, logger: Logger): Mailer {
  if (!config.SMTP_URL || !config.MAIL_FROM) {
    logger.warn('SMTP_URL not set: emails are written to the log (secrets withheld), not sent');
    return new LogMailer(logger.child({ module: 'mail' }));
  }
  return new SmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.SMTP_TIMEOUT_MS });
}
