// Proves that prisma/migrations, applied by our own migrator, build exactly the database that
// prisma/schema.prisma describes, and that the migrator keeps Prisma's bookkeeping honest.
// The data model comes from Prisma's own schema parser (@prisma/get-dmmf, the getDMMF that
// @prisma/internals re-exports), so the test reads the schema exactly as `prisma generate` does.
import { readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GetDMMFError } from '@prisma/get-dmmf';
import { getDMMF } from '@prisma/get-dmmf';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl, withDatabase } from '../../src/platform/db/client.ts';
import {
  applyMigrations,
  DEFAULT_MIGRATIONS_DIR,
  MIGRATION_LOCK_NAME,
  MigrationError,
  migrationChecksum,
} from '../../src/platform/db/migrate.ts';
import type { TestDatabase } from '../support/test-db.ts';
import { createTestDatabase, dropDatabase, randomTestDatabaseName, testServerUrl } from '../support/test-db.ts';

type Document = Exclude<ReturnType<typeof getDMMF>, GetDMMFError>;
type Datamodel = Document['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

const SCHEMA_PATH = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));
const MYSQL_IDENTIFIER_LIMIT = 64;

async function loadDatamodel(): Promise<Datamodel> {
  const result = getDMMF({ datamodel: await readFile(SCHEMA_PATH, 'utf8') });
  if ('reason' in result) throw new Error(`Prisma could not parse ${SCHEMA_PATH}: ${result.reason}\n${result.error}`);
  return result.datamodel;
}

// ---------------------------------------------------------------------------------------------
// What Prisma would create for the schema (its MySQL connector's rules)
// ---------------------------------------------------------------------------------------------

interface ExpectedColumn {
  nullable: boolean;
  type: string | undefined; // undefined: not checked (Unsupported)
  /** 'autoincrement' | 'now' | literal text | 'any' (dbgenerated) | undefined (no database default) */
  default: string | undefined;
  /** The schema attribute the default comes from, for messages. */
  defaultSource: string | undefined;
  json: boolean;
}
interface ExpectedIndex {
  columns: string[];
  unique: boolean;
  source: string;
}
interface ExpectedForeignKey {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
  source: string;
}
interface ExpectedTable {
  model: string;
  columns: Map<string, ExpectedColumn>;
  primaryKey: string[];
  indexes: Map<string, ExpectedIndex>;
  foreignKeys: Map<string, ExpectedForeignKey>;
}

/** Prisma's default constraint names: `Table_col1_col2_suffix`, cut to MySQL's 64 characters. */
function constraintName(table: string, columns: string[], suffix: string): string {
  let base = `${table}_${columns.join('_')}`;
  if (base.length >= MYSQL_IDENTIFIER_LIMIT - suffix.length) base = base.slice(0, MYSQL_IDENTIFIER_LIMIT - suffix.length - 1);
  return `${base}${suffix}`;
}

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

function quoteEnumValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function expectedColumnType(field: Field, datamodel: Datamodel, mariadb: boolean): string | undefined {
  if (field.kind === 'unsupported') return undefined;
  if (field.kind === 'enum') {
    const enumDef = datamodel.enums.find((e) => e.name === field.type);
    if (!enumDef) throw new Error(`enum ${field.type} not found`);
    return `enum(${enumDef.values.map((v) => quoteEnumValue(v.dbName ?? v.name)).join(',')})`;
  }
  const native = field.nativeType;
  if (native) {
    const [name, args] = native;
    const base = name.startsWith('Unsigned') ? `${name.slice('Unsigned'.length).toLowerCase()} unsigned` : name.toLowerCase();
    if (name === 'Json') return mariadb ? 'longtext' : 'json';
    if (field.type === 'Boolean' && name === 'TinyInt') return 'tinyint(1)';
    if (args.length === 0) return base;
    // DATETIME(0), TIME(0) and TIMESTAMP(0) are shown without the precision.
    if (['DateTime', 'Timestamp', 'Time'].includes(name) && args[0] === '0') return base;
    return base.replace(/^(\w+)/, `$1(${args.join(',')})`);
  }
  switch (field.type) {
    case 'String':
      return 'varchar(191)';
    case 'Int':
      return 'int';
    case 'BigInt':
      return 'bigint';
    case 'Float':
      return 'double';
    case 'Decimal':
      return 'decimal(65,30)';
    case 'Boolean':
      return 'tinyint(1)';
    case 'DateTime':
      return 'datetime(3)';
    case 'Json':
      return mariadb ? 'longtext' : 'json';
    case 'Bytes':
      return 'longblob';
    default:
      throw new Error(`No MySQL mapping known for ${field.type}`);
  }
}

