/** The fake's UAPI Email functions for mailboxes: add_pop, delete_pop, list_pops(_with_disk), verify_password, passwd_pop, (un)suspend_*, list_mail_domains. */
import type { CpanelState } from './state.ts';
import type { Params } from './types.ts';
import { compileRegex, normalize, required, sha256, UapiError } from './util.ts';

export function addPop(s: CpanelState, params: Params): string {
  // Order of checks per fact sheet §7.
  if (params.password_hash) required(params, 'email');
  else required(params, 'email', 'password');
  const { local, domain, address } = s.resolve(params);
  s.validateNewLocalPart(local, domain);
  s.ownDomain(domain);
  if (s.mailboxes.has(address)) throw new UapiError(`The account ${address} already exists!`);
  if (!params.password_hash) s.checkStrength(params.password ?? '');
  const quotaMb = s.parseQuota(params.quota);
  s.mailboxes.set(address, {
    quotaMb,
    suspendedLogin: false,
    suspendedIncoming: false,
    // A pre-hashed password cannot be verified against later; keep it distinguishable.
    passwordHash: params.password_hash ? `crypt:${params.password_hash}` : sha256(params.password ?? ''),
    mtime: Math.floor(Date.now() / 1000),
  });
  return `${local}+${domain}`;
}

export function deletePop(s: CpanelState, params: Params): null {
  required(params, 'email');
  const { address } = s.resolve(params);
  s.existing(address);
  // Like cPanel (as far as documented), forwarders and auto-responders stay behind.
  s.mailboxes.delete(address);
  return null;
}

export function listPops(s: CpanelState, params: Params) {
  const regex = compileRegex(params.regex);
  const rows = s
    .sortedMailboxes()
    .map(([address, mailbox]) => s.popRow(address, mailbox))
    .filter((row) => !regex || regex.test(row.email));
  if (params.skip_main !== '1') {
    rows.push({ email: s.user, login: 'Main Account', suspended_incoming: 0, suspended_login: 0 });
  }
  return rows;
}

export function listPopsWithDisk(s: CpanelState, params: Params) {
  const regex = compileRegex(params.regex);
  const domain = normalize(params.domain ?? '').toLowerCase();
  const email = normalize(params.email ?? '').toLowerCase();
  const rows: Array<Record<string, unknown>> = [];
  for (const [address, mailbox] of s.sortedMailboxes()) {
    const at = address.lastIndexOf('@');
    const [local, mailDomain] = [address.slice(0, at), address.slice(at + 1)];
    if (domain && mailDomain !== domain) continue;
    if (email && email !== (email.includes('@') ? address : local)) continue;
    if (regex && !regex.test(address)) continue;
    const quotaBytes = mailbox.quotaMb * 1024 * 1024;
    rows.push({
      ...s.popRow(address, mailbox),
      user: local,
      domain: mailDomain,
      _diskquota: quotaBytes,
      _diskused: 0,
      diskquota: mailbox.quotaMb === 0 ? 'unlimited' : mailbox.quotaMb,
      txtdiskquota: mailbox.quotaMb === 0 ? 'unlimited' : mailbox.quotaMb,
      diskused: 0,
      diskusedpercent: 0,
      diskusedpercent20: 0,
      diskusedpercent_float: 0,
      humandiskquota: mailbox.quotaMb === 0 ? 'None' : `${mailbox.quotaMb}\u00a0MB`,
      humandiskused: '0\u00a0bytes',
      mtime: mailbox.mtime,
    });
  }
  if (!email && (!domain || domain === s.mainDomain)) {
    rows.push({
      email: s.user,
      login: 'Main Account',
      user: s.user,
      domain: s.mainDomain,
      suspended_incoming: 0,
      suspended_login: 0,
    });
  }
  return rows;
}

export function verifyPassword(s: CpanelState, params: Params): 0 | 1 {
  required(params, 'email', 'password');
  const mailbox = s.existing(s.fullAddress(params));
  return mailbox.passwordHash === sha256(params.password ?? '') ? 1 : 0;
}

export function passwdPop(s: CpanelState, params: Params): null {
  required(params, 'email', 'password');
  const mailbox = s.existing(s.resolve(params).address);
  s.checkStrength(params.password ?? '');
  mailbox.passwordHash = sha256(params.password ?? '');
  return null;
}

export function setFlag(s: CpanelState, params: Params, flag: 'suspendedLogin' | 'suspendedIncoming', value: boolean): null {
  required(params, 'email');
  s.existing(s.fullAddress(params))[flag] = value;
  return null;
}

export function listMailDomains(s: CpanelState, params: Params) {
  const [main, ...rest] = s.domains;
  const ordered = main === undefined ? [] : [main, ...[...rest].sort()];
  const select = normalize(params.select ?? '').toLowerCase();
  return ordered.map((domain) => (domain === select ? { domain, select: 1 } : { domain }));
}
