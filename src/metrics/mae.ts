import { checkRegression } from './inputs.js';

/**
 * Mean absolute error, Σ w |y − pred| / Σ w, as scikit-learn's
 * `mean_absolute_error(y, pred, sample_weight=weights)`.
 *
 * @param y the true values
 * @param pred the predictions
 * @param weights optional non-negative sample weights
 * @example
 * mae(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 5)); // 2/3
 */
export function mae(y: Float64Array, pred: Float64Array, weights?: Float64Array): number {
  checkRegression('mae', y, pred, weights);
  const n = y.length;
  let sum = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    sum += w * Math.abs((y[i] as number) - (pred[i] as number));
    totalWeight += w;
  }
  return sum / totalWeight;
}
