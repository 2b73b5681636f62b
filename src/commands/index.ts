import type { App } from '@slack/bolt';
import { type HomeDeps, registerHome } from './home.ts';
import { type LeaverDeps, registerLeavers } from './leavers.ts';
import { type OffboardDeps, registerOffboard } from './offboard.ts';
import { type ReconcileDeps, registerReconcile } from './reconcile.ts';
import { type RequestEmailDeps, registerRequestEmail } from './request-email.ts';
import { type ResetPasswordDeps, registerResetPassword } from './reset-password.ts';

export type ListenerDeps = RequestEmailDeps & OffboardDeps & HomeDeps & ResetPasswordDeps & LeaverDeps & ReconcileDeps;

/** Registers every Slack surface; the manifest test calls it with a recording app. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerRequestEmail(app, deps);
  registerOffboard(app, deps);
  registerHome(app, deps);
  registerResetPassword(app, deps);
  registerLeavers(app, deps);
  registerReconcile(app, deps);
}
