/**
 * Finding things in Aurora: a user by address, its mail accounts, the account of an address, and
 * whether a domain has a mail server. Aurora keys everything on the user (PublicId = the address);
 * forward and auto-reply live on the user's mail account, found with Mail.GetAccountByEmail.
 */
import { sameAddress } from '../../lib/address.ts';
import type { ProviderResult } from '../mailbox-provider.ts';
import type { AuroraApiClient } from './api-client.ts';
import type { AuroraAccount, AuroraUser } from './types.ts';
import { fail, ok, toInt } from './util.ts';

/** Core.GetUserByPublicId is closed to the Web API (116), so search and match exactly. */
export async function findUser(client: AuroraApiClient, address: string): Promise<ProviderResult<AuroraUser | null>> {
  const result = await client.api('Core', 'GetUsers', {
    TenantId: client.tenantId,
    Offset: 0,
    Limit: 0,
    Search: address.trim(),
  });
  if (!result.ok) return result;
  const items = (result.value as { Items?: unknown } | null)?.Items;
  if (!Array.isArray(items)) return fail('unavailable', 'Aurora Core.GetUsers: answer without Items');
  // Search is a LIKE filter: "ann@x" also finds "joann@x".
  for (const item of items as Array<Record<string, unknown>>) {
    if (!sameAddress(item?.PublicId, address)) continue;
    const id = toInt(item.Id);
    if (id === null) return fail('unavailable', 'Aurora Core.GetUsers: a user without an integer Id');
    return ok({ id, publicId: String(item.PublicId), isDisabled: item.IsDisabled === true || Number(item.IsDisabled) === 1 });
  }
  return ok(null);
}

export async function findAccount(client: AuroraApiClient, address: string): Promise<ProviderResult<AuroraAccount | null>> {
  const user = await findUser(client, address);
  if (!user.ok) return user;
  if (!user.value) return ok(null);
  const result = await client.api('Mail', 'GetAccountByEmail', { Email: address.trim(), UserId: user.value.id });
  if (!result.ok) return result;
  if (result.value === false || result.value === null) return ok(null);
  const account = result.value as Record<string, unknown>;
  const accountId = toInt(account.AccountID ?? account.Id);
  if (accountId === null) return fail('unavailable', 'Aurora Mail.GetAccountByEmail: an account without an integer AccountID');
  return ok({ userId: user.value.id, accountId });
}

export async function accountsOf(
  client: AuroraApiClient,
  userId: number,
): Promise<ProviderResult<Array<{ accountId: number; email: string }>>> {
  const result = await client.api('Mail', 'GetAccounts', { UserId: userId });
  if (!result.ok) return result;
  if (!Array.isArray(result.value)) return fail('unavailable', 'Aurora Mail.GetAccounts: answer is not a list');
  return ok(
    (result.value as Array<Record<string, unknown> | null>).flatMap((account) => {
      const accountId = toInt(account?.AccountID ?? account?.Id);
      return accountId !== null && typeof account?.Email === 'string' ? [{ accountId, email: account.Email }] : [];
    }),
  );
}

/**
 * Whether Aurora has a mail server for `domain` (Mail.GetMailServerByDomain, which MailDomains
 * answers from its domains table): null when this Aurora cannot say.
 */
export async function servesDomain(client: AuroraApiClient, domain: string): Promise<ProviderResult<boolean | null>> {
  const result = await client.api('Mail', 'GetMailServerByDomain', { Domain: domain, AllowWildcardDomain: false });
  if (!result.ok) return result.code === 'unavailable' ? result : ok(null);
  // Not found is an empty array (verified); found is {Server, FoundWithWildcard}.
  if (Array.isArray(result.value) && result.value.length === 0) return ok(false);
  const server = (result.value as { Server?: unknown } | null)?.Server;
  return ok(typeof server === 'object' && server !== null ? true : null);
}

/**
 * The users whose PublicId is in `domain` and who have a mail account for it. A real server keeps
 * users without one (Core.CreateUser on a domain with no mail server, or a create whose account a
 * swallowed deadlock lost, fact sheet §4): they receive no mail, so they are not mailboxes.
 */
export async function usersWithAccountIn(
  client: AuroraApiClient,
  domain: string,
): Promise<ProviderResult<Array<AuroraUser & { accountId: number }>>> {
  const wanted = domain.trim().toLowerCase();
  // Search is a LIKE filter: "@example.com" also finds "@example.com.au"; match the domain exactly.
  const result = await client.api('Core', 'GetUsers', { TenantId: client.tenantId, Offset: 0, Limit: 0, Search: `@${wanted}` });
  if (!result.ok) return result;
  const items = (result.value as { Items?: unknown } | null)?.Items;
  if (!Array.isArray(items)) return fail('unavailable', 'Aurora Core.GetUsers: answer without Items');
  const users: Array<AuroraUser & { accountId: number }> = [];
  for (const item of items as Array<Record<string, unknown>>) {
    const publicId = typeof item?.PublicId === 'string' ? item.PublicId.trim() : '';
    if (!publicId.toLowerCase().endsWith(`@${wanted}`)) continue;
    const id = toInt(item.Id);
    if (id === null) return fail('unavailable', 'Aurora Core.GetUsers: a user without an integer Id');
    const accounts = await accountsOf(client, id);
    if (!accounts.ok) return accounts;
    const account = accounts.value.find((a) => sameAddress(a.email, publicId));
    if (!account) continue;
    users.push({ id, publicId, isDisabled: item.IsDisabled === true || Number(item.IsDisabled) === 1, accountId: account.accountId });
  }
  return ok(users);
}
