import type { App } from '@slack/bolt';
import type { PasswordResetService } from '../services/password-reset/reset-service.ts';
import { Actions, Commands } from '../slack/ids.ts';
import { onIdButton, tellClicker } from './buttons.ts';

export interface ResetPasswordDeps {
  passwordReset: PasswordResetService;
}

/** `/reset-email-password [address]` and the approvers' Approve / Reject buttons. */
export function registerResetPassword(app: App, deps: ResetPasswordDeps): void {
  app.command(Commands.resetEmailPassword, async ({ ack, command, respond }) => {
    await ack();
    const result = await deps.passwordReset.start(command.user_id, command.text);
    await tellClicker(respond, result.message);
  });
  onIdButton(app, Actions.resetApprove, async ({ id, userId, respond }) => {
    const result = await deps.passwordReset.decide(id, userId, 'approve');
    if (!result.ok) await tellClicker(respond, result.message);
  });
  onIdButton(app, Actions.resetReject, async ({ id, userId, respond }) => {
    const result = await deps.passwordReset.decide(id, userId, 'reject');
    if (!result.ok) await tellClicker(respond, result.message);
  });
}
