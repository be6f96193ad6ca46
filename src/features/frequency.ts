import type { FrequencyStep } from '../artifact/format/features.js';
import { levelCounts, requestColumn } from './options.js';
import type { CategoricalValues, Transform } from './types.js';

/**
 * Fits frequency encoding: each level seen in training maps to its share of the training rows
 * (count / all rows, missing rows included in the denominator). A missing value or an unseen
 * level maps to `unseen` = 0 (it was never seen as that level). Output name: `freq(c)`.
 *
 * @example
 * fitFrequency({ codes: Int32Array.of(0, 1, 1, -1), levels: ['a', 'b'] }, 'c');
 * // { kind: 'frequency', column: 'c', output: 'freq(c)', levels: ['a', 'b'], frequencies: [0.25, 0.5], unseen: 0 }
 */
export function fitFrequency(column: CategoricalValues, name: string): FrequencyStep {
  const n = column.codes.length;
  const counts = levelCounts(column.codes, column.levels.length);
  const levels: string[] = [];
  const frequencies: number[] = [];
  for (let c = 0; c < counts.length; c++) {
    if (counts[c]! > 0) {
      levels.push(column.levels[c]!);
      frequencies.push(counts[c]! / n);
    }
  }
  return { kind: 'frequency', column: name, output: `freq(${name})`, levels, frequencies, unseen: 0 };
}

export const frequencyTransform: Transform<'frequency'> = {
  kind: 'frequency',
  description: "categorical: the level's share of the training rows",
  fit(request, ctx) {
    const column = requestColumn(request);
    return { step: fitFrequency(ctx.categorical(column), column) };
  },
};