function expectedDefault(field: Field): string | undefined {
  if (!field.hasDefaultValue || field.default === undefined) return undefined;
  const value = field.default;
  if (Array.isArray(value)) return undefined; // scalar lists do not exist on MySQL
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  const fn = value as { name: string; args: ReadonlyArray<string | number> };
  switch (fn.name) {
    case 'autoincrement':
      return 'autoincrement';
    case 'now':
      return 'now';
    case 'dbgenerated':
      return 'any';
    default:
      return undefined; // uuid(), cuid(), nanoid(), ulid(): generated by Prisma Client, no database default
  }
}

function describeDefault(value: Field['default']): string {
  if (value === undefined) return '';
  if (typeof value === 'object' && !Array.isArray(value)) {
    const fn = value as { name: string; args: ReadonlyArray<string | number> };
    return `${fn.name}(${fn.args.map((arg) => JSON.stringify(arg)).join(', ')})`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function tableName(model: Model): string {
  return model.dbName ?? model.name;
}

function buildExpected(datamodel: Datamodel, mariadb: boolean): Map<string, ExpectedTable> {
  const tables = new Map<string, ExpectedTable>();
  const modelsByName = new Map(datamodel.models.map((model) => [model.name, model]));
  const columnOf = (model: Model, fieldName: string): string => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`${model.name}.${fieldName} not found`);
    return field.dbName ?? field.name;
  };

  for (const model of datamodel.models) {
    const table = tableName(model);
    const columns = new Map<string, ExpectedColumn>();
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.isList && !model.fields.some((f) => f.relationName === field.relationName && f !== field)) continue;
        const other = modelsByName.get(field.type);
        const back = other?.fields.find((f) => f.relationName === field.relationName && f !== field);
        if (field.isList && back?.isList) {
          throw new Error(
            `Implicit many-to-many relation ${field.relationName} (${model.name}.${field.name}): ` +
              'schema-match.test.ts does not check join tables yet, extend it before using one',
          );
        }
        continue;
      }
      if (field.isList) throw new Error(`${model.name}.${field.name}: scalar lists are not supported on MySQL`);
      columns.set(field.dbName ?? field.name, {
        nullable: !field.isRequired,
        type: expectedColumnType(field, datamodel, mariadb),
        default: expectedDefault(field),
        defaultSource: field.hasDefaultValue ? `@default(${describeDefault(field.default)})` : undefined,
        json: field.type === 'Json',
      });
    }

    const primaryKey = model.primaryKey
      ? model.primaryKey.fields.map((name) => columnOf(model, name))
      : model.fields.filter((f) => f.isId).map((f) => f.dbName ?? f.name);

    const indexes = new Map<string, ExpectedIndex>();
    for (const index of datamodel.indexes) {
      if (index.model !== model.name || index.type === 'id') continue;
      const cols = index.fields.map((f) => columnOf(model, f.name));
      const unique = index.type === 'unique';
      const name = index.dbName ?? constraintName(table, cols, unique ? '_key' : '_idx');
      const attribute = index.isDefinedOnField
        ? `@unique on ${model.name}.${index.fields[0]?.name}`
        : `@@${unique ? 'unique' : index.type === 'fulltext' ? 'fulltext' : 'index'}([${index.fields.map((f) => f.name).join(', ')}]) on ${model.name}`;
      indexes.set(name, { columns: cols, unique, source: attribute });
    }

    const foreignKeys = new Map<string, ExpectedForeignKey>();
    for (const field of model.fields) {
      if (field.kind !== 'object' || !field.relationFromFields || field.relationFromFields.length === 0) continue;
      const target = modelsByName.get(field.type);
      if (!target) throw new Error(`relation target ${field.type} not found`);
      const cols = field.relationFromFields.map((name) => columnOf(model, name));
      const required = field.relationFromFields.some((name) => model.fields.find((f) => f.name === name)?.isRequired);
      const onDelete = field.relationOnDelete ?? (required ? 'Restrict' : 'SetNull');
      const onUpdate = field.relationOnUpdate ?? 'Cascade';
      foreignKeys.set(constraintName(table, cols, '_fkey'), {
        columns: cols,
        referencedTable: tableName(target),
        referencedColumns: (field.relationToFields ?? []).map((name) => columnOf(target, name)),
        onDelete: REFERENTIAL_ACTIONS[onDelete] ?? onDelete,
        onUpdate: REFERENTIAL_ACTIONS[onUpdate] ?? onUpdate,
        source: `${model.name}.${field.name} @relation (onDelete: ${onDelete}, onUpdate: ${onUpdate})`,
      });
    }
    tables.set(table, { model: model.name, columns, primaryKey, indexes, foreignKeys });
  }
  return tables;
}

