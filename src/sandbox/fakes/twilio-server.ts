/**
 * A fake Twilio REST API on 127.0.0.1 that the real `twilio` SDK talks to (client.api.baseUrl).
 * It serves POST /2010-04-01/Accounts/{AccountSid}/Messages.json like Twilio: HTTP Basic auth with
 * the Account SID and auth token, a form-encoded body (To, From or MessagingServiceSid, Body), a
 * 201 Message resource, and Twilio's error JSON ({ code, message, more_info, status }) on failure.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../lib/http.ts';

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
}

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  createdAt: Date;
}

export interface FakeTwilioRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  status: number;
}

/** `accept-then-hang`: the message is accepted (and listed) but the answer never comes, as when the sender dies or the line drops mid-request. */
export type TwilioFailure = 'http400' | 'http500' | 'http429' | 'http503' | 'hang' | 'accept-then-hang';

const E164 = /^\+[1-9]\d{6,14}$/;

export class FakeTwilio {
  url = '';
  /** Messages Twilio accepted, in order. */
  readonly messages: FakeTwilioMessage[] = [];
  /** Every request, accepted or not. */
  readonly requests: FakeTwilioRequest[] = [];
  /** Numbers Twilio refuses as "not a valid phone number" (21211), besides malformed ones. */
  readonly invalidNumbers = new Set<string>();
  private readonly server: Server;
  private failures: Array<{ failure: TwilioFailure; to: string | undefined }> = [];

  constructor(private readonly options: FakeTwilioOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake twilio crashed: ${String(error)}`);
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The next `count` message requests (to `to`, when given) fail this way, after the auth check. */
  failNext(count: number, failure: TwilioFailure, to?: string): void {
    for (let i = 0; i < count; i += 1) this.failures.push({ failure, to });
  }

  clearFailures(): void {
    this.failures = [];
  }

  messagesTo(number: string): FakeTwilioMessage[] {
    return this.messages.filter((m) => m.to === number);
  }

  /** Polls until an accepted message to `number` exists; returns the first. */
  async waitForMessageTo(number: string, timeoutMs = 15_000): Promise<FakeTwilioMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messagesTo(number)[0];
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no SMS to ${number} within ${timeoutMs} ms; requests: ${JSON.stringify(this.requests.map((r) => [r.form.To, r.status]))}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const form = Object.fromEntries(new URLSearchParams(raw));
    const answer = (status: number, body: unknown) => {
      this.requests.push({ method: req.method ?? '', path, form, status });
      if (status === 0) return; // hang: never answer
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const error = (status: number, code: number, message: string) =>
      answer(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!match || (req.method !== 'POST' && req.method !== 'GET')) return error(404, 20404, `The requested resource ${path} was not found`);
    const expected = `Basic ${Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected || match[1] !== this.options.accountSid) return error(401, 20003, 'Authenticate');
    if (req.method === 'GET') return answer(200, this.listPage(path, new URL(req.url ?? '/', 'http://127.0.0.1').searchParams));
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return error(400, 20001, 'Content-Type must be form-encoded');

    const at = this.failures.findIndex((f) => f.to === undefined || f.to === form.To);
    const failure = at === -1 ? undefined : this.failures.splice(at, 1)[0]?.failure;
    if (failure === 'http500') return error(500, 20500, 'Internal Server Error');
    if (failure === 'http503') return error(503, 20503, 'Service Unavailable');
    if (failure === 'http429') return error(429, 20429, 'Too Many Requests');
    if (failure === 'http400') return error(400, 21211, `The 'To' number ${form.To ?? ''} is not a valid phone number.`);
    if (failure === 'hang') return answer(0, undefined);

    if (!form.To) return error(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(form.To) || this.invalidNumbers.has(form.To))
      return error(400, 21211, `The 'To' number ${form.To} is not a valid phone number.`);
    if (!form.From && !form.MessagingServiceSid) return error(400, 21603, "A 'From' phone number is required.");
    if (!form.Body) return error(400, 21602, 'Message body is required.');
    if (form.Body.length > 1600) return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const message: FakeTwilioMessage = {
      sid,
      to: form.To,
      from: form.From ?? null,
      messagingServiceSid: form.MessagingServiceSid ?? null,
      body: form.Body,
      createdAt: new Date(),
    };
    this.messages.push(message);
    answer(failure === 'accept-then-hang' ? 0 : 201, this.resource(message));
  }

  /** GET Messages.json: newest first, filtered by `To`, one page of `PageSize` (Twilio's list shape). */
  private listPage(path: string, query: URLSearchParams): Record<string, unknown> {
    const to = query.get('To');
    const pageSize = Math.min(Number(query.get('PageSize') ?? 50) || 50, 1000);
    const messages = [...this.messages]
      .reverse()
      .filter((message) => !to || message.to === to)
      .slice(0, pageSize)
      .map((message) => this.resource(message));
    return {
      messages,
      end: messages.length - 1,
      first_page_uri: path,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri: path,
    };
  }

  private resource(message: FakeTwilioMessage): Record<string, unknown> {
    const { sid, to, from, messagingServiceSid, body } = message;
    const now = message.createdAt.toUTCString().replace('GMT', '+0000');
    return {
      account_sid: this.options.accountSid,
      api_version: '2010-04-01',
      body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: messagingServiceSid,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid,
      status: messagingServiceSid ? 'accepted' : 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${this.options.accountSid}/Messages/${sid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${this.options.accountSid}/Messages/${sid}.json`,
    };
  }
}

export async function startFakeTwilio(options: FakeTwilioOptions): Promise<FakeTwilio> {
  const fake = new FakeTwilio(options);
  await fake.listen();
  return fake;
}
