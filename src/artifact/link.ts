/**
 * The inverse links of the scorers: raw scores (row-major n × K) to predictions. Shared by the
 * tree, linear and neural-net scorers, so that every model family turns scores into
 * probabilities the same way.
 */

/** The inverse link from raw scores to predictions. */
export type Link = 'identity' | 'sigmoid' | 'softmax';

/** Turns raw scores into predictions: sigmoid → [1 − p, p], softmax per row, identity as is. */
export function applyLink(link: Link, raw: Float64Array, nRows: number, nOutputs: number): Float64Array {
  if (link === 'identity') return raw;
  if (link === 'sigmoid') {
    const out = new Float64Array(nRows * 2);
    for (let r = 0; r < nRows; r++) {
      const p = 1 / (1 + Math.exp(-raw[r]!));
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    }
    return out;
  }
  for (let r = 0; r < nRows; r++) softmaxInPlace(raw, r * nOutputs, 1, nOutputs);
  return raw;
}

/**
 * The softmax of the K scores `values[offset + k * stride]` (k = 0..K−1), in place: shifted by
 * their maximum, exponentiated, divided by their sum. The one softmax of the project: the scorers
 * (row-major, stride 1) and the model families' training (the GLM's column-major scores, the
 * boosted trees' gradients) all call it, so they compute the same probabilities bit for bit.
 *
 * @example
 * const v = Float64Array.of(1, 2, 3);
 * softmaxInPlace(v, 0, 1, 3); // v ≈ [0.090, 0.245, 0.665]
 */
export function softmaxInPlace(values: Float64Array, offset: number, stride: number, K: number): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (values[offset + k * stride]! > max) max = values[offset + k * stride]!;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(values[offset + k * stride]! - max);
    values[offset + k * stride] = e;
    sum += e;
  }
  for (let k = 0; k < K; k++) values[offset + k * stride]! /= sum;
}
