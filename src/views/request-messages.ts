import type { ActionsBlock, KnownBlock } from '@slack/types';
import type { RequestSummary } from '../services/requests/summary.ts';
import type { SlackMessage } from '../slack/gateway.ts';
import { Actions } from '../slack/ids.ts';
import {
  context,
  escapeMrkdwn,
  fallbackText,
  mention,
  plainMessage,
  SlackLimits,
  section,
  slackDate,
  truncate,
  truncateMrkdwn,
} from './text.ts';

function outcomeLine(request: RequestSummary): string | undefined {
  const who = request.decidedById ? mention(request.decidedById) : 'someone';
  const when = request.decidedAt ? ` on ${slackDate(request.decidedAt)}` : '';
  switch (request.status) {
    case 'PENDING_APPROVAL':
      return undefined;
    case 'APPROVED':
    case 'PROVISIONING':
      return `:white_check_mark: *Approved* by ${who}${when}. Creating the mailbox…`;
    case 'ACTIVE':
      return `:white_check_mark: *Approved* by ${who}${when}. The mailbox *${request.address}* now exists.`;
    case 'FAILED':
      return `:white_check_mark: *Approved* by ${who}${when}. :warning: Creating the mailbox failed: ${escapeMrkdwn(request.failureReason ?? 'unknown reason')}`;
    case 'REJECTED':
      return `:x: *Rejected* by ${who}${when}. Reason: ${escapeMrkdwn(request.decisionReason ?? '')}`;
    case 'CANCELLED':
      return `:no_entry_sign: *Cancelled* by ${who}${when}; nothing to decide any more.`;
    case 'EXPIRED':
      return ':hourglass: *Expired* without a decision.';
  }
}

/**
 * The approver's DM, pending and decided alike: one builder so the two states cannot drift.
 * Buttons exist only while the request is pending; their value is the request id, nothing more.
 */
export function buildApprovalMessage(request: RequestSummary): SlackMessage {
  const fields = [
    `*New hire*\n${escapeMrkdwn(request.fullName)}`,
    `*Address*\n${request.address}`,
    `*Requested by*\n${mention(request.requesterId)}`,
    `*Superior*\n${mention(request.superiorId)}`,
    `*Personal email*\n${escapeMrkdwn(request.personalEmail)}`,
    `*Cell phone*\n${request.phone}`,
  ];
  if (request.startDate) fields.push(`*Start date*\n${request.startDate.toISOString().slice(0, 10)}`);

  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Mailbox request #${request.id}`, SlackLimits.headerText) } },
    section(`${mention(request.requesterId)} asks for a mailbox for *${escapeMrkdwn(request.fullName)}*.`),
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text: truncateMrkdwn(text, SlackLimits.sectionField) })) },
  ];
  // The note is the requester's own words, shown as plain text: no formatting, quote or link in it is read.
  if (request.note)
    blocks.push(section('*Note*'), {
      type: 'section',
      text: { type: 'plain_text', text: truncate(request.note, SlackLimits.sectionText), emoji: false },
    });
  if (request.routedToAdmins) {
    blocks.push(
      context(`Sent to the admins because ${mention(request.requesterId)} is the new hire’s superior: nobody approves their own request.`),
    );
  }
  if (request.escalatedAt) {
    blocks.push(
      context(
        `Escalated to the admins on ${slackDate(request.escalatedAt)}: nobody had decided after several reminders. Any admin may decide.`,
      ),
    );
  }
  const outcome = outcomeLine(request);
  if (outcome === undefined) {
    const actions: ActionsBlock = {
      type: 'actions',
      block_id: `decision_${request.id}`,
      elements: [
        {
          type: 'button',
          action_id: Actions.approve,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value: String(request.id),
        },
        {
          type: 'button',
          action_id: Actions.reject,
          style: 'danger',
          text: { type: 'plain_text', text: 'Reject' },
          value: String(request.id),
        },
      ],
    };
    blocks.push(actions);
  } else {
    blocks.push(section(outcome));
  }
  const text =
    outcome === undefined
      ? `Mailbox request #${request.id}: ${escapeMrkdwn(request.fullName)} (${request.address}) — approve or reject`
      : `Mailbox request #${request.id} for ${request.address}: ${request.status.toLowerCase().replace('_', ' ')}`;
  return { text: fallbackText(text), blocks };
}

/**
 * The requester's "on its way" notice, in every state: the Cancel button exists only while the
 * request is pending; afterwards the notice says what became of it.
 */
