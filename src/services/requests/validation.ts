import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { domainOf, localPartOf } from '../../lib/address.ts';
import { domainFromOptionValue } from '../../slack/option-values.ts';
import { multiLineProblem, singleLineProblem, TEXT_LIMITS } from '../text-policy.ts';

/** The request form's fields, by their domain names (the Slack listener maps them to block ids). */
export type RequestFormField = 'fullName' | 'localPart' | 'domain' | 'personalEmail' | 'phone' | 'superior' | 'startDate' | 'note';
export type FieldErrors = Partial<Record<RequestFormField, string>>;

/** cPanel refuses these local parts (Cpanel/Validate/EmailLocalPart.pm), with or without `.lock`. */
const RESERVED_LOCAL_PARTS = new Set(
  ['cpanel', 'shadow', 'passwd', 'quota', '_archive', '_mainaccount', '_privs.json', '_privs.cache'].flatMap((name) => [
    name,
    `${name}.lock`,
  ]),
);

export type Check<T> = { ok: true; value: T } | { ok: false; message: string };

/** cPanel's rules for the part before the @, lower-cased as cPanel's add_pop stores it. */
export function checkLocalPart(raw: string): Check<string> {
  const value = raw.trim().toLowerCase();
  if (value === '') return { ok: false, message: 'Enter the part before the @, e.g. jane.doe' };
  if (value.length > 64) return { ok: false, message: `Use at most 64 characters (this has ${value.length}).` };
  if (!/^[a-z0-9._-]+$/.test(value)) {
    return { ok: false, message: 'Use only letters, digits, dots (.), hyphens (-) and underscores (_).' };
  }
  if (value.startsWith('.') || value.endsWith('.')) return { ok: false, message: 'It cannot start or end with a dot.' };
  if (value.includes('..')) return { ok: false, message: 'It cannot contain two dots in a row.' };
  if (RESERVED_LOCAL_PARTS.has(value)) return { ok: false, message: `“${value}” is reserved by cPanel; choose another name.` };
  return { ok: true, value };
}

export function checkDomain(raw: string | undefined, allowed: readonly string[]): Check<string> {
  const value = (domainFromOptionValue(raw, allowed) ?? '').trim().toLowerCase();
  if (value === '') return { ok: false, message: 'Choose a domain.' };
  if (!allowed.includes(value)) return { ok: false, message: `Choose one of: ${allowed.join(', ')}.` };
  return { ok: true, value };
}

const emailSchema = z.email();
export const isEmailAddress = (value: string): boolean => emailSchema.safeParse(value).success;

export function isManagedDomain(domain: string, managed: readonly string[]): boolean {
  return managed.some((candidate) => domain === candidate || domain.endsWith(`.${candidate}`));
}

export function checkPersonalEmail(raw: string, managed: readonly string[]): Check<string> {
  const value = raw.trim();
  if (value === '') return { ok: false, message: 'Enter the new hire’s personal email address.' };
  if (value.length > 254 || !isEmailAddress(value)) {
    return { ok: false, message: 'This is not a valid email address, e.g. jane@gmail.com' };
  }
  const domain = domainOf(value);
  if (isManagedDomain(domain, managed)) {
    return { ok: false, message: `Use an address outside ${managed.join(', ')}: the new hire cannot read that yet.` };
  }
  return { ok: true, value: `${localPartOf(value)}@${domain}` };
}

/** Valid for the default region (or any region when written with +country code); stored as E.164. */
export function checkPhone(raw: string, defaultRegion: string): Check<string> {
  const value = raw.trim();
  if (value === '') return { ok: false, message: 'Enter a cell phone number.' };
  // 00 is the international prefix in most of the world: "0044 …" means "+44 …".
  const international = /^(\+|00)/.test(value);
  const phone = parsePhoneNumberFromString(value.replace(/^00/, '+'), defaultRegion as CountryCode);
  if (!phone?.isValid()) {
    return {
      ok: false,
      message: international
        ? 'This is not a valid phone number: check the country code and the digits after it.'
        : `This is not a valid phone number for ${defaultRegion}; add the country code (e.g. +44 …) if it is abroad.`,
    };
  }
  const type = phone.getType();
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') {
    return { ok: false, message: 'Enter a cell (mobile) number: text messages go to it.' };
  }
  return { ok: true, value: phone.number };
}

