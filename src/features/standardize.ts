import type { StandardizeStep } from '../artifact/format/features.js';
import { requestColumn } from './options.js';
import type { Transform } from './types.js';

/**
 * Fits standardisation on the training values: the mean and the population standard deviation
 * (ddof 0, as scikit-learn's StandardScaler) of the non-missing values. A constant column gets
 * std 1 (its output is 0); a column with no values gets mean 0, std 1. Scoring:
 * `(x − mean) / std`, NaN stays NaN. Output name: `z(x)`.
 *
 * @example
 * fitStandardize(Float64Array.of(1, 2, 3, NaN), 'x');
 * // { kind: 'standardize', column: 'x', output: 'z(x)', mean: 2, std: 0.816496580927726 }
 */
export function fitStandardize(column: Float64Array, name: string): StandardizeStep {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (v === v) {
      n++;
      sum += v;
    }
  }
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (v === v) ss += (v - mean) * (v - mean);
  }
  const std = n > 0 ? Math.sqrt(ss / n) : 0;
  return {
    kind: 'standardize',
    column: name,
    output: `z(${name})`,
    mean,
    std: std > 0 && Number.isFinite(std) ? std : 1,
  };
}

export const standardizeTransform: Transform<'standardize'> = {
  kind: 'standardize',
  description: 'numeric: (x − mean) / std, fitted on the training rows',
  fit(request, ctx) {
    const column = requestColumn(request);
    return { step: fitStandardize(ctx.numeric(column), column) };
  },
};
