/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package) that captures every message.
 * It requires AUTH with the configured user and password (plain text: no TLS on loopback), and
 * can be told to answer RCPT TO with a 4xx or 5xx reply. Captured messages are decoded with a
 * small MIME reader (headers, encoded words, multipart, quoted-printable and base64), enough for
 * what nodemailer produces.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  text: string;
  html: string;
  raw: string;
}

export interface FakeSmtpOptions {
  user: string;
  password: string;
}

export class FakeSmtp {
  port = 0;
  readonly messages: CapturedMail[] = [];
  /** Every RCPT TO the server saw, accepted or not. */
  readonly recipientsTried: string[] = [];
  private rcptFailures: Array<{ code: number; message: string }> = [];
  readonly refusedRecipients = new Map<string, { code: number; message: string }>();
  private readonly server: SMTPServer;

  constructor(private readonly options: FakeSmtpOptions) {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.options.user && auth.password === this.options.password) return callback(null, { user: auth.username });
        return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, callback) => {
        this.recipientsTried.push(address.address);
        const refused = this.refusedRecipients.get(address.address) ?? this.rcptFailures.shift();
        if (refused) return callback(Object.assign(new Error(refused.message), { responseCode: refused.code }));
        return callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const parsed = parseMessage(raw);
          this.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.headers.get('subject') ?? '',
            messageId: parsed.headers.get('message-id') ?? '',
            text: parsed.text,
            html: parsed.html,
            raw,
          });
          callback();
        });
      },
    });
  }

  /** Clients that vanish mid-session (a killed app, a cut connection) are normal for a mail server: they end that session only. */
  private ignoreLostClients(): void {
    this.server.on('error', () => {});
  }

  get url(): string {
    return `smtp://${encodeURIComponent(this.options.user)}:${encodeURIComponent(this.options.password)}@127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    this.ignoreLostClients();
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` RCPT TO commands are answered with this reply (e.g. 451 or 550). */
  failNextRecipients(count: number, code: number, message = code >= 500 ? 'Mailbox unavailable' : 'Try again later'): void {
    for (let i = 0; i < count; i += 1) this.rcptFailures.push({ code, message });
  }

  messagesTo(address: string): CapturedMail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }
}

// ------------------------------------------------------------------ a small MIME reader

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitHeaders(raw: string): Part {
  const normalised = raw.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const head = end === -1 ? normalised : normalised.slice(0, end);
  const body = end === -1 ? '' : normalised.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i += 1) {
    const char = soft[i] as string;
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(part.body);
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return part.body;
}

function parseMessage(raw: string): { headers: Map<string, string>; text: string; html: string } {
  const root = splitHeaders(raw);
  const found = { text: '', html: '' };
  const visit = (part: Part) => {
    const type = part.headers.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (type.toLowerCase().startsWith('multipart/') && boundary) {
      const sections = part.body.split(`--${boundary}`).slice(1);
      for (const section of sections) {
        if (section.startsWith('--')) break;
        visit(splitHeaders(section.replace(/^\n/, '')));
      }
      return;
    }
    if (type.toLowerCase().startsWith('text/html')) found.html ||= decodeBody(part);
    else if (type.toLowerCase().startsWith('text/plain')) found.text ||= decodeBody(part);
  };
  visit(root);
  return { headers: root.headers, ...found };
}

export async function startFakeSmtp(options: FakeSmtpOptions): Promise<FakeSmtp> {
  const fake = new FakeSmtp(options);
  await fake.listen();
  return fake;
}
