/**
 * Reads a list of mailboxes to create: either the Aurora documentation's `email | password` lines
 * or CSV with a header (`email,password,full_name,personal_email,phone`). Every line is checked
 * before anything is created, and every problem is reported with its line number.
 *
 * Problem messages never quote a field that might be a password: an email field is only echoed
 * once it is a well-formed address.
 */
import { cpanelPasswordStrength } from '../credentials/password.ts';
import { checkDomain, checkFullName, checkLocalPart, checkPersonalEmail, checkPhone } from '../requests/validation.ts';

export const MIN_PASSWORD_STRENGTH = 65;
export const CSV_COLUMNS = ['email', 'password', 'full_name', 'personal_email', 'phone'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

export interface BatchSettings {
  /** MAIL_DOMAINS: the only domains mailboxes may be created on. */
  domains: readonly string[];
  /** DEFAULT_PHONE_REGION */
  phoneRegion: string;
}

export interface BatchEntry {
  /** 1-based line number in the file. */
  line: number;
  address: string;
  localPart: string;
  domain: string;
  /** null: generate one. */
  password: string | null;
  fullName: string | null;
  personalEmail: string | null;
  /** E.164 */
  phone: string | null;
}

export interface BatchProblem {
  line: number;
  /** The address, when the line has a well-formed one. */
  address: string | null;
  reasons: string[];
}

export type BatchFormat = 'pipe' | 'csv';

export interface ParsedBatch {
  format: BatchFormat;
  /** Lines that hold an entry (blank lines and comments excluded), valid or not. */
  lineCount: number;
  entries: BatchEntry[];
  /** In line order. */
  problems: BatchProblem[];
}

interface RawRow {
  line: number;
  fields: Partial<Record<CsvColumn, string>>;
}

const DOMAIN_SYNTAX = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside quotes); null when a quote is left open. */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field.trim() === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      field = '';
    } else if (c === ',') {
      fields.push(wasQuoted ? field : field.trim());
      field = '';
      wasQuoted = false;
    } else if (!wasQuoted) {
      field += c;
    } else if (c.trim() !== '') {
      return null; // text after a closing quote
    }
  }
  if (quoted) return null;
  fields.push(wasQuoted ? field : field.trim());
  return fields;
}

const isSkipped = (text: string): boolean => text.trim() === '' || text.trimStart().startsWith('#');

function detectFormat(lines: readonly string[]): BatchFormat {
  const first = lines.find((line) => !isSkipped(line));
  if (first === undefined || first.includes('|')) return 'pipe';
  const cells = splitCsvLine(first);
  return cells !== null && cells[0]?.trim().toLowerCase() === 'email' ? 'csv' : first.includes(',') ? 'csv' : 'pipe';
}

const columnName = (raw: string): string =>
  raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Parses and checks the whole file; nothing is created here. */
export function parseBatchFile(text: string, settings: BatchSettings, format?: BatchFormat): ParsedBatch {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const chosen = format ?? detectFormat(lines);
  const problems: BatchProblem[] = [];
  const rows = chosen === 'pipe' ? readPipeLines(lines, problems) : readCsvLines(lines, problems);
  const entries: BatchEntry[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of rows) {
    const checked = checkRow(row, settings);
    if (checked.address !== null) {
      const first = firstLineOf.get(checked.address);
      if (first === undefined) firstLineOf.set(checked.address, row.line);
      else checked.reasons.push(`duplicate of line ${first}`);
    }
    if (checked.reasons.length > 0) problems.push({ line: row.line, address: checked.address, reasons: checked.reasons });
    else if (checked.entry) entries.push(checked.entry);
  }
  problems.sort((a, b) => a.line - b.line);
  const lineCount = lines.filter((text) => !isSkipped(text)).length - (chosen === 'csv' && lines.some((text) => !isSkipped(text)) ? 1 : 0);
  return { format: chosen, lineCount, entries, problems };
}

/** `email | password` lines; only the first | separates, since a password may contain | itself. */
function readPipeLines(lines: string[], problems: BatchProblem[]): RawRow[] {
  const rows: RawRow[] = [];
  lines.forEach((text, index) => {
    if (isSkipped(text)) return;
    const line = index + 1;
    const bar = text.indexOf('|');
    if (bar < 0) {
      problems.push({
        line,
        address: null,
        reasons: ['expected “email | password” (leave the password out, as in “email |”, to generate one)'],
      });
      return;
    }
    rows.push({ line, fields: { email: text.slice(0, bar).trim(), password: text.slice(bar + 1).trim() } });
  });
  return rows;
}

