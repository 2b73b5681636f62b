import { checkFullName, checkLocalPart } from '../services/requests/validation.ts';

/** What `/request-email <text>` fills into the request modal; every field is optional. */
export interface RequestPrefill {
  fullName?: string;
  localPart?: string;
  /** Only a managed domain (one of the modal's options). */
  domain?: string;
}

/**
 * Reads the text typed after `/request-email`: an address-like token (`jane.doe`, `jane@`,
 * `jane.doe@example.com`) gives the local part (and the domain when it is a managed one); the plain
 * words give the full name, from which a local part is suggested when none was typed
 * (`Jane Doe` → `jane.doe`). Nothing here is trusted: the modal's validation still runs on submit.
 */
export function parseRequestCommandText(text: string | undefined, domains: readonly string[]): RequestPrefill {
  const prefill: RequestPrefill = {};
  const words: string[] = [];
  for (const token of (text ?? '')
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0)) {
    const address = addressToken(token, domains);
    if (address && prefill.localPart === undefined) {
      prefill.localPart = address.localPart;
      if (address.domain) prefill.domain = address.domain;
    } else if (!address && !token.includes('@')) {
      // An unusable address (`cpanel@`, `a..b@x`) is dropped, never taken for part of a name.
      words.push(token);
    }
  }
  if (words.length > 0) {
    const name = checkFullName(words.join(' '));
    if (name.ok) prefill.fullName = name.value;
    if (name.ok && prefill.localPart === undefined) {
      const suggested = suggestLocalPart(name.value);
      if (suggested) prefill.localPart = suggested;
    }
  }
  return prefill;
}

/** `name@`, `name@domain` or a dotted `first.last`: the local part, and the domain if managed. */
function addressToken(token: string, domains: readonly string[]): { localPart: string; domain?: string } | undefined {
  const at = token.indexOf('@');
  if (at === -1) {
    // A dot between characters (not "Jr." or "J."): an address, not a word of a name.
    if (!/^[^.]+(\.[^.]+)+$/.test(token)) return undefined;
    const local = checkLocalPart(token);
    return local.ok ? { localPart: local.value } : undefined;
  }
  const local = checkLocalPart(token.slice(0, at));
  if (!local.ok) return undefined;
  const domain = token.slice(at + 1).toLowerCase();
  return domains.includes(domain) ? { localPart: local.value, domain } : { localPart: local.value };
}

/** `Zoë O'Brien-Smith` → `zoe.obrien-smith`; undefined when nothing valid is left. */
export function suggestLocalPart(fullName: string): string | undefined {
  const parts = fullName
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/\s+/)
    .map((part) => part.replace(/[^a-z0-9-]/g, '').replace(/^-+|-+$/g, ''))
    .filter((part) => part.length > 0);
  if (parts.length === 0) return undefined;
  const candidate = parts.join('.').slice(0, 64).replace(/\.+$/, '');
  const checked = checkLocalPart(candidate);
  return checked.ok ? checked.value : undefined;
}
