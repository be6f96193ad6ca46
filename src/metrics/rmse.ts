import { checkRegression } from './inputs.js';

/**
 * Root mean squared error, sqrt(Σ w (y − pred)² / Σ w), as scikit-learn's
 * `mean_squared_error(y, pred, sample_weight=weights, squared=False)`.
 *
 * @param y the true values
 * @param pred the predictions
 * @param weights optional non-negative sample weights
 * @example
 * rmse(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 5)); // sqrt(4/3) ≈ 1.1547
 */
export function rmse(y: Float64Array, pred: Float64Array, weights?: Float64Array): number {
  checkRegression('rmse', y, pred, weights);
  const n = y.length;
  let sum = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const d = (y[i] as number) - (pred[i] as number);
    const w = weights === undefined ? 1 : (weights[i] as number);
    sum += w * (d * d);
    totalWeight += w;
  }
  return Math.sqrt(sum / totalWeight);
}
