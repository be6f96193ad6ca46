import { argmaxRow, checkClassification, type ClassTargets } from './inputs.js';

/**
 * The weighted confusion counts, row-major K × K (row = actual class, column = predicted).
 * Inputs must already be checked.
 */
export function confusionCounts(
  y: ClassTargets,
  proba: Float64Array,
  nClasses: number,
  weights: Float64Array | undefined,
): Float64Array {
  const counts = new Float64Array(nClasses * nClasses);
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const cell = (y[i] as number) * nClasses + argmaxRow(proba, i, nClasses);
    counts[cell] = (counts[cell] as number) + (weights === undefined ? 1 : (weights[i] as number));
  }
  return counts;
}

/** Row-major K × K counts as nested arrays. */
export function countsToRows(counts: Float64Array, nClasses: number): number[][] {
  const rows: number[][] = [];
  for (let a = 0; a < nClasses; a++) rows.push(Array.from(counts.subarray(a * nClasses, (a + 1) * nClasses)));
  return rows;
}

/**
 * The K × K confusion matrix: `m[actual][predicted]` is the number (or, with sample weights,
 * the total weight) of rows of class `actual` predicted as `predicted` (the argmax of the row's
 * probabilities, ties to the lowest index). All K classes appear, also those absent from `y`,
 * as scikit-learn's `confusion_matrix(y, pred, labels=range(K), sample_weight=weights)`.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities
 * @param weights optional non-negative sample weights
 * @example
 * confusionMatrix(Int32Array.of(0, 1, 1), Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.2, 0.8));
 * // [[1, 0], [1, 1]]
 */
export function confusionMatrix(y: ClassTargets, proba: Float64Array, weights?: Float64Array): number[][] {
  const nClasses = checkClassification('confusionMatrix', y, proba, weights);
  return countsToRows(confusionCounts(y, proba, nClasses, weights), nClasses);
}
