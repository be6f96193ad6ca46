/**
 * The missing-value tokens are kept twice on purpose: the CSV reader's MISSING_TOKENS (training
 * side) and the scorer's MISSING_TEXTS (src/artifact imports nothing from training). They must be
 * the same set, or a value read as missing in training would be refused (or scored) differently
 * when deployed; this test is what keeps the two copies equal.
 */
import { describe, expect, it } from 'vitest';
import { isMissingText, MISSING_TEXTS } from '../../src/artifact/scorer.js';
import { isMissingToken, MISSING_TOKENS } from '../../src/data/csv.js';

describe('missing-value tokens: the CSV reader and the scorer agree', () => {
  it('lists the same tokens, in the same order', () => {
    expect([...MISSING_TEXTS]).toEqual([...MISSING_TOKENS]);
    expect(new Set(MISSING_TOKENS).size).toBe(MISSING_TOKENS.length);
  });

  it('are lower case and trimmed (both compare after trimming and lower-casing)', () => {
    for (const t of MISSING_TOKENS) expect(t).toBe(t.trim().toLowerCase());
  });

  it('decide the same for the tokens in any case, padded with spaces, and for values that are not tokens', () => {
    const variants = MISSING_TOKENS.flatMap((t) => [t, t.toUpperCase(), ` ${t} `, `  ${t.toUpperCase()}`, `\t${t}`]);
    const others = [
      '0',
      '1.5',
      '-3',
      'n/a',
      'none',
      'NaNa',
      'nul',
      '??',
      '-',
      'missing',
      'inf',
      'x',
      ' na n ',
      'nullable',
    ];
    for (const v of [...variants, ...others]) {
      expect(isMissingToken(v), JSON.stringify(v)).toBe(isMissingText(v));
    }
    for (const v of variants) expect(isMissingText(v), JSON.stringify(v)).toBe(true);
    for (const v of others) expect(isMissingText(v), JSON.stringify(v)).toBe(false);
  });
});
