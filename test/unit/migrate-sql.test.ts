import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, withDatabase } from '../../src/platform/db/client.ts';
import { migrationChecksum, scriptMatchesChecksum, splitSqlStatements } from '../../src/platform/db/migrate.ts';

describe('splitSqlStatements', () => {
  it('splits on semicolons and drops comment-only pieces', () => {
    expect(
      splitSqlStatements('-- CreateTable\nCREATE TABLE a (id INT);\n\n-- AddForeignKey\nALTER TABLE a ADD x INT;\n-- trailing\n'),
    ).toEqual(['-- CreateTable\nCREATE TABLE a (id INT)', '-- AddForeignKey\nALTER TABLE a ADD x INT']);
  });

  it('keeps semicolons inside quotes, backticks and comments', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s;', 'back\\';slash', \"dq;\"\"x\");",
      'CREATE TABLE `we;ird``name` (id INT); # hash; comment',
      '/* block; comment */ SELECT 1 -- dash; comment',
      ';',
      'SELECT 2',
    ].join('\n');
    expect(splitSqlStatements(sql)).toEqual(
      [
        "INSERT INTO t VALUES ('a;b', 'it''s;', 'back\\';slash', \"dq;\"\"x\")",
        'CREATE TABLE `we;ird``name` (id INT)',
        '# hash; comment\n/* block; comment */ SELECT 1 -- dash; comment\n',
        'SELECT 2',
      ].map((s) => s.trim()),
    );
  });

  it('treats --x (no space) as minus minus, as MySQL does', () => {
    expect(splitSqlStatements('SELECT 1--1;SELECT 2')).toEqual(['SELECT 1--1', 'SELECT 2']);
  });

  it('keeps executable comments as code and rejects DELIMITER', () => {
    expect(splitSqlStatements('/*!40101 SET NAMES utf8mb4 */;')).toEqual(['/*!40101 SET NAMES utf8mb4 */']);
    expect(() => splitSqlStatements('DELIMITER //\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN END//')).toThrow(/DELIMITER/);
  });
});

describe('checksums', () => {
  it('is the sha256 hex of the file, as Prisma records it', () => {
    expect(migrationChecksum('SELECT 1;\n')).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationChecksum(Buffer.from('SELECT 1;\n'))).toBe(migrationChecksum('SELECT 1;\n'));
  });

  it("accepts Prisma's tolerated variants: other line endings and old unpadded checksums", () => {
    const script = 'SELECT 1;\nSELECT 2;\n';
    const checksum = migrationChecksum(script);
    expect(scriptMatchesChecksum(script, checksum)).toBe(true);
    expect(scriptMatchesChecksum(script.replace(/\n/g, '\r\n'), checksum)).toBe(true);
    expect(scriptMatchesChecksum(script, migrationChecksum(script.replace(/\n/g, '\r\n')))).toBe(true);
    expect(scriptMatchesChecksum(`${script}SELECT 3;\n`, checksum)).toBe(false);
    const unpadded = [...Buffer.from(checksum, 'hex')].map((byte) => byte.toString(16)).join('');
    if (unpadded.length !== 64) expect(scriptMatchesChecksum(script, unpadded)).toBe(true);
  });
});

describe('parseDatabaseUrl', () => {
  it('parses mysql:// and mariadb:// URLs, decoding credentials', () => {
    expect(parseDatabaseUrl('mysql://mail%40room:p%40ss%3Aw%2Ford@db.example:3307/mail_room?connection_limit=4')).toEqual({
      host: 'db.example',
      port: 3307,
      user: 'mail@room',
      password: 'p@ss:w/ord',
      database: 'mail_room',
      params: { connection_limit: '4' },
    });
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1')).toEqual({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: undefined,
      database: undefined,
      params: {},
    });
    expect(parseDatabaseUrl('mysql://u:p@[::1]:3306/x').host).toBe('::1');
  });

  it('rejects other protocols and garbage', () => {
    expect(() => parseDatabaseUrl('postgres://u@h/db')).toThrow(/mysql:\/\/ or mariadb:\/\//);
    expect(() => parseDatabaseUrl('not a url')).toThrow(/Invalid database URL/);
  });

  it('withDatabase swaps the database and keeps the rest', () => {
    expect(withDatabase('mysql://u:p%40@h:3306/old?x=1', 'new_db')).toBe('mysql://u:p%40@h:3306/new_db?x=1');
    expect(withDatabase('mysql://root@127.0.0.1:3306', 'db')).toBe('mysql://root@127.0.0.1:3306/db');
  });
});
