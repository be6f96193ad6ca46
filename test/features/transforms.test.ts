import { describe, expect, it } from 'vitest';
import { fitFrequency } from '../../src/features/frequency.js';
import { fitInteraction } from '../../src/features/interaction.js';
import { fitLog } from '../../src/features/log.js';
import { fitMissing } from '../../src/features/missing.js';
import { fitOneHot } from '../../src/features/one-hot.js';
import { fitQuantileBin } from '../../src/features/quantile-bin.js';
import { fitStandardize } from '../../src/features/standardize.js';
import { fitYeoJohnson } from '../../src/features/yeo-johnson.js';
import { applyStep, arr } from './helpers.js';

const X = Float64Array.of(2, 4, NaN, 4, 5, 5, 7, 9);

describe('standardize', () => {
  it('fits mean and population std on non-missing values and applies (x − mean) / std', () => {
    const step = fitStandardize(X, 'x');
    // values 2,4,4,5,5,7,9: mean 36/7, population variance Σ(v − mean)² / 7
    const mean = 36 / 7;
    const std = Math.sqrt([2, 4, 4, 5, 5, 7, 9].reduce((s, v) => s + (v - mean) ** 2, 0) / 7);
    expect(step).toEqual({ kind: 'standardize', column: 'x', output: 'z(x)', mean, std });
    const test = Float64Array.of(0, 5, NaN, 100);
    const [out] = applyStep(step, [{ name: 'x', type: 'numeric' }], ['z(x)'], { nRows: 4, numeric: { x: test } });
    expect(arr(out)).toEqual([(0 - mean) / std, (5 - mean) / std, NaN, (100 - mean) / std]);
  });
  it('gives a constant column std 1 and an empty one mean 0', () => {
    expect(fitStandardize(Float64Array.of(3, 3, NaN), 'k')).toMatchObject({ mean: 3, std: 1 });
    expect(fitStandardize(Float64Array.of(NaN, NaN), 'k')).toMatchObject({ mean: 0, std: 1 });
  });
});

describe('log', () => {
  it('shifts so the training minimum maps to 1, clamps below, keeps NaN', () => {
    const step = fitLog(Float64Array.of(-2, 0, NaN, 5), 'x');
    expect(step).toEqual({ kind: 'log', column: 'x', output: 'log(x)', shift: 3 });
    const [out] = applyStep(step, [{ name: 'x', type: 'numeric' }], ['log(x)'], {
      nRows: 5,
      numeric: { x: Float64Array.of(-2, 0, 5, -10, NaN) },
    });
    expect(arr(out)).toEqual([0, Math.log(3), Math.log(8), 0, NaN]);
  });
  it('does not shift data whose minimum is already >= 1', () => {
    const step = fitLog(Float64Array.of(1.5, 10, 100), 'x');
    expect(step.shift).toBe(0);
    const [out] = applyStep(step, [{ name: 'x', type: 'numeric' }], ['log(x)'], {
      nRows: 2,
      numeric: { x: Float64Array.of(10, 0.5) },
    });
    expect(arr(out)).toEqual([Math.log(10), 0]);
  });
});

describe('yeo_johnson', () => {
  it('applies the Yeo–Johnson formula on both sides of 0', () => {
    const step = { ...fitYeoJohnson(X, 'x'), lambda: 0.5 };
    const [out] = applyStep(step, [{ name: 'x', type: 'numeric' }], ['yj(x)'], {
      nRows: 4,
      numeric: { x: Float64Array.of(3, 0, -3, NaN) },
    });
    // x ≥ 0: ((x+1)^λ − 1)/λ; x < 0: −((1−x)^(2−λ) − 1)/(2−λ)
    expect(out![0]).toBeCloseTo((4 ** 0.5 - 1) / 0.5, 14);
    expect(out![1]).toBe(0);
    expect(out![2]).toBeCloseTo(-((4 ** 1.5 - 1) / 1.5), 14);
    expect(out![3]).toBeNaN();
  });
  it('uses log1p at lambda 0 and 2', () => {
    const at = (lambda: number, x: number): number =>
      applyStep(
        { kind: 'yeo_johnson', column: 'x', output: 'yj(x)', lambda },
        [{ name: 'x', type: 'numeric' }],
        ['yj(x)'],
        {
          nRows: 1,
          numeric: { x: Float64Array.of(x) },
        },
      )[0]![0]!;
    expect(at(0, 2)).toBeCloseTo(Math.log(3), 15);
    expect(at(2, -2)).toBeCloseTo(-Math.log(3), 15);
  });
});

