import type { KnownBlock } from '@slack/types';
import type { OffboardingSummary } from '../services/offboarding/summary.ts';
import type { SlackMessage } from '../slack/gateway.ts';
import { Actions } from '../slack/ids.ts';
import { escapeMrkdwn, fallbackText, mention, SlackLimits, section, slackDate, truncate } from './text.ts';

/** Extensions offered on the confirmation DM, in days. */
export const EXTEND_OPTIONS = [7, 30] as const;

function outcome(o: OffboardingSummary): string | undefined {
  const by = (id: string | null) => (id ? ` by ${mention(id)}` : '');
  switch (o.status) {
    case 'AWAITING_CONFIRMATION':
      return undefined;
    case 'SCHEDULED':
    case 'ACTIVE':
      return `:hourglass: Retention extended${by(o.decidedById)}: deletion is now due ${slackDate(o.deleteAfter)}, and will be asked for again then.`;
    case 'DELETING':
      return `:wastebasket: Deletion confirmed${by(o.decidedById)}; deleting…`;
    case 'DELETED':
      return `:wastebasket: Deleted (confirmed${by(o.decidedById)}).`;
    case 'CANCELLING':
    case 'CANCELLED':
      return `:leftwards_arrow_with_hook: Offboarding cancelled${by(o.cancelledById)}; the mailbox is restored.`;
  }
}

/**
 * The "retention has ended" DM (first ask and reminders alike) with Confirm delete / Extend / Cancel.
 * The decided state comes from the same builder, so every copy can be updated in place.
 */
export function buildConfirmationMessage(o: OffboardingSummary, round: number): SlackMessage {
  const intro =
    `${round > 0 ? '*Reminder:* ' : ''}The retention period for *${o.address}* (${escapeMrkdwn(o.leaverName)}) ended ${slackDate(o.deleteAfter)}. ` +
    'Mailroom deletes nothing without a confirmation. Delete the mailbox now, keep it longer, or cancel the offboarding to restore it?';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Delete ${o.address}?`, SlackLimits.headerText) } },
    section(intro),
    section(`Mail is forwarded to ${escapeMrkdwn(o.forwardTo)} · offboarding #${o.id} started by ${mention(o.initiatedById)}`),
  ];
  const decided = outcome(o);
  if (decided === undefined) {
    blocks.push({
      type: 'actions',
      block_id: `offboard_confirm_${o.id}`,
      elements: [
        {
          type: 'button',
          action_id: Actions.offboardConfirmDelete,
          style: 'danger',
          text: { type: 'plain_text', text: 'Confirm delete' },
          value: String(o.id),
          confirm: {
            title: { type: 'plain_text', text: 'Delete the mailbox?' },
            text: {
              type: 'plain_text',
              text: truncate(`${o.address} and all its mail will be deleted for good.`, SlackLimits.confirmText),
            },
            confirm: { type: 'plain_text', text: 'Delete' },
            deny: { type: 'plain_text', text: 'Keep it' },
          },
        },
        ...EXTEND_OPTIONS.map((days) => ({
          type: 'button' as const,
          action_id: `${Actions.offboardExtend}_${days}`,
          text: { type: 'plain_text' as const, text: `Extend ${days} days` },
          value: `${o.id}:${days}`,
        })),
        {
          type: 'button',
          action_id: Actions.offboardCancel,
          text: { type: 'plain_text', text: 'Cancel offboarding' },
          value: String(o.id),
        },
      ],
    });
  } else {
    blocks.push(section(decided));
  }
  const text =
    decided === undefined
      ? `Retention for ${o.address} has ended: confirm deletion, extend, or cancel`
      : `Offboarding of ${o.address}: ${o.status.toLowerCase().replace('_', ' ')}`;
  return { text: fallbackText(text), blocks };
}
