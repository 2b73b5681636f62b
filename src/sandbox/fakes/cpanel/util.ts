/** Small helpers of the cPanel fake: UAPI-level errors, cPanel's wording for missing arguments, normalising input. */
import { createHash } from 'node:crypto';
import type { Params } from './types.ts';

/** A UAPI-level failure: HTTP 200, `status: 0`, `errors: [message]`. */
export class UapiError extends Error {}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const quote = (text: string): string => `“${text}”`;

function quotedList(names: string[]): string {
  const quoted = names.map(quote);
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}

export function required(params: Params, ...names: string[]): void {
  const missing = names.filter((name) => (params[name] ?? '') === '');
  if (missing.length === 1) throw new UapiError(`Provide the ${quotedList(missing)} argument.`);
  if (missing.length > 1) throw new UapiError(`Provide the ${quotedList(missing)} arguments.`);
}

/** cPanel trims, drops NULs and lowercases local parts (Cpanel::Email::Normalize::EmailLocalPart). */
export const normalize = (text: string): string => text.replace(/\0/g, '').trim();

export function compileRegex(pattern: string | undefined): RegExp | null {
  if (!pattern) return null;
  try {
    return new RegExp(pattern);
  } catch {
    throw new UapiError(`The regular expression ${quote(pattern)} is invalid.`); // [INF]
  }
}
