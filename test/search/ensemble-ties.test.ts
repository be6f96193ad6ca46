/**
 * Selection that does not reward luck: per-row losses, the paired comparison with its tie, the
 * families seeded into every bag on a nearly separable target, and what a member weighs as shipped.
 */
import { describe, expect, it } from 'vitest';
import type { ModelNode } from '../../src/artifact/format/pipeline.js';
import { METRICS } from '../../src/metrics/registry.js';
import type { FamilyName } from '../../src/models/registry.js';
import type { ScoredCandidate } from '../../src/search/automl.js';
import {
  LOGLOSS_TIE,
  REFIT_ABOVE_NUMBERS,
  rowLosses,
  selectEnsemble,
  shippedNumbers,
  shipsRefit,
  worseBeyondNoise,
} from '../../src/search/ensemble.js';
import { fileJson } from '../../src/search/export.js';
import type { CvTask } from '../../src/search/types.js';
import { Rng } from '../../src/util/random.js';
import { binaryOof, candidate } from './ensemble-pool.js';

describe('rowLosses', () => {
  it('logloss: minus the log of the true class probability; rmse: squared errors; mae: absolute; others: none', () => {
    const y = Float64Array.of(0, 1, 1);
    const p = Float64Array.of(0.9, 0.1, 0.2, 0.8, 0.5, 0.5);
    const l = rowLosses('logloss', y, p, 2)!;
    expect(Array.from(l)).toEqual([-Math.log(0.9), -Math.log(0.8), -Math.log(0.5)]);
    // Their mean is the metric.
    expect(l.reduce((a, b) => a + b, 0) / 3).toBeCloseTo(METRICS.logloss.compute(y, p), 12);
    const yr = Float64Array.of(1, 2, 4);
    const pr = Float64Array.of(1.5, 2, 1);
    expect(Array.from(rowLosses('rmse', yr, pr, 1)!)).toEqual([0.25, 0, 9]);
    expect(Array.from(rowLosses('mae', yr, pr, 1)!)).toEqual([0.5, 0, 3]);
    expect(rowLosses('auc', y, p, 2)).toBeNull();
    expect(rowLosses('f1', y, p, 2)).toBeNull();
  });
});

describe('worseBeyondNoise', () => {
  it('a large, steady difference is real; one beyond the noise but below the tie is not; a noisy one is not', () => {
    const n = 1000;
    const b = new Float64Array(n).fill(0.1);
    // Worse by 0.1 on every row: no noise at all.
    expect(worseBeyondNoise(new Float64Array(n).fill(0.2), b)).toBe(true);
    const rng = new Rng(3);
    const steady = Float64Array.from(b, (x) => x + 0.05 + 0.01 * rng.next());
    expect(worseBeyondNoise(steady, b)).toBe(true);
    // Less sure of every row by 0.0004 on average (a near-perfect model against another): a tie.
    const tiny = Float64Array.from(b, (x) => x + 0.0004 + 0.0001 * rng.next());
    expect(worseBeyondNoise(tiny, b, LOGLOSS_TIE)).toBe(false);
    expect(worseBeyondNoise(tiny, b, 0)).toBe(true);
    // Worse by 0.03 on average, all of it from three rows: within the noise.
    const lucky = Float64Array.from(b, (x, i) => (i < 3 ? x + 10 : x));
    expect(worseBeyondNoise(lucky, b)).toBe(false);
    // The comparison is one-sided.
    expect(worseBeyondNoise(b, steady)).toBe(false);
  });
});

