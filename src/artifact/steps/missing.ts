/** `missing`: `output` is x, or `fill` where x is NaN; `indicator` is 1 where x is NaN, else 0. */
import type { MissingStep } from '../format/features.js';
import type { PreparedStep, StepCheck } from './check.js';

export function prepareMissing(step: MissingStep, { where, str, num }: StepCheck): PreparedStep {
  const column = str('column');
  const output = str('output');
  const indicator = str('indicator');
  if (indicator === output) throw new TypeError(`${where}: output and indicator are both '${output}'`);
  const fill = num('fill');
  return {
    step,
    numericInputs: [column],
    categoricalInputs: [],
    outputs: [output, indicator],
    run(numeric, _categorical, n) {
      const x = numeric.get(column)!;
      const out = new Float64Array(n);
      const ind = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const v = x[r]!;
        if (v === v) out[r] = v;
        else {
          out[r] = fill;
          ind[r] = 1;
        }
      }
      return [out, ind];
    },
  };
}
