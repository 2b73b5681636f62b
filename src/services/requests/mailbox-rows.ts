import type { Db } from '../../platform/db-types.ts';
import type { RequestSummary } from './summary.ts';

/** What provisioning read of a request once, and hands to markActive and the new hire's deliveries. */
export type ProvisionedRequest = RequestSummary & { localPart: string; domain: string; secretCipher: string | null };

/**
 * The new hire's Staff row (by work address) and the Mailbox row, created or brought up to date:
 * two INSERT … ON DUPLICATE KEY UPDATE statements instead of Prisma's six for two upserts (each
 * reads, writes and reads back); the Mailbox takes the Staff id by a subquery on the unique address.
 */
export async function upsertStaffAndMailbox(
  db: Db,
  request: Pick<ProvisionedRequest, 'id' | 'fullName' | 'address' | 'personalEmail' | 'phone' | 'superiorId' | 'localPart' | 'domain'> & {
    provider: string;
    quotaMb: number;
  },
  now: Date,
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO Staff (fullName, workEmail, personalEmail, phone, superiorSlackId, createdAt, updatedAt)
    VALUES (${request.fullName}, ${request.address}, ${request.personalEmail}, ${request.phone}, ${request.superiorId}, ${now}, ${now})
    ON DUPLICATE KEY UPDATE fullName = VALUES(fullName), personalEmail = VALUES(personalEmail), phone = VALUES(phone),
      superiorSlackId = VALUES(superiorSlackId), updatedAt = VALUES(updatedAt)`;
  await db.$executeRaw`
    INSERT INTO Mailbox (address, localPart, domain, provider, status, quotaMb, requestId, staffId, createdAt, updatedAt)
    SELECT ${request.address}, ${request.localPart}, ${request.domain}, ${request.provider}, 'ACTIVE', ${request.quotaMb},
      ${request.id}, Staff.id, ${now}, ${now}
    FROM Staff WHERE Staff.workEmail = ${request.address}
    ON DUPLICATE KEY UPDATE localPart = VALUES(localPart), domain = VALUES(domain), provider = VALUES(provider),
      status = VALUES(status), quotaMb = VALUES(quotaMb), requestId = VALUES(requestId), staffId = VALUES(staffId),
      updatedAt = VALUES(updatedAt)`;
}
