/**
 * The GLM's penalised objective on a standardised design, with its gradient and Hessian:
 *
 *   F(θ) = ( Σ_i w_i · loss_i + λ/2 · Σ_k ||β_k||² ) / Σ_i w_i
 *
 * with loss_i the log loss of the softmax (K outputs), of the sigmoid (1 output), or half the
 * squared error (1 output), and the intercepts b_k not penalised. Dividing by the total weight
 * leaves the minimiser unchanged and makes the gradient tolerance independent of the row count.
 * θ is laid out per output: [b_0, β_0,1 … β_0,p, b_1, β_1,1 …].
 */
import { softmaxInPlace } from '../../artifact/link.js';
import type { ValueAndGradient } from './lbfgs.js';

export type GlmLoss = 'softmax' | 'sigmoid' | 'squared';

export interface GlmProblem {
  readonly loss: GlmLoss;
  /** Raw scores per row: K for softmax, 1 otherwise. */
  readonly nOutputs: number;
  /** Standardised design columns (p of them). */
  readonly columns: readonly Float64Array[];
  readonly nRows: number;
  /** Class index (softmax), 0/1 (sigmoid), or the target value (squared). */
  readonly y: Float64Array;
  /** Row weights; all 1 when absent. */
  readonly weights?: Float64Array;
  /** L2 strength λ on the coefficients, in the units of the summed (not averaged) loss. */
  readonly lambda: number;
}

export interface GlmObjective {
  /** nOutputs × (p + 1). */
  readonly nParams: number;
  /** F at θ, with its gradient written into `grad` (the L-BFGS callback). */
  readonly valueAndGradient: ValueAndGradient;
  /** The Hessian of F at θ, written into `h` (row-major nParams × nParams, both triangles). */
  hessian(theta: Float64Array, h: Float64Array): void;
}

/**
 * F, its gradient and its Hessian. Buffers are allocated once, here.
 *
 * @example
 * const obj = glmObjective({ loss: 'sigmoid', nOutputs: 1, columns, nRows, y, lambda: 1 });
 * const { x: theta } = lbfgs(obj.valueAndGradient, new Float64Array(obj.nParams), { tol: 1e-8, maxIter: 500 });
 */
