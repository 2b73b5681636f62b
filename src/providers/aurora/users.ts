/** A mailbox's user in Aurora: looking it up, checking its password, deleting it, locking its login. */
import { sameAddress } from '../../lib/address.ts';
import type { MailboxInfo, ProviderResult } from '../mailbox-provider.ts';
import type { AuroraApiClient } from './api-client.ts';
import { AUTH_ERROR, EMPTY_500 } from './errors.ts';
import { accountsOf, findUser, usersWithAccountIn } from './lookup.ts';
import { expectTrue, fail, ok } from './util.ts';

export async function findMailbox(client: AuroraApiClient, address: string): Promise<ProviderResult<MailboxInfo | null>> {
  const user = await findUser(client, address);
  if (!user.ok) return user;
  if (!user.value) return ok(null);
  // Aurora has no "reject incoming mail" switch; IsDisabled is the login lock.
  return ok({ address: user.value.publicId.toLowerCase(), suspendedLogin: user.value.isDisabled, suspendedIncoming: false });
}

/**
 * Core.Login is the only password check the Web API offers, and it is not read-only (fact sheet
 * §4): on a user without a mail account, a login IMAP accepts creates the account. So a user
 * without its account is answered "no" without a login. On a user with its account the login
 * can at most store the password IMAP has just accepted, which is the one being checked.
 */
export async function verifyPassword(client: AuroraApiClient, address: string, password: string): Promise<ProviderResult<boolean>> {
  const user = await findUser(client, address);
  if (!user.ok) return user;
  if (!user.value) return ok(false);
  const accounts = await accountsOf(client, user.value.id);
  if (!accounts.ok) return accounts;
  if (!accounts.value.some((account) => sameAddress(account.email, address))) return ok(false);
  const answer = await client.post('Core', 'Login', { Login: address, Password: password }, undefined);
  if (answer.kind === 'failure') return client.scrubbed(answer.failure, [password]);
  if (answer.kind === 'error') {
    if (answer.code === AUTH_ERROR) return ok(false);
    return client.scrubbed(client.errorFailure('Core', 'Login', answer), [password]);
  }
  const token = (answer.result as { AuthToken?: unknown } | null)?.AuthToken;
  if (typeof token !== 'string' || token === '') return ok(false);
  // Only revokes anything where StoreAuthTokenInDB is on; harmless elsewhere.
  await client.post('Core', 'Logout', {}, token);
  return ok(true);
}

export async function deleteMailbox(client: AuroraApiClient, address: string): Promise<ProviderResult<void>> {
  const user = await findUser(client, address);
  if (!user.ok) return user;
  if (!user.value) return fail('not_found', `Aurora has no user ${address}`);
  const result = await client.api('Core', 'DeleteUser', { UserId: user.value.id });
  if (!result.ok) {
    // DeleteUser on an id that no longer exists dies with an empty HTTP 500 (a PHP Error):
    // look again to tell "gone meanwhile" from a real server fault.
    if (result.code === 'unavailable' && result.reason.endsWith(EMPTY_500)) {
      const again = await findUser(client, address);
      if (again.ok && !again.value) return fail('not_found', `Aurora has no user ${address}`);
    }
    return result;
  }
  return expectTrue(result.value, 'Core', 'DeleteUser');
}

/** Core.UpdateUser IsDisabled: the login lock. */
export async function setDisabled(client: AuroraApiClient, address: string, disabled: boolean): Promise<ProviderResult<void>> {
  const user = await findUser(client, address);
  if (!user.ok) return user;
  if (!user.value) return fail('not_found', `Aurora has no user ${address}`);
  const result = await client.api('Core', 'UpdateUser', { UserId: user.value.id, IsDisabled: disabled });
  return result.ok ? expectTrue(result.value, 'Core', 'UpdateUser') : result;
}

/** The mailboxes of `domain`: users with their mail account (bare users receive no mail). */
export async function listMailboxes(client: AuroraApiClient, domain: string): Promise<ProviderResult<MailboxInfo[]>> {
  const users = await usersWithAccountIn(client, domain);
  if (!users.ok) return users;
  return ok(
    users.value.map((user) => ({ address: user.publicId.toLowerCase(), suspendedLogin: user.isDisabled, suspendedIncoming: false })),
  );
}
