import type { App } from '@slack/bolt';
import { type RequestEmailDeps, registerRequestEmail } from './request-email.ts';
import { type OffboardDeps, registerOffboard } from './offboard.ts';

export type ListenerDeps = RequestEmailDeps & OffboardDeps;

/** Registers every Slack surface; the manifest test calls it with a recording app. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerRequestEmail(app, deps);
  registerOffboard(app, deps);
}
