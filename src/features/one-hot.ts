import type { OneHotStep } from '../artifact/format/features.js';
import { intOption, levelCounts, requestColumn } from './options.js';
import type { CategoricalValues, Transform } from './types.js';

export interface OneHotOptions {
  /** Keep only the most frequent levels, at most this many (default: every level seen). */
  maxLevels?: number;
}

/**
 * Fits one-hot encoding: one 0/1 column per level seen in the training rows, in the column's
 * level order; with `maxLevels`, only the most frequent levels (ties: the earlier level). A
 * missing value, an unseen level or a dropped level is all zeros. Output names: `c=level`.
 *
 * @example
 * fitOneHot({ codes: Int32Array.of(0, 1, 1, -1), levels: ['red', 'blue', 'green'] }, 'c');
 * // { kind: 'one_hot', column: 'c', levels: ['red', 'blue'], outputs: ['c=red', 'c=blue'] }
 */
export function fitOneHot(column: CategoricalValues, name: string, opts: OneHotOptions = {}): OneHotStep {
  const counts = levelCounts(column.codes, column.levels.length);
  let kept: number[] = [];
  for (let c = 0; c < counts.length; c++) if (counts[c]! > 0) kept.push(c);
  const max = opts.maxLevels;
  if (max !== undefined && kept.length > max) {
    const top = new Set([...kept].sort((a, b) => counts[b]! - counts[a]! || a - b).slice(0, max));
    kept = kept.filter((c) => top.has(c));
  }
  const levels = kept.map((c) => column.levels[c]!);
  return { kind: 'one_hot', column: name, levels, outputs: levels.map((l) => `${name}=${l}`) };
}

export const oneHotTransform: Transform<'one_hot'> = {
  kind: 'one_hot',
  description: 'categorical: one 0/1 column per training level (optionally the top N); unseen is all zeros',
  fit(request, ctx) {
    const column = requestColumn(request);
    const maxLevels = intOption(request.kind, column, 'maxLevels', request.maxLevels, 1, Number.MAX_SAFE_INTEGER);
    return { step: fitOneHot(ctx.categorical(column), column, { maxLevels }) };
  },
};
