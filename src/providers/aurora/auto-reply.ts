/** The auto-reply (Mail.GetAutoresponder / Mail.UpdateAutoresponder), Aurora's Sieve vacation script. */
import type { AutoReplyInfo, AutoReplyInput, ProviderResult } from '../mailbox-provider.ts';
import type { AuroraApiClient } from './api-client.ts';
import { findAccount } from './lookup.ts';
import { epochSeconds, expectTrue, fail, fromEpoch, ok } from './util.ts';

export async function getAutoReply(client: AuroraApiClient, address: string): Promise<ProviderResult<AutoReplyInfo | null>> {
  const account = await findAccount(client, address);
  if (!account.ok) return account;
  if (!account.value) return ok(null);
  const result = await client.api('Mail', 'GetAutoresponder', { AccountID: account.value.accountId });
  if (!result.ok) return result;
  const r = result.value as Record<string, unknown> | null;
  if (r?.Enable !== true) return ok(null);
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const scheduled = r.Scheduled === true;
  return ok({
    // Aurora's Sieve vacation script has no From and no interval the API would report.
    from: '',
    subject: text(r.Subject),
    body: text(r.Message),
    intervalHours: 0,
    start: scheduled ? fromEpoch(r.Start) : null,
    stop: scheduled ? fromEpoch(r.End) : null,
  });
}

export async function setAutoReply(client: AuroraApiClient, address: string, reply: AutoReplyInput): Promise<ProviderResult<void>> {
  const account = await findAccount(client, address);
  if (!account.ok) return account;
  if (!account.value) return fail('not_found', `Aurora has no mail account ${address}`);
  const result = await client.api('Mail', 'UpdateAutoresponder', {
    AccountID: account.value.accountId,
    Enable: true,
    Subject: reply.subject,
    Message: reply.body,
    Scheduled: true,
    Start: epochSeconds(reply.start),
    End: epochSeconds(reply.stop),
  });
  return result.ok ? expectTrue(result.value, 'Mail', 'UpdateAutoresponder') : result;
}

export async function removeAutoReply(client: AuroraApiClient, address: string): Promise<ProviderResult<void>> {
  const account = await findAccount(client, address);
  if (!account.ok) return account;
  if (!account.value) return ok(undefined);
  const result = await client.api('Mail', 'UpdateAutoresponder', { AccountID: account.value.accountId, Enable: false });
  return result.ok ? expectTrue(result.value, 'Mail', 'UpdateAutoresponder') : result;
}
