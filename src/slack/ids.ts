/** Every Slack id the code registers or renders, in one place (manifest.yml is checked against it). */
export const Commands = {
  requestEmail: '/request-email',
  offboard: '/offboard',
  resetEmailPassword: '/reset-email-password',
} as const;

export const Callbacks = {
  requestModal: 'request_email_modal',
  rejectModal: 'reject_reason_modal',
  offboardModal: 'offboard_modal',
  leaverDismissModal: 'leaver_dismiss_modal',
  adoptModal: 'reconcile_adopt_modal',
} as const;

export const Actions = {
  approve: 'request_approve',
  reject: 'request_reject',
  retryProvisioning: 'request_retry_provisioning',
  cancelRequest: 'request_cancel',
  offboardMailboxSearch: 'offboard_mailbox_search',
  offboardRetry: 'offboard_retry',
  offboardUndo: 'offboard_undo',
  offboardConfirmDelete: 'offboard_confirm_delete',
  offboardExtend: 'offboard_extend',
  offboardCancel: 'offboard_cancel',
  homeRequestMailbox: 'home_request_mailbox',
  homeOffboardMailbox: 'home_offboard_mailbox',
  resetApprove: 'reset_approve',
  resetReject: 'reset_reject',
  leaverStartOffboarding: 'leaver_start_offboarding',
  leaverNotALeaver: 'leaver_not_a_leaver',
  reconcileAdopt: 'reconcile_adopt',
} as const;

/** Block id of the Adopt modal's owner select. */
export const AdoptFields = {
  owner: 'adopt_owner',
} as const;

/** Events API events the app subscribes to (manifest.yml `bot_events`). */
export const Events = {
  appHomeOpened: 'app_home_opened',
  /** A member's account changed; `user.deleted` says whether it was deactivated (users:read). */
  userChange: 'user_change',
} as const;

/** Block id of the "Not a leaver" modal's one input. */
export const LeaverFields = {
  reason: 'leaver_dismiss_reason',
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

/** Block ids of the offboarding modal's inputs (the mailbox select uses Actions.offboardMailboxSearch). */
export const OffboardFields = {
  mailbox: 'offboard_mailbox',
  forwardTo: 'offboard_forward_to',
  lastDay: 'offboard_last_day',
  autoReplySubject: 'offboard_reply_subject',
  autoReplyBody: 'offboard_reply_body',
  retentionDays: 'offboard_retention_days',
  options: 'offboard_options',
} as const;

export type OffboardField = (typeof OffboardFields)[keyof typeof OffboardFields];

/** Values of the offboarding modal's checkboxes. */
export const OffboardOptions = {
  suspendLogin: 'suspend_login',
  removeOwnForwarders: 'remove_own_forwarders',
} as const;
