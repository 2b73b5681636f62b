import { handle, type JobHandler } from '../../platform/jobs.ts';
import { RequestDecisions } from './decisions.ts';
import { RequestDms } from './dms.ts';
import {
  type CancelResult,
  type DecisionRefusal,
  type DecisionResult,
  RequestJobs,
  type RequestServiceDeps,
  type RetryResult,
  type SubmitResult,
} from './model.ts';
import { PendingRequestSweep } from './pending-sweep.ts';
import { Provisioning } from './provisioning.ts';
import { RequestIntake } from './submit.ts';
import type { RawRequestForm } from './validation.ts';

export type { CancelResult, DecisionRefusal, DecisionResult, RequestServiceDeps, RetryResult, SubmitResult } from './model.ts';
export { secretContext } from './model.ts';

/**
 * The request → approval → mailbox flow, one file per flow behind this facade. Authorization,
 * "exactly one decision" and idempotent provisioning live in the flows; Slack handlers only
 * parse, ack and render.
 */
export class RequestService {
  private readonly intake: RequestIntake;
  private readonly decisions: RequestDecisions;
  private readonly pending: PendingRequestSweep;
  private readonly provisioning: Provisioning;
  /** The Slack messages about requests (approval DMs, notices) and their jobs. */
  private readonly dms: RequestDms;

  constructor(deps: RequestServiceDeps) {
    this.intake = new RequestIntake(deps);
    this.decisions = new RequestDecisions(deps);
    this.pending = new PendingRequestSweep(deps);
    this.provisioning = new Provisioning(deps);
    this.dms = new RequestDms(deps);
  }

  submit(requesterId: string, form: RawRequestForm): Promise<SubmitResult> {
    return this.intake.submit(requesterId, form);
  }

  checkCanDecide(requestId: number, actorId: string): Promise<{ ok: true; address: string } | DecisionRefusal> {
    return this.decisions.checkCanDecide(requestId, actorId);
  }

  decide(input: { requestId: number; actorId: string; decision: 'approve' | 'reject'; reason?: string }): Promise<DecisionResult> {
    return this.decisions.decide(input);
  }

  cancel(requestId: number, actorId: string): Promise<CancelResult> {
    return this.decisions.cancel(requestId, actorId);
  }

  sweepPending(): Promise<{ reminded: number; expired: number }> {
    return this.pending.sweepPending();
  }

  retryProvisioning(requestId: number, actorId: string): Promise<RetryResult> {
    return this.provisioning.retryProvisioning(requestId, actorId);
  }

  jobHandlers(): JobHandler[] {
    return [
      ...this.dms.jobHandlers(),
      handle(RequestJobs.provision, {
        run: (payload, context) => this.provisioning.provision(payload.requestId, context.attempt),
        onDead: (payload, error, context) => this.provisioning.markProvisioningFailed(payload.requestId, error.message, context.attempt),
      }),
    ];
  }
}