describe('selectEnsemble on a nearly separable target', () => {
  const n = 900;
  const rng = new Rng(11);
  const y = Float64Array.from({ length: n }, () => rng.int(2));
  const task: CvTask = { kind: 'binary', nClasses: 2, y };
  // The best: sure of every row; a forest a little less sure; a GLM clearly worse.
  const boosted = binaryOof(y, () => 0.9995);
  const forest = binaryOof(y, () => 0.985 + 0.01 * rng.next());
  const weak = binaryOof(y, () => 0.6 + 0.2 * rng.next());
  const G = candidate(0, 'gbdt', boosted, task, 'logloss');
  const F = candidate(1, 'extra_trees', forest, task, 'logloss');
  const L = candidate(2, 'glm', weak, task, 'logloss');

  it('the families within the noise of the best share the weight; the ensemble is kept though the best alone is a little better', () => {
    const s = selectEnsemble([G, F, L], G, task, 'logloss', 5, new Rng(5));
    expect(s.ensembled).toBe(true);
    expect(s.members.map((m) => m.candidate.entry.family).sort()).toEqual(['extra_trees', 'gbdt']);
    const weight = new Map(s.members.map((m) => [m.candidate, m.weight]));
    // The forest has its seeded vote in each bag: one of 1 + 1 + 20 rounds.
    expect(weight.get(F)).toBeGreaterThanOrEqual(1 / 22 - 1e-12);
    expect(weight.get(G)).toBeGreaterThan(0.5);
    expect(s.seeded).toEqual([G, F]);
    expect(s.singleScore).toBeLessThan(s.ensembleScore);
    expect(s.ensembleScore - s.singleScore).toBeLessThan(LOGLOSS_TIE);
  });

  it('a family clearly worse than the best gets no seat', () => {
    const s = selectEnsemble([G, L], G, task, 'logloss', 5, new Rng(5));
    expect(s.members.map((m) => m.candidate)).toEqual([G]);
    expect(s.ensembled).toBe(false);
  });
});

describe('what a member weighs as shipped', () => {
  const tree = (nodes: number): ModelNode =>
    ({
      kind: 'tree_ensemble',
      trees: [{ feature: new Array(nodes).fill(0), value: new Array(nodes).fill(0) }],
    }) as unknown as ModelNode;
  const withFolds = (family: FamilyName, sizes: number[]): ScoredCandidate => {
    const c = candidate(
      0,
      family,
      new Float64Array(2),
      { kind: 'binary', nClasses: 2, y: Float64Array.of(0) },
      'logloss',
    );
    c.foldModels = new Map(sizes.map((s, f) => [f, { features: { inputs: [], steps: [] } as never, model: tree(s) }]));
    return c;
  };
  it('fold models as their sum; large fold models of a family without rounds as one refit, scaled to all rows', () => {
    // 6 numbers a node (5 fields and one value); 40,000 nodes in three folds: 240,000 numbers.
    const large = [10_000, 15_000, 15_000];
    expect(6 * 40_000).toBeGreaterThan(REFIT_ABOVE_NUMBERS);
    expect(shipsRefit(withFolds('gbdt', large))).toBe(false); // its rounds come from the folds
    expect(shipsRefit(withFolds('mlp', large))).toBe(false);
    expect(shipsRefit(withFolds('random_forest', large))).toBe(true);
    expect(shipsRefit(withFolds('extra_trees', large))).toBe(true);
    // Small fold models are what the out-of-fold record measured: shipped as they are.
    expect(shipsRefit(withFolds('random_forest', [10, 20, 30]))).toBe(false);
    expect(shipsRefit(withFolds('glm', [10, 20, 30]))).toBe(false);
    expect(shippedNumbers(withFolds('gbdt', [10, 20, 30]))).toBe(6 * 60);
    expect(shippedNumbers(withFolds('extra_trees', [10, 20, 30]))).toBe(6 * 60);
    expect(shippedNumbers(withFolds('extra_trees', large))).toBe(((6 * 40_000) / 3) * 1.5);
  });
});

describe('fileJson', () => {
  it('is JSON.stringify(value, null, 2) with arrays of plain values on one line', () => {
    const value = { a: [1, 2.5, -3], b: { c: 'x', d: [], e: {} }, f: [{ g: [true, null, 'y'] }] };
    const text = fileJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toBe(
      '{\n  "a": [1,2.5,-3],\n  "b": {\n    "c": "x",\n    "d": [],\n    "e": {}\n  },\n  "f": [\n    {\n      "g": [true,null,"y"]\n    }\n  ]\n}',
    );
    const big = { w: Array.from({ length: 1000 }, (_, i) => i / 7) };
    expect(fileJson(big).length).toBeLessThan(JSON.stringify(big, null, 2).length / 1.2);
    expect(() => fileJson({ x: [1, Number.NaN] })).toThrow(/non-finite/);
  });
});
