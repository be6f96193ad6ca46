/**
 * The two-sample Kolmogorov–Smirnov statistic: the largest distance between the empirical
 * distribution functions of `a` and `b`, in [0, 1]. Missing values (NaN) are left out; tied
 * values are stepped over together, so the statistic equals scipy's `ks_2samp(a, b).statistic`.
 * Returns NaN when either sample has no values.
 *
 * @example
 * ksStatistic(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4)); // 1/3
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = sortedPresent(a);
  const y = sortedPresent(b);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return NaN;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return d;
}

function sortedPresent(v: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) out.push(v[i]!);
  return Float64Array.from(out).sort();
}
