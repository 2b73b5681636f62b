import type { TemplateSettings } from '../services/notifications/model.ts';
/**
 * Every SMS and email Mailroom sends, in one place: pure functions from domain facts to text.
 * Secret parts (a one-time link, a password) are never passed in: templates put SECRET_SLOT where
 * they go, and the delivery job fills it in at send time (see services/notifications.ts).
 */
import { escapeHtml } from './text.ts';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** Stands for the secret in a template; a private-use character nobody types into Slack. */
export const SECRET_SLOT = '\uE000';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/** One line, no control characters: for subjects and SMS built from user-typed text. */
function oneLine(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  const line = oneLine(text);
  return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 3))}...`;
}

// GSM 03.38 basic set plus its extension table (extension characters count twice).
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€');

/** How many SMS segments `text` takes: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67). */
export function smsSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; units: number; segments: number } {
  let units = 0;
  for (const char of text) {
    if (GSM7_BASIC.has(char)) units += 1;
    else if (GSM7_EXTENDED.has(char)) units += 2;
    else {
      const length = [...text].length;
      return { encoding: 'UCS-2', units: length, segments: length <= 70 ? 1 : Math.ceil(length / 67) };
    }
  }
  return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
}

/** Replaces characters outside GSM-7 that have a plain equivalent, so an SMS stays in 160-character segments. */
function gsmFriendly(text: string): string {
  return text
    .replace(/[‘’‚′]/g, "'")
    .replace(/[“”„″]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/…/g, '...')
    .replace(/\u00a0/g, ' ');
}

const sms = (text: string): string => gsmFriendly(oneLine(text));

function html(settings: TemplateSettings, title: string, paragraphs: string[]): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>',
    escapeHtml(title),
    '</title></head>',
    '<body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; line-height: 1.5; color: #1d1c1d;">',
    ...paragraphs.map((p) => `<p>${p}</p>`),
    `<p style="color: #616061; font-size: 90%;">${escapeHtml(settings.companyName)} IT · questions: ${escapeHtml(settings.itContact)}</p>`,
    '</body></html>',
  ].join('\n');
}

const text = (settings: TemplateSettings, paragraphs: string[]): string =>
  `${paragraphs.join('\n\n')}\n\n-- \n${settings.companyName} IT · questions: ${settings.itContact}\n`;

/** What the notifications about one request show. */
export interface RequestFacts {
  id: number;
  fullName: string;
  address: string;
  requesterName: string;
  startDate: Date | null;
  note: string | null;
  decisionReason: string | null;
  failureReason: string | null;
}

const startLine = (request: RequestFacts): string => (request.startDate ? ` starting ${request.startDate.toISOString().slice(0, 10)}` : '');

// ------------------------------------------------------------------ new request → approver

export function approvalRequestEmail(settings: TemplateSettings, request: RequestFacts, slackLink: string): EmailContent {
  const subject = clip(`Approval needed: mailbox ${request.address} for ${request.fullName}`, 200);
  const intro = `${request.requesterName} asks for a company mailbox for ${request.fullName}${startLine(request)}: ${request.address} (request #${request.id}).`;
  const note = request.note ? `Note from the requester: ${request.note}` : undefined;
  const action = 'Approve or reject it in Slack, in your direct messages with Mailroom:';
  return {
    subject,
    text: text(settings, [intro, ...(note ? [note] : []), `${action}\n${slackLink}`]),
    html: html(settings, subject, [
      escapeHtml(intro),
      ...(note ? [`<em>Note from the requester:</em> ${escapeHtml(request.note ?? '')}`] : []),
      `${escapeHtml(action)}<br><a href="${escapeHtml(slackLink)}">Open the request in Slack</a>`,
    ]),
  };
}

export function approvalRequestSms(settings: TemplateSettings, request: RequestFacts): string {
  const build = (name: string) =>
    sms(
      `${settings.companyName}: please approve or reject a mailbox for ${name} (request #${request.id}) in your Slack DMs from Mailroom.`,
    );
  const full = build(request.fullName);
  if (full.length <= 160) return full;
  return build(clip(request.fullName, Math.max(8, request.fullName.length - (full.length - 160))));
}

// ------------------------------------------------------------------ approved and created

