/**
 * Ridge regression in closed form: the minimiser of Σ_i w_i (y_i − b − z_i·β)² + λ ||β||² (the
 * intercept b not penalised) from the normal equations, solved by Cholesky. It costs n·p²/2 for
 * the Gram matrix and p³/6 for the factorisation, so the GLM uses it for up to a few hundred
 * design columns and L-BFGS on the same objective beyond.
 */
import { cholesky, choleskySolve } from './cholesky.js';

/**
 * Solves weighted ridge regression; returns θ = [b, β_1 … β_p].
 *
 * @example
 * ridgeSolve([Float64Array.from([-1, 0, 1])], 3, Float64Array.from([1, 2, 3]), 1); // [2, 2/3]
 */
export function ridgeSolve(
  columns: readonly Float64Array[],
  nRows: number,
  y: Float64Array,
  lambda: number,
  weights?: Float64Array,
): Float64Array {
  const p = columns.length;
  const m = p + 1;
  // A = [1 Z]ᵀ W [1 Z] + diag(0, λ, …, λ), rhs = [1 Z]ᵀ W y; index 0 is the intercept.
  const a = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  const ones = new Float64Array(nRows).fill(1);
  const col = (j: number): Float64Array => (j === 0 ? ones : columns[j - 1]!);
  const wz = new Float64Array(nRows);
  for (let r = 0; r < m; r++) {
    const zr = col(r);
    for (let i = 0; i < nRows; i++) wz[i] = (weights ? weights[i]! : 1) * zr[i]!;
    for (let c = 0; c <= r; c++) a[r * m + c] = dot(wz, col(c), nRows);
    rhs[r] = dot(wz, y, nRows);
    if (r > 0) a[r * m + r]! += lambda;
  }
  if (!cholesky(a, m, 0)) throw new RangeError('ridge: the normal equations are singular; use lambda > 0');
  return choleskySolve(a, m, rhs);
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}
