import { confusionCounts } from './confusion-matrix.js';
import { checkClassification, type ClassTargets } from './inputs.js';

/**
 * Matthews correlation from row-major K × K confusion counts, with scikit-learn's formula
 * (Gorodkin's R_K), 0 when a marginal is constant.
 */
export function mccFromCounts(counts: Float64Array, nClasses: number): number {
  let nCorrect = 0;
  let nSamples = 0;
  let tDotP = 0;
  let pDotP = 0;
  let tDotT = 0;
  for (let k = 0; k < nClasses; k++) {
    let t = 0;
    let p = 0;
    for (let j = 0; j < nClasses; j++) {
      t += counts[k * nClasses + j] as number;
      p += counts[j * nClasses + k] as number;
    }
    nCorrect += counts[k * nClasses + k] as number;
    nSamples += p;
    tDotP += t * p;
    pDotP += p * p;
    tDotT += t * t;
  }
  return mccFromSums(nCorrect, nSamples, tDotP, pDotP, tDotT);
}

/** The binary case of {@link mccFromCounts}, from the four cells, without an allocation. */
export function mccBinary(tn: number, fp: number, fn: number, tp: number): number {
  const t0 = tn + fp;
  const t1 = fn + tp;
  const p0 = tn + fn;
  const p1 = fp + tp;
  return mccFromSums(tn + tp, p0 + p1, t0 * p0 + t1 * p1, p0 * p0 + p1 * p1, t0 * t0 + t1 * t1);
}

function mccFromSums(nCorrect: number, nSamples: number, tDotP: number, pDotP: number, tDotT: number): number {
  const covYtYp = nCorrect * nSamples - tDotP;
  const covYpYp = nSamples ** 2 - pDotP;
  const covYtYt = nSamples ** 2 - tDotT;
  const denom = covYtYt * covYpYp;
  return denom === 0 ? 0 : covYtYp / Math.sqrt(denom);
}

/**
 * Matthews correlation coefficient of the argmax predictions (ties to the lowest index), for
 * any K ≥ 2, as scikit-learn's `matthews_corrcoef`: in [−1, 1], 1 for perfect predictions,
 * 0 when all rows are predicted as one class or all belong to one class.
 *
 * @param y class indices 0..K−1
 * @param proba row-major n × K probabilities
 * @param weights optional non-negative sample weights
 * @example
 * mcc(Int32Array.of(0, 1, 1, 0), Float64Array.of(0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.6, 0.4)); // 1
 */
export function mcc(y: ClassTargets, proba: Float64Array, weights?: Float64Array): number {
  const nClasses = checkClassification('mcc', y, proba, weights);
  return mccFromCounts(confusionCounts(y, proba, nClasses, weights), nClasses);
}
