import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { OffboardingStatus, OffboardingStepSummary, OffboardingSummary } from '../services/offboarding/summary.ts';
import type { SlackMessage } from '../slack/gateway.ts';
import { Actions } from '../slack/ids.ts';
import { context, escapeMrkdwn, fallbackText, mention, plainMessage, SlackLimits, section, slackDate, truncate } from './text.ts';

/** The order of the status lines; a step without a row is not shown. */
const STEP_ORDER = ['save_prior_state', 'forward', 'auto_reply', 'suspend_login', 'remove_own_forwarders', 'restore', 'delete'];

const OPEN_STATUSES: readonly OffboardingStatus[] = ['SCHEDULED', 'ACTIVE', 'AWAITING_CONFIRMATION'];

function stepLabel(step: OffboardingStepSummary, o: OffboardingSummary): string {
  switch (step.kind) {
    case 'save_prior_state':
      return 'Save the mailbox’s current forwarders, auto-reply and login state';
    case 'forward':
      return `Forward mail to ${escapeMrkdwn(o.forwardTo)}`;
    case 'auto_reply':
      // A server that keeps no end date leaves it on until deletion: no date it would not keep.
      return step.note ? 'Auto-reply to senders' : `Auto-reply to senders until ${slackDate(o.deleteAfter)}`;
    case 'suspend_login':
      return 'Suspend login (mail keeps arriving)';
    case 'remove_own_forwarders':
      return 'Remove the leaver’s own forwarders';
    case 'restore':
      return 'Undo: restore the saved forwarders, auto-reply and login';
    case 'delete':
      return 'Delete the mailbox, its forwarders and auto-reply';
    default:
      return step.kind;
  }
}

function stepLine(step: OffboardingStepSummary, o: OffboardingSummary): string {
  const label = stepLabel(step, o);
  switch (step.status) {
    case 'DONE':
      return `:white_check_mark: ${label}${step.note ? ` — ${escapeMrkdwn(step.note)}` : ''}`;
    case 'SKIPPED':
      return `:heavy_minus_sign: ${label} — skipped${step.lastError ? ` (${escapeMrkdwn(step.lastError)})` : ''}`;
    case 'FAILED':
      return `:x: ${label} — *failed*: ${escapeMrkdwn(step.lastError ?? 'unknown reason')}`;
    case 'PENDING':
      if (o.status === 'SCHEDULED') return `:calendar: ${label} — scheduled for ${slackDate(o.runAt)}`;
      if (step.lastError) return `:hourglass_flowing_sand: ${label} — retrying after: ${escapeMrkdwn(step.lastError)}`;
      return `:hourglass_flowing_sand: ${label} — in progress`;
  }
}

function headline(o: OffboardingSummary): string {
  switch (o.status) {
    case 'SCHEDULED':
      return `:calendar: Offboarding of *${o.address}* is scheduled for ${slackDate(o.runAt)}.`;
    case 'ACTIVE':
      return `:outbox_tray: *${o.address}* is offboarded. Deletion is due ${slackDate(o.deleteAfter)} and needs a confirmation.`;
    case 'AWAITING_CONFIRMATION':
      return `:question: Retention for *${o.address}* has ended; deletion is waiting for a confirmation.`;
    case 'DELETING':
      return `:wastebasket: Deletion of *${o.address}* was confirmed${o.decidedById ? ` by ${mention(o.decidedById)}` : ''}; deleting…`;
    case 'DELETED':
      return `:wastebasket: *${o.address}* was deleted${o.decidedById ? ` (confirmed by ${mention(o.decidedById)})` : ''}.`;
    case 'CANCELLING':
      return `:leftwards_arrow_with_hook: Offboarding of *${o.address}* was cancelled${o.cancelledById ? ` by ${mention(o.cancelledById)}` : ''}; restoring the saved state…`;
    case 'CANCELLED':
      return `:leftwards_arrow_with_hook: Offboarding of *${o.address}* was cancelled${o.cancelledById ? ` by ${mention(o.cancelledById)}` : ''}; the mailbox is active again.`;
  }
}

/**
 * HR's status message, one line per provider step with its real result; posted once and updated
 * in place. Retry appears while a step has failed, Undo while the offboarding can be undone.
 */
export function buildOffboardStatusMessage(o: OffboardingSummary): SlackMessage {
  const steps = [...o.steps].sort((a, b) => STEP_ORDER.indexOf(a.kind) - STEP_ORDER.indexOf(b.kind));
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Offboarding #${o.id}: ${o.address}`, SlackLimits.headerText) } },
    section(headline(o)),
    section(steps.map((step) => stepLine(step, o)).join('\n') || 'No steps yet.'),
    context(
      `${escapeMrkdwn(o.leaverName)} · last day ${o.lastDay.toISOString().slice(0, 10)} · retention ${o.retentionDays} day${o.retentionDays === 1 ? '' : 's'} · started by ${mention(o.initiatedById)}`,
    ),
  ];
  const buttons: Button[] = [];
  if (steps.some((step) => step.status === 'FAILED')) {
    buttons.push({
      type: 'button',
      action_id: Actions.offboardRetry,
      style: 'primary',
      text: { type: 'plain_text', text: 'Retry failed steps' },
      value: String(o.id),
    });
  }
  if (OPEN_STATUSES.includes(o.status)) {
    buttons.push({
      type: 'button',
      action_id: Actions.offboardUndo,
      text: { type: 'plain_text', text: 'Undo offboarding' },
      value: String(o.id),
      confirm: {
        title: { type: 'plain_text', text: 'Undo offboarding?' },
        text: {
          type: 'plain_text',
          text: truncate(`Restore ${o.address} exactly as it was before and unlock its login.`, SlackLimits.confirmText),
        },
        confirm: { type: 'plain_text', text: 'Undo' },
        deny: { type: 'plain_text', text: 'Keep' },
      },
    });
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: `offboard_status_${o.id}`, elements: buttons } satisfies ActionsBlock);
  const failed = steps.filter((step) => step.status === 'FAILED').length;
  const text = `Offboarding #${o.id} of ${o.address}: ${o.status.toLowerCase().replace('_', ' ')}${failed > 0 ? ` — ${failed} step${failed === 1 ? '' : 's'} failed` : ''}`;
  return { text: fallbackText(text), blocks };
}

/** The DM to the person mail is now forwarded to. */
export function buildForwardNotice(o: OffboardingSummary): SlackMessage {
  return plainMessage(
    `:incoming_envelope: Mail sent to *${o.address}* (${escapeMrkdwn(o.leaverName)}, who has left) now reaches you at *${escapeMrkdwn(o.forwardTo)}*. ` +
      `Senders get an automatic reply naming you until the mailbox is deleted (due ${slackDate(o.deleteAfter)}). Offboarding started by ${mention(o.initiatedById)}.`,
  );
}