export function buildSubmittedNotice(request: RequestSummary, approverIds: readonly string[]): SlackMessage {
  // "to the admins (…) for approval, because you are …": the reason after the whole phrase, not inside it.
  const to = request.routedToAdmins
    ? `the admins (${approverIds.map(mention).join(', ')}) for approval, because you are the new hire’s superior`
    : `${mention(request.superiorId)} for approval`;
  const outcome = outcomeLine(request);
  if (outcome === undefined) {
    const text = `:outbox_tray: Your request #${request.id} for *${request.address}* (${escapeMrkdwn(request.fullName)}) is on its way to ${to}.`;
    return {
      text: fallbackText(text),
      blocks: [
        section(text),
        {
          type: 'actions',
          block_id: `cancel_${request.id}`,
          elements: [
            {
              type: 'button',
              action_id: Actions.cancelRequest,
              text: { type: 'plain_text', text: 'Cancel request' },
              value: String(request.id),
            },
          ],
        },
      ],
    };
  }
  if (request.status === 'CANCELLED' && request.decidedById === request.requesterId) return buildCancelledNotice(request);
  const text = `:outbox_tray: Your request #${request.id} for *${request.address}* (${escapeMrkdwn(request.fullName)}) went to ${to}.`;
  return {
    text: `Your request #${request.id} for ${request.address}: ${request.status.toLowerCase().replace('_', ' ')}`,
    blocks: [section(text), section(outcome)],
  };
}

/** Replaces the requester's notice once they cancelled: no button left to press. */
export function buildCancelledNotice(request: RequestSummary): SlackMessage {
  return plainMessage(
    `:no_entry_sign: You cancelled request #${request.id} for *${request.address}* (${escapeMrkdwn(request.fullName)}). The approvers were told; the address is free again.`,
  );
}

export function buildDecisionNotice(request: RequestSummary): SlackMessage {
  const who = request.decidedById ? mention(request.decidedById) : 'An approver';
  if (request.status === 'REJECTED') {
    return plainMessage(
      `:x: ${who} rejected your request #${request.id} for *${request.address}*.\nReason: ${escapeMrkdwn(request.decisionReason ?? '')}`,
    );
  }
  return plainMessage(`:white_check_mark: ${who} approved your request #${request.id} for *${request.address}*. Creating the mailbox now.`);
}

export function buildMailboxReadyNotice(request: RequestSummary): SlackMessage {
  return plainMessage(
    `:tada: The mailbox *${request.address}* for ${escapeMrkdwn(request.fullName)} is ready (request #${request.id}). ` +
      'Its password was generated by Mailroom and is kept encrypted until it is delivered to the new hire; it is never posted in Slack.',
  );
}

export function buildProvisioningFailedNotice(request: RequestSummary): SlackMessage {
  return plainMessage(
    `:warning: Creating *${request.address}* (request #${request.id}) failed: ${escapeMrkdwn(request.failureReason ?? 'unknown reason')}\n` +
      'The admins have been told and will follow up; there is nothing you need to do.',
  );
}

/** The admins' alert when provisioning failed for good, with a Retry button. */
export function buildAdminFailureMessage(request: RequestSummary, attempts: number): SlackMessage {
  const text = `Provisioning failed for request #${request.id} (${request.address}) after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${escapeMrkdwn(request.failureReason ?? 'unknown reason')}`;
  const blocks: KnownBlock[] = [
    section(
      `:rotating_light: *Provisioning failed* for request #${request.id}: *${request.address}* (${escapeMrkdwn(request.fullName)}), ` +
        `requested by ${mention(request.requesterId)}, approved by ${request.decidedById ? mention(request.decidedById) : 'unknown'}.\n` +
        `After ${attempts} attempt${attempts === 1 ? '' : 's'}: ${escapeMrkdwn(request.failureReason ?? 'unknown reason')}`,
    ),
  ];
  if (request.status === 'FAILED') {
    blocks.push({
      type: 'actions',
      block_id: `retry_${request.id}`,
      elements: [
        { type: 'button', action_id: Actions.retryProvisioning, text: { type: 'plain_text', text: 'Retry' }, value: String(request.id) },
      ],
    });
  }
  return { text: fallbackText(text), blocks };
}

/** The approvers' nudge for a request still waiting; the decision itself stays on the original message. */
export function buildReminderMessage(request: RequestSummary, approvalLink: string | undefined): SlackMessage {
  const where = approvalLink
    ? `<${approvalLink}|Open the request to approve or reject it>.`
    : 'Approve or reject it on the request message above.';
  return plainMessage(
    `:bell: Reminder: request #${request.id} from ${mention(request.requesterId)} for a mailbox for *${escapeMrkdwn(request.fullName)}* ` +
      `(${request.address}) is still waiting for your decision. ${where}`,
  );
}

export function buildExpiredNotice(request: RequestSummary, days: number): SlackMessage {
  return plainMessage(
    `:hourglass: Your request #${request.id} for *${request.address}* (${escapeMrkdwn(request.fullName)}) expired after ${days} day${days === 1 ? '' : 's'} without a decision. ` +
      'The address is free again; file a new request if the mailbox is still needed.',
  );
}
