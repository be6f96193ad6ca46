/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithms 7.4–7.5)
 * for smooth unconstrained minimisation, with a weak-Wolfe line search by bracketing.
 *
 * Close to the optimum, differences of f drown in rounding long before the gradient does, so the
 * line search also accepts a step that meets Hager & Zhang's approximate Wolfe conditions (f not
 * worse beyond rounding, and a directional derivative that has fallen enough): this is what lets
 * the GLM converge to gradients of 1e-12 and below when asked to.
 */

/** Evaluates f at x and writes its gradient into `grad`. */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when the largest absolute gradient entry is at most this. */
  readonly tol: number;
  /** Most iterations (accepted steps). */
  readonly maxIter: number;
  /** Correction pairs kept. Default 10. */
  readonly memory?: number;
}

/** What a minimiser (L-BFGS, Newton) returns. */
export interface MinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  /** Largest absolute gradient entry at x. */
  readonly gradNorm: number;
  readonly iterations: number;
  /** Function evaluations, line searches included. */
  readonly evaluations: number;
  /** Whether gradNorm <= tol (otherwise the iteration limit was hit, or no step made progress). */
  readonly converged: boolean;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH = 50;

/**
 * Minimises a smooth function from x0 (which it does not modify).
 *
 * @example
 * // f(x) = (x0 − 1)² + 10 (x1 + 2)²
 * const r = lbfgs((x, g) => {
 *   g[0] = 2 * (x[0]! - 1);
 *   g[1] = 20 * (x[1]! + 2);
 *   return (x[0]! - 1) ** 2 + 10 * (x[1]! + 2) ** 2;
 * }, new Float64Array(2), { tol: 1e-10, maxIter: 100 });
 * r.x; // ≈ [1, −2]
 */
export function lbfgs(fg: ValueAndGradient, x0: Float64Array, opts: LbfgsOptions): MinimizeResult {
  const n = x0.length;
  const m = opts.memory ?? 10;
  if (!(opts.tol >= 0)) throw new RangeError(`lbfgs: tol must be >= 0, got ${opts.tol}`);
  if (!(Number.isInteger(opts.maxIter) && opts.maxIter >= 0))
    throw new RangeError(`lbfgs: maxIter must be an integer >= 0, got ${opts.maxIter}`);
  if (!(Number.isInteger(m) && m >= 1)) throw new RangeError(`lbfgs: memory must be an integer >= 1, got ${m}`);

  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) throw new RangeError(`lbfgs: f is ${f} at the starting point`);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const d = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let newest = -1;
  let iterations = 0;

  while (maxAbs(g) > opts.tol && iterations < opts.maxIter) {
    // Two-loop recursion: d = −H g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let c = 0; c < stored; c++) {
      const s = (newest - c + m) % m;
      const a = rho[s]! * dot(S[s]!, d);
      alpha[s] = a;
      axpy(-a, Y[s]!, d);
    }
    if (stored > 0) {
      const yy = dot(Y[newest]!, Y[newest]!);
      scale(d, 1 / (rho[newest]! * yy));
    }
    for (let c = stored - 1; c >= 0; c--) {
      const s = (newest - c + m) % m;
      const b = rho[s]! * dot(Y[s]!, d);
      axpy(alpha[s]! - b, S[s]!, d);
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // Not a descent direction (rounding in the memory): restart from steepest descent.
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      dg = dot(d, g);
    }

    // Line search for weak Wolfe, by expanding then bisecting.
    let t = stored === 0 ? Math.min(1, 1 / Math.sqrt(-dg)) : 1;
    let lo = 0;
    let hi = Infinity;
    let accepted = false;
    let ft = f;
    const fSlack = 1e-12 * Math.abs(f);
    for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
      for (let i = 0; i < n; i++) xt[i] = x[i]! + t * d[i]!;
      ft = fg(xt, gt);
      evaluations++;
      const dgt = dot(gt, d);
      const armijo = ft <= f + C1 * t * dg;
      const approxWolfe = ft <= f + fSlack && dgt <= (2 * C1 - 1) * dg;
      if (!(armijo || approxWolfe) || !Number.isFinite(ft)) hi = t;
      else if (dgt < C2 * dg) lo = t;
      else {
        accepted = true;
        break;
      }
      t = hi < Infinity ? (lo + hi) / 2 : 2 * t;
      if (hi < Infinity && hi - lo <= 1e-16 * hi) break;
    }
    if (!accepted) {
      if (lo === 0) break;
      // Armijo holds at lo; take it though the curvature condition does not.
      t = lo;
      for (let i = 0; i < n; i++) xt[i] = x[i]! + t * d[i]!;
      ft = fg(xt, gt);
      evaluations++;
    }

    // Store s = xt − x, y = gt − g when the curvature is positive (always, for convex f).
    const slot = (newest + 1) % m;
    const s = S[slot]!;
    const y = Y[slot]!;
    for (let i = 0; i < n; i++) {
      s[i] = xt[i]! - x[i]!;
      y[i] = gt[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-300 && sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      rho[slot] = 1 / sy;
      newest = slot;
      stored = Math.min(stored + 1, m);
    }
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    f = ft;
    iterations++;
  }
  const gradNorm = maxAbs(g);
  return { x, f, gradNorm, iterations, evaluations, converged: gradNorm <= opts.tol };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}

/** The largest absolute entry (NaN if any entry is NaN). */
export function maxAbs(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > s || v !== v) s = v;
  }
  return s;
}
