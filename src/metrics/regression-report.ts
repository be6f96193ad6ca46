import { mae } from './mae.js';
import { r2 } from './r2.js';
import { rmse } from './rmse.js';

/** The regression metrics of a set of predictions. */
export interface RegressionReport {
  readonly rmse: number;
  readonly mae: number;
  /** NaN with fewer than two rows (as scikit-learn). */
  readonly r2: number;
}

/**
 * RMSE, MAE and R² at once (see {@link rmse}, {@link mae}, {@link r2}).
 *
 * @param y the true values
 * @param pred the predictions
 * @param weights optional non-negative sample weights
 * @example
 * regressionReport(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 5));
 * // { rmse: 1.1547…, mae: 0.6667…, r2: -1 }
 */
export function regressionReport(y: Float64Array, pred: Float64Array, weights?: Float64Array): RegressionReport {
  return { rmse: rmse(y, pred, weights), mae: mae(y, pred, weights), r2: r2(y, pred, weights) };
}
