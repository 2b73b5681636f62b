/** Forwarding (Mail.GetForward / Mail.UpdateForward): Aurora keeps one forward target per account. */
import { sameAddress } from '../../lib/address.ts';
import type { HostedForwarder, ProviderResult } from '../mailbox-provider.ts';
import type { AuroraApiClient } from './api-client.ts';
import { findAccount, usersWithAccountIn } from './lookup.ts';
import { expectTrue, fail, ok } from './util.ts';

export async function listForwarders(client: AuroraApiClient, address: string): Promise<ProviderResult<string[]>> {
  const account = await findAccount(client, address);
  if (!account.ok) return account;
  if (!account.value) return ok([]);
  const result = await client.api('Mail', 'GetForward', { AccountID: account.value.accountId });
  if (!result.ok) return result;
  const forward = result.value as { Enable?: unknown; Email?: unknown } | null;
  const target = typeof forward?.Email === 'string' ? forward.Email.trim() : '';
  return ok(forward?.Enable === true && target !== '' ? [target] : []);
}

/** Aurora keeps one forward target per account: adding one replaces any other. */
export async function addForwarder(client: AuroraApiClient, address: string, to: string): Promise<ProviderResult<void>> {
  const account = await findAccount(client, address);
  if (!account.ok) return account;
  if (!account.value) return fail('not_found', `Aurora has no mail account ${address}`);
  const result = await client.api('Mail', 'UpdateForward', {
    AccountID: account.value.accountId,
    Enable: true,
    Email: to,
    KeepMessageCopy: true,
  });
  return result.ok ? expectTrue(result.value, 'Mail', 'UpdateForward') : result;
}

export async function removeForwarder(client: AuroraApiClient, address: string, to: string): Promise<ProviderResult<void>> {
  const current = await listForwarders(client, address);
  if (!current.ok) return current;
  if (!current.value.some((target) => sameAddress(target, to))) return ok(undefined);
  const account = await findAccount(client, address);
  if (!account.ok) return account;
  if (!account.value) return ok(undefined);
  const result = await client.api('Mail', 'UpdateForward', {
    AccountID: account.value.accountId,
    Enable: false,
    Email: '',
    KeepMessageCopy: true,
  });
  return result.ok ? expectTrue(result.value, 'Mail', 'UpdateForward') : result;
}

/** Each mailbox's forward in `domain` (Mail.GetForward per account: Aurora has no list by domain). */
export async function listDomainForwarders(client: AuroraApiClient, domain: string): Promise<ProviderResult<HostedForwarder[]>> {
  const users = await usersWithAccountIn(client, domain);
  if (!users.ok) return users;
  const forwarders: HostedForwarder[] = [];
  for (const user of users.value) {
    const result = await client.api('Mail', 'GetForward', { AccountID: user.accountId });
    if (!result.ok) return result;
    const forward = result.value as { Enable?: unknown; Email?: unknown } | null;
    const target = typeof forward?.Email === 'string' ? forward.Email.trim() : '';
    if (forward?.Enable === true && target !== '') forwarders.push({ from: user.publicId.toLowerCase(), to: target });
  }
  return ok(forwarders);
}
