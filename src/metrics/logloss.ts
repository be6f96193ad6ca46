import { checkClassification, type ClassTargets } from './inputs.js';

/**
 * Probabilities are clipped to [EPS, 1 − EPS] before the log. scikit-learn ≥ 1.2 uses
 * `eps="auto"`, the machine epsilon of float64 (2⁻⁵², 2.22e-16); it was 1e-15 before 1.2.
 */
export const LOGLOSS_EPS = Number.EPSILON;

/**
 * Mean log loss (cross-entropy) of class probabilities, as scikit-learn 1.2's `log_loss`
 * with `labels=range(K)`: each probability is clipped to [ε, 1 − ε] (ε = 2⁻⁵²), each row is
 * renormalised to sum to 1, and the loss −log p(true class) is averaged with the sample weights.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities (K ≥ 2; for binary, column 1 is the positive class)
 * @param weights optional non-negative sample weights
 * @example
 * logloss(Int32Array.of(1, 0), Float64Array.of(0.1, 0.9, 0.8, 0.2)); // (−log 0.9 − log 0.8) / 2 ≈ 0.1643
 */
export function logloss(y: ClassTargets, proba: Float64Array, weights?: Float64Array): number {
  const nClasses = checkClassification('logloss', y, proba, weights);
  return loglossChecked(y, proba, nClasses, weights);
}

/** {@link logloss} on inputs already checked by `checkClassification`. */
export function loglossChecked(
  y: ClassTargets,
  proba: Float64Array,
  nClasses: number,
  weights: Float64Array | undefined,
): number {
  const lo = LOGLOSS_EPS;
  const hi = 1 - LOGLOSS_EPS;
  const n = y.length;
  let sum = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const base = i * nClasses;
    let rowSum = 0;
    for (let k = 0; k < nClasses; k++) rowSum += Math.min(hi, Math.max(lo, proba[base + k] as number));
    const p = Math.min(hi, Math.max(lo, proba[base + (y[i] as number)] as number)) / rowSum;
    const w = weights === undefined ? 1 : (weights[i] as number);
    sum += w * -Math.log(p);
    totalWeight += w;
  }
  return sum / totalWeight;
}
