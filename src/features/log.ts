import type { LogStep } from '../artifact/format/features.js';
import { requestColumn } from './options.js';
import type { Transform } from './types.js';

/**
 * Fits a log transform with a shift: `shift = max(0, 1 − min)` over the non-missing training
 * values, so the smallest training value maps to at least 1 and its log to at least 0 (positive
 * data with min ≥ 1 is not shifted). Scoring: `log(max(x + shift, 1))`: a value below that
 * range is clamped to 0, never −∞; NaN stays NaN. A column with no values gets shift 0.
 * Output name: `log(x)`.
 *
 * @example
 * fitLog(Float64Array.of(-2, 0, 5), 'x'); // { kind: 'log', column: 'x', output: 'log(x)', shift: 3 }
 */
export function fitLog(column: Float64Array, name: string): LogStep {
  let min = Infinity;
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (v < min) min = v;
  }
  const shift = min === Infinity ? 0 : Math.max(0, 1 - min);
  return { kind: 'log', column: name, output: `log(${name})`, shift };
}

export const logTransform: Transform<'log'> = {
  kind: 'log',
  description: 'numeric: log(x + shift), the shift fitted so that the training minimum maps to >= 1',
  fit(request, ctx) {
    const column = requestColumn(request);
    return { step: fitLog(ctx.numeric(column), column) };
  },
};
