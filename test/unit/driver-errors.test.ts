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
    // Seen in db-outage-process.test.ts: the isolation level's SET cut off by the killed server.
    const initSql = 'Error executing initial sql command: (conn:15, no: 45009, SQLState: 08S01) socket has unexpectedly been closed';
    expect(
      isLostDriverConnection(Object.assign(new Error(initSql), { fatal: true, code: 'ER_INITIAL_SQL_ERROR', sqlState: '08S01' })),
    ).toBe(true);
  });
  it('leaves every other rejection to end the process as usual', () => {
    expect(isLostDriverConnection(new Error('a bug'))).toBe(false);
    expect(isLostDriverConnection(Object.assign(new Error('duplicate'), { fatal: false, code: 'ER_DUP_ENTRY' }))).toBe(false);
    expect(isLostDriverConnection(Object.assign(new Error('x'), { fatal: true, code: 'ER_PARSE_ERROR' }))).toBe(false);
    expect(isLostDriverConnection(undefined)).toBe(false);
  });
});