export function glmObjective(pr: GlmProblem): GlmObjective {
  const { loss, nOutputs: K, columns, nRows: n, y } = pr;
  const p = columns.length;
  const stride = p + 1;
  const nParams = K * stride;
  let total = 0;
  for (let i = 0; i < n; i++) total += pr.weights ? pr.weights[i]! : 1;
  const omega = new Float64Array(n);
  for (let i = 0; i < n; i++) omega[i] = (pr.weights ? pr.weights[i]! : 1) / total;
  const lam = pr.lambda / total;
  // Scores, then residuals or probabilities: class-major (output k of row i at k·n + i).
  const scores = new Float64Array(n * K);
  const ones = new Float64Array(n).fill(1);

  const computeScores = (theta: Float64Array): void => {
    for (let k = 0; k < K; k++) {
      const o = k * n;
      scores.fill(theta[k * stride]!, o, o + n);
      for (let j = 0; j < p; j++) {
        const beta = theta[k * stride + 1 + j]!;
        if (beta === 0) continue;
        const z = columns[j]!;
        for (let i = 0; i < n; i++) scores[o + i]! += beta * z[i]!;
      }
    }
  };

  /** Scores → softmax probabilities, in place. */
  const softmaxScores = (): void => {
    for (let i = 0; i < n; i++) softmaxInPlace(scores, i, n, K);
  };

  const valueAndGradient: ValueAndGradient = (theta, grad) => {
    computeScores(theta);
    // Loss, and the residuals ω_i (prediction − target) in place of the scores.
    let f = 0;
    if (loss === 'softmax') {
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let k = 0; k < K; k++) if (scores[k * n + i]! > max) max = scores[k * n + i]!;
        const yi = y[i]!;
        const w = omega[i]!;
        f += w * (max - scores[yi * n + i]!);
        let sum = 0;
        for (let k = 0; k < K; k++) sum += scores[k * n + i] = Math.exp(scores[k * n + i]! - max);
        f += w * Math.log(sum);
        const ws = w / sum;
        for (let k = 0; k < K; k++) scores[k * n + i] = ws * scores[k * n + i]! - (k === yi ? w : 0);
      }
    } else if (loss === 'sigmoid') {
      for (let i = 0; i < n; i++) {
        const s = scores[i]!;
        const yi = y[i]!;
        const w = omega[i]!;
        // log(1 + e^s) − y·s, without overflow.
        f += w * ((s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - yi * s);
        scores[i] = w * (sigmoid(s) - yi);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const r = scores[i]! - y[i]!;
        const w = omega[i]!;
        f += 0.5 * w * r * r;
        scores[i] = w * r;
      }
    }
    for (let k = 0; k < K; k++) {
      let gb = 0;
      for (let i = 0; i < n; i++) gb += scores[k * n + i]!;
      grad[k * stride] = gb;
    }
    for (let k = 0; k < K; k++) {
      const o = k * n;
      for (let j = 0; j < p; j++) {
        const z = columns[j]!;
        let gj = 0;
        for (let i = 0; i < n; i++) gj += scores[o + i]! * z[i]!;
        const beta = theta[k * stride + 1 + j]!;
        grad[k * stride + 1 + j] = gj + lam * beta;
        f += 0.5 * lam * beta * beta;
      }
    }
    return f;
  };

  // The Hessian is formed on at most HESSIAN_ROWS evenly spaced rows, their weights scaled to the
  // whole: a sub-sampled Newton method (Byrd, Chin, Neveitt and Nocedal 2011). The value and the
  // gradient stay exact, so the optimum and the tolerance met are those of all rows; only the
  // steps' curvature is estimated, from enough rows that Newton still converges in a few steps.
  const hRows = n > HESSIAN_ROWS ? evenlySpaced(n, HESSIAN_ROWS) : null;
  const m = hRows ? hRows.length : n;
  const hCols: Float64Array[] = hRows
    ? [new Float64Array(m).fill(1), ...columns.map((c) => pick(c, hRows))]
    : [ones, ...columns];
  const hOmega = hRows ? pick(omega, hRows) : omega;
  if (hRows) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += hOmega[i]!;
    for (let i = 0; i < m; i++) hOmega[i] = hOmega[i]! / sum;
  }
  /** Output k's score (or probability) of the Hessian's row i. */
  const hScores = new Float64Array(m * K);
  const v = new Float64Array(m);
  const vz = new Float64Array(m);
  const hessian = (theta: Float64Array, h: Float64Array): void => {
    computeScores(theta);
    if (loss === 'softmax') softmaxScores();
    for (let k = 0; k < K; k++)
      for (let i = 0; i < m; i++) hScores[k * m + i] = scores[k * n + (hRows ? hRows[i]! : i)]!;
    // Block (k, l) of H is Σ_i v_i z_ia z_ib with v_i = ω_i p_ik (δ_kl − p_il) for the softmax,
    // ω_i p_i (1 − p_i) for the sigmoid, and ω_i for the squared error; z_i0 = 1 (the intercept).
    for (let k = 0; k < K; k++) {
      for (let l = 0; l <= k; l++) {
        for (let i = 0; i < m; i++) {
          const w = hOmega[i]!;
          if (loss === 'softmax') {
            const pk = hScores[k * m + i]!;
            v[i] = w * pk * ((k === l ? 1 : 0) - hScores[l * m + i]!);
          } else if (loss === 'sigmoid') {
            const q = sigmoid(hScores[i]!);
            v[i] = w * q * (1 - q);
          } else v[i] = w;
        }
        for (let a = 0; a < stride; a++) {
          const za = hCols[a]!;
          for (let i = 0; i < m; i++) vz[i] = v[i]! * za[i]!;
          for (let b = 0; b <= a; b++) {
            const zb = hCols[b]!;
            let s = 0;
            for (let i = 0; i < m; i++) s += vz[i]! * zb[i]!;
            const r = k * stride + a;
            const c = l * stride + b;
            h[r * nParams + c] = s;
            h[c * nParams + r] = s;
            const r2 = k * stride + b;
            const c2 = l * stride + a;
            h[r2 * nParams + c2] = s;
            h[c2 * nParams + r2] = s;
          }
        }
      }
    }
    for (let k = 0; k < K; k++) for (let a = 1; a < stride; a++) h[(k * stride + a) * (nParams + 1)]! += lam;
  };

  return { nParams, valueAndGradient, hessian };
}

/** Rows the Hessian is formed on, at most (see `glmObjective`). */
export const HESSIAN_ROWS = 32_768;

/** `m` row indices spread evenly over `n` rows (the middle of each of m equal stretches). */
function evenlySpaced(n: number, m: number): Int32Array {
  const rows = new Int32Array(m);
  for (let k = 0; k < m; k++) rows[k] = Math.floor(((k + 0.5) * n) / m);
  return rows;
}

function pick(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]!]!;
  return out;
}

function sigmoid(s: number): number {
  return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
}
