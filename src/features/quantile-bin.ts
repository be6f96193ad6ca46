import type { QuantileBinStep } from '../artifact/format/features.js';
import { intOption, requestColumn, sortedValues } from './options.js';
import type { Transform } from './types.js';

export interface QuantileBinOptions {
  /** Number of bins, an integer >= 2 (default 10). */
  bins?: number;
}

/**
 * Fits quantile binning: the edges are the quantiles j / bins, j = 1 … bins − 1, of the
 * non-missing training values (linear interpolation, numpy's default), with repeats removed,
 * so a column with few distinct values gets fewer edges. Scoring: the number of edges the value
 * is greater than (0 … edges.length); NaN stays NaN. Output name: `bin(x)`.
 *
 * @example
 * fitQuantileBin(Float64Array.of(1, 2, 3, 4, 5), 'x', { bins: 4 }).edges; // [2, 3, 4]
 */
export function fitQuantileBin(column: Float64Array, name: string, opts: QuantileBinOptions = {}): QuantileBinStep {
  const bins = opts.bins ?? 10;
  if (!(Number.isInteger(bins) && bins >= 2))
    throw new RangeError(`fitQuantileBin: bins must be an integer >= 2, got ${bins}`);
  const x = sortedValues(column);
  const edges: number[] = [];
  if (x.length > 0) {
    for (let j = 1; j < bins; j++) {
      const pos = ((x.length - 1) * j) / bins;
      const lo = Math.floor(pos);
      const hi = Math.min(lo + 1, x.length - 1);
      const e = x[lo]! + (pos - lo) * (x[hi]! - x[lo]!);
      if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
    }
  }
  return { kind: 'quantile_bin', column: name, output: `bin(${name})`, edges };
}

export const quantileBinTransform: Transform<'quantile_bin'> = {
  kind: 'quantile_bin',
  description: 'numeric: the bin index among k training quantiles',
  fit(request, ctx) {
    const column = requestColumn(request);
    const bins = intOption(request.kind, column, 'bins', request.bins, 2, 10);
    return { step: fitQuantileBin(ctx.numeric(column), column, { bins }) };
  },
};
