/**
 * Setting a mailbox password as the superadmin. Mail.ChangePassword needs the current password,
 * which Mailroom does not know; Core.UpdateUser passes an extra `Password` on to the password
 * backend (MtaConnector on Aurora Corporate), which reports
 * `SubscriptionsResult["MtaConnector::onAfterUpdateUser"].IsPasswordChanged` (fact sheet §2). An
 * Aurora without such a backend answers `true` and changes nothing (seen on a real server: "password
 * change needs a backend module"), so only IsPasswordChanged counts as success.
 */
import type { ProviderResult } from '../mailbox-provider.ts';
import type { AuroraApiClient } from './api-client.ts';
import { findUser } from './lookup.ts';
import { fail, ok } from './util.ts';

/** The IsPasswordChanged any subscriber reported: true, false, or undefined when none spoke. */
export function passwordChangedFlag(subscriptions: unknown): boolean | undefined {
  if (typeof subscriptions !== 'object' || subscriptions === null) return undefined;
  let flag: boolean | undefined;
  for (const value of Object.values(subscriptions as Record<string, unknown>)) {
    const changed = (value as { IsPasswordChanged?: unknown } | null)?.IsPasswordChanged;
    if (changed === true) return true;
    if (changed === false) flag = false;
  }
  return flag;
}

export async function setPassword(client: AuroraApiClient, address: string, password: string): Promise<ProviderResult<void>> {
  const user = await findUser(client, address);
  if (!user.ok) return user;
  if (!user.value) return fail('not_found', `Aurora has no user ${address}`);
  const answer = await client.apiWithSubscriptions('Core', 'UpdateUser', { UserId: user.value.id, Password: password }, [password]);
  if (!answer.ok) return answer;
  if (answer.value.result !== true) {
    return fail('rejected', `Aurora Core.UpdateUser did not update ${address} (Result: ${JSON.stringify(answer.value.result)})`);
  }
  const changed = passwordChangedFlag(answer.value.subscriptions);
  if (changed === true) return ok(undefined);
  return fail(
    'rejected',
    changed === false
      ? `Aurora's password backend did not change the password of ${address} (IsPasswordChanged: false)`
      : `this Aurora has no module that changes mailbox passwords (no IsPasswordChanged in SubscriptionsResult; Aurora Corporate's MtaConnector does it)`,
  );
}
