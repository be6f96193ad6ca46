/** `target_encoding`: the level's smoothed target statistics; missing and unseen values get the prior. */
import type { TargetEncodingStep } from '../format/features.js';
import type { PreparedStep, StepCheck } from './check.js';

export function prepareTargetEncoding(
  _step: TargetEncodingStep,
  { where, str, strings, numbers, levelMap, categoricalStep }: StepCheck,
): PreparedStep {
  const column = str('column');
  const outputs = strings('outputs');
  if (outputs.length === 0) throw new TypeError(`${where}: outputs must not be empty`);
  const levels = strings('levels');
  const k = outputs.length;
  const values = numbers('values', levels.length * k);
  const prior = numbers('prior', k);
  const map = levelMap(column, levels);
  return categoricalStep(column, outputs, prior, (codes, outs, n) => {
    for (let o = 0; o < k; o++) {
      const out = outs[o]!;
      for (let r = 0; r < n; r++) {
        const c = codes[r]!;
        if (c < 0) continue;
        const j = map[c]!;
        if (j >= 0) out[r] = values[j * k + o]!;
      }
    }
  });
}
