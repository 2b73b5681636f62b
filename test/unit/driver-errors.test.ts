import { describe, expect, it } from 'vitest';
import { isLostDriverConnection } from '../../src/platform/db/driver-errors.ts';

describe('isLostDriverConnection (the production guard against the driver’s unhandled rejection)', () => {
  it('recognises the fatal connection errors the driver drops while opening a connection', () => {
    expect(
      isLostDriverConnection(Object.assign(new Error('read ECONNRESET'), { fatal: true, code: 'ECONNRESET', sqlState: 'HY000' })),
    ).toBe(true);
    expect(
      isLostDriverConnection(Object.assign(new Error("setting timezone '+00:00' fails"), { fatal: true, code: 'ER_WRONG_IANA_TIMEZONE' })),
    ).toBe(true);
  });
  it('leaves every other rejection to end the process as usual', () => {
    expect(isLostDriverConnection(new Error('a bug'))).toBe(false);
    expect(isLostDriverConnection(Object.assign(new Error('duplicate'), { fatal: false, code: 'ER_DUP_ENTRY' }))).toBe(false);
    expect(isLostDriverConnection(Object.assign(new Error('x'), { fatal: true, code: 'ER_PARSE_ERROR' }))).toBe(false);
    expect(isLostDriverConnection(undefined)).toBe(false);
  });
});
