import { checkBinary, type ClassTargets } from './inputs.js';
import { mccBinary } from './mcc.js';

/** What {@link bestThreshold} maximises. */
export const THRESHOLD_OBJECTIVES = ['f1', 'mcc'] as const;
export type ThresholdObjective = (typeof THRESHOLD_OBJECTIVES)[number];

/** The chosen threshold and the binary metrics of predicting "positive when p >= threshold". */
export interface ThresholdChoice {
  readonly threshold: number;
  /** The objective's value at the threshold (equal to `f1` or `mcc`). */
  readonly value: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly mcc: number;
  readonly accuracy: number;
}

/**
 * The decision threshold on positive-class probabilities that maximises F1 or MCC: every
 * distinct value of `pPositive` is a candidate, a row is predicted positive when its
 * probability is >= the candidate, and the metrics are those of scikit-learn (`f1_score`,
 * `matthews_corrcoef`, `precision_score`/`recall_score` with zero_division=0,
 * `accuracy_score`, all with the sample weights). **Ties go to the higher threshold**: of two
 * candidates with the same value, the larger is returned. One sort, then one sweep.
 *
 * @param y class indices 0 (negative) or 1 (positive)
 * @param pPositive the positive-class probability (or any score) of each row
 * @param objective `'f1'` or `'mcc'`
 * @param weights optional non-negative sample weights
 * @example
 * bestThreshold(Int32Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8), 'f1');
 * // { threshold: 0.35, value: 0.8, precision: 2/3, recall: 1, f1: 0.8, mcc: 0.577…, accuracy: 0.75 }
 */
export function bestThreshold(
  y: ClassTargets,
  pPositive: Float64Array,
  objective: ThresholdObjective,
  weights?: Float64Array,
): ThresholdChoice {
  checkBinary('bestThreshold', y, pPositive, weights);
  if (!THRESHOLD_OBJECTIVES.includes(objective)) {
    throw new RangeError(
      `bestThreshold: objective is '${String(objective)}'; expected one of ${THRESHOLD_OBJECTIVES.join(', ')}`,
    );
  }
  const n = y.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (pPositive[b] as number) - (pPositive[a] as number));
  let totalPos = 0;
  let totalNeg = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    if (y[i] === 1) totalPos += w;
    else totalNeg += w;
  }
  let best: ThresholdChoice | undefined;
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j] as number;
    const w = weights === undefined ? 1 : (weights[i] as number);
    if (y[i] === 1) tp += w;
    else fp += w;
    const threshold = pPositive[i] as number;
    if (j < n - 1 && pPositive[order[j + 1] as number] === threshold) continue;
    // Rows up to j (all with p >= threshold) are predicted positive.
    const fn = totalPos - tp;
    const tn = totalNeg - fp;
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = totalPos === 0 ? 0 : tp / totalPos;
    const denom = precision + recall;
    const f1 = (2 * precision * recall) / (denom === 0 ? 1 : denom);
    const mcc = mccBinary(tn, fp, fn, tp);
    const value = objective === 'f1' ? f1 : mcc;
    // Strictly greater: candidates come in decreasing order, so ties keep the higher threshold.
    if (best === undefined || value > best.value) {
      best = { threshold, value, precision, recall, f1, mcc, accuracy: (tp + tn) / (totalPos + totalNeg) };
    }
  }
  return best as ThresholdChoice;
}
