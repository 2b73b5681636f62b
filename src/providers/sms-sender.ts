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
  /**
   * The id of this exact message if the provider already accepted it (same number and text, created
   * since `since`): a retry whose earlier attempt's outcome is unknown looks before sending again.
   */
  findSent?(to: string, body: string, since: Date): Promise<string | undefined>;
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
      return failed(caught);
    }
  }

  async findSent(to: string, body: string, since: Date): Promise<string | undefined> {
    // Newest first; a message still queued has no DateSent yet, so the creation time is compared here.
    const recent = await this.twilio.messages.list({ to, limit: 20 });
    return recent.find((message) => message.body === body && message.dateCreated >= since)?.sid;
  }
}

function failed(caught: unknown): SendResult {
  const error = caught as TwilioError;
  const status = typeof error.status === 'number' ? error.status : undefined;
  const reason = `${status ? `Twilio ${status}` : 'Twilio unreachable'}${error.code !== undefined ? ` (error ${error.code})` : ''}: ${error.message ?? String(caught)}`;
  // No HTTP status: connection refused, reset or timed out, so Twilio may be back later.
  const retryable = status === undefined || status === 429 || status >= 500;
  return { ok: false, permanent: !retryable, reason };
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
