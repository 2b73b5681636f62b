import { addDaysToDate, dateIn } from '../../src/lib/zoned-time.ts';
import { checkboxes, datePicker, emailText, numberInput, plainText, type StateValue } from '../../src/sandbox/slack-driver.ts';
import { eventually, type Harness, People } from './harness.ts';

/** Env for offboarding tests: a sweep schedule that never fires by itself (tests call runOnce). */
export const OFFBOARDING_ENV = { OFFBOARD_SWEEP_CRON: '0 0 0 1 1 *', GENERAL_CONTACT_EMAIL: 'info@example.com' };

export interface SeedMailbox {
  address: string;
  fullName?: string;
  superiorSlackId?: string | null;
  ownForwarders?: string[];
  autoReply?: { from: string; subject: string; body: string; interval: number; start: number; stop: number };
  suspendedLogin?: boolean;
  /** false: exists only at cPanel (Mailroom does not manage it yet). */
  managed?: boolean;
}

/** A mailbox at the cPanel fake and (when managed) its Staff and Mailbox rows. */
export async function seedMailbox(h: Harness, seed: SeedMailbox): Promise<void> {
  const address = seed.address.toLowerCase();
  h.cpanel.addMailbox(address, 'Seeded-Passw0rd-For-Tests!');
  const mailbox = h.cpanel.mailboxes.get(address);
  if (mailbox && seed.suspendedLogin) mailbox.suspendedLogin = true;
  if (seed.ownForwarders?.length) h.cpanel.forwarders.set(address, [...seed.ownForwarders]);
  if (seed.autoReply) h.cpanel.autoResponders.set(address, { ...seed.autoReply, isHtml: false, charset: 'utf-8' });
  if (seed.managed === false) return;
  const at = address.lastIndexOf('@');
  const staff = await h.db.prisma.staff.create({
    data: {
      fullName: seed.fullName ?? 'Jane Doe',
      workEmail: address,
      superiorSlackId: seed.superiorSlackId === undefined ? People.superior : seed.superiorSlackId,
    },
  });
  await h.db.prisma.mailbox.create({
    data: { address, localPart: address.slice(0, at), domain: address.slice(at + 1), provider: 'cpanel', quotaMb: 1024, staffId: staff.id },
  });
}

export interface OffboardFormValues {
  mailbox?: string | null;
  forwardTo?: string | null;
  lastDay?: string | null;
  subject?: string | null;
  body?: string | null;
  retentionDays?: string | null;
  options?: string[];
}

export function offboardFormValues(form: OffboardFormValues): Record<string, Record<string, StateValue>> {
  const mailbox = form.mailbox ?? null;
  return {
    offboard_mailbox: {
      offboard_mailbox_search: {
        type: 'external_select',
        selected_option: mailbox === null ? null : { text: { type: 'plain_text', text: mailbox }, value: mailbox },
      },
    },
    offboard_forward_to: { value: emailText(form.forwardTo ?? null) },
    offboard_last_day: { value: datePicker(form.lastDay ?? null) },
    offboard_reply_subject: { value: plainText(form.subject ?? null) },
    offboard_reply_body: { value: plainText(form.body ?? null) },
    offboard_retention_days: { value: numberInput(form.retentionDays ?? '30') },
    offboard_options: { value: checkboxes(form.options ?? ['suspend_login', 'remove_own_forwarders']) },
  };
}

export function submitOffboard(h: Harness, form: OffboardFormValues, userId: string = People.hr) {
  return h.driver.viewSubmission({ userId, view: { callbackId: 'offboard_modal', values: offboardFormValues(form) } });
}

export function today(h: Harness, timeZone = 'UTC'): string {
  return dateIn(h.clock.now(), timeZone);
}

export const dayAfter = (date: string, days: number) => addDaysToDate(date, days);

/** Submits and waits until the offboarding row exists; returns it. */
export async function startOffboarding(h: Harness, form: OffboardFormValues, userId: string = People.hr) {
  const answer = await submitOffboard(h, form, userId);
  if (answer.body !== '') throw new Error(`submission refused: ${answer.body}`);
  return h.db.prisma.offboarding.findFirstOrThrow({ where: { address: (form.mailbox ?? '').toLowerCase() }, orderBy: { id: 'desc' } });
}

export function stepsOf(h: Harness, offboardingId: number) {
  return h.db.prisma.offboardingStep.findMany({ where: { offboardingId }, orderBy: { id: 'asc' } });
}

/** Waits until no activation/restore/delete step of the offboarding is PENDING. */
export function settled(h: Harness, offboardingId: number) {
  return eventually(async () => {
    const steps = await stepsOf(h, offboardingId);
    return steps.every((step) => step.status !== 'PENDING') ? steps : undefined;
  }, `the steps of offboarding ${offboardingId} to settle`);
}

/** The HR status message as the Slack fake holds it now. */
export async function statusMessage(h: Harness, offboardingId: number) {
  const row = await eventually(
    () => h.db.prisma.offboarding.findFirst({ where: { id: offboardingId, statusTs: { not: null } } }),
    'the status message to be posted',
  );
  return h.slack.messagesIn(row.statusChannelId as string).find((message) => message.ts === row.statusTs);
}

/** Waits until the status message satisfies `check` (it is refreshed by jobs, asynchronously). */
export async function waitForStatusMessage(h: Harness, offboardingId: number, check: (json: string) => boolean, what: string) {
  return eventually(async () => {
    const message = await statusMessage(h, offboardingId);
    const json = JSON.stringify(message?.blocks ?? []);
    return check(json) ? message : undefined;
  }, what);
}

export function clickOffboardButton(
  h: Harness,
  input: { userId: string; actionId: string; value: string; channelId: string; messageTs: string; label?: string },
) {
  const responseUrl = h.slack.responseUrl(input.label ?? `${input.actionId}-${input.userId}-${Math.random()}`);
  const done = h.driver.blockAction({
    userId: input.userId,
    actionId: input.actionId,
    value: input.value,
    channelId: input.channelId,
    messageTs: input.messageTs,
    responseUrl,
    triggerId: h.slack.issueTriggerId(),
  });
  return { done, responseUrl };
}
