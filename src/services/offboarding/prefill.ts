/** A mailbox to offer in the type-ahead: `value` (from mailboxOptionValue) is never cut. */
export interface MailboxChoice {
  address: string;
  value: string;
  label?: string;
}

export interface OffboardModalInput {
  /** Pre-selected mailbox, e.g. from `/offboard jane.doe@example.com`. */
  mailbox?: MailboxChoice;
  forwardTo?: string;
  /** `YYYY-MM-DD` in the company's time zone. */
  lastDay: string;
  autoReplySubject?: string;
  autoReplyBody?: string;
  retentionDays: number;
  generalContactEmail?: string;
}
