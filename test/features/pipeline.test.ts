import { describe, expect, it } from 'vitest';
import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import type { FeaturePipelineNode } from '../../src/artifact/format/features.js';
import { columnarInput } from '../../src/features/columnar-input.js';
import { type FeatureSpec, fitFeaturePipeline } from '../../src/features/pipeline.js';
import { TRANSFORM_KINDS, transformByKind } from '../../src/features/registry.js';
import type { FeatureTarget } from '../../src/features/types.js';
import { AutomlError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';
import { arr, cat, num, roundTrip, table } from './helpers.js';

const COLOURS = ['red', 'blue', 'green', 'teal'];

/** A seeded training table: numeric a, b (with zeros and missing), x; categorical c (never 'teal'). */
function trainData(n = 60) {
  const rng = new Rng(5);
  const a = Array.from({ length: n }, (_, i) => (i % 11 === 3 ? NaN : Math.round(rng.next() * 1000) / 10 - 20));
  const b = Array.from({ length: n }, (_, i) =>
    i % 7 === 0 ? 0 : i % 13 === 5 ? NaN : Math.round(rng.next() * 50) / 10,
  );
  const x = Array.from({ length: n }, () => Math.exp(rng.next() * 4));
  const c = Array.from({ length: n }, (_, i) => (i % 17 === 2 ? '' : COLOURS[rng.int(3)]!));
  const y = Float64Array.from(c, (v, i) => (v === 'red' ? (i % 3 === 0 ? 0 : 1) : i % 4 === 0 ? 1 : 0));
  // The dictionary includes 'teal', which the training rows never have.
  return { table: table(num('a', a), num('b', b), num('x', x), cat('c', c, COLOURS), num('unused', x)), y };
}

const SPEC: FeatureSpec = {
  passthrough: ['x'],
  transforms: [
    { kind: 'standardize', column: 'a' },
    { kind: 'log', column: 'x' },
    { kind: 'yeo_johnson', column: 'a' },
    { kind: 'quantile_bin', column: 'x', bins: 4 },
    { kind: 'missing', column: 'b', fill: 'mean' },
    { kind: 'interaction', op: 'ratio', columns: ['a', 'b'], feature: false },
    { kind: 'standardize', column: 'a/b' },
    { kind: 'interaction', op: 'difference', columns: ['a', 'x'] },
    { kind: 'interaction', op: 'product', columns: ['fill(b)', 'x'] },
    { kind: 'one_hot', column: 'c', maxLevels: 2 },
    { kind: 'frequency', column: 'c' },
    { kind: 'target_encoding', column: 'c', folds: 5, smoothing: 10 },
  ],
};

function fitPipeline(seed = 42, spec: FeatureSpec = SPEC) {
  const { table: t, y } = trainData();
  const target: FeatureTarget = { kind: 'binary', y, nClasses: 2 };
  return { t, y, ...fitFeaturePipeline(t, spec, target, new Rng(seed)) };
}

function thrown(f: () => unknown): AutomlError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AutomlError);
    return e as AutomlError;
  }
  throw new Error('expected an AutomlError');
}

