/**
 * The net as TensorFlow.js variables: seeded initial weights, the forward pass (with seeded
 * dropout when training), the weighted loss, and the export to the artifact's layer layout.
 * Every random number comes from our `Rng`, so a seed gives the same net on any backend's start.
 */
import type { Rank, Scalar, Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { MlpLayerSerialization } from '../../artifact/format/mlp.js';
import type { Rng } from '../../util/random.js';
import type { Tf } from './tf-loader.js';

export type OutputActivation = 'softmax' | 'sigmoid' | 'linear';

export interface Net {
  /** Layer widths, input first: [nIn, hidden…, nOut]. */
  readonly widths: readonly number[];
  readonly output: OutputActivation;
  /** Kernels, nIn × nOut each (the artifact's layout). */
  readonly kernels: Variable<Rank.R2>[];
  readonly biases: Variable<Rank.R1>[];
}

/**
 * Glorot-uniform kernels drawn from `rng`, zero hidden biases, and the output bias at the
 * training prior (log class shares, or the logit of the positive share), so that the first
 * epoch starts from the constant model rather than from uniform probabilities.
 */
export function initNet(
  tf: Tf,
  widths: readonly number[],
  output: OutputActivation,
  rng: Rng,
  outputBias: Float64Array,
): Net {
  const kernels: Variable<Rank.R2>[] = [];
  const biases: Variable<Rank.R1>[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const nIn = widths[l]!;
    const nOut = widths[l + 1]!;
    const limit = Math.sqrt(6 / (nIn + nOut));
    const w = new Float32Array(nIn * nOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * limit;
    kernels.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [nIn, nOut]))));
    const b = new Float32Array(nOut);
    if (l + 2 === widths.length) b.set(outputBias);
    biases.push(tf.tidy(() => tf.variable(tf.tensor1d(b))));
  }
  return { widths, output, kernels, biases };
}

/**
 * The last layer's pre-activation outputs (logits) of a batch. `masks`, one per hidden layer,
 * are the dropout multipliers (0, or 1 / (1 − rate)) applied after each hidden ReLU.
 */
export function forward(
  tf: Tf,
  kernels: readonly Tensor2D[],
  biases: readonly Tensor1D[],
  x: Tensor2D,
  masks?: readonly (Tensor2D | undefined)[],
): Tensor2D {
  let h: Tensor2D = x;
  const last = kernels.length - 1;
  for (let l = 0; l <= last; l++) {
    h = tf.add(tf.matMul(h, kernels[l]!), biases[l]!);
    if (l < last) {
      h = tf.relu(h);
      const mask = masks?.[l];
      if (mask) h = tf.mul(h, mask);
    }
  }
  return h;
}

/**
 * The weighted mean loss of a batch: categorical cross-entropy (y one-hot, n × K), binary
 * cross-entropy (y 0/1, n × 1) or squared error (y standardised, n × 1), each computed from the
 * logits in the numerically stable form. `w` (n × 1) are sample weights scaled to mean 1 over
 * the training set, so a weight of 2 counts a row twice.
 */
export function batchLoss(tf: Tf, output: OutputActivation, logits: Tensor2D, y: Tensor2D, w: Tensor2D): Scalar {
  let perRow: Tensor;
  if (output === 'softmax') perRow = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1, true));
  else if (output === 'sigmoid')
    perRow = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.softplus(tf.neg(tf.abs(logits))));
  else perRow = tf.square(tf.sub(logits, y));
  return tf.mean(tf.mul(perRow, w));
}

/** The L2 penalty `l2 × Σ kernel²` (biases are not penalised). */
export function l2Penalty(tf: Tf, kernels: readonly Tensor2D[], l2: number): Scalar {
  let s: Scalar = tf.scalar(0);
  for (const k of kernels) s = tf.add(s, tf.sum(tf.square(k)));
  return tf.mul(s, l2);
}

/**
 * Inverted-dropout multipliers for one hidden layer of a batch, drawn from `rng`: each unit is
 * kept with probability 1 − rate and then scaled by 1 / (1 − rate).
 */
export function dropoutMask(tf: Tf, rows: number, width: number, rate: number, rng: Rng): Tensor2D {
  const m = new Float32Array(rows * width);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < m.length; i++) m[i] = rng.next() < rate ? 0 : keep;
  return tf.tensor2d(m, [rows, width]);
}

/** The net's current weights in the artifact's layer layout (float32 values as doubles). */
export function exportLayers(net: Net): MlpLayerSerialization[] {
  const last = net.kernels.length - 1;
  return net.kernels.map((k, l) => ({
    shape: [net.widths[l]!, net.widths[l + 1]!],
    weights: Array.from(k.dataSync()),
    bias: Array.from(net.biases[l]!.dataSync()),
    activation: l < last ? 'relu' : net.output,
  }));
}

/** Frees the net's variables. */
export function disposeNet(net: Net): void {
  for (const v of [...net.kernels, ...net.biases]) v.dispose();
}
