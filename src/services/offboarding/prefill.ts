export interface OffboardModalInput {
  /** Pre-selected mailbox, e.g. from `/offboard jane.doe@example.com`. */
  mailbox?: { address: string; label?: string };
  forwardTo?: string;
  /** `YYYY-MM-DD` in the company's time zone. */
  lastDay: string;
  autoReplySubject?: string;
  autoReplyBody?: string;
  retentionDays: number;
  generalContactEmail?: string;
}
