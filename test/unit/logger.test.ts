import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';

describe('log redaction', () => {
  it('censors passwords, tokens, authorization headers and configured secrets wherever they sit', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    logger.error(
      {
        err: { options: { headers: { authorization: 'cpanel acme:SECRET-A', Authorization: 'whm root:SECRET-B' } } },
        req: { headers: { authorization: 'Bearer SECRET-C' } },
        password: 'SECRET-D',
        call: { password: 'SECRET-E', token: 'SECRET-F' },
        SMTP_URL: 'smtps://it:SECRET-G@smtp.example.com',
        TWILIO_AUTH_TOKEN: 'SECRET-H',
        CPANEL_API_TOKEN: 'SECRET-I',
      },
      'something failed',
    );
    const text = lines.join('');
    expect(text).toContain('something failed');
    expect(text).toContain('[redacted]');
    expect(text).not.toMatch(/SECRET-[A-I]/);
  });
});
