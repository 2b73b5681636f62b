import type { OffboardingStatus } from '../offboarding/summary.ts';
import type { RequestStatus } from '../requests/summary.ts';

/** Each list on the Home tab shows at most this many rows (3 lists × 10 rows stays far below 100 blocks). */
export const HOME_LIST_MAX = 10;

export interface WaitingRequest {
  id: number;
  address: string;
  fullName: string;
  requesterId: string;
  createdAt: Date;
  escalatedAt: Date | null;
}

export interface OwnRequest {
  id: number;
  address: string;
  fullName: string;
  status: RequestStatus;
  superiorId: string;
  approverIds: string[];
  routedToAdmins: boolean;
  escalatedAt: Date | null;
  decidedById: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  failureReason: string | null;
  createdAt: Date;
}

export interface OpenOffboarding {
  id: number;
  address: string;
  leaverName: string;
  initiatedById: string;
  status: OffboardingStatus;
  runAt: Date;
  deleteAfter: Date;
  failedSteps: number;
}

/** A list of at most HOME_LIST_MAX rows and how many there are in all. */
export interface HomeList<T> {
  items: T[];
  total: number;
}

/** What one person's Home tab shows; loaded by HomeService with explicit selects (no secrets, no contact details). */
export interface HomeData {
  userId: string;
  isHr: boolean;
  /** Slack could not say whether the user is in the HR user group just now. */
  hrCheckFailed: boolean;
  waiting: HomeList<WaitingRequest>;
  mine: HomeList<OwnRequest>;
  /** HR only. */
  offboardings?: HomeList<OpenOffboarding>;
  /** Admins only: FAILED requests waiting for someone to press Retry. */
  failedCount?: number;
}