describe('fitFeaturePipeline', () => {
  it('names its features readably, in order, and lists only the inputs it reads', () => {
    const { node } = fitPipeline();
    expect(node.features).toEqual([
      'x',
      'z(a)',
      'log(x)',
      'yj(a)',
      'bin(x)',
      'fill(b)',
      'missing(b)',
      'z(a/b)',
      'a-x',
      'fill(b)*x',
      ...node.steps.find((s) => s.kind === 'one_hot')!.levels.map((l) => `c=${l}`),
      'freq(c)',
      'te(c)',
    ]);
    expect(node.features.filter((f) => f.startsWith('c='))).toHaveLength(2);
    expect(node.inputs.map((f) => f.name)).toEqual(['a', 'b', 'x', 'c']);
    expect(node.inputs[3]).toEqual({ name: 'c', type: 'categorical', levels: ['red', 'blue', 'green'] });
  });

  it('trainMatrix equals the scorer on the training rows (after a JSON round trip), except out-of-fold target encoding', () => {
    const { t, node, trainMatrix } = fitPipeline();
    const scored = new FeatureScorer(roundTrip(node)).apply(columnarInput(t, node));
    expect(scored).toHaveLength(node.features.length);
    node.features.forEach((name, j) => {
      if (name === 'te(c)') return;
      expect(arr(scored[j]), name).toEqual(arr(trainMatrix[j]));
    });
    const te = node.features.indexOf('te(c)');
    expect(arr(scored[te])).not.toEqual(arr(trainMatrix[te]));
  });

  it('scoring target encoding uses the full training statistics', () => {
    const { t, y, node } = fitPipeline();
    const scored = new FeatureScorer(node).apply(columnarInput(t, node));
    const c = t.column('c');
    if (c.type !== 'categorical') throw new Error('c');
    const prior = y.reduce((s, v) => s + v, 0) / y.length;
    const te = scored[node.features.indexOf('te(c)')]!;
    for (let i = 0; i < t.nRows; i++) {
      const code = c.codes[i]!;
      let expected = prior;
      if (code >= 0) {
        let n = 0;
        let sum = 0;
        for (let j = 0; j < t.nRows; j++) {
          if (c.codes[j] === code) {
            n++;
            sum += y[j]!;
          }
        }
        expected = (sum + 10 * prior) / (n + 10);
      }
      expect(te[i]).toBeCloseTo(expected, 14);
    }
  });

  it('computes each column as a direct formula would, on the training rows', () => {
    const { t, node, trainMatrix } = fitPipeline();
    const col = (name: string) => trainMatrix[node.features.indexOf(name)]!;
    const a = t.numeric('a').values;
    const b = t.numeric('b').values;
    const x = t.numeric('x').values;
    const fill = (node.steps[4] as { fill: number }).fill;
    const known = Array.from(b).filter((v) => !Number.isNaN(v));
    expect(fill).toBeCloseTo(known.reduce((s, v) => s + v, 0) / known.length, 12);
    for (let i = 0; i < t.nRows; i++) {
      expect(col('x')[i]).toBe(x[i]);
      expect(col('log(x)')[i]).toBe(Math.log(x[i]!)); // x = exp(u) >= 1: no shift
      expect(col('missing(b)')[i]).toBe(Number.isNaN(b[i]) ? 1 : 0);
      expect(col('fill(b)*x')[i]).toBe((Number.isNaN(b[i]) ? fill : b[i]!) * x[i]!);
      expect(col('a-x')[i]).toEqual(a[i]! - x[i]!);
      // a/b is missing where b = 0 or either is missing, and so is its standardised column.
      if (b[i] === 0 || Number.isNaN(a[i]) || Number.isNaN(b[i])) expect(col('z(a/b)')[i]).toBeNaN();
      else expect(Number.isFinite(col('z(a/b)')[i])).toBe(true);
    }
  });

  it('applies to new rows: unseen levels, missing values, levels the training rows never had', () => {
    const { t, node } = fitPipeline();
    const test = table(
      num('a', [NaN, 5]),
      num('b', [0, NaN]),
      num('x', [2, NaN]),
      cat('c', ['teal', 'purple'], ['purple', 'teal']),
    );
    const m = new FeatureScorer(node).apply(columnarInput(test, node));
    const col = (name: string) => arr(m[node.features.indexOf(name)]);
    for (const f of node.features.filter((f) => f.startsWith('c='))) expect(col(f)).toEqual([0, 0]);
    expect(col('freq(c)')).toEqual([0, 0]);
    const te = node.steps.find((s) => s.kind === 'target_encoding')!;
    expect(col('te(c)')).toEqual([te.prior[0], te.prior[0]]);
    expect(col('z(a)')[0]).toBeNaN();
    expect(col('yj(a)')[0]).toBeNaN();
    expect(col('z(a/b)')).toEqual([NaN, NaN]);
    expect(col('missing(b)')).toEqual([0, 1]);
    expect(col('bin(x)')[1]).toBeNaN();
    expect(col('log(x)')).toEqual([Math.log(2), NaN]);
    expect(t.nRows).toBe(60);
  });

  it('is deterministic for a seed; the seed moves only the out-of-fold encoding', () => {
    const one = fitPipeline(42);
    const two = fitPipeline(42);
    expect(JSON.stringify(one.node)).toBe(JSON.stringify(two.node));
    expect(one.trainMatrix.map(arr)).toEqual(two.trainMatrix.map(arr));
    const other = fitPipeline(43);
    expect(JSON.stringify(other.node)).toBe(JSON.stringify(one.node));
    const te = one.node.features.indexOf('te(c)');
    expect(arr(other.trainMatrix[te])).not.toEqual(arr(one.trainMatrix[te]));
  });

  it('needs no target without target encoding', () => {
    const { table: t } = trainData();
    const { node } = fitFeaturePipeline(t, { transforms: [{ kind: 'one_hot', column: 'c' }] }, undefined, new Rng(1));
    expect(node.features).toEqual(['c=red', 'c=blue', 'c=green']);
  });
});

