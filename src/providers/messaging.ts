// The real SMS and mail senders (Twilio, SMTP) or their log-only stand-ins. Loaded lazily through
// providers/index.ts (lazySmsSender, lazyMailer): only a process that sends pays for the SDKs.
import type { Config } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import { LogMailer, type Mailer, SmtpMailer } from './mailer.ts';
import { LogSmsSender, type SmsSender, TwilioSmsSender } from './sms-sender.ts';

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
