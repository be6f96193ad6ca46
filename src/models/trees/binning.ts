/**
 * Quantile binning: every feature is mapped once to at most 255 bins (Uint8Array, column-major),
 * plus a bin of its own for missing values. Bin b holds the values in (upper[b−1], upper[b]];
 * the last value bin is unbounded above. A split "bins <= b go left" is the raw rule
 * "value <= upper[b] goes left", which is what the exported tree holds.
 */
import type { Matrix } from '../types.js';
import type { Rng } from '../../util/random.js';

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
 * Rows the bounds are found from: all of them up to this many, else a sample of this many drawn
 * with the fit's random source (as LightGBM's bin_construct_sample_cnt). Sorting every value of
 * a million-row column costs more than the trees built on it; 255 quantiles from 200,000 values
 * are as good.
 */
export const BIN_SAMPLE_ROWS = 200_000;

/**
 * Finds each feature's bin bounds from the training rows (a sample of {@link BIN_SAMPLE_ROWS}
 * of them, drawn with `rng`, when there are more): one bin per distinct value when there are
 * few, else bounds at equal-count quantiles (merged where values repeat). Bounds are midpoints
 * between neighbouring distinct values, so unseen values fall on the nearer side.
 */
export function fitBins(x: Matrix, maxBins = MAX_BINS, rng?: Rng, sorter?: Sorter): BinMapper {
  if (!(maxBins >= 2 && maxBins <= MAX_BINS))
    throw new RangeError(`maxBins must be in [2, ${MAX_BINS}], got ${maxBins}`);
  const sample = rng && x.nRows > BIN_SAMPLE_ROWS ? sampleRows(x.nRows, BIN_SAMPLE_ROWS, rng) : undefined;
  const upper: Float64Array[] = [];
  const nBins = new Uint16Array(x.columns.length);
  const size = sample ? sample.length : x.nRows;
  const scratch = sorter ? sorter.room(size) : new Float64Array(size);
  const sort = sorter ? (a: Float64Array) => sorter.sort(a) : (a: Float64Array) => a.sort();
  x.columns.forEach((col, j) => {
    const sorted = presentSorted(col, x.nRows, sample, scratch, sort);
    const bounds = binBounds(sorted, maxBins);
    upper.push(bounds);
    nBins[j] = bounds.length + 1;
  });
  return { upper, nBins };
}

/** A sorted sample of m of the rows 0 … n − 1, without replacement (Knuth's algorithm S). */
export function sampleRows(n: number, m: number, rng: Rng): Int32Array {
  const out = new Int32Array(m);
  let chosen = 0;
  for (let i = 0; i < n && chosen < m; i++) if ((n - i) * rng.next() < m - chosen) out[chosen++] = i;
  return out;
}

/**
 * Where the bounds' values are sorted, when not by `Float64Array.prototype.sort` in a scratch
 * array of their own (the GBDT sorts them in WebAssembly: the same order, several times faster).
 */
export interface Sorter {
  /** Room for `n` values. */
  room(n: number): Float64Array;
  /** Sorts values in that room ascending, as `Float64Array.prototype.sort` does. */
  sort(values: Float64Array): void;
}

/** The column's values that are not missing (of the sampled rows, when given), sorted. */
function presentSorted(
  col: Float64Array,
  n: number,
  sample: Int32Array | undefined,
  out: Float64Array,
  sort: (a: Float64Array) => void,
): Float64Array {
  let m = 0;
  if (sample)
    for (let i = 0; i < sample.length; i++) {
      const v = col[sample[i]!]!;
      if (v === v) out[m++] = v;
    }
  else
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v === v) out[m++] = v;
    }
  const present = out.subarray(0, m);
  sort(present);
  return present;
}

/** Bounds over sorted values: one pass over the runs of equal values, no per-value arrays. */
function binBounds(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  if (n === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < n && distinct <= maxBins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const bounds: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) bounds.push(midpoint(sorted[i - 1]!, sorted[i]!));
    return Float64Array.from(bounds);
  }
  /** The end of the run of values equal to sorted[s]. */
  const runEnd = (s: number): number => {
    const v = sorted[s];
    let e = s + 1;
    while (e < n && sorted[e] === v) e++;
    return e;
  };
  // Greedy equal-count bins over distinct values: close a bin once it holds its share of the
  // rows still to place, so that heavy repeated values get a bin of their own.
  let remaining = n;
  let binsLeft = maxBins;
  let inBin = 0;
  let s = 0;
  let e = runEnd(0);
  while (e < n && binsLeft > 1) {
    inBin += e - s;
    const target = remaining / binsLeft;
    const ne = runEnd(e);
    if (inBin >= target || inBin + (ne - e) > target * 1.5) {
      bounds.push(midpoint(sorted[s]!, sorted[e]!));
      remaining -= inBin;
      binsLeft--;
      inBin = 0;
    }
    s = e;
    e = ne;
  }
  return Float64Array.from(bounds);
}

/** A bound strictly between a and b (a < b) when one exists, else a. */
function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m < b ? m : a;
}

/**
 * The bins of one column: for each value the number of bounds below it, by a binary search of
 * fixed steps over the bounds padded to 255 with +Infinity (no branch to mispredict).
 */
export function binColumn(
  col: Float64Array,
  bounds: Float64Array,
  n: number,
  out: Uint8Array = new Uint8Array(n),
): Uint8Array {
  const b = new Float64Array(MAX_BINS).fill(Infinity);
  b.set(bounds);
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    if (v !== v) {
      out[i] = MISSING_BIN;
      continue;
    }
    // Number(a < v) << k, not a ternary: V8 compiles it to a flag, not to a branch (3× faster).
    let lo = Number(b[127]! < v) << 7;
    lo += Number(b[lo + 63]! < v) << 6;
    lo += Number(b[lo + 31]! < v) << 5;
    lo += Number(b[lo + 15]! < v) << 4;
    lo += Number(b[lo + 7]! < v) << 3;
    lo += Number(b[lo + 3]! < v) << 2;
    lo += Number(b[lo + 1]! < v) << 1;
    lo += Number(b[lo]! < v);
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
