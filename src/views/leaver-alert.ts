import type { ActionsBlock, Button, KnownBlock, ModalView } from '@slack/types';
import type { SlackMessage } from '../slack/gateway.ts';
import { Actions, Callbacks, INPUT_ACTION, LeaverFields } from '../slack/ids.ts';
import { context, escapeMrkdwn, fallbackText, mention, SlackLimits, section, slackDate, truncate, truncateMrkdwn } from './text.ts';

export type LeaverAlertStatus = 'OPEN' | 'HANDLED' | 'DISMISSED' | 'WITHDRAWN';

/** What the alert DM shows; the same builder renders every state, so open and settled copies cannot drift. */
export interface LeaverAlertSummary {
  id: number;
  slackUserId: string;
  leaverName: string;
  address: string;
  deactivatedAt: Date;
  detectedBy: string;
  status: LeaverAlertStatus;
  decidedById: string | null;
  reason: string | null;
  offboardingId: number | null;
  /** The LEAVER_AUTO_SUSPEND hold, while it is one (an Offboarding of kind LEAVER_HOLD). */
  hold: {
    id: number;
    kind: 'OFFBOARDING' | 'LEAVER_HOLD';
    status: string;
    suspend: { status: 'PENDING' | 'DONE' | 'FAILED' | 'SKIPPED'; lastError: string | null } | null;
  } | null;
}

export const REASON_MAX = 500;

function holdLine(a: LeaverAlertSummary): string | undefined {
  const hold = a.hold;
  if (!hold) return undefined;
  if (hold.status === 'CANCELLING') return ':leftwards_arrow_with_hook: Restoring its login as it was…';
  if (hold.status === 'CANCELLED') return ':leftwards_arrow_with_hook: The automatic suspension was undone; its login is as it was.';
  if (hold.kind !== 'LEAVER_HOLD') return undefined;
  switch (hold.suspend?.status) {
    case 'DONE':
      return ':lock: Mailroom suspended its login at once (`LEAVER_AUTO_SUSPEND`); mail keeps arriving. Undo restores it.';
    case 'FAILED':
      return `:x: Suspending its login failed: ${escapeMrkdwn(hold.suspend.lastError ?? 'unknown reason')}`;
    default:
      return ':hourglass_flowing_sand: Suspending its login at once (`LEAVER_AUTO_SUSPEND`)…';
  }
}

function outcomeLine(a: LeaverAlertSummary): string | undefined {
  switch (a.status) {
    case 'OPEN':
      return undefined;
    case 'HANDLED':
      return `:white_check_mark: ${a.decidedById ? mention(a.decidedById) : 'HR'} started the offboarding${a.offboardingId ? ` (#${a.offboardingId})` : ''}.`;
    case 'DISMISSED':
      return `:speech_balloon: ${a.decidedById ? mention(a.decidedById) : 'HR'} said this is not a leaver: “${escapeMrkdwn(a.reason ?? '')}”`;
    case 'WITHDRAWN':
      return `:leftwards_arrow_with_hook: ${mention(a.slackUserId)}’s Slack account was reactivated before anyone acted: this alert is withdrawn.`;
  }
}

function buttons(a: LeaverAlertSummary): Button[] {
  const list: Button[] = [
    {
      type: 'button',
      action_id: Actions.leaverStartOffboarding,
      style: 'primary',
      text: { type: 'plain_text', text: 'Start offboarding' },
      value: String(a.id),
    },
    { type: 'button', action_id: Actions.leaverNotALeaver, text: { type: 'plain_text', text: 'Not a leaver' }, value: String(a.id) },
  ];
  if (a.hold?.kind === 'LEAVER_HOLD' && a.hold.status === 'ACTIVE') {
    list.push({
      type: 'button',
      action_id: Actions.offboardUndo,
      text: { type: 'plain_text', text: 'Undo suspension' },
      value: String(a.hold.id),
      confirm: {
        title: { type: 'plain_text', text: 'Undo the suspension?' },
        text: { type: 'plain_text', text: truncate(`Unlock the login of ${a.address} as it was before.`, SlackLimits.confirmText) },
        confirm: { type: 'plain_text', text: 'Undo' },
        deny: { type: 'plain_text', text: 'Keep' },
      },
    });
  }
  return list;
}

/** HR's DM about a leaver nobody offboarded: who, which mailbox, since when, and what to do. */
export function buildLeaverAlertMessage(a: LeaverAlertSummary): SlackMessage {
  const found = a.detectedBy === 'daily_check' ? ' (found by the daily check of Slack’s member list)' : '';
  const lines = [
    `:warning: ${mention(a.slackUserId)} (${escapeMrkdwn(a.leaverName)}) was deactivated in Slack ${slackDate(a.deactivatedAt)}${found}, ` +
      `but still owns the active mailbox *${escapeMrkdwn(a.address)}*, and no offboarding is open for it.`,
    holdLine(a),
    outcomeLine(a),
  ].filter((line): line is string => Boolean(line));
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Leaver: ${a.address}`, SlackLimits.headerText) } },
    section(truncateMrkdwn(lines.join('\n'), SlackLimits.sectionText)),
  ];
  if (a.status === 'OPEN') {
    blocks.push({ type: 'actions', block_id: `leaver_alert_${a.id}`, elements: buttons(a) } satisfies ActionsBlock);
    blocks.push(
      context(
        'Start offboarding opens the usual form, pre-filled. Not a leaver asks why and records it. Every HR person got this message.',
      ),
    );
  }
  const state = a.status === 'OPEN' ? 'needs a decision' : a.status.toLowerCase();
  return { text: fallbackText(`Leaver ${escapeMrkdwn(a.leaverName)} still owns ${escapeMrkdwn(a.address)} (${state})`), blocks };
}

/** "Not a leaver": why. `private_metadata` carries only the alert id. */
export function buildDismissModal(input: { alertId: number; address: string; leaverName: string }): ModalView {
  return {
    type: 'modal',
    callback_id: Callbacks.leaverDismissModal,
    private_metadata: JSON.stringify({ alertId: input.alertId }),
    title: { type: 'plain_text', text: 'Not a leaver' },
    submit: { type: 'plain_text', text: 'Record' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'plain_text',
          text: truncate(
            `Why is ${input.leaverName} not leaving, or why does ${input.address} stay as it is? Every HR person who got the alert will see this.`,
            SlackLimits.sectionText,
          ),
        },
      },
      {
        type: 'input',
        block_id: LeaverFields.reason,
        label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: INPUT_ACTION, multiline: true, min_length: 3, max_length: REASON_MAX },
      },
    ],
  };
}
