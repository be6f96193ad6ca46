import type { YeoJohnsonStep } from '../artifact/format/features.js';
import { yeoJohnson } from '../artifact/feature-scorer.js';
import { requestColumn, sortedValues } from './options.js';
import type { Transform } from './types.js';
import { goldenSectionMin } from '../util/golden.js';

/** The range λ is searched in. */
const LAMBDA_MIN = -10;
const LAMBDA_MAX = 10;
const GRID_STEP = 0.25;

/**
 * Fits the Yeo–Johnson λ by maximum likelihood on the non-missing training values, as
 * scikit-learn's PowerTransformer(method='yeo-johnson') does (without its standardisation): λ
 * minimises `n/2 · log(var(yj(x, λ))) − (λ − 1) · Σ sign(x) · log(1 + |x|)`. The search is a
 * grid over [−10, 10] refined by golden-section search; λ stays in that range. It agrees with
 * scikit-learn 1.2.1 (scipy's Brent) to about 2e−8, where the likelihood is flat.
 * A column with fewer than two distinct values gets λ = 1 (the identity). NaN stays NaN.
 * Output name: `yj(x)`. Checked against scikit-learn 1.2.1 in test/features.
 *
 * @example
 * fitYeoJohnson(Float64Array.of(0.1, 0.2, 0.2, 0.5, 0.9, 1.4, 2.2, 3.9, 7.7, 15.1, 33, 90.5), 'x').lambda;
 * // -0.41483363… (scikit-learn 1.2.1: -0.4148336519668839)
 */
export function fitYeoJohnson(column: Float64Array, name: string): YeoJohnsonStep {
  return { kind: 'yeo_johnson', column: name, output: `yj(${name})`, lambda: yeoJohnsonLambda(column) };
}

/** The maximum-likelihood λ of the non-missing values (see {@link fitYeoJohnson}). */
export function yeoJohnsonLambda(column: Float64Array): number {
  const x = sortedValues(column);
  const n = x.length;
  if (n < 2 || x[0] === x[n - 1]) return 1;
  let signedLog = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    signedLog += v >= 0 ? Math.log1p(v) : -Math.log1p(-v);
  }
  const nll = (lambda: number): number => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += yeoJohnson(x[i]!, lambda);
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = yeoJohnson(x[i]!, lambda) - mean;
      ss += d * d;
    }
    const variance = ss / n;
    if (!(variance > 1e-300) || !Number.isFinite(variance)) return Infinity;
    return (n / 2) * Math.log(variance) - (lambda - 1) * signedLog;
  };
  let best = 1;
  let bestValue = nll(1);
  const steps = Math.round((LAMBDA_MAX - LAMBDA_MIN) / GRID_STEP);
  for (let i = 0; i <= steps; i++) {
    const lambda = LAMBDA_MIN + i * GRID_STEP;
    const v = nll(lambda);
    if (v < bestValue) {
      bestValue = v;
      best = lambda;
    }
  }
  // Golden-section search in the grid cell on either side of the best grid point.
  const lambda = goldenSectionMin(
    nll,
    Math.max(LAMBDA_MIN, best - GRID_STEP),
    Math.min(LAMBDA_MAX, best + GRID_STEP),
    1e-10,
  );
  return nll(lambda) <= bestValue ? lambda : best;
}

export const yeoJohnsonTransform: Transform<'yeo_johnson'> = {
  kind: 'yeo_johnson',
  description: 'numeric: the Yeo–Johnson power transform, lambda fitted by maximum likelihood',
  fit(request, ctx) {
    const column = requestColumn(request);
    return { step: fitYeoJohnson(ctx.numeric(column), column) };
  },
};
