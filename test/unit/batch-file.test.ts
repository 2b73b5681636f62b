import { describe, expect, it } from 'vitest';
import { parseBatchFile, splitCsvLine } from '../../src/services/batch/batch-file.ts';

const settings = { domains: ['example.com', 'example.org'], phoneRegion: 'US' };
const STRONG = 'Tr0ub4dor&3-horse';

describe('splitCsvLine', () => {
  it('follows RFC 4180 quoting on one line', () => {
    expect(splitCsvLine('a, b ,"c, d","say ""hi""",')).toEqual(['a', 'b', 'c, d', 'say "hi"', '']);
    expect(splitCsvLine('"open')).toBeNull();
    expect(splitCsvLine('"closed"junk')).toBeNull();
  });
});

describe('parseBatchFile', () => {
  it('reads the Aurora example format: comments and blank lines skipped, the first | separates', () => {
    const parsed = parseBatchFile(`\uFEFF# list\r\nA@Example.com | ${STRONG}|x\r\n\r\nb@example.org |\r\n`, settings);
    expect(parsed.format).toBe('pipe');
    expect(parsed.lineCount).toBe(2);
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      {
        line: 2,
        address: 'a@example.com',
        localPart: 'a',
        domain: 'example.com',
        password: `${STRONG}|x`,
        fullName: null,
        personalEmail: null,
        phone: null,
      },
      {
        line: 4,
        address: 'b@example.org',
        localPart: 'b',
        domain: 'example.org',
        password: null,
        fullName: null,
        personalEmail: null,
        phone: null,
      },
    ]);
  });

  it('reports every problem of every line, never quoting what may be a password', () => {
    const parsed = parseBatchFile(
      [
        `ok@example.com | ${STRONG}`,
        'no separator here',
        `${STRONG} | swapped@example.com`,
        'weak@example.com | 12345luggage',
        `cpanel@example.com | ${STRONG}`,
        `x@other.test | ${STRONG}`,
        `OK@example.com | ${STRONG}`,
      ].join('\n'),
      settings,
    );
    expect(parsed.entries.map((e) => e.line)).toEqual([1]);
    expect(parsed.problems.map((p) => [p.line, p.address, p.reasons.join('; ')])).toEqual([
      [2, null, expect.stringContaining('expected “email | password”')],
      [3, null, 'the email field is not an email address'],
      [4, 'weak@example.com', expect.stringContaining('the password is too weak (strength 63 of 100; at least 65 is needed')],
      [5, null, expect.stringContaining('the part before the @ is not allowed: “cpanel” is reserved')],
      [6, 'x@other.test', 'other.test is not one of the managed domains (MAIL_DOMAINS: example.com, example.org)'],
      [7, 'ok@example.com', 'duplicate of line 1'],
    ]);
    expect(JSON.stringify(parsed.problems)).not.toContain(STRONG);
  });

  it('reads CSV with a header in any column order, and checks the optional columns', () => {
    const parsed = parseBatchFile(
      [
        'Full Name,email,phone,personal_email,password',
        '"Doe, Jane",jane@example.com,415 555 2671,jane@gmail.com,',
        'Bob,bob@example.com,12,bob@example.org,',
        'Too,many@example.com,,,,extra',
      ].join('\n'),
      settings,
    );
    expect(parsed.format).toBe('csv');
    expect(parsed.lineCount).toBe(3);
    expect(parsed.entries).toEqual([
      {
        line: 2,
        address: 'jane@example.com',
        localPart: 'jane',
        domain: 'example.com',
        password: null,
        fullName: 'Doe, Jane',
        personalEmail: 'jane@gmail.com',
        phone: '+14155552671',
      },
    ]);
    expect(parsed.problems.map((p) => p.line)).toEqual([3, 4]);
    expect(parsed.problems[0]?.reasons.join('; ')).toMatch(/^personal_email: .*; phone: /);
    expect(parsed.problems[1]?.reasons).toEqual(['has 6 fields but the header names 5']);
  });

  it('refuses a CSV without a header without echoing its first line', () => {
    const parsed = parseBatchFile(`a@example.com,${STRONG}\nb@example.com,${STRONG}\n`, settings);
    expect(parsed.entries).toEqual([]);
    expect(parsed.problems[0]?.reasons).toEqual([
      'a CSV file must start with a header line naming its columns, e.g. email,password,full_name,personal_email,phone',
    ]);
    expect(parsed.problems[1]?.reasons).toEqual(['cannot be read: the header line is not valid']);
    expect(JSON.stringify(parsed.problems)).not.toContain(STRONG);
    expect(parseBatchFile('email,pasword\n', settings).problems[0]?.reasons).toEqual([
      'unknown column “pasword” (known: email, password, full_name, personal_email, phone)',
    ]);
  });

  it('refuses hidden characters in a CSV name, on its line, as the modal does', () => {
    const parsed = parseBatchFile(
      [
        'email,password,full_name',
        `rlo@example.com,${STRONG},Jane \u202Eevil`,
        `nul@example.com,${STRONG},Jane\u0000Doe`,
        `ok@example.com,${STRONG},Jane Doe`,
      ].join('\n'),
      settings,
    );
    expect(parsed.entries.map((entry) => entry.address)).toEqual(['ok@example.com']);
    expect(parsed.problems.map((problem) => [problem.line, problem.reasons.join(' ')])).toEqual([
      [2, expect.stringMatching(/text-direction/)],
      [3, expect.stringMatching(/control characters/)],
    ]);
  });
});
