/** Email addresses compare case-insensitively (cPanel and Aurora store them lower-cased). */
export const sameAddress = (a: unknown, b: string): boolean => typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();

/** `local@domain` split at the last @, or null when either side is empty. */
export function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** The lower-cased domain of an address (everything after the last @). */
export const domainOf = (address: string): string =>
  address
    .slice(address.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();

/** The part before the last @. */
export const localPartOf = (address: string): string => address.slice(0, address.lastIndexOf('@'));
