import { describe, expect, it } from 'vitest';
import { holdoutSplit } from '../../src/split/holdout.js';
import { Rng } from '../../src/util/random.js';

const sum = (a: Uint8Array): number => a.reduce((s, v) => s + v, 0);

describe('holdoutSplit', () => {
  it('is stratified: round(ratio × n) in train, each class within one row of its ratio', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + rng.int(300);
      const k = 1 + rng.int(6);
      const strata = Array.from({ length: n }, () => rng.int(k));
      const ratio = 0.05 + 0.9 * rng.next();
      const isTrain = holdoutSplit(n, { ratio, seed: trial }, strata);
      expect(sum(isTrain)).toBe(Math.round(ratio * n));
      for (let c = 0; c < k; c++) {
        const rows = strata.map((s, i) => (s === c ? i : -1)).filter((i) => i >= 0);
        const inTrain = rows.filter((i) => isTrain[i] === 1).length;
        expect(Math.abs(inTrain - ratio * rows.length)).toBeLessThan(1);
      }
    }
  });

  it('splits the hydraulic cooler classes 549/183, 549/183, 556/185', () => {
    const strata = [...Array<number>(732).fill(0), ...Array<number>(732).fill(1), ...Array<number>(741).fill(2)];
    const isTrain = holdoutSplit(2205, { ratio: 0.75, seed: 42 }, strata);
    expect(sum(isTrain)).toBe(1654);
    const perClass = [0, 1, 2].map((c) => strata.filter((s, i) => s === c && isTrain[i] === 1).length);
    expect(perClass).toEqual([549, 549, 556]);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const strata = Array.from({ length: 500 }, (_, i) => i % 4);
    const a = holdoutSplit(500, { seed: 7 }, strata);
    expect(holdoutSplit(500, { seed: 7 }, strata)).toEqual(a);
    expect(holdoutSplit(500, { seed: 8 }, strata)).not.toEqual(a);
    const plain = holdoutSplit(500, { seed: 7 });
    expect(holdoutSplit(500, { seed: 7 })).toEqual(plain);
    expect(sum(plain)).toBe(375);
  });

  it('keeps missing targets (NaN or -1) as a stratum of their own', () => {
    const strata = [0, 0, 0, 0, NaN, NaN, NaN, NaN, 1, 1, 1, 1];
    const isTrain = holdoutSplit(12, { ratio: 0.5, seed: 3 }, strata);
    expect(isTrain.slice(4, 8).reduce((s, v) => s + v, 0)).toBe(2);
  });

  it('refuses a ratio outside (0, 1)', () => {
    expect(() => holdoutSplit(10, { ratio: 1 })).toThrow(RangeError);
    expect(() => holdoutSplit(10, { ratio: 0 })).toThrow(RangeError);
  });
});
