import { createTransport } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Logger } from '../lib/logger.ts';
import type { SendResult } from './sms-sender.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The text with its secret parts replaced: the only form a log may show. */
  logSafeText: string;
  template: string;
  /**
   * Names one delivery: every attempt of it is sent with the same Message-ID (<key@sender's
   * domain>), so a retry after a crash that followed an accepted send is the same message to mail
   * clients, which show it once.
   */
  deliveryKey?: string;
}

/** Sends one email. Adapters: SMTP (nodemailer), or a log-only stand-in when SMTP is not configured. */
export interface Mailer {
  readonly name: string;
  readonly isLogOnly: boolean;
  send(message: MailMessage): Promise<SendResult>;
  close(): void;
}

export interface SmtpMailerOptions {
  url: string;
  from: string;
  timeoutMs: number;
}

interface SmtpError {
  responseCode?: number;
  code?: string;
  message?: string;
}

/** SMTP through nodemailer. 4xx replies and connection failures are retryable; 5xx replies are final. */
export class SmtpMailer implements Mailer {
  readonly name = 'smtp';
  readonly isLogOnly = false;
  private readonly transport;

  constructor(private readonly options: SmtpMailerOptions) {
    // nodemailer's logger/debug options print whole messages: both stay off.
    this.transport = createTransport({
      url: options.url,
      logger: false,
      debug: false,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    } as SMTPTransport.Options);
  }

  async send(message: MailMessage): Promise<SendResult> {
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        ...(message.deliveryKey ? { messageId: `<${message.deliveryKey}@${senderDomain(this.options.from)}>` } : {}),
      });
      return { ok: true, providerId: typeof info.messageId === 'string' ? info.messageId : null };
    } catch (caught) {
      const error = caught as SmtpError;
      const code = typeof error.responseCode === 'number' ? error.responseCode : undefined;
      const reason = `${code ? `SMTP ${code}` : `SMTP ${error.code ?? 'error'}`}: ${error.message ?? String(caught)}`;
      return { ok: false, permanent: code !== undefined && code >= 500, reason };
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** Stands in for SMTP when it is not configured: logs that an email would have gone out, secrets withheld. */
export class LogMailer implements Mailer {
  readonly name = 'log';
  readonly isLogOnly = true;

  constructor(private readonly logger: Logger) {}

  async send(message: MailMessage): Promise<SendResult> {
    this.logger.warn(
      { delivery: 'email', to: message.to, template: message.template, subject: message.subject, text: message.logSafeText },
      'EMAIL NOT SENT (SMTP is not configured): logged instead',
    );
    return { ok: true, providerId: null };
  }

  close(): void {}
}

/** The domain of `Name <it@example.com>` or `it@example.com`, for Message-IDs. */
function senderDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return (
    address
      .slice(address.lastIndexOf('@') + 1)
      .trim()
      .toLowerCase() || 'localhost'
  );
}
