/**
 * `interaction`: `a / b`, `a − b` or `a · b`. A ratio that is not finite (a denominator of 0, or
 * an overflow) is NaN, i.e. missing. NaN in either input gives NaN.
 */
import type { InteractionStep } from '../format/features.js';
import { describe, type PreparedStep, type StepCheck } from './check.js';

export function prepareInteraction(step: InteractionStep, { where, str, strings }: StepCheck): PreparedStep {
  const columns = strings('columns', 2);
  if (columns[0] === columns[1])
    throw new TypeError(`${where}: columns must be two different columns, got '${columns[0]}' twice`);
  const [a, b] = columns as [string, string];
  const output = str('output');
  const op = step.op;
  if (op !== 'ratio' && op !== 'difference' && op !== 'product') {
    throw new TypeError(`${where}: op must be one of ratio, difference, product, got ${describe(op)}`);
  }
  return {
    step,
    numericInputs: [a, b],
    categoricalInputs: [],
    outputs: [output],
    run(numeric, _categorical, n) {
      const x = numeric.get(a)!;
      const y = numeric.get(b)!;
      const out = new Float64Array(n);
      if (op === 'ratio') {
        for (let r = 0; r < n; r++) {
          const q = x[r]! / y[r]!;
          out[r] = q - q === 0 ? q : NaN;
        }
      } else if (op === 'difference') {
        for (let r = 0; r < n; r++) out[r] = x[r]! - y[r]!;
      } else {
        for (let r = 0; r < n; r++) out[r] = x[r]! * y[r]!;
      }
      return [out];
    },
  };
}
