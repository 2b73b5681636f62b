export type OffboardingStatus = 'SCHEDULED' | 'ACTIVE' | 'AWAITING_CONFIRMATION' | 'DELETING' | 'DELETED' | 'CANCELLING' | 'CANCELLED';

export type OffboardingStepStatus = 'PENDING' | 'DONE' | 'FAILED' | 'SKIPPED';

export interface OffboardingStepSummary {
  kind: string;
  status: OffboardingStepStatus;
  lastError: string | null;
  /** What HR should know about a done step (e.g. the server keeps no auto-reply end date). */
  note?: string | null;
  attempts: number;
  doneAt: Date | null;
}

/** What the offboarding messages show; loaded with an explicit select. */
export interface OffboardingSummary {
  id: number;
  address: string;
  leaverName: string;
  initiatedById: string;
  forwardTo: string;
  lastDay: Date;
  runAt: Date;
  deleteAfter: Date;
  retentionDays: number;
  status: OffboardingStatus;
  decidedById: string | null;
  decidedAt: Date | null;
  cancelledById: string | null;
  completedAt: Date | null;
  steps: OffboardingStepSummary[];
}
