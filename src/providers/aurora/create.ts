/**
 * Creating a mailbox: Core.CreateUser, then a check that the user really got its mail account (a
 * real server answers success with a bare user when the domain has no mail server, and loses the
 * account when a deadlock is swallowed, fact sheet §4).
 */
import { domainOf, sameAddress } from '../../lib/address.ts';
import type { CreateMailboxInput, ProviderResult } from '../mailbox-provider.ts';
import type { AuroraApiClient } from './api-client.ts';
import { accountsOf, servesDomain } from './lookup.ts';
import { fail, notMailDomain, ok, toInt } from './util.ts';

/**
 * Core.CreateUser, then a check that the user really got its mail account. A bare user is
 * repaired with Mail.CreateAccount, or removed again, and the create fails with the cause.
 */
export async function createMailbox(client: AuroraApiClient, input: CreateMailboxInput): Promise<ProviderResult<void>> {
  const address = `${input.localPart}@${input.domain}`;
  const served = await servesDomain(client, input.domain);
  if (!served.ok) return served;
  if (served.value === false) return fail('rejected', notMailDomain(input.domain));
  // MailDomains / MtaConnector hooks turn this one call into user + mail account + mailbox;
  // Password and QuotaBytes are read by those hooks (fact sheet §2, one-call provisioning).
  const result = await client.api(
    'Core',
    'CreateUser',
    {
      TenantId: client.tenantId,
      PublicId: `${input.localPart}@${input.domain}`,
      Role: 2,
      Password: input.password,
      QuotaBytes: input.quotaMb * 1024 * 1024,
    },
    [input.password],
  );
  if (!result.ok) return result;
  // Result is the new user's id; false (a swallowed DB error) or anything else means no user.
  const userId = toInt(result.value);
  if (userId === null) {
    return fail('rejected', `Aurora Core.CreateUser did not create ${address} (Result: ${JSON.stringify(result.value)})`);
  }
  return ensureAccount(client, userId, address, input.password);
}

/** The account CreateUser should have made: confirmed, else added, else the bare user is removed. */
async function ensureAccount(client: AuroraApiClient, userId: number, address: string, password: string): Promise<ProviderResult<void>> {
  const accounts = await accountsOf(client, userId);
  if (!accounts.ok) return fail(accounts.code, `Aurora created user ${address} but could not confirm its mail account: ${accounts.reason}`);
  if (accounts.value.some((account) => sameAddress(account.email, address))) return ok(undefined);

  client.logger?.warn({ userId }, 'aurora user created without a mail account; adding it');
  const repaired = await client.api(
    'Mail',
    'CreateAccount',
    { UserId: userId, FriendlyName: '', Email: address, IncomingLogin: address, IncomingPassword: password, Server: null },
    [password],
  );
  if (repaired.ok) {
    const again = await accountsOf(client, userId);
    if (again.ok && again.value.some((account) => sameAddress(account.email, address))) return ok(undefined);
  }

  // Leave nothing half-made behind: a bare user would look like a mailbox to every later lookup.
  const removed = await client.api('Core', 'DeleteUser', { UserId: userId });
  const cleanup = removed.ok
    ? 'the user without an account was removed again'
    : `the user without an account (id ${userId}) could not be removed: ${removed.reason}`;
  const domain = domainOf(address);
  const served = await servesDomain(client, domain);
  if (served.ok && served.value === false) return fail('rejected', `${notMailDomain(domain)}; ${cleanup}`);
  const why = repaired.ok ? 'Mail.GetAccounts still lists none' : repaired.reason;
  return fail(
    !repaired.ok && repaired.code === 'unavailable' && removed.ok ? 'unavailable' : 'rejected',
    `Aurora created user ${address} without a mail account and could not add one (${why}); ${cleanup}`,
  );
}
