import type { ActionsBlock, Button, HomeView, KnownBlock } from '@slack/types';
import type { HomeData, HomeList, OpenOffboarding, OwnRequest, WaitingRequest } from '../services/home/model.ts';
import { Actions } from '../slack/ids.ts';
import { context, escapeMrkdwn, mention, SlackLimits, section, slackDate, truncate } from './text.ts';

/** Reasons and names are cut before escaping, so one long text cannot crowd out the rest of a row. */
const REASON_MAX = 500;
const NAME_MAX = 200;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "5 minutes", "3 hours", "2 days": how long something has been waiting, for people, not machines. */
export function describeDuration(fromDate: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - fromDate.getTime()) / 60_000));
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

const name = (text: string) => escapeMrkdwn(truncate(text, NAME_MAX));
const reason = (text: string | null) => escapeMrkdwn(truncate(text ?? 'unknown reason', REASON_MAX));
const heading = (text: string): KnownBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: truncate(text, SlackLimits.headerText) },
});

function waitingRow(request: WaitingRequest, now: Date): KnownBlock {
  const escalated = request.escalatedAt
    ? `\nEscalated to the admins ${slackDate(request.escalatedAt)}: nobody had decided after several reminders.`
    : '';
  return section(
    `*${escapeMrkdwn(request.address)}* for *${name(request.fullName)}* (request #${request.id})\n` +
      `Requested by ${mention(request.requesterId)} · waiting ${describeDuration(request.createdAt, now)}, since ${slackDate(request.createdAt)}${escalated}`,
  );
}

function ownStatus(request: OwnRequest, userId: string): string {
  const by = (id: string | null) => (id === null ? 'someone' : id === userId ? 'you' : mention(id));
  switch (request.status) {
    case 'PENDING_APPROVAL': {
      const approvers = request.approverIds.length > 0 ? request.approverIds : [request.superiorId];
      const who = request.routedToAdmins ? `the admins (${approvers.map(mention).join(', ')})` : approvers.map(mention).join(', ');
      const escalated = request.escalatedAt ? `; the admins may decide too since ${slackDate(request.escalatedAt)}` : '';
      return `:hourglass_flowing_sand: Waiting for ${who} to approve${escalated}.`;
    }
    case 'APPROVED':
    case 'PROVISIONING':
      return `:white_check_mark: Approved by ${by(request.decidedById)}; the mailbox is being created.`;
    case 'ACTIVE':
      return `:white_check_mark: Active: the mailbox exists (approved by ${by(request.decidedById)}).`;
    case 'FAILED':
      return `:warning: Approved by ${by(request.decidedById)}, but creating the mailbox failed: ${reason(request.failureReason)}. The admins were told.`;
    case 'REJECTED':
      return `:x: Rejected by ${by(request.decidedById)}. Reason: ${reason(request.decisionReason)}`;
    case 'EXPIRED':
      return ':hourglass: Expired without a decision; the address is free again.';
    case 'CANCELLED':
      return `:no_entry_sign: Cancelled by ${by(request.decidedById)}; the address is free again.`;
  }
}

function ownRow(request: OwnRequest, userId: string): KnownBlock {
  return section(
    `*${escapeMrkdwn(request.address)}* for ${name(request.fullName)} (request #${request.id}, ${slackDate(request.createdAt)})\n${ownStatus(request, userId)}`,
  );
}

function offboardingStatus(o: OpenOffboarding): string {
  switch (o.status) {
    case 'SCHEDULED':
      return `:calendar: Scheduled: forwarding and lock-out start ${slackDate(o.runAt)}`;
    case 'ACTIVE':
      return ':outbox_tray: Offboarded: mail is forwarded; deletion needs a confirmation';
    case 'AWAITING_CONFIRMATION':
      return ':question: Retention has ended: deletion is waiting for a confirmation';
    case 'DELETING':
      return ':wastebasket: Deletion confirmed; deleting…';
    case 'CANCELLING':
      return ':leftwards_arrow_with_hook: Undone; restoring the saved state…';
    case 'DELETED':
    case 'CANCELLED':
      return o.status.toLowerCase();
  }
}