describe('fitFeaturePipeline errors', () => {
  const { table: t, y } = trainData();
  const target: FeatureTarget = { kind: 'binary', y, nClasses: 2 };
  const run = (spec: FeatureSpec) => () => fitFeaturePipeline(t, spec, target, new Rng(1));

  it('an unknown column is named, with the columns there are', () => {
    const e = thrown(run({ transforms: [{ kind: 'standardize', column: 'nope' }] }));
    expect(e.code).toBe('UNKNOWN_COLUMN');
    expect(e.message).toMatch(/no column 'nope'.*The columns are: a, b, x, c, unused/);
    expect(thrown(run({ transforms: [{ kind: 'interaction', op: 'product', columns: ['a', 'zz'] }] })).message).toMatch(
      /'zz'/,
    );
    expect(thrown(run({ transforms: [], passthrough: ['gone'] })).message).toMatch(/'gone'/);
  });

  it('a column of the wrong type is named', () => {
    const e = thrown(run({ transforms: [{ kind: 'log', column: 'c' }] }));
    expect(e.code).toBe('COLUMN_TYPE');
    expect(e.message).toBe("column 'c' is categorical; transform log needs a numeric column");
    expect(thrown(run({ transforms: [{ kind: 'one_hot', column: 'a' }] })).message).toBe(
      "column 'a' is numeric; transform one_hot needs a categorical column",
    );
    expect(thrown(run({ transforms: [], passthrough: ['c'] })).message).toMatch(
      /column 'c' is categorical; passthrough/,
    );
  });

  it('an unknown kind is named, with the kinds there are', () => {
    const e = thrown(run({ transforms: [{ kind: 'onehot', column: 'c' } as never] }));
    expect(e.code).toBe('UNKNOWN_TRANSFORM');
    expect(e.message).toBe(
      `unknown transform 'onehot'; the transforms are: ${TRANSFORM_KINDS.join(', ')}. Use one of these kinds.`,
    );
    expect(() => transformByKind('standardise')).toThrow(/unknown transform 'standardise'/);
    for (const k of TRANSFORM_KINDS) expect(transformByKind(k).kind).toBe(k);
  });

  it('bad options, repeated columns and a missing target', () => {
    expect(thrown(run({ transforms: [{ kind: 'quantile_bin', column: 'x', bins: 1 }] })).message).toBe(
      "transform quantile_bin of 'x': 'bins' must be an integer >= 2, got 1",
    );
    expect(thrown(run({ transforms: [{ kind: 'target_encoding', column: 'c', smoothing: -1 }] })).code).toBe(
      'BAD_TRANSFORM',
    );
    expect(thrown(run({ transforms: [{ kind: 'missing', column: 'b', fill: 'mode' as never }] })).message).toMatch(
      /'fill' must be one of median, mean/,
    );
    expect(
      thrown(run({ transforms: [{ kind: 'interaction', op: 'sum' as never, columns: ['a', 'b'] }] })).message,
    ).toMatch(/'op' must be one of/);
    const dup = thrown(
      run({
        transforms: [
          { kind: 'standardize', column: 'a' },
          { kind: 'standardize', column: 'a' },
        ],
      }),
    );
    expect(dup.code).toBe('DUPLICATE_COLUMN');
    expect(dup.message).toMatch(/makes column 'z\(a\)', which already exists/);
    const none = thrown(() =>
      fitFeaturePipeline(t, { transforms: [{ kind: 'target_encoding', column: 'c' }] }, undefined, new Rng(1)),
    );
    expect(none.code).toBe('NO_TARGET');
    expect(none.message).toMatch(/target_encoding of 'c' needs the target/);
  });
});

describe('columnarInput', () => {
  it('re-codes categorical levels by text into the input field levels', () => {
    const node: FeaturePipelineNode = {
      kind: 'feature_pipeline',
      inputs: [{ name: 'c', type: 'categorical', levels: ['x', 'y'] }],
      steps: [],
      features: [],
    };
    const input = columnarInput(table(cat('c', ['y', 'z', '', 'x'])), node);
    expect(Array.from(input.categorical.c!)).toEqual([1, -1, -1, 0]);
    expect(() => columnarInput(table(num('c', [1])), node)).toThrow(/column 'c' is numeric/);
    expect(() => columnarInput(table(num('d', [1])), node)).toThrow(/no column 'c'/);
  });
});
