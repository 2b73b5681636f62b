import { randomInt } from 'node:crypto';

const SYMBOLS_22 = new Set('!$%&()*+,-./:<=>?`{|}~');
const SYMBOLS_4 = new Set(`"#';`);

/** Size of the character pool a password draws from, as cPanel counts it. */
function poolSize(chars: readonly string[]): number {
  let digits = false;
  let lowerAF = false;
  let lowerGZ = false;
  let upperAF = false;
  let upperGZ = false;
  let sym22 = false;
  let sym4 = false;
  let space = false;
  for (const c of chars) {
    if (c >= '0' && c <= '9') digits = true;
    else if (c >= 'a' && c <= 'f') lowerAF = true;
    else if (c >= 'g' && c <= 'z') lowerGZ = true;
    else if (c >= 'A' && c <= 'F') upperAF = true;
    else if (c >= 'G' && c <= 'Z') upperGZ = true;
    else if (SYMBOLS_22.has(c)) sym22 = true;
    else if (SYMBOLS_4.has(c)) sym4 = true;
    else if (c === ' ') space = true;
    // Anything else (e.g. @ _ ^ [ ] \ or non-ASCII) switches on every pool.
    else return 89;
  }
  return (
    (digits ? 10 : 0) +
    (lowerGZ ? 26 : lowerAF ? 6 : 0) +
    (upperGZ ? 26 : upperAF ? 6 : 0) +
    (sym22 ? 22 : 0) +
    (sym4 ? 4 : 0) +
    (space ? 1 : 0)
  );
}

/**
 * cPanel's password strength (0–100), reimplemented from Cpanel::PasswdStrength::Check
 * (fact sheet §5.2) without the cracklib and bad-password-list steps.
 */
export function cpanelPasswordStrength(password: string): number {
  const chars = Array.from(password);
  if (chars.length === 0) return 0;
  if (chars.length < 4) return 1;

  let different = 0;
  let pattern = 0;
  let prev: string | undefined;
  for (const c of chars) {
    // Perl tests the previous character for truth, and "0" is false there: whatever follows a
    // "0" is always counted as different.
    if (prev !== undefined && prev !== '0') {
      const delta = (c.codePointAt(0) ?? 0) - (prev.codePointAt(0) ?? 0);
      if (delta >= -1 && delta <= 1) pattern++;
      else different++;
    } else {
      different++;
    }
    prev = c;
  }

  const entropy = different * Math.log2(poolSize(chars)) + pattern * Math.log2(3);
  return entropy > 70 ? 100 : Math.floor((100 * entropy) / 70);
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
// From cPanel's 22-symbol pool, only characters that survive URLs, form bodies, shells and
// copy-paste without quoting or escaping.
const SYMBOLS = '-.,:=';
const ALPHABET = LOWER + UPPER + DIGITS + SYMBOLS;
const ALPHANUMERIC = LOWER + UPPER + DIGITS;
const LENGTH = 20;

const pick = (set: string): string => set[randomInt(set.length)] as string;

/**
 * A random 20-character password that cPanel rates at least `minStrength` and that contains
 * a lower-case letter, an upper-case letter, a digit and a symbol. It never starts with a symbol,
 * so it cannot be mistaken for a command-line option.
 */
export function generatePassword(minStrength = 65): string {
  if (minStrength > 100) throw new RangeError(`minStrength ${minStrength} is above cPanel's maximum of 100`);
  for (;;) {
    let password = pick(ALPHANUMERIC);
    for (let i = 1; i < LENGTH; i++) password += pick(ALPHABET);
    if (
      /[a-z]/.test(password) &&
      /[A-Z]/.test(password) &&
      /[0-9]/.test(password) &&
      /[-.,:=]/.test(password) &&
      cpanelPasswordStrength(password) >= minStrength
    ) {
      return password;
    }
  }
}
