// ROC and precision-recall curves, operating points and regression points against small cases
// worked out by hand (the first is scikit-learn's own documentation example: roc_curve gives
// fpr [0, 0, .5, .5, 1], tpr [0, .5, .5, 1, 1]; average_precision_score 0.8333).
import { describe, expect, it } from 'vitest';
import { binaryAuc, bestThreshold, ovrAuc } from '../../src/metrics/index.js';
import {
  classificationCurves,
  operatingPoint,
  prCurve,
  regressionPoints,
  rocCurve,
  thin,
} from '../../src/report/curves.js';
import { Rng } from '../../src/util/random.js';

const Y = Int32Array.of(0, 0, 1, 1);
const S = Float64Array.of(0.1, 0.4, 0.35, 0.8);

describe('rocCurve', () => {
  it("scikit-learn's example: every distinct score a point, (0, 0) first, AUC 0.75", () => {
    const r = rocCurve(Y, S, 1);
    expect(r.points).toEqual([
      { threshold: Infinity, fpr: 0, tpr: 0 },
      { threshold: 0.8, fpr: 0, tpr: 0.5 },
      { threshold: 0.4, fpr: 0.5, tpr: 0.5 },
      { threshold: 0.35, fpr: 0.5, tpr: 1 },
      { threshold: 0.1, fpr: 1, tpr: 1 },
    ]);
    expect(r.auc).toBe(0.75);
    expect(r.positives).toBe(2);
    expect(r.negatives).toBe(2);
  });

  it('drops the points on a straight segment (drop_intermediate), keeps the corners', () => {
    const r = rocCurve(Int32Array.of(1, 1, 1, 0, 0, 0), Float64Array.of(0.9, 0.8, 0.7, 0.3, 0.2, 0.1), 1);
    expect(r.points.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [0, 1 / 3],
      [0, 1],
      [1, 1],
    ]);
    expect(r.auc).toBe(1);
  });

  it('tied scores are one point (a positive tied with a negative counts one half)', () => {
    const r = rocCurve(Int32Array.of(0, 1, 0, 1), Float64Array.of(0.5, 0.5, 0.2, 0.8), 1);
    expect(r.points.map((p) => [p.threshold, p.fpr, p.tpr])).toEqual([
      [Infinity, 0, 0],
      [0.8, 0, 0.5],
      [0.5, 0.5, 1],
      [0.2, 1, 1],
    ]);
    expect(r.auc).toBe(0.875);
  });

  it('one class absent: no curve, no area', () => {
    const r = rocCurve(Int32Array.of(1, 1), Float64Array.of(0.2, 0.9), 1);
    expect(r).toEqual({ points: [], auc: null, positives: 2, negatives: 0 });
  });

  it('a column of row-major probabilities (stride, offset) and NaN refused', () => {
    const proba = Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8);
    expect(rocCurve(Y, proba, 1, 2, 1).auc).toBe(0.75);
    expect(() => rocCurve(Y, Float64Array.of(0.1, NaN, 0.3, 0.4), 1)).toThrow(/score 1 is NaN/);
    expect(() => rocCurve(Y, Float64Array.of(0.1), 1)).toThrow(RangeError);
  });
});

describe('prCurve', () => {
  it("scikit-learn's example: down to full recall, then (0, 1); average precision 5/6", () => {
    const r = prCurve(Y, S, 1);
    expect(r.points).toEqual([
      { threshold: 0.35, recall: 1, precision: 2 / 3 },
      { threshold: 0.4, recall: 0.5, precision: 0.5 },
      { threshold: 0.8, recall: 0.5, precision: 1 },
      { threshold: Infinity, recall: 0, precision: 1 },
    ]);
    expect(r.averagePrecision).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 15);
  });

  it('ties and a perfect ranking', () => {
    const tied = prCurve(Int32Array.of(0, 1, 0, 1), Float64Array.of(0.5, 0.5, 0.2, 0.8), 1);
    expect(tied.points.map((p) => [p.recall, p.precision])).toEqual([
      [1, 2 / 3],
      [0.5, 1],
      [0, 1],
    ]);
    expect(tied.averagePrecision).toBeCloseTo(0.5 + 0.5 * (2 / 3), 15);
    expect(prCurve(Int32Array.of(1, 1, 0), Float64Array.of(0.9, 0.8, 0.1), 1).averagePrecision).toBe(1);
  });

  it('no positive rows: no curve', () => {
    expect(prCurve(Int32Array.of(0, 0), Float64Array.of(0.2, 0.9), 1)).toEqual({ points: [], averagePrecision: null });
  });
});

describe('operatingPoint', () => {
  it('the metrics of "p >= threshold", by hand', () => {
    const p = operatingPoint(Y, S, 0.35, 'f1', 'test');
    expect(p.precision).toBeCloseTo(2 / 3, 15);
    expect(p.recall).toBe(1);
    expect(p.f1).toBeCloseTo(0.8, 15);
    expect(p.mcc).toBeCloseTo(2 / Math.sqrt(12), 15);
    expect(p.accuracy).toBe(0.75);
    expect(p.fpr).toBe(0.5);
  });

  it('nothing predicted positive: precision, F1 and MCC 0', () => {
    const p = operatingPoint(Y, S, 0.9, 'mcc', 'pipeline');
    expect([p.precision, p.recall, p.f1, p.mcc, p.fpr, p.accuracy]).toEqual([0, 0, 0, 0, 0, 0.5]);
  });
});

