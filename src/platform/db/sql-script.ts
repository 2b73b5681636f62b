// Migration scripts as Prisma reads them: their checksum, and the statements they hold.
import { createHash } from 'node:crypto';

/** Prisma's checksum of a migration script: SHA-256 of its bytes, as 64 lowercase hex digits. */
export function migrationChecksum(script: string | Buffer): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Whether `script` matches a recorded checksum, with Prisma's tolerances: the script as read, with
 * CRLF turned into LF, or LF into CRLF (git may rewrite line endings); and checksums written by old
 * engines, which printed each byte without zero padding (prisma-engines#1887).
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const candidates = [script, script.replace(/\r\n/g, '\n'), script.replace(/\n/g, '\r\n')];
  return candidates.some((candidate) => {
    const digest = createHash('sha256').update(candidate).digest();
    const formatted =
      checksum.length !== 0 && checksum.length !== 64 ? [...digest].map((byte) => byte.toString(16)).join('') : digest.toString('hex');
    return formatted === checksum;
  });
}

/**
 * Splits a MySQL script into statements on `;`, ignoring semicolons inside '…', "…" and `…`
 * (with backslash escapes and doubled quotes), `-- ` and `#` line comments and block comments.
 * Pieces holding only comments and whitespace are dropped. Compound statements (BEGIN … END bodies)
 * and the mysql client's DELIMITER command are not supported.
 */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let i = 0;
  const n = sql.length;
  const push = (end: number) => {
    if (hasCode) statements.push(sql.slice(start, end).trim());
    start = end + 1;
    hasCode = false;
  };
  while (i < n) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === "'" || ch === '"' || ch === '`') {
      hasCode = true;
      i += 1;
      while (i < n) {
        const c = sql[i];
        if (c === '\\' && ch !== '`') {
          i += 2;
          continue;
        }
        if (c === ch) {
          if (sql[i + 1] === ch) {
            i += 2; // doubled quote inside the literal
            continue;
          }
          break;
        }
        i += 1;
      }
      i += 1;
      continue;
    }
    if (ch === '#' || (ch === '-' && next === '-' && (i + 2 >= n || /\s/.test(sql[i + 2] as string)))) {
      while (i < n && sql[i] !== '\n') i += 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      // `/*! … */` is executable on MySQL/MariaDB: it counts as code.
      if (sql[i + 2] === '!') hasCode = true;
      i = close === -1 ? n : close + 2;
      continue;
    }
    if (ch === ';') {
      push(i);
      i += 1;
      continue;
    }
    if (!/\s/.test(ch)) {
      if (!hasCode && /^DELIMITER\s/i.test(sql.slice(i, i + 10))) {
        throw new Error('DELIMITER is a command of the mysql client, not SQL; it is not supported in migrations');
      }
      hasCode = true;
    }
    i += 1;
  }
  push(n);
  return statements;
}
