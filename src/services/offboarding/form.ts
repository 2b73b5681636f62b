// The offboarding form as the domain reads it: its fields, their errors, and the checks that need no I/O.
import { domainOf, sameAddress } from '../../lib/address.ts';
import { addDaysToDate } from '../../lib/zoned-time.ts';
import { OffboardOptions } from '../../slack/ids.ts';
import { isEmailAddress, isManagedDomain } from '../requests/validation.ts';
import { multiLineProblem, singleLineProblem, TEXT_LIMITS } from '../text-policy.ts';

/** The offboarding form's fields, by their domain names (the Slack listener maps them to block ids). */
export type OffboardFormField = 'mailbox' | 'forwardTo' | 'lastDay' | 'autoReplySubject' | 'autoReplyBody' | 'retentionDays' | 'options';
export type OffboardFieldErrors = Partial<Record<OffboardFormField, string>>;

export interface RawOffboardForm {
  mailbox: string | undefined;
  forwardTo: string;
  lastDay: string | null;
  autoReplySubject: string;
  autoReplyBody: string;
  retentionDays: string;
  options: string[] | null;
}

export interface OffboardFields {
  lastDay: string;
  retentionDays: number;
  forwardTo: string;
  subject: string;
  body: string;
  suspendLogin: boolean;
  removeOwnForwarders: boolean;
}

interface FormSettings {
  domains: readonly string[];
  retentionDays: number;
}

/** The checks that need no I/O: address shape and domain, dates, retention, forward target, auto-reply lengths. */
export function checkOffboardFields(
  form: RawOffboardForm,
  address: string,
  today: string,
  settings: FormSettings,
): { errors: OffboardFieldErrors; fields: OffboardFields } {
  const errors: OffboardFieldErrors = {};
  if (!address) errors.mailbox = 'Choose the mailbox to offboard.';
  else if (!isEmailAddress(address)) errors.mailbox = 'This is not an email address.';
  else if (!isManagedDomain(domainOf(address), settings.domains)) errors.mailbox = `Mailroom manages only ${settings.domains.join(', ')}.`;

  const lastDay = form.lastDay ?? today;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(lastDay) || Number.isNaN(new Date(`${lastDay}T00:00:00Z`).getTime())) errors.lastDay = 'Pick a date.';
  else if (lastDay < addDaysToDate(today, -366)) errors.lastDay = 'The last day is more than a year ago.';
  else if (lastDay > addDaysToDate(today, 366)) errors.lastDay = 'The last day is more than a year away.';

  const retentionText = form.retentionDays.trim();
  const retentionDays = retentionText === '' ? settings.retentionDays : Number(retentionText);
  if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > 3650)
    errors.retentionDays = 'Enter a whole number of days from 0 to 3650.';

  const forwardTo = form.forwardTo.trim().toLowerCase();
  if (forwardTo && (forwardTo.length > 254 || !isEmailAddress(forwardTo))) errors.forwardTo = 'This is not a valid email address.';
  else if (forwardTo && address && sameAddress(forwardTo, address))
    errors.forwardTo = 'Forward to someone else: this is the mailbox being offboarded.';
  const subjectText = form.autoReplySubject.trim();
  const bodyText = form.autoReplyBody.trim();
  const subjectProblem = singleLineProblem(subjectText);
  const bodyProblem = multiLineProblem(bodyText);
  // A line break in a subject would reach the mail host as a header of its own (`Gone\r\nBcc: …`).
  if (subjectProblem) errors.autoReplySubject = subjectProblem;
  else if (subjectText.length > TEXT_LIMITS.autoReplySubject)
    errors.autoReplySubject = `Use at most ${TEXT_LIMITS.autoReplySubject} characters.`;
  if (bodyProblem) errors.autoReplyBody = bodyProblem;
  else if (bodyText.length > TEXT_LIMITS.autoReplyBody) errors.autoReplyBody = `Use at most ${TEXT_LIMITS.autoReplyBody} characters.`;

  const options = form.options ?? [];
  const fields = {
    lastDay,
    retentionDays,
    forwardTo,
    subject: subjectText,
    body: bodyText,
    suspendLogin: options.includes(OffboardOptions.suspendLogin),
    removeOwnForwarders: options.includes(OffboardOptions.removeOwnForwarders),
  };
  return { errors, fields };
}
