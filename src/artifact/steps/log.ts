/**
 * `log`: `log(max(x + shift, 1))`. The shift makes the smallest training value ≥ 1, so training
 * values map to ≥ 0; a value below that range is clamped to output 0 (never −∞ or NaN). NaN stays
 * NaN.
 */
import type { LogStep } from '../format/features.js';
import type { PreparedStep, StepCheck } from './check.js';

export function prepareLog(_step: LogStep, { num, numericStep }: StepCheck): PreparedStep {
  const shift = num('shift');
  return numericStep((x, out, n) => {
    for (let r = 0; r < n; r++) {
      const v = x[r]! + shift;
      out[r] = v < 1 ? 0 : Math.log(v);
    }
  });
}
