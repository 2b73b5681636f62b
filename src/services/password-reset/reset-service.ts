import type { Config } from '../../config.ts';
import type { JobHandler } from '../../platform/jobs.ts';
import type { TemplateSettings } from '../notifications/model.ts';
import { type ResetDecisionResult, ResetDecisions } from './decide.ts';
import { ResetDms } from './dms.ts';
import type { ResetDeps, ResetSettings } from './model.ts';
import { ResetStart, type StartResult } from './start.ts';

export type { ResetDecisionResult, StartResult };

/** Self-service password reset (`/reset-email-password`): the facade the Slack listeners and the composition root see. */
export class PasswordResetService {
  readonly #start: ResetStart;
  readonly #decisions: ResetDecisions;
  readonly #dms: ResetDms;

  constructor(deps: ResetDeps) {
    this.#start = new ResetStart(deps);
    this.#decisions = new ResetDecisions(deps);
    this.#dms = new ResetDms(deps);
  }

  start(userId: string, text: string): Promise<StartResult> {
    return this.#start.start(userId, text);
  }

  decide(resetId: number, actorId: string, decision: 'approve' | 'reject'): Promise<ResetDecisionResult> {
    return this.#decisions.decide(resetId, actorId, decision);
  }

  jobHandlers(): JobHandler[] {
    return this.#dms.jobHandlers();
  }
}

/** The reset's settings from the validated config (RESET_LIMIT_PER_DAY, the link's PUBLIC_URL and lifetime). */
export function resetSettings(config: Config, templates: TemplateSettings): ResetSettings {
  return {
    ...templates,
    adminIds: config.ADMIN_USER_IDS,
    limitPerDay: config.RESET_LIMIT_PER_DAY,
    ttlHours: config.CREDENTIAL_LINK_TTL_HOURS,
    publicUrl: config.PUBLIC_URL,
    phoneRegion: config.DEFAULT_PHONE_REGION,
  };
}
