import type { Prisma } from '../../generated/prisma/client.ts';

/** The columns every message about a request shows (RequestSummary in src/views/request-messages.ts). */
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
