/**
 * Input checks shared by the metrics (internal, not part of the public index).
 *
 * Metrics are called by code, not typed in by a user, so a bad input is a programming error:
 * RangeError, naming the function, the row and what was expected.
 */

/** Class indices 0..K−1, one per row. */
export type ClassTargets = Int32Array | Float64Array;

/** Checks optional sample weights: one per row, finite, non-negative, with a positive sum. */
export function checkWeights(fn: string, n: number, weights: Float64Array | undefined): void {
  if (weights === undefined) return;
  if (weights.length !== n) throw new RangeError(`${fn}: weights has ${weights.length} entries, y has ${n}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as number;
    if (!(w >= 0) || w === Infinity)
      throw new RangeError(`${fn}: weights[${i}] is ${w}; weights must be finite and >= 0`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError(`${fn}: the weights sum to zero`);
}

function checkNonEmpty(fn: string, n: number): void {
  if (n === 0) throw new RangeError(`${fn}: y is empty; a metric needs at least one row`);
}

function checkClassIndex(fn: string, y: ClassTargets, i: number, nClasses: number): void {
  const c = y[i] as number;
  if (!Number.isInteger(c) || c < 0 || c >= nClasses) {
    throw new RangeError(`${fn}: y[${i}] is ${c}; expected a class index 0..${nClasses - 1}`);
  }
}

/**
 * Checks classification inputs (y class indices, proba row-major n × K, optional weights) and
 * returns K, the number of classes, read from the shape of `proba`.
 */
export function checkClassification(
  fn: string,
  y: ClassTargets,
  proba: Float64Array,
  weights: Float64Array | undefined,
): number {
  const n = y.length;
  checkNonEmpty(fn, n);
  const nClasses = proba.length / n;
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new RangeError(
      `${fn}: proba has ${proba.length} entries for ${n} rows; expected n × K row-major with K >= 2 classes`,
    );
  }
  for (let i = 0; i < n; i++) {
    checkClassIndex(fn, y, i, nClasses);
    const base = i * nClasses;
    for (let k = 0; k < nClasses; k++) {
      const p = proba[base + k] as number;
      if (!Number.isFinite(p)) throw new RangeError(`${fn}: proba row ${i}, class ${k} is ${p}`);
    }
  }
  checkWeights(fn, n, weights);
  return nClasses;
}

/** Checks binary inputs: y in {0, 1}, one finite score per row, optional weights. */
export function checkBinary(fn: string, y: ClassTargets, score: Float64Array, weights: Float64Array | undefined): void {
  const n = y.length;
  checkNonEmpty(fn, n);
  if (score.length !== n) throw new RangeError(`${fn}: y has ${n} rows, the scores have ${score.length}`);
  for (let i = 0; i < n; i++) {
    checkClassIndex(fn, y, i, 2);
    const s = score[i] as number;
    if (!Number.isFinite(s)) throw new RangeError(`${fn}: score of row ${i} is ${s}`);
  }
  checkWeights(fn, n, weights);
}

/** Checks regression inputs: finite y and pred of the same length, optional weights. */
export function checkRegression(
  fn: string,
  y: Float64Array,
  pred: Float64Array,
  weights: Float64Array | undefined,
): void {
  const n = y.length;
  checkNonEmpty(fn, n);
  if (pred.length !== n) throw new RangeError(`${fn}: y has ${n} rows, pred has ${pred.length}`);
  for (let i = 0; i < n; i++) {
    const t = y[i] as number;
    if (!Number.isFinite(t)) throw new RangeError(`${fn}: y[${i}] is ${t}`);
    const p = pred[i] as number;
    if (!Number.isFinite(p)) throw new RangeError(`${fn}: pred[${i}] is ${p}`);
  }
  checkWeights(fn, n, weights);
}

/** The predicted class of row i: the argmax of its probabilities, ties to the lowest index. */
export function argmaxRow(proba: Float64Array, row: number, nClasses: number): number {
  const base = row * nClasses;
  let best = 0;
  let bestP = proba[base] as number;
  for (let k = 1; k < nClasses; k++) {
    const p = proba[base + k] as number;
    if (p > bestP) {
      best = k;
      bestP = p;
    }
  }
  return best;
}
