import { checkRegression } from './inputs.js';

/**
 * Coefficient of determination, 1 − Σ w (y − pred)² / Σ w (y − ȳ)² with ȳ the weighted mean
 * of y, as scikit-learn's `r2_score(y, pred, sample_weight=weights)` (force_finite): when y is
 * constant it is 1 for perfect predictions and 0 otherwise; with fewer than two rows it is NaN.
 *
 * @param y the true values
 * @param pred the predictions
 * @param weights optional non-negative sample weights
 * @example
 * r2(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 5)); // 1 − 4/2 = −1
 */
export function r2(y: Float64Array, pred: Float64Array, weights?: Float64Array): number {
  checkRegression('r2', y, pred, weights);
  const n = y.length;
  if (n < 2) return NaN;
  let sumY = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    sumY += w * (y[i] as number);
    totalWeight += w;
  }
  const mean = sumY / totalWeight;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    const t = y[i] as number;
    const d = t - (pred[i] as number);
    const c = t - mean;
    residual += w * (d * d);
    total += w * (c * c);
  }
  if (residual === 0) return 1;
  if (total === 0) return 0;
  return 1 - residual / total;
}