function offboardingRow(o: OpenOffboarding, userId: string): KnownBlock {
  const initiator = o.initiatedById === userId ? 'you' : mention(o.initiatedById);
  const where = o.initiatedById === userId ? 'in your DMs' : `sent to ${initiator}`;
  const failed = o.failedSteps > 0 ? `\n:x: ${plural(o.failedSteps, 'step')} failed: Retry is on the status message ${where}.` : '';
  return section(
    `*${escapeMrkdwn(o.address)}* (${name(o.leaverName)}, offboarding #${o.id}, started by ${initiator})\n` +
      `${offboardingStatus(o)} · deletion due ${slackDate(o.deleteAfter)}${failed}`,
  );
}

/** A line such as "Showing the newest 10 of 14." when a list was cut. */
const more = (list: HomeList<unknown>, say: (shown: number, total: number) => string): KnownBlock[] =>
  list.total > list.items.length ? [context(say(list.items.length, list.total))] : [];

/**
 * One person's Home tab: what waits for their decision, their own requests, and for HR and admins
 * what is theirs to watch. No Approve/Reject here: a Home tab click has no response_url, and the
 * decision belongs on the DM every approver's copy is kept in step with.
 */
export function buildHomeView(data: HomeData, now: Date): HomeView {
  const buttons: Button[] = [
    { type: 'button', action_id: Actions.homeRequestMailbox, style: 'primary', text: { type: 'plain_text', text: 'Request a mailbox' } },
  ];
  if (data.isHr)
    buttons.push({ type: 'button', action_id: Actions.homeOffboardMailbox, text: { type: 'plain_text', text: 'Offboard a mailbox' } });
  const blocks: KnownBlock[] = [
    heading('Mailroom'),
    section('Request mailboxes for new hires and see where each request stands.'),
    { type: 'actions', block_id: 'home_actions', elements: buttons } satisfies ActionsBlock,
  ];
  if (data.hrCheckFailed)
    blocks.push(context('Slack could not confirm just now whether you are in HR; reopen this tab in a moment to see offboardings.'));

  blocks.push({ type: 'divider' }, heading('Waiting for your decision'));
  if (data.waiting.items.length === 0) {
    blocks.push(section('Nothing is waiting for you.'));
  } else {
    blocks.push(
      ...data.waiting.items.map((request) => waitingRow(request, now)),
      ...more(data.waiting, (n, total) => `Showing the newest ${n} of ${total}.`),
    );
    blocks.push(context('Approve or reject each request on its message in your DMs with Mailroom (the Messages tab).'));
  }

  blocks.push({ type: 'divider' }, heading('Your requests'));
  if (data.mine.items.length === 0) blocks.push(section('You have not requested any mailbox yet.'));
  else
    blocks.push(
      ...data.mine.items.map((request) => ownRow(request, data.userId)),
      ...more(data.mine, (n, total) => `Showing your latest ${n} of ${total} requests.`),
    );

  if (data.offboardings) {
    blocks.push({ type: 'divider' }, heading('Offboardings in progress'));
    if (data.offboardings.items.length === 0) blocks.push(section('No offboarding is in progress.'));
    else
      blocks.push(
        ...data.offboardings.items.map((o) => offboardingRow(o, data.userId)),
        ...more(data.offboardings, (n, total) => `Showing the ${n} due for deletion soonest, of ${total}.`),
      );
  }

  if (data.failedCount !== undefined) {
    blocks.push({ type: 'divider' }, heading('For admins'));
    blocks.push(
      section(
        data.failedCount === 0
          ? 'No request is waiting for a provisioning retry.'
          : `:rotating_light: ${plural(data.failedCount, 'request')} failed to provision and ${data.failedCount === 1 ? 'is' : 'are'} waiting for a retry: press Retry on the alert in your DMs.`,
      ),
    );
  }
  blocks.push(context(`Updated ${slackDate(now)}. This tab refreshes each time you open it.`));
  return { type: 'home', blocks };
}
