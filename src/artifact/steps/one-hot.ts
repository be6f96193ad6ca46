/**
 * `one_hot`: 1 in the column of the value's level, 0 elsewhere; missing and unseen values (and
 * levels the step dropped) are all zeros.
 */
import type { OneHotStep } from '../format/features.js';
import type { PreparedStep, StepCheck } from './check.js';

export function prepareOneHot(_step: OneHotStep, { str, strings, levelMap, categoricalStep }: StepCheck): PreparedStep {
  const column = str('column');
  const levels = strings('levels');
  const outputs = strings('outputs', levels.length);
  const map = levelMap(column, levels);
  return categoricalStep(column, outputs, 0, (codes, outs, n) => {
    for (let r = 0; r < n; r++) {
      const c = codes[r]!;
      if (c < 0) continue;
      const j = map[c]!;
      if (j >= 0) outs[j]![r] = 1;
    }
  });
}
