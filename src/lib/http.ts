import type { IncomingMessage } from 'node:http';

/** The whole request body as UTF-8 text (for the loopback fakes and the sandbox page, which trust their callers). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
