import type { Prisma } from '../../generated/prisma/client.ts';

/** The columns every message about a request shows (RequestSummary below). */
export const summarySelect = {
  id: true,
  fullName: true,
  address: true,
  personalEmail: true,
  phone: true,
  requesterId: true,
  superiorId: true,
  routedToAdmins: true,
  escalatedAt: true,
  startDate: true,
  note: true,
  status: true,
  decidedById: true,
  decidedAt: true,
  decisionReason: true,
  failureReason: true,
} satisfies Prisma.EmailRequestSelect;

export type RequestStatus = 'PENDING_APPROVAL' | 'APPROVED' | 'PROVISIONING' | 'ACTIVE' | 'FAILED' | 'REJECTED' | 'CANCELLED' | 'EXPIRED';

/** What the messages about a request show; loaded with an explicit select. */
export interface RequestSummary {
  id: number;
  fullName: string;
  address: string;
  personalEmail: string;
  phone: string;
  requesterId: string;
  superiorId: string;
  routedToAdmins: boolean;
  /** Set once unanswered reminders brought the admins in. */
  escalatedAt: Date | null;
  startDate: Date | null;
  note: string | null;
  status: RequestStatus;
  decidedById: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  failureReason: string | null;
}
