/**
 * Newton's method with a backtracking line search, for smooth convex problems small enough to
 * form and factor the Hessian (the GLM uses it up to a couple of hundred parameters). It converges
 * in a few dozen steps where L-BFGS can need thousands on ill-conditioned data (correlated
 * features under a weak penalty).
 */
import { cholesky, choleskySolve } from './cholesky.js';
import { maxAbs, type MinimizeResult, type ValueAndGradient } from './lbfgs.js';

/** Writes the Hessian at x into `h` (row-major n × n). */
export type Hessian = (x: Float64Array, h: Float64Array) => void;

export interface NewtonOptions {
  /** Stop when the largest absolute gradient entry is at most this. */
  readonly tol: number;
  /** Most iterations (Newton steps). */
  readonly maxIter: number;
  /**
   * Coordinates held at their starting value: for a direction in which f is flat (the softmax's
   * common shift of all intercepts), fixing one coordinate makes the Hessian non-singular.
   */
  readonly fixed?: readonly number[];
}

const C1 = 1e-4;

/**
 * Minimises a smooth convex function from x0 (which it does not modify).
 *
 * @example
 * // f(x) = (x0 − 1)² + 10 (x1 + 2)²: one step.
 * const r = newton(
 *   (x, g) => ((g[0] = 2 * (x[0]! - 1)), (g[1] = 20 * (x[1]! + 2)), (x[0]! - 1) ** 2 + 10 * (x[1]! + 2) ** 2),
 *   (_x, h) => h.set([2, 0, 0, 20]),
 *   new Float64Array(2), { tol: 1e-12, maxIter: 20 });
 * r.x; // ≈ [1, −2]
 */
export function newton(fg: ValueAndGradient, hessian: Hessian, x0: Float64Array, opts: NewtonOptions): MinimizeResult {
  const n = x0.length;
  if (!(opts.tol >= 0)) throw new RangeError(`newton: tol must be >= 0, got ${opts.tol}`);
  if (!(Number.isInteger(opts.maxIter) && opts.maxIter >= 0))
    throw new RangeError(`newton: maxIter must be an integer >= 0, got ${opts.maxIter}`);
  const fixed = new Uint8Array(n);
  for (const j of opts.fixed ?? []) {
    if (!(Number.isInteger(j) && j >= 0 && j < n))
      throw new RangeError(`newton: fixed coordinate ${j} is not in [0, ${n})`);
    fixed[j] = 1;
  }
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) throw new RangeError(`newton: f is ${f} at the starting point`);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const h = new Float64Array(n * n);
  const d = new Float64Array(n);
  let iterations = 0;

  while (maxAbs(g) > opts.tol && iterations < opts.maxIter) {
    direction(hessian, x, g, fixed, h, d);
    let dg = 0;
    for (let i = 0; i < n; i++) dg += d[i]! * g[i]!;
    if (!(dg < 0)) break;
    // Backtrack from the full step. Near the optimum f stops resolving progress before the
    // gradient does: a step that does not worsen f beyond rounding and shrinks the gradient is taken.
    const gNorm = maxAbs(g);
    const fSlack = 1e-12 * Math.abs(f);
    let t = 1;
    let accepted = false;
    let ft = f;
    for (let ls = 0; ls < 60; ls++, t /= 2) {
      for (let i = 0; i < n; i++) xt[i] = x[i]! + t * d[i]!;
      ft = fg(xt, gt);
      evaluations++;
      if (ft <= f + C1 * t * dg || (ft <= f + fSlack && maxAbs(gt) < gNorm)) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    f = ft;
    iterations++;
  }
  const gradNorm = maxAbs(g);
  return { x, f, gradNorm, iterations, evaluations, converged: gradNorm <= opts.tol };
}

/** d = −H⁻¹ g over the free coordinates (0 on the fixed ones), with a growing ridge if H is not positive definite. */
function direction(
  hessian: Hessian,
  x: Float64Array,
  g: Float64Array,
  fixed: Uint8Array,
  h: Float64Array,
  d: Float64Array,
): void {
  const n = x.length;
  hessian(x, h);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) {
    if (fixed[i]) {
      for (let j = 0; j < n; j++) h[i * n + j] = h[j * n + i] = 0;
      h[i * n + i] = 1;
    }
    meanDiag += Math.abs(h[i * n + i]!) / n;
  }
  const a = new Float64Array(n * n);
  for (let mu = 0; ; mu = mu === 0 ? 1e-10 * meanDiag : mu * 100) {
    a.set(h);
    for (let i = 0; i < n; i++) if (!fixed[i]) a[i * n + i]! += mu;
    if (cholesky(a, n) || !(mu < meanDiag * 1e6)) {
      for (let i = 0; i < n; i++) d[i] = fixed[i] ? 0 : -g[i]!;
      if (mu < meanDiag * 1e6) choleskySolve(a, n, d);
      for (let i = 0; i < n; i++) if (fixed[i]) d[i] = 0;
      return;
    }
  }
}