describe('quantile_bin', () => {
  it('puts edges at the k-quantiles (linear interpolation) and counts the edges a value exceeds', () => {
    const step = fitQuantileBin(Float64Array.of(5, 1, NaN, 3, 2, 4), 'x', { bins: 4 });
    // sorted 1..5: quantiles .25, .5, .75 at positions 1, 2, 3 → 2, 3, 4
    expect(step).toEqual({ kind: 'quantile_bin', column: 'x', output: 'bin(x)', edges: [2, 3, 4] });
    const [out] = applyStep(step, [{ name: 'x', type: 'numeric' }], ['bin(x)'], {
      nRows: 7,
      numeric: { x: Float64Array.of(0, 2, 2.5, 3, 4, 99, NaN) },
    });
    expect(arr(out)).toEqual([0, 0, 1, 1, 2, 3, NaN]);
  });
  it('interpolates between values and drops repeated edges', () => {
    expect(fitQuantileBin(Float64Array.of(0, 10), 'x', { bins: 4 }).edges).toEqual([2.5, 5, 7.5]);
    expect(fitQuantileBin(Float64Array.of(1, 1, 1, 1, 1, 2), 'x', { bins: 3 }).edges).toEqual([1]);
  });
});

describe('missing', () => {
  it('fills with the median by default, the mean on request, and flags missing values', () => {
    const x = Float64Array.of(1, NaN, 2, 10);
    expect(fitMissing(x, 'x')).toEqual({
      kind: 'missing',
      column: 'x',
      output: 'fill(x)',
      indicator: 'missing(x)',
      fill: 2,
    });
    expect(fitMissing(Float64Array.of(1, NaN, 2, 10, 4), 'x').fill).toBe(3);
    const step = fitMissing(x, 'x', { fill: 'mean' });
    expect(step.fill).toBeCloseTo(13 / 3, 15);
    const [filled, flag] = applyStep(step, [{ name: 'x', type: 'numeric' }], ['fill(x)', 'missing(x)'], {
      nRows: 3,
      numeric: { x: Float64Array.of(NaN, 7, -1) },
    });
    expect(arr(filled)).toEqual([13 / 3, 7, -1]);
    expect(arr(flag)).toEqual([1, 0, 0]);
  });
});

describe('interaction', () => {
  const inputs = [
    { name: 'a', type: 'numeric' as const },
    { name: 'b', type: 'numeric' as const },
  ];
  const data = { nRows: 5, numeric: { a: Float64Array.of(6, 1, 0, NaN, 3), b: Float64Array.of(3, 0, 0, 1, NaN) } };
  it('ratio: a / b, missing where b = 0 (or a or b is missing)', () => {
    const step = fitInteraction('ratio', ['a', 'b']);
    expect(step).toEqual({ kind: 'interaction', op: 'ratio', columns: ['a', 'b'], output: 'a/b' });
    expect(arr(applyStep(step, inputs, ['a/b'], data)[0])).toEqual([2, NaN, NaN, NaN, NaN]);
  });
  it('difference and product', () => {
    expect(arr(applyStep(fitInteraction('difference', ['a', 'b']), inputs, ['a-b'], data)[0])).toEqual([
      3,
      1,
      0,
      NaN,
      NaN,
    ]);
    expect(arr(applyStep(fitInteraction('product', ['a', 'b']), inputs, ['a*b'], data)[0])).toEqual([
      18,
      0,
      0,
      NaN,
      NaN,
    ]);
  });
});

describe('one_hot', () => {
  const train = { codes: Int32Array.of(0, 1, 1, 2, 1, 2, -1), levels: ['red', 'blue', 'green', 'never'] };
  it('keeps the levels seen in training; missing and unseen are all zeros', () => {
    const step = fitOneHot(train, 'c');
    expect(step).toEqual({
      kind: 'one_hot',
      column: 'c',
      levels: ['red', 'blue', 'green'],
      outputs: ['c=red', 'c=blue', 'c=green'],
    });
    // The input field's levels are in another order, and include a level the step lacks.
    const inputs = [{ name: 'c', type: 'categorical' as const, levels: ['green', 'purple', 'red', 'blue'] }];
    const out = applyStep(step, inputs, step.outputs, { nRows: 5, categorical: { c: Int32Array.of(2, 3, 0, 1, -1) } });
    expect(out.map(arr)).toEqual([
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 1, 0, 0],
    ]);
  });
  it('keeps only the top-N levels by frequency (ties: the earlier level)', () => {
    expect(fitOneHot(train, 'c', { maxLevels: 1 }).levels).toEqual(['blue']);
    expect(fitOneHot(train, 'c', { maxLevels: 2 }).levels).toEqual(['blue', 'green']);
    expect(fitOneHot({ codes: Int32Array.of(0, 1), levels: ['x', 'y'] }, 'c', { maxLevels: 1 }).levels).toEqual(['x']);
  });
});

describe('frequency', () => {
  it('maps a level to its share of training rows; missing and unseen to 0', () => {
    const step = fitFrequency({ codes: Int32Array.of(0, 1, 1, -1), levels: ['a', 'b', 'z'] }, 'c');
    expect(step).toEqual({
      kind: 'frequency',
      column: 'c',
      output: 'freq(c)',
      levels: ['a', 'b'],
      frequencies: [0.25, 0.5],
      unseen: 0,
    });
    const inputs = [{ name: 'c', type: 'categorical' as const, levels: ['b', 'a', 'q'] }];
    const [out] = applyStep(step, inputs, ['freq(c)'], { nRows: 4, categorical: { c: Int32Array.of(0, 1, 2, -1) } });
    expect(arr(out)).toEqual([0.5, 0.25, 0, 0]);
  });
});
