import type { ModalView } from '@slack/types';
import { Callbacks, INPUT_ACTION, RejectFields } from '../slack/ids.ts';
import { truncate } from './text.ts';

/** `private_metadata` carries only the request id; everything else is reloaded from MySQL. */
export function buildRejectModal(input: { requestId: number; address: string }): ModalView {
  return {
    type: 'modal',
    callback_id: Callbacks.rejectModal,
    private_metadata: JSON.stringify({ requestId: input.requestId }),
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'plain_text',
          text: truncate(`Why are you rejecting the request for ${input.address}? The requester and the new hire will see this.`, 3000),
        },
      },
      {
        type: 'input',
        block_id: RejectFields.reason,
        label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: INPUT_ACTION, multiline: true, min_length: 3, max_length: 1000 },
      },
    ],
  };
}
