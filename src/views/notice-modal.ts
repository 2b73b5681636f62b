import type { ModalView } from '@slack/types';
import { SlackLimits, section, truncate } from './text.ts';

/** A read-only modal that only says something: the answer to a click that has no response_url (the Home tab). */
export function buildNoticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: truncate(title, SlackLimits.viewTitle) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(text)],
  };
}
