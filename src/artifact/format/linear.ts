/**
 * The linear model node of the pipeline file (logistic, softmax and ridge regression): what is on
 * disk, types only.
 *
 * Features enter centred on their training mean, and a missing value (NaN) counts as that mean,
 * so it contributes nothing but the weight of its missing indicator. For output k of a row x:
 *
 *   raw_k = intercept[k]
 *         + Σ_j  weights[k·W + j] · (x_j − center[j])           over features j with x_j not missing
 *         + Σ_m  weights[k·W + nFeatures + m] · [x_{indicators[m]} is missing]
 *
 * with W = nFeatures + indicators.length, and the prediction is `link(raw)`. Coefficients are in
 * raw feature units (a coefficient is the change of `raw_k` per unit of the feature), so the node
 * reads like a textbook model; `intercept` is the raw score of a row at the training means with
 * nothing missing.
 *
 * @example
 * // p = sigmoid(0.5 + 2·(x0 − 1) − 0.1·(x1 − 10) + 0.7·[x1 missing])
 * const node: LinearNode = {
 *   kind: 'linear', link: 'sigmoid', nFeatures: 2, nOutputs: 1,
 *   center: [1, 10], indicators: [1], weights: [2, -0.1, 0.7], intercept: [0.5],
 * };
 */
export interface LinearNode {
  kind: 'linear';
  /**
   * The inverse link: `sigmoid` (binary; nOutputs 1, the positive class's raw score),
   * `softmax` (multiclass; nOutputs = the number of classes) or `identity` (regression; nOutputs 1).
   */
  link: LinearLink;
  /**
   * Number of input features (columns of the model matrix).
   * @asType integer
   * @minimum 0
   */
  nFeatures: number;
  /**
   * Raw scores per row: 1 for binary and regression, K for multiclass.
   * @asType integer
   * @minimum 1
   */
  nOutputs: number;
  /** Per feature: the training mean, which features are centred on and missing values take. */
  center: number[];
  /**
   * Features (indices, ascending) that have a missing-indicator coefficient.
   * @items {"type": "integer"}
   */
  indicators: number[];
  /** Row-major nOutputs × (nFeatures + indicators.length): feature coefficients, then indicator coefficients. */
  weights: number[];
  /** Per output: the raw score of a row at the centre. */
  intercept: number[];
}

export type LinearLink = 'identity' | 'sigmoid' | 'softmax';
