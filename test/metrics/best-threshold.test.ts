// Expected values: scikit-learn 1.2.1 (numpy 1.24.2), computed by test/metrics/sklearn-reference.py
// (brute force over thresholds with f1_score / matthews_corrcoef) and recorded in sklearn-reference.ts.
import { describe, expect, it } from 'vitest';
import { bestThreshold, confusionMatrix, mcc, type ThresholdChoice } from '../../src/metrics/index.js';
import { Rng } from '../../src/util/random.js';
import { expectClose } from './expect-close.js';
import { CLASSIFICATION_CASES, type ThresholdExpect } from './sklearn-reference.js';

function expectChoice(actual: ThresholdChoice, want: ThresholdExpect, what: string): void {
  expect(actual.threshold, `${what} threshold`).toBe(want.threshold);
  for (const key of ['value', 'precision', 'recall', 'f1', 'mcc', 'accuracy'] as const) {
    expectClose(actual[key], want[key], `${what} ${key}`);
  }
}

/** Brute force: every distinct threshold, metrics from the confusion matrix of "p >= t". */
function bruteForce(y: Int32Array, p: Float64Array, objective: 'f1' | 'mcc', w?: Float64Array): ThresholdChoice {
  const candidates = [...new Set(p)].sort((a, b) => b - a);
  let best: ThresholdChoice | undefined;
  for (const t of candidates) {
    // Predictions as one-hot "probabilities", so the generic metrics see exactly "p >= t".
    const onehot = new Float64Array(2 * y.length);
    for (let i = 0; i < y.length; i++) onehot[2 * i + ((p[i] as number) >= t ? 1 : 0)] = 1;
    const [[tn, fp], [fn, tp]] = confusionMatrix(y, onehot, w) as [[number, number], [number, number]];
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    const m = mcc(y, onehot, w);
    const value = objective === 'f1' ? f1 : m;
    if (best === undefined || value > best.value) {
      best = { threshold: t, value, precision, recall, f1, mcc: m, accuracy: (tp + tn) / (tp + tn + fp + fn) };
    }
  }
  return best as ThresholdChoice;
}

describe('bestThreshold', () => {
  const cases = CLASSIFICATION_CASES.filter((c) => c.bestThreshold !== undefined);

  it('has binary reference cases, including one where F1 and MCC disagree', () => {
    expect(cases.length).toBe(3);
    const split = cases.find((c) => c.name.includes('disagree'));
    expect(split?.bestThreshold?.unweighted.f1.threshold).toBe(0.6);
    expect(split?.bestThreshold?.unweighted.mcc.threshold).toBe(0.8);
  });

  for (const c of cases) {
    const y = Int32Array.from(c.y);
    const p = Float64Array.from({ length: y.length }, (_, i) => c.proba[2 * i + 1] as number);
    const w = Float64Array.from(c.weights);
    for (const objective of ['f1', 'mcc'] as const) {
      it(`${c.name}, ${objective}: matches scikit-learn, unweighted and weighted`, () => {
        const ref = c.bestThreshold;
        if (ref === undefined) throw new Error('no reference');
        expectChoice(bestThreshold(y, p, objective), ref.unweighted[objective], 'unweighted');
        expectChoice(bestThreshold(y, p, objective, w), ref.weighted[objective], 'weighted');
      });
    }
  }

  it('ties go to the higher threshold (F1 is 2/3 at both 0.9 and 0.6)', () => {
    const y = Int32Array.of(1, 0, 0, 1);
    const p = Float64Array.of(0.9, 0.8, 0.7, 0.6);
    const at = (t: number): number => {
      const tp = [0, 3].filter((i) => (p[i] as number) >= t).length;
      const predicted = [0, 1, 2, 3].filter((i) => (p[i] as number) >= t).length;
      const precision = tp / predicted;
      const recall = tp / 2;
      return (2 * precision * recall) / (precision + recall);
    };
    expect(at(0.9)).toBe(at(0.6));
    expect(bestThreshold(y, p, 'f1').threshold).toBe(0.9);
  });

  it('equals a brute force over all thresholds on random data with ties', () => {
    const rng = new Rng(5);
    for (let rep = 0; rep < 30; rep++) {
      const n = 3 + rng.int(80);
      const y = new Int32Array(n);
      const p = new Float64Array(n);
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = rng.int(3) === 0 ? 1 : 0;
        p[i] = (rng.int(10) + 3 * (y[i] as number)) / 13;
        w[i] = rng.int(5) === 0 ? 0 : 0.5 + rng.next();
      }
      for (const objective of ['f1', 'mcc'] as const) {
        for (const weights of [undefined, w]) {
          const got = bestThreshold(y, p, objective, weights);
          const want = bruteForce(y, p, objective, weights);
          expect(got.threshold).toBe(want.threshold);
          for (const key of ['value', 'precision', 'recall', 'f1', 'mcc', 'accuracy'] as const) {
            expectClose(got[key], want[key], `${objective} ${key}`);
          }
        }
      }
    }
  });

  it('the doc comment example holds', () => {
    const r = bestThreshold(Int32Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8), 'f1');
    expect(r.threshold).toBe(0.35);
    expect(r.value).toBeCloseTo(0.8, 15);
    expect(r.precision).toBeCloseTo(2 / 3, 15);
    expect(r.recall).toBe(1);
    expect(r.mcc).toBeCloseTo(1 / Math.sqrt(3), 15);
    expect(r.accuracy).toBe(0.75);
  });

  it('rejects an unknown objective', () => {
    expect(() => bestThreshold(Int32Array.of(0, 1), Float64Array.of(0.2, 0.8), 'auc' as 'f1')).toThrow(RangeError);
  });
});