/** The header's problems; none when it names known columns, once each, `email` among them. */
function checkCsvHeader(cells: string[] | null): { names: string[]; reasons: string[] } {
  const reasons: string[] = [];
  const names = (cells ?? []).map(columnName);
  if (cells === null) reasons.push('the header has an unclosed quote');
  if (!names.includes('email')) {
    // Not a header at all (maybe data): say so without echoing what might be a password.
    reasons.push(`a CSV file must start with a header line naming its columns, e.g. ${CSV_COLUMNS.join(',')}`);
    return { names, reasons };
  }
  for (const name of names) {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) reasons.push(`unknown column “${name}” (known: ${CSV_COLUMNS.join(', ')})`);
  }
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) reasons.push(`column “${repeated[0]}” appears twice`);
  return { names, reasons };
}

function readCsvLines(lines: string[], problems: BatchProblem[]): RawRow[] {
  const rows: RawRow[] = [];
  let header: CsvColumn[] | null = null;
  lines.forEach((text, index) => {
    if (isSkipped(text)) return;
    const line = index + 1;
    const cells = splitCsvLine(text);
    if (header === null) {
      const checked = checkCsvHeader(cells);
      header = checked.reasons.length > 0 ? [] : (checked.names as CsvColumn[]);
      if (checked.reasons.length > 0) problems.push({ line, address: null, reasons: checked.reasons });
      return;
    }
    const problem =
      header.length === 0
        ? 'cannot be read: the header line is not valid'
        : cells === null
          ? 'a quoted field is not closed'
          : cells.length > header.length
            ? `has ${cells.length} fields but the header names ${header.length}`
            : undefined;
    if (problem || cells === null) {
      problems.push({ line, address: null, reasons: [problem ?? 'a quoted field is not closed'] });
      return;
    }
    const fields: RawRow['fields'] = {};
    header.forEach((column, i) => {
      fields[column] = (cells[i] ?? '').trim();
    });
    rows.push({ line, fields });
  });
  return rows;
}

function checkRow(row: RawRow, settings: BatchSettings): { address: string | null; reasons: string[]; entry?: BatchEntry } {
  const reasons: string[] = [];
  const email = (row.fields.email ?? '').trim();
  let address: string | null = null;
  let localPart = '';
  let domain = '';

  const at = email.lastIndexOf('@');
  if (email === '') {
    reasons.push('the email field is empty');
  } else if (at <= 0 || at === email.length - 1 || email.indexOf('@') !== at || /\s/.test(email)) {
    reasons.push('the email field is not an email address');
  } else {
    const local = checkLocalPart(email.slice(0, at));
    const rawDomain = email.slice(at + 1).toLowerCase();
    if (!local.ok) {
      reasons.push(`the part before the @ is not allowed: ${local.message}`);
    } else if (!DOMAIN_SYNTAX.test(rawDomain)) {
      reasons.push('the part after the @ is not a domain name');
    } else {
      localPart = local.value;
      domain = rawDomain;
      address = `${localPart}@${domain}`;
      if (!checkDomain(domain, settings.domains).ok) {
        reasons.push(`${domain} is not one of the managed domains (MAIL_DOMAINS: ${settings.domains.join(', ')})`);
      } else if (address.length > 254) {
        reasons.push('the address is longer than 254 characters');
      }
    }
  }

  const rawPassword = row.fields.password ?? '';
  const password = rawPassword === '' ? null : rawPassword;
  if (password !== null) {
    const strength = cpanelPasswordStrength(password);
    if (strength < MIN_PASSWORD_STRENGTH) {
      reasons.push(
        `the password is too weak (strength ${strength} of 100; at least ${MIN_PASSWORD_STRENGTH} is needed; leave it empty to generate one)`,
      );
    }
  }

  const optional = <T>(
    raw: string | undefined,
    field: string,
    check: (value: string) => { ok: true; value: T } | { ok: false; message: string },
  ): T | null => {
    if (raw === undefined || raw.trim() === '') return null;
    const result = check(raw);
    if (result.ok) return result.value;
    reasons.push(`${field}: ${result.message}`);
    return null;
  };
  const fullName = optional(row.fields.full_name, 'full_name', checkFullName);
  const personalEmail = optional(row.fields.personal_email, 'personal_email', (value) => checkPersonalEmail(value, settings.domains));
  const phone = optional(row.fields.phone, 'phone', (value) => checkPhone(value, settings.phoneRegion));

  if (reasons.length > 0 || address === null) return { address, reasons };
  return { address, reasons, entry: { line: row.line, address, localPart, domain, password, fullName, personalEmail, phone } };
}
