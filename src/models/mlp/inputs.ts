/**
 * The net's inputs: features standardised with (weighted) training means and standard
 * deviations, missing values set to 0 (the mean), and a missing indicator for every feature that
 * had missing values in training. The same recipe, read from the node, runs in the scorer.
 */
import type { Matrix } from '../types.js';

export interface InputStats {
  readonly means: number[];
  /** 1 where a feature is constant (or has no present values). */
  readonly stds: number[];
  readonly missingIndicators: number[];
}

/**
 * Weighted means and standard deviations of each feature's present values (rows of weight 0 do
 * not count), and the features with missing values.
 *
 * @example
 * const stats = inputStats(x, weights); // stats.missingIndicators: features with NaN values
 */
export function inputStats(x: Matrix, weights?: Float64Array): InputStats {
  const n = x.nRows;
  const means: number[] = [];
  const stds: number[] = [];
  const missingIndicators: number[] = [];
  x.columns.forEach((col, j) => {
    let sw = 0;
    let sx = 0;
    let missing = false;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v !== v) {
        missing = true;
        continue;
      }
      const w = weights ? weights[i]! : 1;
      sw += w;
      sx += w * v;
    }
    const mean = sw > 0 ? sx / sw : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v === v) ss += (weights ? weights[i]! : 1) * (v - mean) ** 2;
    }
    const std = sw > 0 ? Math.sqrt(ss / sw) : 0;
    means.push(mean);
    // A constant feature: any scale gives 0, and 1 keeps the node valid. Tiny spreads relative to
    // the mean are rounding noise, not signal.
    stds.push(std > 1e-12 * Math.max(1, Math.abs(mean)) && Number.isFinite(std) ? std : 1);
    if (missing) missingIndicators.push(j);
  });
  return { means, stds, missingIndicators };
}

/** Number of net inputs: the features plus their missing indicators. */
export function inputWidth(stats: InputStats): number {
  return stats.means.length + stats.missingIndicators.length;
}

/**
 * The net inputs of some rows as a row-major float32 matrix (rows × inputWidth), as the scorer
 * builds them in float64.
 */
export function encodeRows(x: Matrix, stats: InputStats, rows?: ArrayLike<number>): Float32Array {
  const d = stats.means.length;
  const width = inputWidth(stats);
  const m = rows ? rows.length : x.nRows;
  const out = new Float32Array(m * width);
  const cols = x.columns;
  for (let j = 0; j < d; j++) {
    const col = cols[j]!;
    const mean = stats.means[j]!;
    const inv = 1 / stats.stds[j]!;
    for (let r = 0; r < m; r++) {
      const v = col[rows ? rows[r]! : r]!;
      out[r * width + j] = v !== v ? 0 : (v - mean) * inv;
    }
  }
  stats.missingIndicators.forEach((j, k) => {
    const col = cols[j]!;
    for (let r = 0; r < m; r++) {
      const v = col[rows ? rows[r]! : r]!;
      out[r * width + d + k] = v !== v ? 1 : 0;
    }
  });
  return out;
}