export function requesterReadyEmail(settings: TemplateSettings, request: RequestFacts, delivery: 'link' | 'password'): EmailContent {
  const subject = clip(`Mailbox ready: ${request.address}`, 200);
  const intro = `The mailbox ${request.address} for ${request.fullName} has been created (request #${request.id}).`;
  const how =
    delivery === 'link'
      ? `${request.fullName} has been sent a one-time link to their sign-in details by SMS and to their personal email address. The password is never sent to you or posted in Slack.`
      : `${request.fullName} has been sent the sign-in details at their personal email address, and an SMS asking them to check it. The password is never sent to you or posted in Slack.`;
  return { subject, text: text(settings, [intro, how]), html: html(settings, subject, [escapeHtml(intro), escapeHtml(how)]) };
}

export function newHireLinkEmail(settings: TemplateSettings, request: RequestFacts, ttlHours: number): EmailContent {
  const subject = clip(`Your ${settings.companyName} email account is ready`, 200);
  const hello = `Hello ${request.fullName},`;
  const intro = `your work email address ${request.address} at ${settings.companyName} is ready.`;
  const how = `Open this link to see your password. It works once and expires in ${ttlHours} hours; press "Reveal" only when you are ready to write the password down.`;
  const after = `If the link has expired or was already used, contact ${settings.itContact}.`;
  return {
    subject,
    text: text(settings, [hello, intro, `${how}\n${SECRET_SLOT}`, after]),
    html: html(settings, subject, [
      escapeHtml(hello),
      escapeHtml(intro),
      `${escapeHtml(how)}<br><a href="${SECRET_SLOT}">${SECRET_SLOT}</a>`,
      escapeHtml(after),
    ]),
  };
}

export function newHireLinkSms(settings: TemplateSettings, request: RequestFacts, ttlHours: number): string {
  return `${sms(`${settings.companyName}: your work email ${request.address} is ready. Password (one use, ${ttlHours}h):`)} ${SECRET_SLOT}`;
}

export function newHirePasswordEmail(settings: TemplateSettings, request: RequestFacts): EmailContent {
  const subject = clip(`Your ${settings.companyName} email account is ready`, 200);
  const hello = `Hello ${request.fullName},`;
  const intro = `your work email address at ${settings.companyName} is ready. Sign in with:`;
  const after =
    'Keep this password private and delete this email once you have stored it safely. If you have any trouble signing in, contact ';
  return {
    subject,
    text: text(settings, [hello, intro, `Address:  ${request.address}\nPassword: ${SECRET_SLOT}`, `${after}${settings.itContact}.`]),
    html: html(settings, subject, [
      escapeHtml(hello),
      escapeHtml(intro),
      `Address: <code>${escapeHtml(request.address)}</code><br>Password: <code>${SECRET_SLOT}</code>`,
      escapeHtml(`${after}${settings.itContact}.`),
    ]),
  };
}

export function newHireCheckInboxSms(settings: TemplateSettings, request: RequestFacts): string {
  return sms(`${settings.companyName}: your work email ${request.address} is ready. Sign-in details were sent to your personal email.`);
}

// ------------------------------------------------------------------ rejected

export function requesterRejectedEmail(settings: TemplateSettings, request: RequestFacts): EmailContent {
  const subject = clip(`Mailbox request rejected: ${request.address}`, 200);
  const intro = `Your request #${request.id} for the mailbox ${request.address} (${request.fullName}) was rejected.`;
  const reason = `Reason: ${request.decisionReason ?? ''}`;
  const next = 'The address is free again; you can file a corrected request with /request-email in Slack.';
  return {
    subject,
    text: text(settings, [intro, reason, next]),
    html: html(settings, subject, [escapeHtml(intro), escapeHtml(reason), escapeHtml(next)]),
  };
}

export function newHireRejectedEmail(settings: TemplateSettings, request: RequestFacts): EmailContent {
  const subject = clip(`About your ${settings.companyName} email account`, 200);
  const hello = `Hello ${request.fullName},`;
  const intro = `the request for your work email address at ${settings.companyName} was not approved.`;
  const reason = `Reason given: ${request.decisionReason ?? ''}`;
  const next = `Nothing is needed from you now; your contact at ${settings.companyName} will follow up. Questions: ${settings.itContact}.`;
  return {
    subject,
    text: text(settings, [hello, intro, reason, next]),
    html: html(settings, subject, [escapeHtml(hello), escapeHtml(intro), escapeHtml(reason), escapeHtml(next)]),
  };
}