// ---------------------------------------------------------------------------------------------
// What the database has (information_schema)
// ---------------------------------------------------------------------------------------------

interface ActualColumn {
  nullable: boolean;
  type: string;
  default: string | null;
  extra: string;
}
interface ActualIndex {
  columns: string[];
  unique: boolean;
}
interface ActualForeignKey {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}
interface ActualTable {
  columns: Map<string, ActualColumn>;
  indexes: Map<string, ActualIndex>;
  foreignKeys: Map<string, ActualForeignKey>;
  jsonChecks: Set<string>;
}

/** Lower case, without integer display widths (`int(11)` → `int`), keeping `tinyint(1)` (Boolean). */
function normalizeColumnType(type: string): string {
  const trimmed = type.trim();
  // Enum and set values keep their case: only the keyword is lowered.
  if (/^(enum|set)\(/i.test(trimmed)) return trimmed.replace(/^\w+/, (keyword) => keyword.toLowerCase());
  const lower = trimmed.toLowerCase();
  if (/^tinyint\(1\)/.test(lower)) return lower;
  return lower.replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, '$1');
}

/** MariaDB reports literal defaults quoted ('ACTIVE') and 'NULL' for "no default"; MySQL does neither. */
function normalizeDefault(value: string | null): string | null {
  if (value === null || value === 'NULL') return null;
  const quoted = /^'(.*)'$/s.exec(value);
  return quoted ? (quoted[1] as string).replace(/''/g, "'").replace(/\\\\/g, '\\') : value;
}

