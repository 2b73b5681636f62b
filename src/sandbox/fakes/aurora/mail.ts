/** The fake's Mail methods: mail servers, mail accounts, forward and auto-responder. */
import { accountObject, serverObject } from './objects.ts';
import type { AuroraState } from './state.ts';
import type { Params } from './types.ts';
import { AuroraError, isInt, sha256, str } from './util.ts';

/** Works anonymously; MailDomains makes it look in the domains table (fact sheet §2). */
export function getMailServerByDomain(s: AuroraState, p: Params): unknown {
  const server = s.serverForDomain(`x@${str(p.Domain).trim()}`);
  // Not found: an empty array, not false (verified).
  return server ? { Server: serverObject(server), FoundWithWildcard: false } : [];
}

export function getServers(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Mail');
  const search = str(p.Search).toLowerCase();
  const items = [...s.servers.values()]
    .filter((server) => server.name.toLowerCase().includes(search))
    .map((server) => serverObject(server));
  return { Items: items, Count: items.length };
}

export function createServer(s: AuroraState, p: Params, authUser: number): number {
  s.requireSuperadmin(authUser, 'Mail');
  const name = str(p.Name).trim();
  const incoming = str(p.IncomingServer).trim();
  const outgoing = str(p.OutgoingServer).trim();
  const port = (value: unknown) => (isInt(value) && value > 0 && value < 65536 ? value : null);
  const incomingPort = port(p.IncomingPort);
  const outgoingPort = port(p.OutgoingPort);
  const smtpAuthType = str(p.SmtpAuthType);
  const tenantId = p.TenantId ?? 0;
  if (
    name === '' ||
    incoming === '' ||
    outgoing === '' ||
    incomingPort === null ||
    outgoingPort === null ||
    !['0', '1', '2'].includes(smtpAuthType) ||
    !isInt(tenantId)
  ) {
    throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
  }
  return s.addServer({
    name,
    incomingServer: incoming,
    incomingPort,
    incomingUseSsl: p.IncomingUseSsl === true,
    outgoingServer: outgoing,
    outgoingPort,
    outgoingUseSsl: p.OutgoingUseSsl === true,
    smtpAuthType,
    domains: str(p.Domains).split(/[\n\r]+/),
    tenantId,
  }).id;
}

/** `Server` null: the server is found by the address's domain; `{ServerId: n}`: that server. */
export function createAccount(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Mail');
  const userId = s.userId(p, authUser, 'Mail');
  const user = s.users.get(userId);
  const email = str(p.Email).trim();
  if (!user || email === '' || !email.includes('@')) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
  if (s.accountByEmail(email)) throw new AuroraError(704, 'AccountExists', 'Mail');
  const wanted = p.Server as { ServerId?: unknown } | null | undefined;
  const server = wanted && typeof wanted === 'object' && isInt(wanted.ServerId) ? s.servers.get(wanted.ServerId) : s.serverForDomain(email);
  if (!server) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
  const login = str(p.IncomingLogin).trim() || email;
  // DoImapLoginOnAccountCreate (default on): the IMAP login must succeed, else 4002 (verified
  // codes). "IMAP" here knows the password the user was created with, when there is one. [INF]
  const password = str(p.IncomingPassword);
  if (user.passwordHash !== null && user.passwordHash !== sha256(password))
    throw new AuroraError(4002, 'CannotLoginCredentialsIncorrect', 'Mail');
  if (user.passwordHash === null && password !== '') user.passwordHash = sha256(password);
  return accountObject(s, s.addAccount(user.id, email, login, server.id));
}

export function deleteAccount(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Mail');
  if (!isInt(p.AccountID) || !s.accounts.has(p.AccountID)) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
  s.accounts.delete(p.AccountID);
  return true;
}

export function getAccounts(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Mail');
  const userId = s.userId(p, authUser, 'Mail');
  return [...s.accounts.values()].filter((a) => a.userId === userId).map((a) => accountObject(s, a));
}

export function getAccountByEmail(s: AuroraState, p: Params, authUser: number): unknown {
  s.requireSuperadmin(authUser, 'Mail');
  const userId = s.userId(p, authUser, 'Mail');
  const account = s.accountByEmail(str(p.Email));
  return account && account.userId === userId ? accountObject(s, account) : false;
}

export function getForward(s: AuroraState, p: Params, authUser: number): unknown {
  const { forward } = s.accountFor(p, authUser);
  return { Enable: forward.enable, KeepMessageCopy: forward.keepMessageCopy, Email: forward.email };
}

export function updateForward(s: AuroraState, p: Params, authUser: number): unknown {
  const account = s.accountFor(p, authUser);
  const enable = p.Enable === true;
  const email = str(p.Email).trim();
  if (enable && email === '') throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
  account.forward = { enable, email, keepMessageCopy: p.KeepMessageCopy !== false };
  return true;
}

export function getAutoresponder(s: AuroraState, p: Params, authUser: number): unknown {
  const { autoresponder: a } = s.accountFor(p, authUser);
  const base = { Enable: a.enable, Subject: a.subject, Message: a.message };
  return s.allowScheduled ? { ...base, Scheduled: a.scheduled, Start: a.start, End: a.end } : base;
}

export function updateAutoresponder(s: AuroraState, p: Params, authUser: number): unknown {
  const account = s.accountFor(p, authUser);
  const enable = p.Enable === true;
  const subject = str(p.Subject);
  const message = str(p.Message);
  // Enable with an empty subject and body gives 103 (verified).
  if (enable && subject === '' && message === '') throw new AuroraError(103, 'InvalidInputParameter', 'Mail');
  const scheduled = s.allowScheduled && p.Scheduled === true;
  const start = isInt(p.Start) ? p.Start : null;
  const end = isInt(p.End) ? p.End : null;
  if (scheduled && (start === null || end === null || end <= start)) throw new AuroraError(103, 'InvalidInputParameter', 'Mail'); // [INF]
  account.autoresponder = { enable, subject, message, scheduled, start: scheduled ? start : null, end: scheduled ? end : null };
  return true;
}
