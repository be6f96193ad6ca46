import { aucChecked } from './auc.js';
import { confusionCounts, countsToRows } from './confusion-matrix.js';
import { checkClassification, type ClassTargets } from './inputs.js';
import { loglossChecked } from './logloss.js';
import { mccFromCounts } from './mcc.js';
import { scoresFromCounts } from './precision-recall-f1.js';

/** One class's line of a {@link ClassificationReport}. */
export interface ClassReport {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Rows of the class in y (with sample weights, their total weight). */
  readonly support: number;
}

/** The classification metrics of a set of predictions, for reports and the leaderboard. */
export interface ClassificationReport {
  readonly logloss: number;
  readonly accuracy: number;
  /** Plain means over all K classes. */
  readonly macro: { readonly precision: number; readonly recall: number; readonly f1: number };
  readonly perClass: readonly ClassReport[];
  readonly mcc: number;
  /** Binary ROC AUC (K = 2) or one-vs-rest macro AUC (K ≥ 3); null where undefined, e.g. a class absent from y. */
  readonly auc: number | null;
  /** K × K, `confusion[actual][predicted]`, weighted counts. */
  readonly confusion: number[][];
}

/**
 * All classification metrics at once, from one confusion matrix: log loss, accuracy,
 * per-class and macro precision/recall/F1, MCC, AUC and the confusion matrix (see
 * {@link logloss}, {@link accuracy}, {@link precisionRecallF1}, {@link mcc}, {@link auc},
 * {@link confusionMatrix}). Predicted class = argmax of the row, ties to the lowest index.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities
 * @param classes the K class labels, in class-index order
 * @param weights optional non-negative sample weights
 * @example
 * const r = classificationReport(Int32Array.of(0, 1, 1), Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.2, 0.8), ['no', 'yes']);
 * r.accuracy;          // 2/3
 * r.perClass[1];       // { label: 'yes', precision: 1, recall: 0.5, f1: 2/3, support: 2 }
 * r.confusion;         // [[1, 0], [1, 1]]
 */
export function classificationReport(
  y: ClassTargets,
  proba: Float64Array,
  classes: readonly string[],
  weights?: Float64Array,
): ClassificationReport {
  const nClasses = checkClassification('classificationReport', y, proba, weights);
  if (classes.length !== nClasses) {
    throw new RangeError(`classificationReport: ${classes.length} class labels for ${nClasses} probability columns`);
  }
  const counts = confusionCounts(y, proba, nClasses, weights);
  const scores = scoresFromCounts(counts, nClasses);
  let correct = 0;
  let total = 0;
  for (let k = 0; k < nClasses; k++) {
    correct += counts[k * nClasses + k] as number;
    total += scores.support[k] as number;
  }
  const perClass: ClassReport[] = classes.map((label, k) => ({
    label,
    precision: scores.precision[k] as number,
    recall: scores.recall[k] as number,
    f1: scores.f1[k] as number,
    support: scores.support[k] as number,
  }));
  return {
    logloss: loglossChecked(y, proba, nClasses, weights),
    accuracy: correct / total,
    macro: { ...scores.macro },
    perClass,
    mcc: mccFromCounts(counts, nClasses),
    auc: aucChecked(y, proba, nClasses, weights),
    confusion: countsToRows(counts, nClasses),
  };
}