async function describeDatabase(connection: Connection, database: string, mariadb: boolean): Promise<Map<string, ActualTable>> {
  const tables = new Map<string, ActualTable>();
  const [tableRows] = await connection.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS tableName FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
    [database],
  );
  for (const row of tableRows) {
    tables.set(String(row.tableName), { columns: new Map(), indexes: new Map(), foreignKeys: new Map(), jsonChecks: new Set() });
  }
  const table = (name: unknown): ActualTable => {
    const found = tables.get(String(name));
    if (!found) throw new Error(`unexpected table ${String(name)}`);
    return found;
  };

  const [columnRows] = await connection.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS columnName, IS_NULLABLE AS isNullable, COLUMN_TYPE AS columnType,
            COLUMN_DEFAULT AS columnDefault, EXTRA AS extra
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [database],
  );
  for (const row of columnRows) {
    if (!tables.has(String(row.tableName))) continue; // views
    table(row.tableName).columns.set(String(row.columnName), {
      nullable: row.isNullable === 'YES',
      type: normalizeColumnType(String(row.columnType)),
      default: normalizeDefault(row.columnDefault === null ? null : String(row.columnDefault)),
      extra: String(row.extra ?? '').toLowerCase(),
    });
  }

  const [indexRows] = await connection.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS tableName, INDEX_NAME AS indexName, NON_UNIQUE AS nonUnique, COLUMN_NAME AS columnName
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [database],
  );
  for (const row of indexRows) {
    const indexes = table(row.tableName).indexes;
    const name = String(row.indexName);
    const index = indexes.get(name) ?? { columns: [], unique: Number(row.nonUnique) === 0 };
    index.columns.push(String(row.columnName));
    indexes.set(name, index);
  }

  const [fkRows] = await connection.query<RowDataPacket[]>(
    `SELECT k.TABLE_NAME AS tableName, k.CONSTRAINT_NAME AS constraintName, k.COLUMN_NAME AS columnName,
            k.REFERENCED_TABLE_NAME AS referencedTable, k.REFERENCED_COLUMN_NAME AS referencedColumn,
            r.DELETE_RULE AS deleteRule, r.UPDATE_RULE AS updateRule
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
      WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [database],
  );
  for (const row of fkRows) {
    const foreignKeys = table(row.tableName).foreignKeys;
    const name = String(row.constraintName);
    const fk = foreignKeys.get(name) ?? {
      columns: [],
      referencedTable: String(row.referencedTable),
      referencedColumns: [],
      onDelete: String(row.deleteRule),
      onUpdate: String(row.updateRule),
    };
    fk.columns.push(String(row.columnName));
    fk.referencedColumns.push(String(row.referencedColumn));
    foreignKeys.set(name, fk);
  }

  if (mariadb) {
    // MariaDB's JSON is LONGTEXT plus an automatic CHECK (json_valid(`col`)).
    const [checkRows] = await connection.query<RowDataPacket[]>(
      `SELECT TABLE_NAME AS tableName, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
      [database],
    );
    for (const row of checkRows) {
      const match = /^json_valid\(`([^`]+)`\)$/i.exec(String(row.clause).trim());
      if (match && tables.has(String(row.tableName))) table(row.tableName).jsonChecks.add(match[1] as string);
    }
  }
  return tables;
}

// ---------------------------------------------------------------------------------------------
// The comparison
// ---------------------------------------------------------------------------------------------

const list = (values: readonly string[]) => `(${values.join(', ')})`;

function compareSchema(expected: Map<string, ExpectedTable>, actual: Map<string, ActualTable>, mariadb: boolean): string[] {
  const differences: string[] = [];
  const ignoredTables = new Set(['_prisma_migrations']);

  for (const [name, table] of expected) {
    const found = actual.get(name);
    if (!found) {
      differences.push(`table ${name}: model ${table.model} has no table in the database`);
      continue;
    }
    const where = `${name}`;

    for (const [column, want] of table.columns) {
      const have = found.columns.get(column);
      if (!have) {
        differences.push(`${where}.${column}: column missing (schema has field ${table.model}.${column})`);
        continue;
      }
      if (want.nullable !== have.nullable) {
        differences.push(
          `${where}.${column}: schema says ${want.nullable ? 'optional (NULL)' : 'required (NOT NULL)'}, database has ${have.nullable ? 'NULL' : 'NOT NULL'}`,
        );
      }
      if (want.type !== undefined && want.type !== have.type) {
        differences.push(`${where}.${column}: type should be ${want.type}, database has ${have.type}`);
      }
      if (mariadb && want.json && have.type === 'longtext' && !found.jsonChecks.has(column)) {
        differences.push(
          `${where}.${column}: Json field, but the column lacks MariaDB's CHECK (json_valid(\`${column}\`)): declared LONGTEXT instead of JSON?`,
        );
      }
      const autoIncrement = have.extra.includes('auto_increment');
      if (want.default === 'autoincrement') {
        if (!autoIncrement) differences.push(`${where}.${column}: @default(autoincrement()) but the column is not AUTO_INCREMENT`);
      } else if (autoIncrement) {
        differences.push(`${where}.${column}: column is AUTO_INCREMENT but the schema has no @default(autoincrement())`);
      }
      if (want.default === 'now') {
        if (have.default === null || !/^current_timestamp\(3\)$/i.test(have.default)) {
          differences.push(
            `${where}.${column}: @default(now()) should be DEFAULT CURRENT_TIMESTAMP(3), database has ${have.default ?? 'no default'}`,
          );
        }
      } else if (want.default === 'any') {
        if (have.default === null) differences.push(`${where}.${column}: @default(dbgenerated(…)) but the column has no default`);
      } else if (want.default === undefined || want.default === 'autoincrement') {
        if (have.default !== null) differences.push(`${where}.${column}: schema has no @default, database has DEFAULT ${have.default}`);
      } else if (have.default !== want.default) {
        differences.push(
          `${where}.${column}: ${want.defaultSource} should be DEFAULT ${want.default}, database has ${have.default === null ? 'no default' : `DEFAULT ${have.default}`}`,
        );
      }
    }
    for (const column of found.columns.keys()) {
      if (!table.columns.has(column)) differences.push(`${where}.${column}: column exists in the database but not in model ${table.model}`);
    }

    const primary = found.indexes.get('PRIMARY');
    if (list(primary?.columns ?? []) !== list(table.primaryKey)) {
      differences.push(
        `${where}: primary key should be ${list(table.primaryKey)}, database has ${primary ? list(primary.columns) : 'none'}`,
      );
    }

    for (const [indexName, want] of table.indexes) {
      const have = found.indexes.get(indexName);
      const kind = want.unique ? 'unique index' : 'index';
      if (!have) {
        const sameColumns = [...found.indexes].find(([n, i]) => n !== 'PRIMARY' && list(i.columns) === list(want.columns));
        differences.push(
          `${where}: ${kind} ${indexName} ${list(want.columns)} missing (from ${want.source})` +
            (sameColumns ? `; the database has ${sameColumns[0]} on those columns` : ''),
        );
        continue;
      }
      if (list(have.columns) !== list(want.columns)) {
        differences.push(`${where}: ${kind} ${indexName} should cover ${list(want.columns)}, database has ${list(have.columns)}`);
      }
      if (have.unique !== want.unique) {
        differences.push(`${where}: ${indexName} should be ${want.unique ? 'UNIQUE' : 'non-unique'} (from ${want.source})`);
      }
    }
    for (const [indexName, have] of found.indexes) {
      if (indexName === 'PRIMARY' || table.indexes.has(indexName)) continue;
      // MySQL adds an index named after a foreign key when no index starts with its columns; Prisma expects that.
      const fk = found.foreignKeys.get(indexName);
      if (fk && !have.unique && list(fk.columns) === list(have.columns)) continue;
      differences.push(
        `${where}: ${have.unique ? 'unique index' : 'index'} ${indexName} ${list(have.columns)} exists in the database but not in the schema`,
      );
    }

    for (const [fkName, want] of table.foreignKeys) {
      const have = found.foreignKeys.get(fkName);
      if (!have) {
        differences.push(
          `${where}: foreign key ${fkName} ${list(want.columns)} → ${want.referencedTable}${list(want.referencedColumns)} missing (from ${want.source})`,
        );
        continue;
      }
      if (
        list(have.columns) !== list(want.columns) ||
        have.referencedTable !== want.referencedTable ||
        list(have.referencedColumns) !== list(want.referencedColumns)
      ) {
        differences.push(
          `${where}: foreign key ${fkName} should be ${list(want.columns)} → ${want.referencedTable}${list(want.referencedColumns)}, ` +
            `database has ${list(have.columns)} → ${have.referencedTable}${list(have.referencedColumns)}`,
        );
      }
      if (have.onDelete !== want.onDelete) {
        differences.push(
          `${where}: foreign key ${fkName} should be ON DELETE ${want.onDelete}, database has ON DELETE ${have.onDelete} (from ${want.source})`,
        );
      }
      if (have.onUpdate !== want.onUpdate) {
        differences.push(
          `${where}: foreign key ${fkName} should be ON UPDATE ${want.onUpdate}, database has ON UPDATE ${have.onUpdate} (from ${want.source})`,
        );
      }
    }
    for (const [fkName, have] of found.foreignKeys) {
      if (!table.foreignKeys.has(fkName)) {
        differences.push(
          `${where}: foreign key ${fkName} ${list(have.columns)} → ${have.referencedTable} exists in the database but not in the schema`,
        );
      }
    }
  }
  for (const name of actual.keys()) {
    if (!expected.has(name) && !ignoredTables.has(name)) differences.push(`table ${name}: exists in the database but no model maps to it`);
  }
  return differences;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

