/**
 * Aurora as the webmail of another mail host (seed 001): the mail servers Aurora knows, and users
 * with an account on one of them.
 */
import { sameAddress } from '../../lib/address.ts';
import type { ProviderResult } from '../mailbox-provider.ts';
import type { AuroraApiClient } from './api-client.ts';
import { accountsOf, findUser } from './lookup.ts';
import { type AuroraMailServer, SMTP_AUTH, type SmtpAuth } from './types.ts';
import { fail, ok, toInt } from './util.ts';

const smtpAuthOf = (value: unknown): SmtpAuth =>
  (Object.entries(SMTP_AUTH).find(([, code]) => code === String(value))?.[0] as SmtpAuth | undefined) ?? 'user';

/** One item of Mail.GetServers, or nothing when it has no integer id. */
function serverOf(item: Record<string, unknown>): AuroraMailServer[] {
  const id = toInt(item?.ServerId ?? item?.Id);
  if (id === null) return [];
  return [
    {
      id,
      name: String(item.Name ?? ''),
      incomingServer: String(item.IncomingServer ?? ''),
      incomingPort: toInt(item.IncomingPort) ?? 0,
      incomingUseSsl: item.IncomingUseSsl === true,
      outgoingServer: String(item.OutgoingServer ?? ''),
      outgoingPort: toInt(item.OutgoingPort) ?? 0,
      outgoingUseSsl: item.OutgoingUseSsl === true,
      smtpAuth: smtpAuthOf(item.SmtpAuthType),
      domains: String(item.Domains ?? '')
        .split(/[\r\n]+/)
        .map((domain) => domain.trim())
        .filter(Boolean),
    },
  ];
}

/** Mail.GetServers: the mail servers Aurora knows. */
export async function listServers(client: AuroraApiClient): Promise<ProviderResult<AuroraMailServer[]>> {
  const result = await client.api('Mail', 'GetServers', { TenantId: 0, Offset: 0, Limit: 0, Search: '' });
  if (!result.ok) return result;
  const items = (result.value as { Items?: unknown } | null)?.Items;
  if (!Array.isArray(items)) return fail('unavailable', 'Aurora Mail.GetServers: answer without Items');
  return ok((items as Array<Record<string, unknown>>).flatMap(serverOf));
}

/** Mail.CreateServer, owned by the superadmin (TenantId 0); answers the new server's id. */
export async function createServer(client: AuroraApiClient, server: Omit<AuroraMailServer, 'id'>): Promise<ProviderResult<number>> {
  const result = await client.api('Mail', 'CreateServer', {
    Name: server.name,
    IncomingServer: server.incomingServer,
    IncomingPort: server.incomingPort,
    IncomingUseSsl: server.incomingUseSsl,
    OutgoingServer: server.outgoingServer,
    OutgoingPort: server.outgoingPort,
    OutgoingUseSsl: server.outgoingUseSsl,
    SmtpAuthType: SMTP_AUTH[server.smtpAuth],
    // One domain per line (Afterlogic's "Managing mail servers and user accounts").
    Domains: server.domains.join('\n'),
    TenantId: 0,
  });
  if (!result.ok) return result;
  const id = toInt(result.value);
  return id === null
    ? fail('rejected', `Aurora Mail.CreateServer did not create ${server.name} (Result: ${JSON.stringify(result.value)})`)
    : ok(id);
}

/**
 * The webmail user of a mailbox hosted elsewhere: Core.CreateUser, then its account on mail
 * server `serverId` (Mail.CreateAccount with the mailbox's own login), as Afterlogic's guide does.
 * Idempotent: an existing user keeps its account, a user without one gets it.
 */
export async function addWebmailUser(
  client: AuroraApiClient,
  address: string,
  password: string,
  serverId: number,
): Promise<ProviderResult<void>> {
  const found = await findUser(client, address);
  if (!found.ok) return found;
  let userId = found.value?.id;
  if (userId === undefined) {
    const created = await client.api('Core', 'CreateUser', { TenantId: client.tenantId, PublicId: address, Role: 2 });
    if (!created.ok) return created;
    const id = toInt(created.value);
    if (id === null) return fail('rejected', `Aurora Core.CreateUser did not create ${address} (Result: ${JSON.stringify(created.value)})`);
    userId = id;
  }
  const accounts = await accountsOf(client, userId);
  if (!accounts.ok) return accounts;
  if (accounts.value.some((account) => sameAddress(account.email, address))) return ok(undefined);
  const added = await client.api(
    'Mail',
    'CreateAccount',
    {
      UserId: userId,
      FriendlyName: '',
      Email: address,
      IncomingLogin: address,
      IncomingPassword: password,
      Server: { ServerId: serverId },
    },
    [password],
  );
  return added.ok ? ok(undefined) : added;
}
