/**
 * Cholesky factorisation and solve of small dense symmetric positive definite systems, for the
 * closed-form ridge and the Newton steps of the GLM. Matrices are row-major m × m Float64Arrays;
 * only the lower triangle is read.
 */

/**
 * Factors a = L Lᵀ in place (L in the lower triangle). Returns false, leaving `a` spoiled, when
 * `a` is not numerically positive definite (a pivot at or below `minPivot` times its diagonal entry).
 *
 * @example
 * const a = Float64Array.from([4, 2, 2, 3]);
 * cholesky(a, 2);                              // true; a's lower triangle is [2, ·, 1, √2]
 * choleskySolve(a, 2, Float64Array.from([6, 5])); // [1, 1]
 */
export function cholesky(a: Float64Array, m: number, minPivot = 1e-14): boolean {
  for (let j = 0; j < m; j++) {
    const row = j * m;
    let d = a[row + j]!;
    const diag = d;
    for (let k = 0; k < j; k++) d -= a[row + k]! ** 2;
    if (!(d > minPivot * Math.abs(diag)) || !(d > 0)) return false;
    const pivot = Math.sqrt(d);
    a[row + j] = pivot;
    for (let i = j + 1; i < m; i++) {
      const ri = i * m;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[row + k]!;
      a[ri + j] = s / pivot;
    }
  }
  return true;
}

/** Solves L Lᵀ x = b in place in b, with L from `cholesky`; returns b. */
export function choleskySolve(l: Float64Array, m: number, b: Float64Array): Float64Array {
  for (let i = 0; i < m; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * m + k]! * b[k]!;
    b[i] = s / l[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < m; k++) s -= l[k * m + i]! * b[k]!;
    b[i] = s / l[i * m + i]!;
  }
  return b;
}
