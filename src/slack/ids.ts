/** Every Slack id the code registers or renders, in one place (manifest.yml is checked against it). */
export const Commands = {
  requestEmail: '/request-email',
} as const;

export const Callbacks = {
  requestModal: 'request_email_modal',
  rejectModal: 'reject_reason_modal',
} as const;

export const Actions = {
  approve: 'request_approve',
  reject: 'request_reject',
  retryProvisioning: 'request_retry_provisioning',
} as const;

/** Block ids of the request modal's inputs; services report field errors with these keys. */
export const RequestFields = {
  fullName: 'full_name',
  localPart: 'local_part',
  domain: 'domain',
  personalEmail: 'personal_email',
  phone: 'phone',
  superior: 'superior',
  startDate: 'start_date',
  note: 'note',
} as const;

export type RequestField = (typeof RequestFields)[keyof typeof RequestFields];

export const RejectFields = {
  reason: 'reason',
} as const;

/** The single action_id used inside each input block (block ids tell the fields apart). */
export const INPUT_ACTION = 'value' as const;
