/**
 * Quantile binning: every feature is mapped once to at most 255 bins (Uint8Array, column-major),
 * plus a bin of its own for missing values. Bin b holds the values in (upper[b−1], upper[b]];
 * the last value bin is unbounded above. A split "bins <= b go left" is the raw rule
 * "value <= upper[b] goes left", which is what the exported tree holds.
 */
import type { Matrix } from '../types.js';

/** The bin of missing values, whatever the feature's number of value bins. */
export const MISSING_BIN = 255;
export const MAX_BINS = 255;

export interface BinMapper {
  /** Per feature: upper bounds of its value bins except the last (length = value bins − 1). */
  readonly upper: readonly Float64Array[];
  /** Per feature: number of value bins (1 for a constant or all-missing feature). */
  readonly nBins: Uint16Array;
}

/** The largest finite double: the threshold of a split that sends every value left. */
export const ALL_LEFT = Number.MAX_VALUE;

/**
 * Finds each feature's bin bounds from the training rows: one bin per distinct value when there
 * are few, else bounds at equal-count quantiles (merged where values repeat). Bounds are
 * midpoints between neighbouring distinct values, so unseen values fall on the nearer side.
 */
export function fitBins(x: Matrix, maxBins = MAX_BINS): BinMapper {
  if (!(maxBins >= 2 && maxBins <= MAX_BINS))
    throw new RangeError(`maxBins must be in [2, ${MAX_BINS}], got ${maxBins}`);
  const upper: Float64Array[] = [];
  const nBins = new Uint16Array(x.columns.length);
  x.columns.forEach((col, j) => {
    const sorted = presentSorted(col, x.nRows);
    const bounds = binBounds(sorted, maxBins);
    upper.push(bounds);
    nBins[j] = bounds.length + 1;
  });
  return { upper, nBins };
}

function presentSorted(col: Float64Array, n: number): Float64Array {
  let m = 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    if (v === v) out[m++] = v;
  }
  return out.subarray(0, m).sort();
}

function binBounds(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  if (n === 0) return new Float64Array(0);
  // Distinct values and their counts.
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (values.length > 0 && values[values.length - 1] === v) counts[counts.length - 1]!++;
    else {
      values.push(v);
      counts.push(1);
    }
  }
  const bounds: number[] = [];
  if (values.length <= maxBins) {
    for (let i = 0; i + 1 < values.length; i++) bounds.push(midpoint(values[i]!, values[i + 1]!));
    return Float64Array.from(bounds);
  }
  // Greedy equal-count bins over distinct values: close a bin once it holds its share of the
  // rows still to place, so that heavy repeated values get a bin of their own.
  let remaining = n;
  let binsLeft = maxBins;
  let inBin = 0;
  for (let i = 0; i + 1 < values.length && binsLeft > 1; i++) {
    inBin += counts[i]!;
    const target = remaining / binsLeft;
    const next = counts[i + 1]!;
    if (inBin >= target || inBin + next > target * 1.5) {
      bounds.push(midpoint(values[i]!, values[i + 1]!));
      remaining -= inBin;
      binsLeft--;
      inBin = 0;
    }
  }
  return Float64Array.from(bounds);
}

/** A bound strictly between a and b (a < b) when one exists, else a. */
function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m < b ? m : a;
}

/** The bins of one column, by binary search in its bounds. */
export function binColumn(
  col: Float64Array,
  bounds: Float64Array,
  n: number,
  out: Uint8Array = new Uint8Array(n),
): Uint8Array {
  const nb = bounds.length;
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    if (v !== v) {
      out[i] = MISSING_BIN;
      continue;
    }
    let lo = 0;
    let hi = nb; // the answer is in [lo, hi]: first b with v <= bounds[b], or nb
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= bounds[mid]!) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}

/** Bins a whole matrix: one Uint8Array per feature, in shared memory (a helper thread reads it). */
export function binMatrix(x: Matrix, mapper: BinMapper): Uint8Array[] {
  return x.columns.map((col, j) =>
    binColumn(col, mapper.upper[j]!, x.nRows, new Uint8Array(new SharedArrayBuffer(Math.max(1, x.nRows)))),
  );
}

/** The raw threshold of the split "bins <= b go left" of feature j. */
export function splitThreshold(mapper: BinMapper, feature: number, bin: number): number {
  const bounds = mapper.upper[feature]!;
  return bin < bounds.length ? bounds[bin]! : ALL_LEFT;
}
