import type { KnownBlock, ModalView, Option, PlainTextOption } from '@slack/types';
import type { MailboxChoice, OffboardModalInput } from '../services/offboarding/prefill.ts';
import { Actions, Callbacks, INPUT_ACTION, OffboardFields, OffboardOptions } from '../slack/ids.ts';
import { SlackLimits, truncate } from './text.ts';

/** The plain_text_input limits of the auto-reply fields; pre-filled text is cut to them. */
const SUBJECT_MAX = 200;
const BODY_MAX = 3000;

export function mailboxOption(choice: MailboxChoice): PlainTextOption {
  return { text: { type: 'plain_text', text: truncate(choice.label ?? choice.address, SlackLimits.optionText) }, value: choice.value };
}

const checkbox = (value: string, text: string, description: string): Option => ({
  text: { type: 'plain_text', text },
  description: { type: 'plain_text', text: description },
  value,
});

/** `/offboard`'s modal. Forward-to and the auto-reply are optional: left empty, the service fills them from the staff record. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a view literal, one block per field, reads best whole.
export function buildOffboardModal(input: OffboardModalInput): ModalView {
  const suspend = checkbox(
    OffboardOptions.suspendLogin,
    'Suspend login',
    'The leaver can no longer sign in, send or read; mail keeps arriving.',
  );
  const removeOwn = checkbox(
    OffboardOptions.removeOwnForwarders,
    'Remove the leaver’s own forwarders',
    'Stops copies going to addresses the leaver set up.',
  );
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: OffboardFields.mailbox,
      label: { type: 'plain_text', text: 'Mailbox' },
      hint: { type: 'plain_text', text: 'Type part of the address. A mailbox Mailroom does not manage yet can be typed in full.' },
      element: {
        type: 'external_select',
        action_id: Actions.offboardMailboxSearch,
        min_query_length: 1,
        placeholder: { type: 'plain_text', text: 'jane.doe@example.com' },
        ...(input.mailbox ? { initial_option: mailboxOption(input.mailbox) } : {}),
      },
    },
    {
      type: 'input',
      block_id: OffboardFields.forwardTo,
      optional: true,
      label: { type: 'plain_text', text: 'Forward mail to' },
      hint: { type: 'plain_text', text: 'Usually the leaver’s superior. Empty: the superior on the staff record.' },
      element: {
        type: 'email_text_input',
        action_id: INPUT_ACTION,
        placeholder: { type: 'plain_text', text: 'sam.superior@example.com' },
        ...(input.forwardTo ? { initial_value: input.forwardTo } : {}),
      },
    },
    {
      type: 'input',
      block_id: OffboardFields.lastDay,
      label: { type: 'plain_text', text: 'Last working day' },
      hint: { type: 'plain_text', text: 'Today or earlier: the steps run at once. Later: on that day.' },
      element: { type: 'datepicker', action_id: INPUT_ACTION, initial_date: input.lastDay },
    },
    {
      type: 'input',
      block_id: OffboardFields.autoReplySubject,
      optional: true,
      label: { type: 'plain_text', text: 'Auto-reply subject' },
      element: {
        type: 'plain_text_input',
        action_id: INPUT_ACTION,
        max_length: SUBJECT_MAX,
        // A 200-character name makes a longer default subject: the pre-fill must fit max_length.
        ...(input.autoReplySubject ? { initial_value: truncate(input.autoReplySubject, SUBJECT_MAX) } : {}),
      },
    },
    {
      type: 'input',
      block_id: OffboardFields.autoReplyBody,
      optional: true,
      label: { type: 'plain_text', text: 'Auto-reply message' },
      hint: {
        type: 'plain_text',
        text: truncate(
          `Empty: a standard message naming the person mail is forwarded to${input.generalContactEmail ? ` and ${input.generalContactEmail}` : ''}.`,
          SlackLimits.inputHint,
        ),
      },
      element: {
        type: 'plain_text_input',
        action_id: INPUT_ACTION,
        multiline: true,
        max_length: BODY_MAX,
        ...(input.autoReplyBody ? { initial_value: truncate(input.autoReplyBody, BODY_MAX) } : {}),
      },
    },
    {
      type: 'input',
      block_id: OffboardFields.retentionDays,
      label: { type: 'plain_text', text: 'Keep the mailbox for (days)' },
      hint: { type: 'plain_text', text: 'After this, HR is asked to confirm the deletion. 0 asks at once.' },
      element: {
        type: 'number_input',
        action_id: INPUT_ACTION,
        is_decimal_allowed: false,
        min_value: '0',
        max_value: '3650',
        initial_value: String(input.retentionDays),
      },
    },
    {
      type: 'input',
      block_id: OffboardFields.options,
      optional: true,
      label: { type: 'plain_text', text: 'Options' },
      element: { type: 'checkboxes', action_id: INPUT_ACTION, options: [suspend, removeOwn], initial_options: [suspend, removeOwn] },
    },
  ];
  return {
    type: 'modal',
    callback_id: Callbacks.offboardModal,
    title: { type: 'plain_text', text: 'Offboard a mailbox' },
    submit: { type: 'plain_text', text: 'Offboard' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}
