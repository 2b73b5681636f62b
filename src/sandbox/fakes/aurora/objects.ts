/** The objects the Aurora fake answers with: users, mail servers and mail accounts as Aurora shapes them. */
import type { AuroraState } from './state.ts';
import type { FakeAuroraAccount, FakeAuroraMailServer, FakeAuroraUser } from './types.ts';

export function userItem(user: FakeAuroraUser) {
  return { Id: user.id, UUID: user.uuid, Name: '', PublicId: user.publicId, Role: user.role, IsDisabled: user.isDisabled, Groups: [] };
}

export function serverObject(server: FakeAuroraMailServer) {
  return {
    '@Object': 'Object/Aurora\\Modules\\Mail\\Models\\Server',
    Id: server.id,
    ServerId: server.id,
    Name: server.name,
    IncomingServer: server.incomingServer,
    IncomingPort: server.incomingPort,
    IncomingUseSsl: server.incomingUseSsl,
    OutgoingServer: server.outgoingServer,
    OutgoingPort: server.outgoingPort,
    OutgoingUseSsl: server.outgoingUseSsl,
    SmtpAuthType: server.smtpAuthType,
    SmtpLogin: '',
    SmtpPassword: '*****',
    OwnerType: server.tenantId === 0 ? 'superadmin' : 'tenant',
    TenantId: server.tenantId,
    // A newline-separated list (fact sheet §2, Mail.GetServer).
    Domains: server.domains.join('\n'),
    EnableSieve: false,
    SievePort: 4190,
    EnableThreading: true,
    UseFullEmailAddressAsLogin: true,
  };
}

/** Real account objects carry about 33 keys (§4); the ones a client might read are real here. */
export function accountObject(s: AuroraState, account: FakeAuroraAccount) {
  const server = s.servers.get(account.serverId);
  return {
    '@Object': 'Object/Aurora\\Modules\\Mail\\Models\\MailAccount',
    AccountID: account.accountId,
    Id: account.accountId,
    UUID: `acct-${account.accountId}`,
    IdUser: account.userId,
    IsDisabled: false,
    UseToAuthorize: true,
    Email: account.email,
    FriendlyName: '',
    IncomingLogin: account.incomingLogin,
    IncomingPassword: '*****',
    IncludeInUnifiedMailbox: false,
    UseSignature: false,
    Signature: '',
    ServerId: account.serverId,
    Server: server ? serverObject(server) : null,
    FoldersOrder: '',
    UseThreading: true,
    SaveRepliesToCurrFolder: false,
    ShowUnifiedMailboxLabel: false,
    UnifiedMailboxLabelText: '',
    UnifiedMailboxLabelColor: '',
    XOAuth: null,
    Properties: {},
    CanBeUsedToAuthorize: true,
    AllowFilters: true,
    AllowForward: true,
    AllowAutoresponder: true,
    EnableAllowBlockLists: false,
    Extend: [],
    HasAllowBlockListsSupport: false,
    LastLogin: 0,
    IdTenant: s.users.get(account.userId)?.tenantId ?? 0,
  };
}
