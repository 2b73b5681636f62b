/** The fake's AdminAuth and Core methods: logins, logout, and users (create, list, get, update, delete). */
import { userItem } from './objects.ts';
import type { AuroraState } from './state.ts';
import type { Params } from './types.ts';
import { ANONYMOUS, AuroraError, isInt, PhpFatal, PUBLIC_ID, SUPERADMIN, sha256, str, WithSubscriptions } from './util.ts';

export function loginAsSuperadmin(s: AuroraState, p: Params): unknown {
  if (p.Login !== s.adminLogin || p.Password !== s.adminPassword) throw new AuroraError(102, 'AuthError', '');
  return { AuthToken: s.issueToken(SUPERADMIN) };
}

/**
 * A user's login is checked by IMAP on the server of the address's domain. It is not read-only
 * (§4): a user without an account gets one when IMAP accepts the password.
 */
export function login(s: AuroraState, p: Params): unknown {
  const user = s.userByEmail(str(p.Login));
  const server = user ? s.serverForDomain(user.publicId) : undefined;
  // "IMAP accepts" = the mailbox password the user was created with. Disabled users cannot log in. [INF]
  if (!user || !server || user.isDisabled || user.passwordHash === null || user.passwordHash !== sha256(str(p.Password))) {
    throw new AuroraError(102, 'AuthError', '');
  }
  if (!s.accountByEmail(user.publicId)) s.addAccount(user.id, user.publicId, user.publicId, server.id);
  return { AuthToken: s.issueToken(user.id) };
}

export function logout(s: AuroraState, authUser: number): unknown {
  if (s.storeTokens) {
    for (const [token, userId] of s.tokens) if (userId === authUser && userId !== ANONYMOUS) s.tokens.delete(token);
  }
  return true;
}

export function createUser(s: AuroraState, p: Params, authUser: number, loseAccount: boolean): number {
  s.requireSuperadmin(authUser, 'Core');
  const tenantId = p.TenantId ?? 0;
  const role = p.Role ?? 2;
  // Ids are compared with ===/is_int on the server; a string "1" is not a tenant. [INF for TenantId]
  if (!isInt(tenantId) || !s.tenants.has(tenantId) || !isInt(role)) throw new AuroraError(103, 'InvalidInputParameter', 'Core');
  const publicId = str(p.PublicId);
  if (!PUBLIC_ID.test(publicId) || publicId.split('@').length > 2) throw new AuroraError(103, 'InvalidInputParameter', 'Core');
  const quota = p.QuotaBytes ?? 0;
  if (!isInt(quota) || quota < 0) throw new AuroraError(103, 'InvalidInputParameter', 'Core'); // [INF]
  const password = typeof p.Password === 'string' && p.Password !== '' ? p.Password : null;
  return s.createUser(publicId, password, tenantId, role, quota, p.IsDisabled === true, loseAccount).id;
}

export function getUsers(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Core');
  const tenantId = p.TenantId ?? 0;
  if (!isInt(tenantId)) throw new AuroraError(103, 'InvalidInputParameter', 'Core');
  const search = str(p.Search).toLowerCase();
  const offset = isInt(p.Offset) ? p.Offset : 0;
  const limit = isInt(p.Limit) ? p.Limit : 0;
  // Search is a LIKE '%…%' filter on PublicId; TenantId 0 lists every tenant for the superadmin. [INF]
  const matching = [...s.users.values()]
    .filter((user) => (tenantId === 0 || user.tenantId === tenantId) && user.publicId.toLowerCase().includes(search))
    .sort((a, b) => a.publicId.localeCompare(b.publicId));
  const page = limit > 0 ? matching.slice(offset, offset + limit) : matching.slice(offset);
  return { Items: page.map((user) => userItem(user)), Count: matching.length };
}

export function getUser(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Core');
  const user = isInt(p.Id) ? s.users.get(p.Id) : undefined;
  if (!user) return false; // [INF]
  return { '@Object': 'Object/Aurora\\Modules\\Core\\Models\\User', ...userItem(user), IdTenant: user.tenantId };
}

export function updateUser(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Core');
  const userId = s.userId(p, authUser, 'Core');
  const user = s.users.get(userId);
  if (!user) return false; // [INF]
  if (typeof p.IsDisabled === 'boolean') user.isDisabled = p.IsDisabled;
  if (typeof p.Password !== 'string' || p.Password === '') return true;
  // Only a password backend reads the extra Password (MtaConnector's onAfterUpdateUser, which
  // reports IsPasswordChanged); without one the call succeeds and changes nothing (seen on a real server).
  if (!s.passwordBackend) return true;
  user.passwordHash = sha256(p.Password);
  return new WithSubscriptions(true, { 'MtaConnector::onAfterUpdateUser': { IsPasswordChanged: true } });
}

export function deleteUser(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Core');
  // is_int: the string "2" gives 103 (verified).
  const userId = s.userId(p, authUser, 'Core');
  const user = s.users.get(userId);
  // A PHP Error on a missing id: HTTP 500, empty body (verified).
  if (!user) throw new PhpFatal();
  s.users.delete(userId);
  for (const [id, account] of s.accounts) if (account.userId === userId) s.accounts.delete(id);
  return true;
}
