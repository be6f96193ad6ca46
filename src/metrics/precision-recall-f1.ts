import { confusionCounts } from './confusion-matrix.js';
import { checkClassification, type ClassTargets } from './inputs.js';

/** Per-class precision, recall, F1 and support, and their unweighted (macro) means. */
export interface ClassScores {
  /** Per class: (weighted) true positives / predicted positives; 0 when nothing is predicted as the class. */
  readonly precision: Float64Array;
  /** Per class: (weighted) true positives / actual positives; 0 when the class is absent from y. */
  readonly recall: Float64Array;
  /** Per class: the harmonic mean of precision and recall; 0 when both are 0. */
  readonly f1: Float64Array;
  /** Per class: the number of rows of the class in y (with sample weights, their total weight). */
  readonly support: Float64Array;
  /** The plain means over all K classes (classes absent from y included, with scores 0). */
  readonly macro: { readonly precision: number; readonly recall: number; readonly f1: number };
}

/** Scores from row-major K × K confusion counts (row = actual, column = predicted). */
export function scoresFromCounts(counts: Float64Array, nClasses: number): ClassScores {
  const precision = new Float64Array(nClasses);
  const recall = new Float64Array(nClasses);
  const f1 = new Float64Array(nClasses);
  const support = new Float64Array(nClasses);
  let sumP = 0;
  let sumR = 0;
  let sumF = 0;
  for (let k = 0; k < nClasses; k++) {
    const tp = counts[k * nClasses + k] as number;
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < nClasses; j++) {
      predicted += counts[j * nClasses + k] as number;
      actual += counts[k * nClasses + j] as number;
    }
    // zero_division=0, and F1 = 2PR / (P + R) computed from P and R, exactly as scikit-learn.
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = actual === 0 ? 0 : tp / actual;
    const denom = p + r;
    const f = (2 * p * r) / (denom === 0 ? 1 : denom);
    precision[k] = p;
    recall[k] = r;
    f1[k] = f;
    support[k] = actual;
    sumP += p;
    sumR += r;
    sumF += f;
  }
  return {
    precision,
    recall,
    f1,
    support,
    macro: { precision: sumP / nClasses, recall: sumR / nClasses, f1: sumF / nClasses },
  };
}

/**
 * Per-class and macro precision, recall and F1 of the argmax predictions (ties to the lowest
 * index), as scikit-learn's `precision_recall_fscore_support(y, pred, labels=range(K),
 * zero_division=0, sample_weight=weights)`: a score whose denominator is 0 is 0, and the
 * macro means run over all K classes.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities
 * @param weights optional non-negative sample weights
 * @example
 * const s = precisionRecallF1(Int32Array.of(0, 1, 1), Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.2, 0.8));
 * s.precision; // Float64Array [0.5, 1]
 * s.recall;    // Float64Array [1, 0.5]
 * s.macro.f1;  // 2/3
 */
export function precisionRecallF1(y: ClassTargets, proba: Float64Array, weights?: Float64Array): ClassScores {
  const nClasses = checkClassification('precisionRecallF1', y, proba, weights);
  return scoresFromCounts(confusionCounts(y, proba, nClasses, weights), nClasses);
}

/**
 * F1 as scikit-learn's `f1_score` default for the task: for binary targets (K = 2) the F1 of
 * the positive class 1 (`average='binary'`), for K ≥ 3 the macro F1 (`average='macro'`).
 * zero_division=0.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities
 * @param weights optional non-negative sample weights
 * @example
 * f1Score(Int32Array.of(0, 1, 1), Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.2, 0.8)); // 2/3
 */
export function f1Score(y: ClassTargets, proba: Float64Array, weights?: Float64Array): number {
  const nClasses = checkClassification('f1Score', y, proba, weights);
  const scores = scoresFromCounts(confusionCounts(y, proba, nClasses, weights), nClasses);
  return nClasses === 2 ? (scores.f1[1] as number) : scores.macro.f1;
}
