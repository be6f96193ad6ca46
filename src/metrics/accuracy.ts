import { argmaxRow, checkClassification, type ClassTargets } from './inputs.js';

/**
 * The (weighted) share of rows whose predicted class — the argmax of the row's probabilities,
 * ties to the lowest index — is the true class. As scikit-learn's `accuracy_score`.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities
 * @param weights optional non-negative sample weights
 * @example
 * accuracy(Int32Array.of(1, 0, 0), Float64Array.of(0.3, 0.7, 0.6, 0.4, 0.2, 0.8)); // 2/3
 */
export function accuracy(y: ClassTargets, proba: Float64Array, weights?: Float64Array): number {
  const nClasses = checkClassification('accuracy', y, proba, weights);
  const n = y.length;
  let correct = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    if (argmaxRow(proba, i, nClasses) === y[i]) correct += w;
    totalWeight += w;
  }
  return correct / totalWeight;
}
