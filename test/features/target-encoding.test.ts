import { describe, expect, it } from 'vitest';
import { fitTargetEncoding } from '../../src/features/target-encoding.js';
import { Rng } from '../../src/util/random.js';
import { applyStep, arr } from './helpers.js';

const LEVELS = ['a', 'b', 'c'];
// a: 4 rows (3 positive), b: 3 rows (1 positive), one missing row (positive); 'c' never occurs.
const CODES = Int32Array.of(0, 0, 0, 0, 1, 1, 1, -1);
const Y = Float64Array.of(1, 1, 1, 0, 1, 0, 0, 1);
const M = 2;

/** The smoothed rate of rows `rows` with code `code`, and the prior over `rows`. */
function direct(rows: number[], code: number, y: Float64Array = Y, codes: Int32Array = CODES): number {
  const prior = rows.reduce((s, i) => s + y[i]!, 0) / rows.length;
  if (code < 0) return prior;
  const mine = rows.filter((i) => codes[i] === code);
  return (mine.reduce((s, i) => s + y[i]!, 0) + M * prior) / (mine.length + M);
}

const all = [...Y.keys()];

describe('target encoding', () => {
  it('binary: the step holds the full-data smoothed positive rate, and scoring uses it', () => {
    const { step } = fitTargetEncoding(
      { codes: CODES, levels: LEVELS },
      'c',
      { kind: 'binary', y: Y, nClasses: 2 },
      { folds: 3, smoothing: M },
      new Rng(1),
    );
    const prior = 5 / 8;
    expect(step.outputs).toEqual(['te(c)']);
    expect(step.levels).toEqual(['a', 'b']);
    expect(step.prior).toEqual([prior]);
    expect(step.values[0]).toBeCloseTo((3 + M * prior) / (4 + M), 15);
    expect(step.values[1]).toBeCloseTo((1 + M * prior) / (3 + M), 15);
    // Scoring: input levels in another order; 'c' is a known input level the step never saw.
    const [out] = applyStep(step, [{ name: 'c', type: 'categorical', levels: ['b', 'c', 'a'] }], ['te(c)'], {
      nRows: 4,
      categorical: { c: Int32Array.of(2, 0, 1, -1) },
    });
    expect(arr(out)).toEqual([step.values[0], step.values[1], prior, prior]);
  });

  it('out of fold with one row per fold is leave-one-out: each row encoded without itself', () => {
    const { train } = fitTargetEncoding(
      { codes: CODES, levels: LEVELS },
      'c',
      { kind: 'binary', y: Y, nClasses: 2 },
      { folds: 8, smoothing: M },
      new Rng(3),
    );
    const expected = all.map((i) =>
      direct(
        all.filter((j) => j !== i),
        CODES[i]!,
      ),
    );
    train[0]!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
  });

  it("a row's own label does not change its training encoding, but does change the scoring statistics", () => {
    const encode = (y: Float64Array) =>
      fitTargetEncoding(
        { codes: CODES, levels: LEVELS },
        'c',
        { kind: 'binary', y, nClasses: 2 },
        { folds: 4, smoothing: M },
        new Rng(7),
      );
    const flipped = Y.slice();
    flipped[3] = 1 - flipped[3]!;
    const before = encode(Y);
    const after = encode(flipped);
    expect(after.train[0]![3]).toBe(before.train[0]![3]);
    expect(after.step.values[0]).not.toBe(before.step.values[0]);
    // In-sample encoding would have moved with the label: (3 + 2p) / 6 vs (4 + 2p') / 6.
    expect(direct(all, 0, flipped)).not.toBeCloseTo(direct(all, 0, Y), 3);
    // And the folds partition the rows: some rows share row 3's fold, the others see its label.
    const changed = before.train[0]!.map((v, i) => (v === after.train[0]![i] ? 0 : 1));
    expect(changed.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
  });

  it('folds are seeded: the same seed gives the same encoding, another seed another', () => {
    const encode = (seed: number) =>
      fitTargetEncoding(
        { codes: CODES, levels: LEVELS },
        'c',
        { kind: 'binary', y: Y, nClasses: 2 },
        { folds: 3, smoothing: M },
        new Rng(seed),
      ).train[0]!;
    expect(arr(encode(11))).toEqual(arr(encode(11)));
    const seeds = [12, 13, 14, 15, 16];
    expect(seeds.some((s) => arr(encode(s)).join() !== arr(encode(11)).join())).toBe(true);
  });

  it('multiclass: one output per class, named by label', () => {
    const y = Float64Array.of(0, 1, 2, 2, 1, 1, 0, 2);
    const { step, train } = fitTargetEncoding(
      { codes: CODES, levels: LEVELS },
      'c',
      { kind: 'multiclass', y, nClasses: 3, labels: ['low', 'mid', 'high'] },
      { folds: 8, smoothing: M },
      new Rng(1),
    );
    expect(step.outputs).toEqual(['te(c)=low', 'te(c)=mid', 'te(c)=high']);
    expect(step.values).toHaveLength(2 * 3);
    for (let k = 0; k < 3; k++) {
      const yk = Float64Array.from(y, (v) => (v === k ? 1 : 0));
      expect(step.prior[k]).toBeCloseTo(direct(all, -1, yk), 15);
      expect(step.values[0 * 3 + k]).toBeCloseTo(direct(all, 0, yk), 15);
      expect(step.values[1 * 3 + k]).toBeCloseTo(direct(all, 1, yk), 15);
      train[k]!.forEach((v, i) =>
        expect(v).toBeCloseTo(
          direct(
            all.filter((j) => j !== i),
            CODES[i]!,
            yk,
          ),
          14,
        ),
      );
    }
    const out = applyStep(step, [{ name: 'c', type: 'categorical', levels: LEVELS }], step.outputs, {
      nRows: 1,
      categorical: { c: Int32Array.of(1) },
    });
    expect(out.map((o) => o[0])).toEqual([step.values[3], step.values[4], step.values[5]]);
  });

  it('regression: the smoothed mean; rows with a missing target are left out', () => {
    const y = Float64Array.of(10, 20, NaN, 30, 1, 2, 3, 100);
    const { step, train } = fitTargetEncoding(
      { codes: CODES, levels: LEVELS },
      'c',
      { kind: 'regression', y, nClasses: 1 },
      { folds: 8, smoothing: M },
      new Rng(1),
    );
    const known = all.filter((i) => !Number.isNaN(y[i]));
    expect(step.outputs).toEqual(['te(c)']);
    expect(step.prior[0]).toBeCloseTo(166 / 7, 12);
    expect(step.values[0]).toBeCloseTo(direct(known, 0, y), 12);
    expect(step.values[1]).toBeCloseTo(direct(known, 1, y), 12);
    train[0]!.forEach((v, i) =>
      expect(v).toBeCloseTo(
        direct(
          known.filter((j) => j !== i),
          CODES[i]!,
          y,
        ),
        12,
      ),
    );
  });

  it('smoothing 0 on a level with no other rows gives the prior, not NaN', () => {
    const { train } = fitTargetEncoding(
      { codes: Int32Array.of(0, 1, 1), levels: ['solo', 'pair'] },
      'c',
      { kind: 'binary', y: Float64Array.of(1, 0, 1), nClasses: 2 },
      { folds: 3, smoothing: 0 },
      new Rng(1),
    );
    expect(arr(train[0])).toEqual([0.5, 1, 0]);
  });
});
