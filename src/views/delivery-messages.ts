import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from '../slack/gateway.ts';
import { escapeMrkdwn, fallbackText, section } from './text.ts';

export interface FailedDelivery {
  id: number;
  channel: 'SMS' | 'EMAIL';
  recipient: string;
  template: string;
  lastError: string | null;
  requestId: number | null;
}

/** The admins' alert when a message carrying sign-in details could not be delivered. No secret in it. */
export function buildDeliveryFailedAlert(delivery: FailedDelivery): SlackMessage {
  const what = delivery.channel === 'SMS' ? 'SMS' : 'email';
  const request = delivery.requestId ? ` for request #${delivery.requestId}` : '';
  const text =
    `:warning: The ${what} with sign-in details${request} could not be delivered to ${escapeMrkdwn(delivery.recipient)}: ` +
    `${escapeMrkdwn(delivery.lastError ?? 'unknown error')}\n` +
    'If the new hire received none of their messages, reset the mailbox password and hand it over yourself.';
  const blocks: KnownBlock[] = [section(text)];
  return { text: fallbackText(`The ${what} with sign-in details${request} could not be delivered`), blocks };
}
