import { describe, expect, it } from 'vitest';
import { auc, binaryAuc, ovrAuc } from '../../src/metrics/index.js';
import { Rng } from '../../src/util/random.js';
import { expectClose } from './expect-close.js';
import { CLASSIFICATION_CASES } from './sklearn-reference.js';

/** AUC by definition: the weighted share of (positive, negative) pairs ranked right, ties 1/2. O(n²). */
function pairwiseAuc(
  isPositive: (i: number) => boolean,
  score: (i: number) => number,
  n: number,
  w?: Float64Array,
): number | null {
  let right = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    if (!isPositive(i)) continue;
    for (let j = 0; j < n; j++) {
      if (isPositive(j)) continue;
      const pw = (w ? (w[i] as number) : 1) * (w ? (w[j] as number) : 1);
      pairs += pw;
      const d = score(i) - score(j);
      right += d > 0 ? pw : d === 0 ? pw / 2 : 0;
    }
  }
  return pairs === 0 ? null : right / pairs;
}

function randomCase(rng: Rng, n: number, nClasses: number): { y: Int32Array; proba: Float64Array; w: Float64Array } {
  const y = new Int32Array(n);
  const proba = new Float64Array(n * nClasses);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(nClasses);
    let sum = 0;
    for (let k = 0; k < nClasses; k++) {
      // Coarse grid, so many scores tie; a lift for the true class, so the AUC is not ~0.5.
      const v = rng.int(8) + (k === y[i] ? rng.int(4) : 0) + 1;
      proba[i * nClasses + k] = v;
      sum += v;
    }
    for (let k = 0; k < nClasses; k++) proba[i * nClasses + k] = (proba[i * nClasses + k] as number) / sum;
    w[i] = rng.int(4) === 0 ? 0 : rng.next() * 3;
  }
  return { y, proba, w };
}

describe('auc', () => {
  it('binary AUC equals the pairwise (Mann–Whitney) definition with ties counted 1/2, weighted or not', () => {
    const rng = new Rng(11);
    for (let rep = 0; rep < 20; rep++) {
      const { y, proba, w } = randomCase(rng, 5 + rng.int(60), 2);
      const p = Float64Array.from({ length: y.length }, (_, i) => proba[2 * i + 1] as number);
      const pos = (i: number): boolean => y[i] === 1;
      const score = (i: number): number => p[i] as number;
      expectClose(binaryAuc(y, p), pairwiseAuc(pos, score, y.length), 'unweighted');
      expectClose(binaryAuc(y, p, w), pairwiseAuc(pos, score, y.length, w), 'weighted');
      expectClose(auc(y, proba, w), binaryAuc(y, p, w), 'auc() uses column 1');
    }
  });

  it('OvR macro AUC is the mean of the per-class pairwise AUCs', () => {
    const rng = new Rng(12);
    for (const nClasses of [3, 4, 6]) {
      for (let rep = 0; rep < 8; rep++) {
        const { y, proba, w } = randomCase(rng, 40 + rng.int(40), nClasses);
        let expected = 0;
        let expectedW = 0;
        let defined = true;
        for (let k = 0; k < nClasses; k++) {
          const pos = (i: number): boolean => y[i] === k;
          const score = (i: number): number => proba[i * nClasses + k] as number;
          const a = pairwiseAuc(pos, score, y.length);
          const b = pairwiseAuc(pos, score, y.length, w);
          if (a === null || b === null) defined = false;
          else {
            expected += a / nClasses;
            expectedW += b / nClasses;
          }
        }
        if (!defined) continue;
        expectClose(ovrAuc(y, proba), expected, 'unweighted');
        expectClose(ovrAuc(y, proba, w), expectedW, 'weighted');
        expectClose(auc(y, proba, w), ovrAuc(y, proba, w), 'auc() is OvR for K >= 3');
      }
    }
  });

  it('matches the scikit-learn reference through binaryAuc and ovrAuc too', () => {
    for (const c of CLASSIFICATION_CASES) {
      const y = Int32Array.from(c.y);
      const proba = Float64Array.from(c.proba);
      const w = Float64Array.from(c.weights);
      if (c.nClasses === 2) {
        const p = Float64Array.from({ length: y.length }, (_, i) => proba[2 * i + 1] as number);
        expectClose(binaryAuc(y, p), c.unweighted.auc, c.name);
        expectClose(binaryAuc(y, p, w), c.weighted.auc, c.name);
      } else {
        expectClose(ovrAuc(y, proba), c.unweighted.auc, c.name);
        expectClose(ovrAuc(y, proba, w), c.weighted.auc, c.name);
      }
    }
  });

  it('is null when only one class is present, or a class has zero total weight', () => {
    expect(binaryAuc(Int32Array.of(1, 1), Float64Array.of(0.2, 0.7))).toBeNull();
    expect(binaryAuc(Int32Array.of(0, 1), Float64Array.of(0.2, 0.7), Float64Array.of(1, 0))).toBeNull();
    expect(ovrAuc(Int32Array.of(0, 2, 0), Float64Array.of(0.5, 0.3, 0.2, 0.1, 0.2, 0.7, 0.6, 0.2, 0.2))).toBeNull();
  });

  it('the doc comment examples hold (sklearn roc_auc_score docstring: 0.75)', () => {
    expect(binaryAuc(Int32Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8))).toBe(0.75);
    expect(ovrAuc(Int32Array.of(0, 1, 2), Float64Array.of(0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.3, 0.6))).toBe(1);
  });

  it('gets the analytic AUC of 200 000 rows of uniform scores', () => {
    const rng = new Rng(3);
    const n = 200_000;
    const y = new Int32Array(n);
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const label = rng.int(2);
      y[i] = label;
      p[i] = Math.min(1, rng.next() * 0.8 + label * 0.2);
    }
    // Scores 0.8·U + 0.2·label: AUC = P(U0 − U1 < 0.25) = 1 − 0.75² / 2 = 0.71875 for uniform U.
    const a = binaryAuc(y, p) as number;
    expect(a).toBeCloseTo(0.71875, 2);
  });
});
