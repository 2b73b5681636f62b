/** Builders for `view.state.values` entries, shaped as Slack sends them for each kind of input element. */
import type { StateValue } from './types.ts';

/** A plain_text_input; `null` is what Slack sends for an untouched optional field. */
export const plainText = (value: string | null): StateValue => ({ type: 'plain_text_input', value });

export const emailText = (value: string | null): StateValue => ({ type: 'email_text_input', value });

/** number_input values arrive as strings. */
export const numberInput = (value: string | null): StateValue => ({ type: 'number_input', value });

export const staticSelect = (value: string | null, text?: string): StateValue => ({
  type: 'static_select',
  selected_option: value === null ? null : { text: { type: 'plain_text', text: text ?? value, emoji: true }, value },
});

export const usersSelect = (userId: string | null): StateValue => ({ type: 'users_select', selected_user: userId });

/** `YYYY-MM-DD` or null. */
export const datePicker = (date: string | null): StateValue => ({ type: 'datepicker', selected_date: date });

export const checkboxes = (values: string[]): StateValue => ({
  type: 'checkboxes',
  selected_options: values.map((value) => ({ text: { type: 'plain_text', text: value, emoji: true }, value })),
});
