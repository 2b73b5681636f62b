import { describe, expect, it } from 'vitest';
import { multiLineProblem, singleLineProblem } from '../../src/services/text-policy.ts';

describe('the free-text policy', () => {
  it('single-line fields take ordinary text of any script, and nothing hidden or broken', () => {
    for (const fine of ['Jane O’Hara', 'Zoë Ünal', 'محمد', 'יעל', '李小龍', 'Émile 🎉']) expect(singleLineProblem(fine)).toBeUndefined();
    expect(singleLineProblem('a\nb')).toMatch(/one line/);
    expect(singleLineProblem('a\u2028b')).toMatch(/one line/);
    expect(singleLineProblem('a\tb')).toMatch(/control/);
    expect(singleLineProblem('a\u001bb')).toMatch(/control/);
    for (const bidi of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069']) {
      expect(singleLineProblem(`x${bidi}y`)).toMatch(/text-direction/);
    }
  });

  it('multi-line fields take line breaks (any convention) and nothing else hidden', () => {
    expect(multiLineProblem('one\ntwo\r\nthree\rfour')).toBeUndefined();
    expect(multiLineProblem('one\u0000two')).toMatch(/control/);
    expect(multiLineProblem('one\u202Etwo')).toMatch(/text-direction/);
  });
});
