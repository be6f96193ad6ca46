/**
 * Boosting objectives: the starting score, per-row gradients and hessians of the loss at the
 * current raw scores, and the loss itself (for early stopping).
 */
import { softmaxInPlace } from '../../artifact/link.js';
import type { ProblemKind } from '../types.js';

export interface Objective {
  /** Raw outputs per row: 1 (binary, regression) or K (multiclass). */
  readonly nOutputs: number;
  readonly link: 'identity' | 'sigmoid' | 'softmax';
  initScore(y: Float64Array, w: Float64Array | undefined): number[];
  /**
   * Fills the (gradient, hessian) pairs of rows [start, end) from the raw scores (class-major:
   * output k of row i at `raw[k * n + i]`, so that two threads adding trees of different
   * outputs never write the same cache line). Pairs are class-major too: output k of row i at
   * `gh[2 * (k * n + i)]` (its hessian one on), so each tree reads one contiguous run and one
   * load brings both.
   */
  gradients(
    raw: Float64Array,
    y: Float64Array,
    w: Float64Array | undefined,
    gh: Float64Array,
    start: number,
    end: number,
  ): void;
  /**
   * Mean loss (logloss, or RMSE for regression) of raw scores (row-major n × nOutputs), weighted
   * when w is given.
   */
  loss(raw: Float64Array, y: Float64Array, w: Float64Array | undefined): number;
}

const EPS = 1e-15;
const H_MIN = 1e-16;

function weightedMean(y: Float64Array, w: Float64Array | undefined): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i]! : 1;
    s += wi * y[i]!;
    sw += wi;
  }
  return s / sw;
}

export function objectiveFor(kind: ProblemKind, nClasses: number): Objective {
  if (kind === 'binary') return binary;
  if (kind === 'regression') return squaredError;
  return multiclass(nClasses);
}

const binary: Objective = {
  nOutputs: 1,
  link: 'sigmoid',
  initScore(y, w) {
    const p = Math.min(Math.max(weightedMean(y, w), 1e-6), 1 - 1e-6);
    return [Math.log(p / (1 - p))];
  },
  gradients(raw, y, w, gh, start, end) {
    for (let i = start; i < end; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]!));
      const wi = w ? w[i]! : 1;
      gh[2 * i] = (p - y[i]!) * wi;
      gh[2 * i + 1] = Math.max(p * (1 - p), H_MIN) * wi;
    }
  },
  loss(raw, y, w) {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const p = Math.min(Math.max(1 / (1 + Math.exp(-raw[i]!)), EPS), 1 - EPS);
      const wi = w ? w[i]! : 1;
      s -= wi * (y[i] === 1 ? Math.log(p) : Math.log(1 - p));
      sw += wi;
    }
    return s / sw;
  },
};

const squaredError: Objective = {
  nOutputs: 1,
  link: 'identity',
  initScore(y, w) {
    return [weightedMean(y, w)];
  },
  gradients(raw, y, w, gh, start, end) {
    for (let i = start; i < end; i++) {
      const wi = w ? w[i]! : 1;
      gh[2 * i] = (raw[i]! - y[i]!) * wi;
      gh[2 * i + 1] = wi;
    }
  },
  loss(raw, y, w) {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i]! : 1;
      const d = raw[i]! - y[i]!;
      s += wi * d * d;
      sw += wi;
    }
    return Math.sqrt(s / sw);
  },
};

function multiclass(K: number): Objective {
  return {
    nOutputs: K,
    link: 'softmax',
    initScore(y, w) {
      const counts = new Float64Array(K);
      let sw = 0;
      for (let i = 0; i < y.length; i++) {
        const wi = w ? w[i]! : 1;
        counts[y[i]!]! += wi;
        sw += wi;
      }
      const logs = Array.from(counts, (c) => Math.log(Math.max(c / sw, 1e-6)));
      const mean = logs.reduce((a, b) => a + b, 0) / K;
      return logs.map((l) => l - mean);
    },
    gradients(raw, y, w, gh, start, end) {
      const n = y.length;
      const e = new Float64Array(K);
      for (let i = start; i < end; i++) {
        for (let k = 0; k < K; k++) e[k] = raw[k * n + i]!;
        softmaxInPlace(e, 0, 1, K);
        const wi = w ? w[i]! : 1;
        const yi = y[i]!;
        for (let k = 0; k < K; k++) {
          const p = e[k]!;
          const at = 2 * (k * n + i);
          gh[at] = (p - (k === yi ? 1 : 0)) * wi;
          gh[at + 1] = Math.max(p * (1 - p), H_MIN) * wi;
        }
      }
    },
    loss(raw, y, w) {
      const n = y.length;
      let s = 0;
      let sw = 0;
      for (let i = 0; i < n; i++) {
        const o = i * K;
        let max = -Infinity;
        for (let k = 0; k < K; k++) if (raw[o + k]! > max) max = raw[o + k]!;
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(raw[o + k]! - max);
        const p = Math.min(Math.max(Math.exp(raw[o + y[i]!]! - max) / sum, EPS), 1 - EPS);
        const wi = w ? w[i]! : 1;
        s -= wi * Math.log(p);
        sw += wi;
      }
      return s / sw;
    },
  };
}
