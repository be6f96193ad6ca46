import type { MissingStep } from '../artifact/format/features.js';
import { badTransform, requestColumn, sortedValues } from './options.js';
import type { Transform } from './types.js';

export const FILL_KINDS = ['median', 'mean'] as const;
export type FillKind = (typeof FILL_KINDS)[number];

export interface MissingOptions {
  /** The fill value: the median (default) or the mean of the non-missing training values. */
  fill?: FillKind;
}

/**
 * Fits a missing indicator and a fill value. Scoring gives two columns: `fill(x)`, the value or
 * the fill where it is missing (the one numeric transform whose output has no NaN), and
 * `missing(x)`, 1 where the value is missing, else 0. A column with no values gets fill 0.
 *
 * @example
 * fitMissing(Float64Array.of(1, NaN, 2, 10), 'x');
 * // { kind: 'missing', column: 'x', output: 'fill(x)', indicator: 'missing(x)', fill: 2 }
 */
export function fitMissing(column: Float64Array, name: string, opts: MissingOptions = {}): MissingStep {
  const x = sortedValues(column);
  const n = x.length;
  let fill = 0;
  if (n > 0) {
    if ((opts.fill ?? 'median') === 'median') {
      fill = n % 2 === 1 ? x[(n - 1) / 2]! : (x[n / 2 - 1]! + x[n / 2]!) / 2;
    } else {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += x[i]!;
      fill = sum / n;
    }
  }
  return { kind: 'missing', column: name, output: `fill(${name})`, indicator: `missing(${name})`, fill };
}

export const missingTransform: Transform<'missing'> = {
  kind: 'missing',
  description: 'numeric: a missing indicator, and the value with missing filled by the training median or mean',
  fit(request, ctx) {
    const column = requestColumn(request);
    const fill = request.fill ?? 'median';
    if (!FILL_KINDS.includes(fill))
      throw badTransform(
        request.kind,
        column,
        `'fill' must be one of ${FILL_KINDS.join(', ')}, got ${JSON.stringify(fill)}`,
      );
    return { step: fitMissing(ctx.numeric(column), column, { fill }) };
  },
};
