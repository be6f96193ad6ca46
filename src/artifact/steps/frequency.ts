/** `frequency`: the level's training share; missing and unseen values get `unseen`. */
import type { FrequencyStep } from '../format/features.js';
import type { PreparedStep, StepCheck } from './check.js';

export function prepareFrequency(
  _step: FrequencyStep,
  { str, num, strings, numbers, levelMap, categoricalStep }: StepCheck,
): PreparedStep {
  const column = str('column');
  const output = str('output');
  const levels = strings('levels');
  const frequencies = numbers('frequencies', levels.length);
  const unseen = num('unseen');
  const map = levelMap(column, levels);
  return categoricalStep(column, [output], unseen, (codes, outs, n) => {
    const out = outs[0]!;
    for (let r = 0; r < n; r++) {
      const c = codes[r]!;
      if (c < 0) continue;
      const j = map[c]!;
      if (j >= 0) out[r] = frequencies[j]!;
    }
  });
}
