import { describe, expect, it } from 'vitest';
import {
  accuracy,
  auc,
  bestThreshold,
  binaryAuc,
  classificationReport,
  confusionMatrix,
  logloss,
  mae,
  mcc,
  precisionRecallF1,
  r2,
  regressionReport,
  rmse,
} from '../../src/metrics/index.js';

const y = Int32Array.of(0, 1, 1);
const proba = Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.2, 0.8);
const classification = { logloss, accuracy, confusionMatrix, precisionRecallF1, mcc, auc };
const regression = { rmse, mae, r2, regressionReport };

describe('input checks', () => {
  for (const [name, f] of Object.entries(classification)) {
    it(`${name}: clear RangeErrors for bad shapes, values and weights`, () => {
      expect(() => f(new Int32Array(0), new Float64Array(0))).toThrow(/y is empty/);
      expect(() => f(y, proba.subarray(0, 5))).toThrow(/proba has 5 entries for 3 rows/);
      expect(() => f(y, Float64Array.of(0.1, 0.2, 0.3))).toThrow(/K >= 2/);
      expect(() => f(Int32Array.of(0, 2, 1), proba)).toThrow(/y\[1\] is 2; expected a class index 0\.\.1/);
      expect(() => f(Float64Array.of(0, 0.5, 1), proba)).toThrow(/y\[1\] is 0\.5/);
      expect(() => f(y, Float64Array.of(0.9, 0.1, 0.6, 0.4, NaN, 0.8))).toThrow(/proba row 2, class 0 is NaN/);
      expect(() => f(y, Float64Array.of(0.9, Infinity, 0.6, 0.4, 0.2, 0.8))).toThrow(
        /proba row 0, class 1 is Infinity/,
      );
      expect(() => f(y, proba, Float64Array.of(1, 1))).toThrow(/weights has 2 entries, y has 3/);
      expect(() => f(y, proba, Float64Array.of(1, -1, 1))).toThrow(/weights\[1\] is -1/);
      expect(() => f(y, proba, Float64Array.of(1, NaN, 1))).toThrow(/weights\[1\] is NaN/);
      expect(() => f(y, proba, Float64Array.of(0, 0, 0))).toThrow(/weights sum to zero/);
      expect(() => f(y, proba.subarray(0, 5))).toThrow(RangeError);
      expect(() => f(y, proba.subarray(0, 5))).toThrow(new RegExp(`^${name}: `));
    });
  }

  it('classificationReport: the labels must match the probability columns', () => {
    expect(() => classificationReport(y, proba, ['a', 'b', 'c'])).toThrow(/3 class labels for 2 probability columns/);
  });

  it('binary helpers: y must be 0/1 and the scores finite and as long as y', () => {
    for (const f of [binaryAuc, (a: Int32Array, b: Float64Array) => bestThreshold(a, b, 'f1')]) {
      expect(() => f(Int32Array.of(0, 1), Float64Array.of(0.5))).toThrow(/y has 2 rows, the scores have 1/);
      expect(() => f(Int32Array.of(0, 2), Float64Array.of(0.5, 0.5))).toThrow(/y\[1\] is 2/);
      expect(() => f(Int32Array.of(0, 1), Float64Array.of(0.5, NaN))).toThrow(/score of row 1 is NaN/);
      expect(() => f(new Int32Array(0), new Float64Array(0))).toThrow(/y is empty/);
    }
  });

  for (const [name, f] of Object.entries(regression)) {
    it(`${name}: clear RangeErrors`, () => {
      const t = Float64Array.of(1, 2, 3);
      expect(() => f(new Float64Array(0), new Float64Array(0))).toThrow(/y is empty/);
      expect(() => f(t, Float64Array.of(1, 2))).toThrow(/y has 3 rows, pred has 2/);
      expect(() => f(t, Float64Array.of(1, NaN, 3))).toThrow(/pred\[1\] is NaN/);
      expect(() => f(Float64Array.of(1, 2, NaN), t)).toThrow(/y\[2\] is NaN/);
      expect(() => f(t, t, Float64Array.of(1))).toThrow(/weights has 1 entries/);
      expect(() => f(t, t, Float64Array.of(1))).toThrow(RangeError);
    });
  }
});