/** n rows of K classes with noisy probabilities, from the seeded RNG. */
function randomCase(n: number, K: number, seed: number): { y: Int32Array; proba: Float64Array } {
  const rng = new Rng(seed);
  const y = new Int32Array(n);
  const proba = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    y[i] = i % K;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      // Rounded, so that there are ties.
      const v = Math.round((rng.next() + (k === y[i] ? 0.6 : 0)) * 20) / 20 + 0.01;
      proba[i * K + k] = v;
      sum += v;
    }
    for (let k = 0; k < K; k++) proba[i * K + k] = proba[i * K + k]! / sum;
  }
  return { y, proba };
}

describe('classificationCurves', () => {
  it("multiclass: one curve per class, one-vs-rest; the AUCs' mean is the macro AUC of src/metrics", () => {
    const { y, proba } = randomCase(90, 3, 5);
    const c = classificationCurves(y, proba, ['a', 'b', 'c']);
    expect(c.perClass.map((k) => k.label)).toEqual(['a', 'b', 'c']);
    expect(c.positiveClass).toBeNull();
    expect(c.operatingPoints).toEqual([]);
    const mean = c.perClass.reduce((s, k) => s + k.auc!, 0) / 3;
    expect(mean).toBeCloseTo(ovrAuc(y, proba)!, 12);
    for (const [k, cls] of c.perClass.entries()) {
      const indicator = Int32Array.from(y, (v) => (v === k ? 1 : 0));
      const column = Float64Array.from({ length: y.length }, (_, i) => proba[i * 3 + k]!);
      expect(cls.auc).toBeCloseTo(binaryAuc(indicator, column)!, 12);
      expect(cls.positives).toBe(30);
      expect(cls.negatives).toBe(60);
      expect(cls.roc[0]).toEqual({ threshold: Infinity, fpr: 0, tpr: 0 });
      expect(cls.roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
      expect(cls.pr.at(-1)).toEqual({ threshold: Infinity, recall: 0, precision: 1 });
      expect(cls.pr[0]!.recall).toBe(1);
    }
  });

  it('binary: the positive class alone, the best F1 and MCC thresholds on these rows marked', () => {
    const { y, proba } = randomCase(60, 2, 9);
    const c = classificationCurves(y, proba, ['no', 'yes']);
    expect(c.positiveClass).toBe('yes');
    expect(c.perClass.map((k) => k.label)).toEqual(['yes']);
    const p = Float64Array.from({ length: y.length }, (_, i) => proba[i * 2 + 1]!);
    expect(c.perClass[0]!.auc).toBeCloseTo(binaryAuc(y, p)!, 12);
    expect(c.operatingPoints.map((o) => [o.objective, o.source])).toEqual([
      ['f1', 'test'],
      ['mcc', 'test'],
    ]);
    for (const o of c.operatingPoints) {
      const best = bestThreshold(y, p, o.objective);
      expect(o.threshold).toBe(best.threshold);
      for (const key of ['precision', 'recall', 'f1', 'mcc', 'accuracy'] as const) {
        expect(o[key], key).toBeCloseTo(best[key], 12);
      }
    }
  });

  it("binary with the pipeline's thresholds: their operating points on these rows", () => {
    const proba = Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8);
    const c = classificationCurves(Y, proba, ['n', 'p'], { f1: 0.35, mcc: 0.8 });
    expect(c.operatingPoints.map((o) => [o.objective, o.source, o.threshold, o.recall, o.fpr])).toEqual([
      ['f1', 'pipeline', 0.35, 1, 0.5],
      ['mcc', 'pipeline', 0.8, 0.5, 0],
    ]);
  });

  it('is deterministic', () => {
    const { y, proba } = randomCase(50, 4, 3);
    const labels = ['a', 'b', 'c', 'd'];
    expect(classificationCurves(y, proba, labels)).toEqual(classificationCurves(y, proba, labels));
  });
});

describe('regressionPoints and thin', () => {
  it('actual, predicted and residual (actual − predicted) per row; non-finite rows left out', () => {
    const r = regressionPoints(Float64Array.of(1, 2, NaN, 3), Float64Array.of(1.5, 2, 1, 2));
    expect(r.rows).toBe(3);
    expect(r.points).toEqual([
      { row: 0, actual: 1, predicted: 1.5, residual: -0.5 },
      { row: 1, actual: 2, predicted: 2, residual: 0 },
      { row: 3, actual: 3, predicted: 2, residual: 1 },
    ]);
    expect(() => regressionPoints(Float64Array.of(1), Float64Array.of(1, 2))).toThrow(RangeError);
  });

  it('thins evenly, keeping the first and the last', () => {
    const ten = Array.from({ length: 10 }, (_, i) => i);
    expect(thin(ten, 4)).toEqual([0, 3, 6, 9]);
    expect(thin(ten, 10)).toEqual(ten);
    expect(thin(ten, 1)).toEqual([0]);
    const r = regressionPoints(Float64Array.from(ten), Float64Array.from(ten), 4);
    expect(r.points.map((p) => p.row)).toEqual([0, 3, 6, 9]);
    expect(r.rows).toBe(10);
  });
});
