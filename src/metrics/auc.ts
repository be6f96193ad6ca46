import { checkBinary, checkClassification, type ClassTargets } from './inputs.js';

/**
 * ROC AUC of one score column (`scores[i * stride + offset]`) for "y[i] === positive", or null
 * when the positive or the negative rows have zero total weight. Sorts `order` (reused across
 * calls) by descending score, then sums the ROC trapezoids between distinct thresholds, as
 * scikit-learn's `roc_curve` + `auc`: tied scores form one point, so a tie counts one half.
 */
function rocAucOfColumn(
  y: ClassTargets,
  positive: number,
  scores: Float64Array,
  stride: number,
  offset: number,
  weights: Float64Array | undefined,
  order: Uint32Array,
): number | null {
  const n = y.length;
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (scores[b * stride + offset] as number) - (scores[a * stride + offset] as number));
  // Totals in sorted order, so they equal the last cumulative sums bit for bit (as in sklearn).
  let totalPos = 0;
  let totalNeg = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j] as number;
    const w = weights === undefined ? 1 : (weights[i] as number);
    if (y[i] === positive) totalPos += w;
    else totalNeg += w;
  }
  if (totalPos === 0 || totalNeg === 0) return null;
  let tp = 0;
  let fp = 0;
  let tprPrev = 0;
  let fprPrev = 0;
  let area = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j] as number;
    const w = weights === undefined ? 1 : (weights[i] as number);
    if (y[i] === positive) tp += w;
    else fp += w;
    const s = scores[i * stride + offset] as number;
    if (j === n - 1 || (scores[(order[j + 1] as number) * stride + offset] as number) !== s) {
      const tpr = tp / totalPos;
      const fpr = fp / totalNeg;
      area += ((fpr - fprPrev) * (tpr + tprPrev)) / 2;
      tprPrev = tpr;
      fprPrev = fpr;
    }
  }
  return area;
}

/**
 * Binary ROC AUC of positive-class scores, as scikit-learn's `roc_auc_score(y, score,
 * sample_weight=weights)`: the area under the ROC curve through all distinct thresholds, where
 * tied scores form one point (a tie between a positive and a negative counts one half).
 * Returns null when the AUC is undefined: y has only one class, or one class has zero weight.
 *
 * @param y class indices 0 (negative) or 1 (positive)
 * @param pPositive one score per row, higher meaning more likely positive
 * @param weights optional non-negative sample weights
 * @example
 * binaryAuc(Int32Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8)); // 0.75
 */
export function binaryAuc(y: ClassTargets, pPositive: Float64Array, weights?: Float64Array): number | null {
  checkBinary('binaryAuc', y, pPositive, weights);
  return rocAucOfColumn(y, 1, pPositive, 1, 0, weights, new Uint32Array(y.length));
}

/**
 * One-vs-rest macro ROC AUC, as scikit-learn's `roc_auc_score(y, proba, multi_class='ovr',
 * average='macro', sample_weight=weights)`: the plain mean over the K classes of the binary AUC
 * of "class k" against the rest, scored by column k. Returns null when any class's AUC is
 * undefined (the class is absent from y, has zero weight, or is all of y). scikit-learn also
 * requires each row to sum to 1; this function does not check that.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities
 * @param weights optional non-negative sample weights
 * @example
 * ovrAuc(Int32Array.of(0, 1, 2), Float64Array.of(0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.3, 0.6)); // 1
 */
export function ovrAuc(y: ClassTargets, proba: Float64Array, weights?: Float64Array): number | null {
  const nClasses = checkClassification('ovrAuc', y, proba, weights);
  return ovrAucChecked(y, proba, nClasses, weights);
}

function ovrAucChecked(
  y: ClassTargets,
  proba: Float64Array,
  nClasses: number,
  weights: Float64Array | undefined,
): number | null {
  const order = new Uint32Array(y.length);
  let sum = 0;
  for (let k = 0; k < nClasses; k++) {
    const a = rocAucOfColumn(y, k, proba, nClasses, k, weights, order);
    if (a === null) return null;
    sum += a;
  }
  return sum / nClasses;
}

/**
 * ROC AUC for class probabilities: for K = 2 the binary AUC of column 1 (the positive class),
 * for K ≥ 3 the one-vs-rest macro AUC (see {@link binaryAuc}, {@link ovrAuc}). Returns null
 * where undefined, e.g. when a class is absent from y.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities
 * @param weights optional non-negative sample weights
 * @example
 * auc(Int32Array.of(0, 1, 1), Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.2, 0.8)); // 1
 */
export function auc(y: ClassTargets, proba: Float64Array, weights?: Float64Array): number | null {
  const nClasses = checkClassification('auc', y, proba, weights);
  return aucChecked(y, proba, nClasses, weights);
}

/** {@link auc} on inputs already checked by `checkClassification`. */
export function aucChecked(
  y: ClassTargets,
  proba: Float64Array,
  nClasses: number,
  weights: Float64Array | undefined,
): number | null {
  if (nClasses === 2) return rocAucOfColumn(y, 1, proba, 2, 1, weights, new Uint32Array(y.length));
  return ovrAucChecked(y, proba, nClasses, weights);
}
