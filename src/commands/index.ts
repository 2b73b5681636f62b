import type { App } from '@slack/bolt';
import { type HomeDeps, registerHome } from './home.ts';
import { type OffboardDeps, registerOffboard } from './offboard.ts';
import { type ReconcileDeps, registerReconcile } from './reconcile.ts';
import { type RequestEmailDeps, registerRequestEmail } from './request-email.ts';

export type ListenerDeps = RequestEmailDeps & OffboardDeps & HomeDeps & ReconcileDeps;

/** Registers every Slack surface; the manifest test calls it with a recording app. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerRequestEmail(app, deps);
  registerOffboard(app, deps);
  registerHome(app, deps);
  registerReconcile(app, deps);
}
