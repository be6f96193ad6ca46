/** `quantile_bin`: the number of edges the value is greater than (0 … edges.length); NaN stays NaN. */
import type { QuantileBinStep } from '../format/features.js';
import type { PreparedStep, StepCheck } from './check.js';

export function prepareQuantileBin(
  _step: QuantileBinStep,
  { where, members: s, numbers, numericStep }: StepCheck,
): PreparedStep {
  const v = s.edges;
  const edges = numbers('edges', Array.isArray(v) ? v.length : -1);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i]! > edges[i - 1]!))
      throw new TypeError(
        `${where}: edges must be strictly ascending; edges[${i}] = ${edges[i]} follows ${edges[i - 1]}`,
      );
  }
  const k = edges.length;
  return numericStep((x, out, n) => {
    for (let r = 0; r < n; r++) {
      const value = x[r]!;
      if (value !== value) {
        out[r] = NaN;
        continue;
      }
      let lo = 0;
      let hi = k;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (edges[mid]! < value) lo = mid + 1;
        else hi = mid;
      }
      out[r] = lo;
    }
  });
}
