import { describe, expect, it } from 'vitest';
import { kFold } from '../../src/search/folds.js';
import { Rng } from '../../src/util/random.js';

describe('kFold', () => {
  it('spreads every class evenly over the folds, fold sizes within one row', () => {
    const rng = new Rng(3);
    const strata = Array.from({ length: 1654 }, () => rng.int(3));
    const fold = kFold(1654, 5, 42, strata);
    const sizes = [0, 1, 2, 3, 4].map((f) => fold.filter((v) => v === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (let c = 0; c < 3; c++) {
      const perFold = [0, 1, 2, 3, 4].map((f) => strata.filter((s, i) => s === c && fold[i] === f).length);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const strata = Array.from({ length: 100 }, (_, i) => i % 2);
    expect(kFold(100, 4, 1, strata)).toEqual(kFold(100, 4, 1, strata));
    expect(kFold(100, 4, 2, strata)).not.toEqual(kFold(100, 4, 1, strata));
    expect(new Set(kFold(10, 3, 1))).toEqual(new Set([0, 1, 2]));
  });

  it('refuses impossible folds', () => {
    expect(() => kFold(10, 1, 1)).toThrow(/k must be a whole number >= 2/);
    expect(() => kFold(3, 5, 1)).toThrow(/3 rows cannot make 5 folds/);
  });
});
