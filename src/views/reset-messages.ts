import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from '../slack/gateway.ts';
import { Actions } from '../slack/ids.ts';
import { context, escapeMrkdwn, fallbackText, mention, plainMessage, SlackLimits, section, slackDate, truncate } from './text.ts';

/** What every message about a password reset shows. */
export interface ResetSummary {
  id: number;
  address: string;
  requesterId: string;
  ownerSlackId: string | null;
  approverIds: string[];
  status: 'PENDING_APPROVAL' | 'APPROVED' | 'CHANGING' | 'DONE' | 'REJECTED' | 'FAILED';
  decidedById: string | null;
  decidedAt: Date | null;
  failureReason: string | null;
}

const owner = (reset: ResetSummary) => (reset.ownerSlackId ? mention(reset.ownerSlackId) : 'the owner');

function outcomeLine(reset: ResetSummary): string | undefined {
  const who = reset.decidedById ? mention(reset.decidedById) : 'someone';
  const when = reset.decidedAt ? ` on ${slackDate(reset.decidedAt)}` : '';
  switch (reset.status) {
    case 'PENDING_APPROVAL':
      return undefined;
    case 'APPROVED':
    case 'CHANGING':
      return `:white_check_mark: *Approved* by ${who}${when}. Setting the new password…`;
    case 'DONE':
      return `:white_check_mark: *Approved* by ${who}${when}. The new password is set; ${owner(reset)} got a one-time link to it.`;
    case 'REJECTED':
      return `:x: *Rejected* by ${who}${when}. The password was not changed.`;
    case 'FAILED':
      return `:warning: The password could not be changed: ${escapeMrkdwn(reset.failureReason ?? 'unknown reason')}`;
  }
}

/** The approver's DM, pending and decided alike; buttons carry the reset id only, while it is pending. */
export function buildResetApprovalMessage(reset: ResetSummary): SlackMessage {
  const ask = `${mention(reset.requesterId)} asks to reset the password of *${reset.address}* (owner: ${owner(reset)}).`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Password reset #${reset.id}`, SlackLimits.headerText) } },
    section(ask),
    context('Approving sets a new password at once; the old one stops working. The new one goes to the owner only, as a one-time link.'),
  ];
  const outcome = outcomeLine(reset);
  if (outcome) blocks.push(section(outcome));
  else {
    blocks.push({
      type: 'actions',
      block_id: `reset_decision_${reset.id}`,
      elements: [
        {
          type: 'button',
          action_id: Actions.resetApprove,
          text: { type: 'plain_text', text: 'Approve' },
          style: 'primary',
          value: String(reset.id),
        },
        {
          type: 'button',
          action_id: Actions.resetReject,
          text: { type: 'plain_text', text: 'Reject' },
          style: 'danger',
          value: String(reset.id),
        },
      ],
    });
  }
  return { text: fallbackText(outcome ? `Password reset #${reset.id}: ${outcome}` : ask), blocks };
}

/** A DM to the requester or the owner about where the reset stands. */
export function buildResetNotice(reset: ResetSummary, to: 'requester' | 'owner'): SlackMessage {
  const approvers = reset.approverIds.map(mention).join(', ') || 'an admin';
  const by = mention(reset.requesterId);
  switch (reset.status) {
    case 'PENDING_APPROVAL':
      return plainMessage(
        to === 'owner'
          ? `:lock: ${by} asked to reset the password of your mailbox *${reset.address}*. ${approvers} must approve it first; you will hear either way.`
          : `:hourglass: Asked ${approvers} to approve resetting the password of *${reset.address}*. You will hear the outcome here.`,
      );
    case 'APPROVED':
    case 'CHANGING':
      return plainMessage(
        `:white_check_mark: Resetting the password of *${reset.address}* was approved by ${mention(reset.decidedById ?? '')}.`,
      );
    case 'REJECTED':
      return plainMessage(
        `:x: ${mention(reset.decidedById ?? '')} rejected resetting the password of *${reset.address}*${to === 'owner' ? ` (asked by ${by})` : ''}. Nothing was changed.`,
      );
    case 'DONE':
      return plainMessage(
        `:white_check_mark: The password of *${reset.address}* was reset. ${owner(reset)} got a one-time link to the new one.`,
      );
    case 'FAILED':
      return plainMessage(
        `:warning: The password of *${reset.address}* could not be reset: ${escapeMrkdwn(reset.failureReason ?? 'unknown reason')}. The old password still works.`,
      );
  }
}

/** The owner's DM with the one-time link (the link is as secret as the password: it is never logged or stored). */
export function buildResetLinkMessage(address: string, link: string, ttlHours: number): SlackMessage {
  const text = `:key: The password of *${address}* was reset; the old one no longer works. Open this link to see the new password (it works once, for ${ttlHours} hours): <${link}>`;
  return { text: fallbackText(`New password for ${address}: a one-time link`), blocks: [section(text)] };
}
