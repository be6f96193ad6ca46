/** `yeo_johnson`: the Yeo–Johnson transform with the step's lambda; NaN stays NaN. */
import type { YeoJohnsonStep } from '../format/features.js';
import type { PreparedStep, StepCheck } from './check.js';

export function prepareYeoJohnson(_step: YeoJohnsonStep, { num, numericStep }: StepCheck): PreparedStep {
  const lambda = num('lambda');
  return numericStep((x, out, n) => {
    for (let r = 0; r < n; r++) out[r] = yeoJohnson(x[r]!, lambda);
  });
}

/**
 * The Yeo–Johnson transform of one value (NaN stays NaN):
 * x ≥ 0: ((x + 1)^λ − 1) / λ, or log(1 + x) when λ = 0;
 * x < 0: −((1 − x)^(2 − λ) − 1) / (2 − λ), or −log(1 − x) when λ = 2.
 * Computed as expm1(λ · log1p(x)) / λ, which is exact near λ = 0.
 *
 * @example
 * yeoJohnson(3, 0.5); // 2
 */
export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) {
    return Math.abs(lambda) < EPS ? Math.log1p(x) : Math.expm1(lambda * Math.log1p(x)) / lambda;
  }
  if (x < 0) {
    const l2 = 2 - lambda;
    return Math.abs(l2) < EPS ? -Math.log1p(-x) : -Math.expm1(l2 * Math.log1p(-x)) / l2;
  }
  return NaN;
}

/** numpy's spacing(1.0), the threshold scikit-learn uses for λ = 0 and λ = 2. */
const EPS = 2.220446049250313e-16;
