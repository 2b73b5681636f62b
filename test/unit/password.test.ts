import { describe, expect, it } from 'vitest';
import { cpanelPasswordStrength, generatePassword } from '../../src/services/credentials/password.ts';

describe('cpanelPasswordStrength', () => {
  it.each([
    ['123456luggage', 65],
    ['12345luggage', 63],
    ['abcd', 10],
    ['aaaaaaaaaaaa', 28],
    ['P@ssw0rd!', 76],
    ['Tr0ub4dor&3', 100],
    ['', 0],
    ['abc', 1],
    ['Zz9', 1],
  ])('rates %j as %i', (password, expected) => {
    expect(cpanelPasswordStrength(password)).toBe(expected);
  });

  it('counts whatever follows a "0" as different (Perl quirk)', () => {
    // "0123": 0 is first (different), 1 follows "0" (different), 2 and 3 are a pattern.
    // N = 10: 2·log2(10) + 2·log2(3) = 9.81 → floor(14.02) = 14. Without the quirk it would be 11.
    expect(cpanelPasswordStrength('0123')).toBe(14);
    expect(cpanelPasswordStrength('1234')).toBe(11);
  });
});

describe('generatePassword', () => {
  it('makes 20-character passwords of every class that cPanel rates at least 65', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const password = generatePassword();
      expect(password).toHaveLength(20);
      expect(cpanelPasswordStrength(password)).toBeGreaterThanOrEqual(65);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^a-zA-Z0-9]/);
      // Nothing that needs quoting or URL-encoding care.
      expect(password).not.toMatch(/[\s"'#&%+\\`$]/);
      seen.add(password);
    }
    expect(seen.size).toBe(1000);
  });

  it('honours a higher minimum and refuses an impossible one', () => {
    expect(cpanelPasswordStrength(generatePassword(100))).toBe(100);
    expect(() => generatePassword(101)).toThrow(RangeError);
  });
});
