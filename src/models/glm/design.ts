/**
 * The GLM's design matrix: the features imputed, given missing indicators, and standardised.
 *
 *   x_j (NaN = missing) ──► x_j, or mean_j where missing ──► (· − mean_j) / std_j
 *                      └──► [x_j missing] ──► (· − share_j) / std of the indicator
 *
 * Means and standard deviations are weighted (population, ddof 0) over the training rows after
 * imputation, as scikit-learn's SimpleImputer then StandardScaler compute them. A feature gets a
 * missing indicator when missing values carry some, but not all, of the training weight (an
 * indicator that is constant would carry nothing). A column with no spread keeps std 1: it is
 * zero after centring, and its coefficient stays 0 under the penalty.
 */
import type { Matrix } from '../types.js';

export interface Design {
  readonly nRows: number;
  /** Standardised design columns: the features, then the indicators. */
  readonly columns: Float64Array[];
  /** Per feature: the weighted training mean (the imputed value, and the centre). */
  readonly center: Float64Array;
  /** Features with a missing indicator, ascending. */
  readonly indicators: number[];
  /** Per indicator: the weighted share of rows where its feature is missing. */
  readonly missingShare: Float64Array;
  /** Per design column: the standard deviation it was divided by. */
  readonly scale: Float64Array;
}

/**
 * Builds the standardised design of a training matrix, with optional row weights.
 *
 * @example
 * const d = buildDesign({ nRows: 4, columns: [Float64Array.from([1, 2, NaN, 3])] });
 * d.center;     // [2]
 * d.indicators; // [0]: feature 0 has a missing indicator, design column 1
 */
export function buildDesign(x: Matrix, weights?: Float64Array): Design {
  const n = x.nRows;
  const nFeatures = x.columns.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += weights ? weights[i]! : 1;
  const center = new Float64Array(nFeatures);
  const featureScale = new Float64Array(nFeatures);
  const indicators: number[] = [];
  const shares: number[] = [];
  const columns: Float64Array[] = [];
  for (let j = 0; j < nFeatures; j++) {
    const col = x.columns[j]!;
    let sw = 0;
    let swx = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v !== v) continue;
      if (!Number.isFinite(v))
        throw new RangeError(`feature ${j} row ${i} is ${v}: a GLM needs finite values (NaN for missing)`);
      const wi = weights ? weights[i]! : 1;
      if (wi === 0) continue;
      sw += wi;
      swx += wi * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // A constant column is recognised exactly: its rounded mean would turn it into noise.
    const constant = !(min < max);
    const mean = sw === 0 ? 0 : constant ? min : swx / sw;
    let ss = 0;
    if (!constant) {
      for (let i = 0; i < n; i++) {
        const v = col[i]!;
        if (v === v) ss += (weights ? weights[i]! : 1) * (v - mean) ** 2;
      }
    }
    const s = constant ? 1 : Math.sqrt(ss / total);
    center[j] = mean;
    featureScale[j] = s;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      z[i] = v === v ? (v - mean) / s : 0;
    }
    columns.push(z);
    const share = (total - sw) / total;
    if (share > 0 && sw > 0) {
      indicators.push(j);
      shares.push(share);
    }
  }
  const scale = new Float64Array(nFeatures + indicators.length);
  scale.set(featureScale);
  indicators.forEach((j, m) => {
    const q = shares[m]!;
    const s = Math.sqrt(q * (1 - q));
    scale[nFeatures + m] = s;
    const col = x.columns[j]!;
    const z = new Float64Array(n);
    const zMissing = (1 - q) / s;
    const zPresent = -q / s;
    for (let i = 0; i < n; i++) z[i] = col[i]! !== col[i]! ? zMissing : zPresent;
    columns.push(z);
  });
  return { nRows: n, columns, center, indicators, missingShare: Float64Array.from(shares), scale };
}