let serverConnection: Connection;
let mariadb = true;
let datamodel: Datamodel;
let db: TestDatabase;
const extraDatabases: string[] = [];
const tmpDirs: string[] = [];

async function freshDatabaseUrl(): Promise<{ url: string; name: string }> {
  const name = randomTestDatabaseName();
  extraDatabases.push(name);
  return { url: withDatabase(testServerUrl(), name), name };
}

/** The migration folders in prisma/migrations, in the order they apply. */
function migrationNames(): string[] {
  return readdirSync(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function copyMigrations(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-migrations-'));
  tmpDirs.push(dir);
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function schemaDifferences(database: string): Promise<string[]> {
  return compareSchema(buildExpected(datamodel, mariadb), await describeDatabase(serverConnection, database, mariadb), mariadb);
}

async function migrationRows(database: string): Promise<RowDataPacket[]> {
  const [rows] = await serverConnection.query<RowDataPacket[]>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM \`${database}\`._prisma_migrations ORDER BY started_at, migration_name`,
  );
  return rows;
}

beforeAll(async () => {
  datamodel = await loadDatamodel();
  const server = parseDatabaseUrl(testServerUrl());
  serverConnection = await createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    ...(server.password === undefined ? {} : { password: server.password }),
    timezone: 'Z',
  });
  const [versionRows] = await serverConnection.query<RowDataPacket[]>('SELECT VERSION() AS version');
  mariadb = /mariadb/i.test(String(versionRows[0]?.version));
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
  for (const name of extraDatabases) await dropDatabase(name);
  await serverConnection?.end();
  for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
});

