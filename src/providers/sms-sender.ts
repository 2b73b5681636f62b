import twilio from 'twilio';
import type { Logger } from '../lib/logger.ts';

export interface SmsMessage {
  to: string;
  body: string;
  /** The body with its secret parts replaced: the only form a log may show. */
  logSafeBody: string;
  template: string;
}

/** How one send ended. `permanent` failures are not retried (invalid number, refused request). */
export type SendResult = { ok: true; providerId: string | null } | { ok: false; permanent: boolean; reason: string };

/** Sends one SMS. Adapters: Twilio, or a log-only stand-in when Twilio is not configured. */
export interface SmsSender {
  readonly name: string;
  /** True when nothing is really sent (the Delivery is recorded as LOGGED). */
  readonly isLogOnly: boolean;
  send(message: SmsMessage): Promise<SendResult>;
}

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  /** Another base URL for the REST API (tests, sandbox). */
  apiUrl?: string;
  timeoutMs: number;
}

interface TwilioError {
  status?: number;
  code?: number | string;
  message?: string;
}

/**
 * Twilio Programmable Messaging through the official SDK. The SDK's own retries are off: 429, 5xx
 * and timeouts come back as retryable failures and the durable job queue retries them with backoff.
 */
export class TwilioSmsSender implements SmsSender {
  readonly name = 'twilio';
  readonly isLogOnly = false;
  private readonly twilio: twilio.Twilio;

  constructor(private readonly options: TwilioSmsOptions) {
    this.twilio = twilio(options.accountSid, options.authToken, {
      autoRetry: false,
      timeout: options.timeoutMs,
      // Explicit, so TWILIO_LOG_LEVEL=debug in the environment cannot make the SDK print bodies.
      logLevel: 'info',
      env: {},
    });
    // Domain.baseUrl is the SDK's per-product base; messages.create resolves its path against it.
    if (options.apiUrl) this.twilio.api.baseUrl = options.apiUrl;
  }

  async send(message: SmsMessage): Promise<SendResult> {
    const sender = this.options.messagingServiceSid
      ? { messagingServiceSid: this.options.messagingServiceSid }
      : { from: this.options.from as string };
    try {
      const created = await this.twilio.messages.create({ to: message.to, body: message.body, ...sender });
      return { ok: true, providerId: created.sid ?? null };
    } catch (caught) {
      const error = caught as TwilioError;
      const status = typeof error.status === 'number' ? error.status : undefined;
      const reason = `${status ? `Twilio ${status}` : 'Twilio unreachable'}${error.code !== undefined ? ` (error ${error.code})` : ''}: ${error.message ?? String(caught)}`;
      // No HTTP status: connection refused, reset or timed out, so Twilio may be back later.
      const retryable = status === undefined || status === 429 || status >= 500;
      return { ok: false, permanent: !retryable, reason };
    }
  }
}

/** Stands in for Twilio when it is not configured: logs that an SMS would have gone out, secrets withheld. */
export class LogSmsSender implements SmsSender {
  readonly name = 'log';
  readonly isLogOnly = true;

  constructor(private readonly logger: Logger) {}

  async send(message: SmsMessage): Promise<SendResult> {
    this.logger.warn(
      { delivery: 'sms', to: message.to, template: message.template, text: message.logSafeBody },
      'SMS NOT SENT (Twilio is not configured): logged instead',
    );
    return { ok: true, providerId: null };
  }
}
