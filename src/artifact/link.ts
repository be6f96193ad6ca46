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
  for (let r = 0; r < nRows; r++) {
    const o = r * nOutputs;
    let max = -Infinity;
    for (let k = 0; k < nOutputs; k++) if (raw[o + k]! > max) max = raw[o + k]!;
    let sum = 0;
    for (let k = 0; k < nOutputs; k++) {
      const e = Math.exp(raw[o + k]! - max);
      raw[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < nOutputs; k++) raw[o + k]! /= sum;
  }
  return raw;
}