describe('the migrated database matches prisma/schema.prisma', () => {
  it('has a table for every model and a model for every table, with matching columns, keys, indexes and foreign keys', async () => {
    const differences = await schemaDifferences(db.name);
    expect(differences, `schema.prisma and prisma/migrations disagree:\n  - ${differences.join('\n  - ')}\n`).toEqual([]);
  });

  it('parses the schema with Prisma and finds the whole model (guards against a vacuous comparison)', () => {
    const expected = buildExpected(datamodel, mariadb);
    // arrayContaining: later issues add models; these must always be among them.
    expect([...expected.keys()].sort()).toEqual(
      expect.arrayContaining([
        'ApprovalMessage',
        'AuditEvent',
        'EmailRequest',
        'Job',
        'Lease',
        'Mailbox',
        'Offboarding',
        'OffboardingStep',
        'Staff',
      ]),
    );
    expect(expected.get('Job')?.columns.get('status')?.type).toBe("enum('PENDING','RUNNING','DONE','DEAD')");
    expect(expected.get('Mailbox')?.foreignKeys.get('Mailbox_staffId_fkey')?.onDelete).toBe('SET NULL');
    expect(expected.get('ApprovalMessage')?.indexes.get('ApprovalMessage_requestId_userId_key')?.unique).toBe(true);
  });

  it('reports readable differences when a migration disagrees with the schema', async () => {
    // The real migrations plus one that drifts from the schema in every way the comparison checks.
    const dir = await copyMigrations();
    await mkdir(join(dir, '99991231235959_drift'));
    await writeFile(
      join(dir, '99991231235959_drift', 'migration.sql'),
      [
        'ALTER TABLE `Staff` MODIFY `slackUserId` VARCHAR(33) NULL;',
        'ALTER TABLE `EmailRequest` ALTER COLUMN `routedToAdmins` SET DEFAULT true;',
        "ALTER TABLE `Mailbox` MODIFY `status` ENUM('ACTIVE', 'DELETED', 'OFFBOARDING') NOT NULL DEFAULT 'ACTIVE';",
        'DROP INDEX `Mailbox_domain_idx` ON `Mailbox`;',
        'ALTER TABLE `Job` MODIFY `kind` VARCHAR(64) NULL;',
        'ALTER TABLE `Job` MODIFY `attempts` INTEGER NOT NULL;',
        'ALTER TABLE `Mailbox` DROP FOREIGN KEY `Mailbox_staffId_fkey`;',
        'ALTER TABLE `Mailbox` ADD CONSTRAINT `Mailbox_staffId_fkey` FOREIGN KEY (`staffId`) REFERENCES `Staff`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;',
        'ALTER TABLE `AuditEvent` ADD COLUMN `stray` INTEGER NULL;',
        'ALTER TABLE `AuditEvent` MODIFY `details` LONGTEXT NULL;',
        'CREATE TABLE `Orphan` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;',
        '',
      ].join('\n'),
    );
    const { url, name } = await freshDatabaseUrl();
    await applyMigrations({ databaseUrl: url, migrationsDir: dir });

    const differences = await schemaDifferences(name);
    const expected = [
      'Staff.slackUserId: type should be varchar(32), database has varchar(33)',
      'EmailRequest.routedToAdmins: @default(false) should be DEFAULT 0, database has DEFAULT 1',
      "Mailbox.status: type should be enum('ACTIVE','OFFBOARDING','DELETED'), database has enum('ACTIVE','DELETED','OFFBOARDING')",
      'Mailbox: index Mailbox_domain_idx (domain) missing (from @@index([domain]) on Mailbox)',
      'Job.kind: schema says required (NOT NULL), database has NULL',
      'Job.attempts: @default(0) should be DEFAULT 0, database has no default',
      'Mailbox: foreign key Mailbox_staffId_fkey should be ON DELETE SET NULL, database has ON DELETE CASCADE (from Mailbox.staff @relation (onDelete: SetNull, onUpdate: Cascade))',
      'AuditEvent.stray: column exists in the database but not in model AuditEvent',
      mariadb
        ? "AuditEvent.details: Json field, but the column lacks MariaDB's CHECK (json_valid(`details`)): declared LONGTEXT instead of JSON?"
        : 'AuditEvent.details: type should be json, database has longtext',
      'table Orphan: exists in the database but no model maps to it',
    ];
    expect([...differences].sort()).toEqual([...expected].sort());
  });
});

