/** `standardize`: `(x − mean) / std`; NaN stays NaN. */
import type { StandardizeStep } from '../format/features.js';
import type { PreparedStep, StepCheck } from './check.js';

export function prepareStandardize(_step: StandardizeStep, { num, numericStep }: StepCheck): PreparedStep {
  const mean = num('mean');
  const std = num('std', (v) => v > 0, 'a finite number > 0');
  return numericStep((x, out, n) => {
    for (let r = 0; r < n; r++) out[r] = (x[r]! - mean) / std;
  });
}