export function checkFullName(raw: string): Check<string> {
  const problem = singleLineProblem(raw.trim());
  if (problem) return { ok: false, message: problem };
  const value = raw.trim().replace(/\s+/g, ' ');
  if (value.length === 0) return { ok: false, message: 'Enter the new hire’s full name.' };
  if (value.length < 2) return { ok: false, message: 'Enter the new hire’s full name, not an initial (at least 2 characters).' };
  if (value.length > TEXT_LIMITS.fullName) return { ok: false, message: `Use at most ${TEXT_LIMITS.fullName} characters.` };
  if (/[<>\p{Cc}]/u.test(value)) return { ok: false, message: 'The name cannot contain < > or control characters.' };
  return { ok: true, value };
}

/** A start date may be today or later (a day of slack for time zones), and within two years. */
export function checkStartDate(raw: string | null | undefined, today: Date): Check<Date | null> {
  if (!raw) return { ok: true, value: null };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return { ok: false, message: 'Pick a date.' };
  const date = new Date(`${raw}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return { ok: false, message: 'Pick a date.' };
  const dayMs = 86_400_000;
  const startOfToday = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  if (date.getTime() < startOfToday - dayMs) return { ok: false, message: 'The start date is in the past.' };
  if (date.getTime() > startOfToday + 2 * 366 * dayMs) return { ok: false, message: 'The start date is more than two years away.' };
  return { ok: true, value: date };
}

export function checkNote(raw: string | null | undefined): Check<string | null> {
  const value = (raw ?? '').trim();
  if (value === '') return { ok: true, value: null };
  const problem = multiLineProblem(value);
  if (problem) return { ok: false, message: problem };
  if (value.length > TEXT_LIMITS.note)
    return { ok: false, message: `Keep the note under ${TEXT_LIMITS.note} characters (this has ${value.length}).` };
  return { ok: true, value };
}

export interface RawRequestForm {
  fullName: string;
  localPart: string;
  domain: string | undefined;
  personalEmail: string;
  phone: string;
  superiorId: string | undefined;
  startDate: string | null | undefined;
  note: string | null | undefined;
}

export interface ValidRequestForm {
  fullName: string;
  localPart: string;
  domain: string;
  address: string;
  personalEmail: string;
  phone: string;
  superiorId: string;
  startDate: Date | null;
  note: string | null;
}

/** Every field-level rule that needs no I/O; all problems are reported at once. */
export function validateRequestForm(
  form: RawRequestForm,
  settings: { domains: readonly string[]; phoneRegion: string; today: Date },
): { ok: true; value: ValidRequestForm } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const take = <T>(field: RequestFormField, check: Check<T>): T | undefined => {
    if (check.ok) return check.value;
    errors[field] = check.message;
    return undefined;
  };
  const fullName = take('fullName', checkFullName(form.fullName));
  const localPart = take('localPart', checkLocalPart(form.localPart));
  const domain = take('domain', checkDomain(form.domain, settings.domains));
  const personalEmail = take('personalEmail', checkPersonalEmail(form.personalEmail, settings.domains));
  const phone = take('phone', checkPhone(form.phone, settings.phoneRegion));
  const startDate = take('startDate', checkStartDate(form.startDate, settings.today));
  const note = take('note', checkNote(form.note));
  if (!form.superiorId) errors.superior = 'Choose the new hire’s superior.';
  if (localPart && domain && `${localPart}@${domain}`.length > 254) {
    errors.localPart = 'The whole address cannot exceed 254 characters.';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      fullName: fullName as string,
      localPart: localPart as string,
      domain: domain as string,
      address: `${localPart}@${domain}`,
      personalEmail: personalEmail as string,
      phone: phone as string,
      superiorId: form.superiorId as string,
      startDate: startDate ?? null,
      note: note ?? null,
    },
  };
}