describe('applyMigrations bookkeeping', () => {
  it('records each migration in _prisma_migrations as Prisma does, and applies nothing the second time', async () => {
    const names = migrationNames();
    const rows = await migrationRows(db.name);
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const bytes = await readFile(join(DEFAULT_MIGRATIONS_DIR, String(row.migration_name), 'migration.sql'));
      expect(row.checksum).toBe(migrationChecksum(bytes));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row.started_at as Date).getTime());
      // Stored in UTC, like Prisma's engine: within a few minutes of now.
      expect(Math.abs(Date.now() - (row.finished_at as Date).getTime())).toBeLessThan(10 * 60_000);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
      expect(String(row.id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }

    const again = await applyMigrations({ databaseUrl: db.url });
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(names);
    expect(again.missingFromDisk).toEqual([]);
    expect(await migrationRows(db.name)).toHaveLength(rows.length);
  });

  it('creates _prisma_migrations with the columns Prisma creates', async () => {
    const [columns] = await serverConnection.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def, COLUMN_KEY AS colKey
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = '_prisma_migrations' ORDER BY ORDINAL_POSITION`,
      [db.name],
    );
    expect(columns.map((c) => [c.name, normalizeColumnType(String(c.type)), c.nullable, normalizeDefault(c.def), c.colKey])).toEqual([
      ['id', 'varchar(36)', 'NO', null, 'PRI'],
      ['checksum', 'varchar(64)', 'NO', null, ''],
      ['finished_at', 'datetime(3)', 'YES', null, ''],
      ['migration_name', 'varchar(255)', 'NO', null, ''],
      ['logs', 'text', 'YES', null, ''],
      ['rolled_back_at', 'datetime(3)', 'YES', null, ''],
      ['started_at', 'datetime(3)', 'NO', mariadb ? 'current_timestamp(3)' : 'CURRENT_TIMESTAMP(3)', ''],
      ['applied_steps_count', 'int unsigned', 'NO', '0', ''],
    ]);
  });

  it('refuses to run when an applied migration was edited, naming it', async () => {
    const dir = await copyMigrations();
    const { url } = await freshDatabaseUrl();
    const first = await applyMigrations({ databaseUrl: url, migrationsDir: dir });
    expect(first.applied).toEqual(migrationNames());

    // Prisma tolerates line endings rewritten by git.
    const file = join(dir, '20261122120000_init', 'migration.sql');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace(/\n/g, '\r\n'));
    expect((await applyMigrations({ databaseUrl: url, migrationsDir: dir })).applied).toEqual([]);

    const edited = original.replace('`phone` VARCHAR(20) NULL', '`phone` VARCHAR(30) NULL');
    expect(edited).not.toBe(original);
    await writeFile(file, edited);
    const error = await applyMigrations({ databaseUrl: url, migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('CHECKSUM_MISMATCH');
    expect((error as MigrationError).migrationName).toBe('20261122120000_init');
    expect((error as Error).message).toMatch(/Migration "20261122120000_init" was modified after it was applied/);
  });

  it('records a failing migration with its error in logs and finished_at NULL, then blocks until it is resolved', async () => {
    const dir = await copyMigrations();
    const broken = '99991231235959_broken';
    await mkdir(join(dir, broken));
    const brokenFile = join(dir, broken, 'migration.sql');
    await writeFile(
      brokenFile,
      "-- A good statement, then a typo\nCREATE TABLE `Scratch` (`id` INTEGER NOT NULL, `note` VARCHAR(10) DEFAULT 'a;b', PRIMARY KEY (`id`));\n" +
        'CREATE TABLE `Scratch2` (`id` INTEGER NOT NULL PRIMAR KEY);\n',
    );
    const { url, name } = await freshDatabaseUrl();

    const error = await applyMigrations({ databaseUrl: url, migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('MIGRATION_FAILED');
    expect((error as Error).message).toMatch(
      /^Migration "99991231235959_broken" failed at statement 2 of 2: You have an error in your SQL syntax/,
    );

    const rows = await migrationRows(name);
    expect(rows.map((row) => [row.migration_name, row.finished_at === null])).toEqual([
      ...migrationNames().map((migration) => [migration, false]),
      [broken, true],
    ]);
    const failed = rows.at(-1) as RowDataPacket;
    expect(failed.logs).toContain(`Migration name: ${broken}`);
    expect(failed.logs).toContain('Database error code: 1064');
    expect(failed.logs).toContain('You have an error in your SQL syntax');
    expect(failed.logs).toContain('Please check the query number 2 from the migration file.');
    expect(Number(failed.applied_steps_count)).toBe(0);
    expect(failed.checksum).toBe(migrationChecksum(await readFile(brokenFile)));

    // Like Prisma's P3009: nothing more happens until an operator resolves it.
    const blocked = await applyMigrations({ databaseUrl: url, migrationsDir: dir }).catch((e: unknown) => e);
    expect((blocked as MigrationError).code).toBe('FAILED_MIGRATION_PRESENT');
    expect((blocked as Error).message).toContain(broken);
    expect((blocked as Error).message).toContain('rolled_back_at');

    // The operator undoes the partial work, fixes the file and marks the attempt rolled back.
    await serverConnection.query(`DROP TABLE \`${name}\`.\`Scratch\``);
    await writeFile(brokenFile, (await readFile(brokenFile, 'utf8')).replace('PRIMAR KEY', 'PRIMARY KEY'));
    await serverConnection.query(
      `UPDATE \`${name}\`._prisma_migrations SET rolled_back_at = UTC_TIMESTAMP(3) WHERE migration_name = ? AND finished_at IS NULL`,
      [broken],
    );
    const resolved = await applyMigrations({ databaseUrl: url, migrationsDir: dir });
    expect(resolved).toEqual({ applied: [broken], alreadyApplied: migrationNames(), missingFromDisk: [] });
    const after = await migrationRows(name);
    expect(
      after.filter((row) => row.migration_name === broken).map((row) => [row.rolled_back_at === null, row.finished_at === null]),
    ).toEqual([
      [false, true],
      [true, false],
    ]);
    const [scratch] = await serverConnection.query<RowDataPacket[]>(`SELECT note FROM \`${name}\`.\`Scratch\` WHERE 1 = 0`);
    expect(scratch).toEqual([]);

    // Rows without a folder are reported, not fatal.
    const warnings: Array<{ obj: object; msg: string | undefined }> = [];
    const result = await applyMigrations({
      databaseUrl: url,
      logger: { info: () => undefined, warn: (obj, msg) => warnings.push({ obj, msg }) },
    });
    expect(result.missingFromDisk).toEqual([broken]);
    expect(warnings).toEqual([{ obj: { migrations: [broken] }, msg: expect.stringContaining('have no folder') }]);
  });

  it('waits for the named lock held by another migrator', async () => {
    const { url } = await freshDatabaseUrl();
    const server = parseDatabaseUrl(testServerUrl());
    const holder = await createConnection({
      host: server.host,
      port: server.port,
      user: server.user,
      ...(server.password === undefined ? {} : { password: server.password }),
    });
    try {
      const [lock] = await holder.query<RowDataPacket[]>('SELECT GET_LOCK(?, 10) AS got', [MIGRATION_LOCK_NAME]);
      expect(Number(lock[0]?.got)).toBe(1);
      let settled = false;
      const run = applyMigrations({ databaseUrl: url }).finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(settled).toBe(false);
      await holder.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK_NAME]);
      expect((await run).applied).toEqual(migrationNames());
    } finally {
      await holder.end();
    }
  });
});
