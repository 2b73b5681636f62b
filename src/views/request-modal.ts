import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { Callbacks, INPUT_ACTION, RequestFields } from '../slack/ids.ts';
import { domainOptionValue } from '../slack/option-values.ts';
import { SlackLimits, truncate } from './text.ts';

export interface RequestModalInput {
  domains: readonly string[];
  /** Pre-filled from the text typed after the command, e.g. `/request-email Jane Doe` or `jane.doe@example.com`. */
  initialFullName?: string;
  initialLocalPart?: string;
  /** One of `domains`; otherwise the first is selected. */
  initialDomain?: string;
}

/** A domain option: its text cut to Slack's 75, its value never cut (see option-values.ts). */
const domainOption = (domain: string, domains: readonly string[]): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(domain, SlackLimits.optionText) },
  value: domainOptionValue(domain, domains),
});

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a view literal, one block per field, reads best whole.
export function buildRequestModal(input: RequestModalInput): ModalView {
  const firstDomain =
    input.initialDomain && input.domains.slice(0, 100).includes(input.initialDomain) ? input.initialDomain : input.domains[0];
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: RequestFields.fullName,
      label: { type: 'plain_text', text: 'New hire’s full name' },
      element: {
        type: 'plain_text_input',
        action_id: INPUT_ACTION,
        max_length: 200,
        placeholder: { type: 'plain_text', text: 'Jane Doe' },
        ...(input.initialFullName ? { initial_value: truncate(input.initialFullName, 200) } : {}),
      },
    },
    {
      type: 'input',
      block_id: RequestFields.localPart,
      label: { type: 'plain_text', text: 'Desired address (before the @)' },
      hint: { type: 'plain_text', text: 'Letters, digits, dots, hyphens and underscores.' },
      element: {
        type: 'plain_text_input',
        action_id: INPUT_ACTION,
        max_length: 64,
        placeholder: { type: 'plain_text', text: 'jane.doe' },
        ...(input.initialLocalPart ? { initial_value: truncate(input.initialLocalPart, 64) } : {}),
      },
    },
    {
      type: 'input',
      block_id: RequestFields.domain,
      label: { type: 'plain_text', text: 'Domain' },
      element: {
        type: 'static_select',
        action_id: INPUT_ACTION,
        options: input.domains.slice(0, 100).map((domain) => domainOption(domain, input.domains)),
        ...(firstDomain ? { initial_option: domainOption(firstDomain, input.domains) } : {}),
      },
    },
    {
      type: 'input',
      block_id: RequestFields.personalEmail,
      label: { type: 'plain_text', text: 'Personal email' },
      hint: { type: 'plain_text', text: 'Outside the company: where the new hire receives their sign-in details.' },
      element: { type: 'email_text_input', action_id: INPUT_ACTION, placeholder: { type: 'plain_text', text: 'jane@gmail.com' } },
    },
    {
      type: 'input',
      block_id: RequestFields.phone,
      label: { type: 'plain_text', text: 'Cell phone' },
      element: {
        type: 'plain_text_input',
        action_id: INPUT_ACTION,
        max_length: 32,
        placeholder: { type: 'plain_text', text: '+1 415 555 0100' },
      },
    },
    {
      type: 'input',
      block_id: RequestFields.superior,
      label: { type: 'plain_text', text: 'Superior (approves the request)' },
      element: { type: 'users_select', action_id: INPUT_ACTION, placeholder: { type: 'plain_text', text: 'Choose a person' } },
    },
    {
      type: 'input',
      block_id: RequestFields.startDate,
      optional: true,
      label: { type: 'plain_text', text: 'Start date' },
      element: { type: 'datepicker', action_id: INPUT_ACTION },
    },
    {
      type: 'input',
      block_id: RequestFields.note,
      optional: true,
      label: { type: 'plain_text', text: 'Note for the approver' },
      element: { type: 'plain_text_input', action_id: INPUT_ACTION, multiline: true, max_length: 2000 },
    },
  ];
  return {
    type: 'modal',
    callback_id: Callbacks.requestModal,
    title: { type: 'plain_text', text: 'Request a mailbox' },
    submit: { type: 'plain_text', text: 'Send for approval' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}
