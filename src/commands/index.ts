import type { App } from '@slack/bolt';
import { type RequestEmailDeps, registerRequestEmail } from './request-email.ts';

export type ListenerDeps = RequestEmailDeps;

/** Registers every Slack surface; the manifest test calls it with a recording app. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerRequestEmail(app, deps);
}