export function newHireRejectedSms(settings: TemplateSettings, request: RequestFacts): string {
  // Joined with spaces after each part is made one line: sms() trims, so a space kept at the end
  // of a part would be lost ("Reason:Wrong team").
  const head = sms(`${settings.companyName}: the request for your work email was not approved. Reason:`);
  const tail = 'Details sent by email.';
  const reason = clip(gsmFriendly(request.decisionReason ?? ''), Math.max(20, 160 - head.length - tail.length - 2));
  return [head, reason, tail].filter((part) => part.length > 0).join(' ');
}

// ------------------------------------------------------------------ provisioning failed for good

export function adminFailureEmail(settings: TemplateSettings, request: RequestFacts, attempts: number): EmailContent {
  const subject = clip(`Mailroom: creating ${request.address} failed`, 200);
  const intro = `Creating the mailbox ${request.address} for ${request.fullName} (request #${request.id}, requested by ${request.requesterName}) failed after ${attempts} attempt${attempts === 1 ? '' : 's'}.`;
  const reason = `Last error: ${request.failureReason ?? 'unknown'}`;
  const next = 'The requester has been told of the delay. Fix the cause, then press Retry on the alert in your Slack DMs from Mailroom.';
  return {
    subject,
    text: text(settings, [intro, reason, next]),
    html: html(settings, subject, [escapeHtml(intro), escapeHtml(reason), escapeHtml(next)]),
  };
}

/** Fills SECRET_SLOT: plain for text and SMS, escaped for HTML. */
/** To the person a leaver's mail is now forwarded to (offboarding). */
export function forwardNoticeEmail(
  settings: TemplateSettings,
  offboarding: { address: string; leaverName: string; forwardTo: string; deleteAfter: Date },
): EmailContent {
  const until = offboarding.deleteAfter.toISOString().slice(0, 10);
  const subject = oneLine(`Mail for ${offboarding.address} now reaches you`);
  const intro = `Mail sent to ${offboarding.address} (${offboarding.leaverName}, who has left) is now forwarded to you at ${offboarding.forwardTo}.`;
  // Not "until <date>": some hosts (Aurora without scheduled auto-replies) keep no end date, so the reply stays until deletion.
  const reply = `Senders get an automatic reply naming you until the mailbox is deleted (due ${until}).`;
  return { subject, text: text(settings, [intro, reply]), html: html(settings, subject, [escapeHtml(intro), escapeHtml(reply)]) };
}

export function fillSecret(template: string, secret: string, kind: 'text' | 'html'): string {
  const value = kind === 'html' ? escapeHtml(secret) : secret;
  return template.split(SECRET_SLOT).join(value);
}

// ------------------------------------------------------------------ password reset

/** The owner's email after a password reset: the one-time link fills SECRET_SLOT at send time. */
export function resetLinkEmail(settings: TemplateSettings, address: string, ttlHours: number): EmailContent {
  const subject = clip(`New password for ${address}`, 200);
  const intro = `The password of your work mailbox ${address} at ${settings.companyName} has been reset. The old password no longer works.`;
  const how = `Open this link to see the new password. It works once and expires in ${ttlHours} hours; press "Reveal" only when you are ready to write it down.`;
  const after = `If you did not expect this, or the link has expired or was already used, contact ${settings.itContact}.`;
  return {
    subject,
    text: text(settings, [intro, `${how}\n${SECRET_SLOT}`, after]),
    html: html(settings, subject, [
      escapeHtml(intro),
      `${escapeHtml(how)}<br><a href="${SECRET_SLOT}">${SECRET_SLOT}</a>`,
      escapeHtml(after),
    ]),
  };
}

export function resetLinkSms(settings: TemplateSettings, address: string, ttlHours: number): string {
  return `${sms(`${settings.companyName}: new password for ${address} (one use, ${ttlHours}h):`)} ${SECRET_SLOT}`;
}
