import { describe, expect, it } from 'vitest';
import { classify } from '../../src/providers/cpanel/uapi.ts';

describe('classify (what a cPanel status-0 answer means)', () => {
  it.each([
    'The system is temporarily unable to process your request.',
    'Could not obtain a lock on /home/acme/etc/example.com/passwd.',
    'The mail configuration is locked by another process; try again later.',
    'The operation timed out.',
    'Resource temporarily unavailable',
  ])('“%s” is worth retrying', (message) => {
    expect(classify(message)).toBe('unavailable');
  });

  it.each([
    ['The account “fay@example.com” is locked by the administrator.', 'rejected'],
    ['You are using your maximum allotment (10) of email accounts.', 'rejected'],
    ['The account jane@example.com already exists!', 'already_exists'],
    ['You do not have an email account named “x@example.com”.', 'not_found'],
  ])('“%s” is %s', (message, code) => {
    expect(classify(message)).toBe(code);
  });
});
