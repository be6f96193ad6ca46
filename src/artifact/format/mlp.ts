/**
 * The neural-net (multi-layer perceptron) node of the pipeline file: what is on disk, types only.
 *
 * Scoring one row:
 * 1. inputs: for each feature j, `(x[j] − means[j]) / stds[j]`, or 0 when x[j] is missing (NaN);
 *    then, for each feature j listed in `missingIndicators` (in that order), 1 when x[j] is
 *    missing, else 0. So the first layer has `nFeatures + missingIndicators.length` inputs.
 * 2. each layer: `out[o] = activation(bias[o] + Σ_i in[i] × weights[i × nOut + o])`, i.e.
 *    `weights` is the row-major `nIn × nOut` kernel (`shape = [nIn, nOut]`, the Keras layout).
 * 3. the last layer's activation gives the prediction: `softmax` (multiclass, K outputs),
 *    `sigmoid` (binary, 1 output p, predicted as [1 − p, p]), or `linear` (regression, 1 output
 *    z, predicted as `z × targetStd + targetMean`).
 */

/** Hidden layers use `relu`; the last layer `softmax`, `sigmoid` or `linear`. */
export type MlpActivation = 'relu' | 'linear' | 'sigmoid' | 'softmax';

export interface MlpLayerSerialization {
  /**
   * `[nIn, nOut]`.
   * @items {"type": "integer", "minimum": 1}
   */
  shape: [number, number];
  /** The kernel, row-major `nIn × nOut`: `weights[i * nOut + o]` links input i to output o. */
  weights: number[];
  /** `nOut` biases. */
  bias: number[];
  activation: MlpActivation;
}

export interface MlpNode {
  kind: 'mlp';
  /**
   * Number of input features (columns of the model matrix).
   * @asType integer
   * @minimum 0
   */
  nFeatures: number;
  /** Per feature: the (weighted) training mean of its present values. */
  means: number[];
  /** Per feature: the (weighted) training standard deviation of its present values; 1 if it was 0. */
  stds: number[];
  /**
   * Features (ascending) that had missing values in training and so have a missing-indicator input.
   * @items {"type": "integer"}
   */
  missingIndicators: number[];
  /**
   * The dense layers, input to output.
   * @minItems 1
   */
  layers: MlpLayerSerialization[];
  /** Linear output only (regression): the shift and scale back to target units; 0 and 1 otherwise. */
  targetMean: number;
  targetStd: number;
}
