/**
 * The tree ensemble node of the pipeline file: what is on disk, types only.
 *
 * Each tree is flat arrays indexed by node id (the root is node 0). An internal node has
 * `feature[i] >= 0`: a row goes left when its value is <= `threshold[i]` (raw feature units), and a
 * missing value (NaN) goes left when `missingLeft[i]` is 1. A leaf has `feature[i] = -1`,
 * `left[i] = right[i] = -1`, and its output in `value` at `[i * leafWidth, (i + 1) * leafWidth)`.
 */
export interface TreeSerialization {
  /** @items {"type": "integer"} */
  feature: number[];
  threshold: number[];
  /** @items {"enum": [0, 1]} */
  missingLeft: number[];
  /** @items {"type": "integer"} */
  left: number[];
  /** @items {"type": "integer"} */
  right: number[];
  value: number[];
}

/**
 * How the trees' outputs combine:
 * - `sum` (boosting): `leafWidth` is 1 and tree t adds to output `t % nOutputs`; the raw score
 *   starts from `baseScore` and goes through `link`.
 * - `mean` (forests): every tree gives all `leafWidth = nOutputs` outputs, which are averaged.
 */
export type TreeAggregation = 'sum' | 'mean';

/** The inverse link from raw scores to predictions. */
export type TreeLink = 'identity' | 'sigmoid' | 'softmax';

export interface TreeEnsembleNode {
  kind: 'tree_ensemble';
  /**
   * Number of input features (columns of the model matrix).
   * @asType integer
   * @minimum 0
   */
  nFeatures: number;
  /**
   * Outputs per row: 1 for binary (the positive class's score) and regression, K for multiclass.
   * @asType integer
   * @minimum 1
   */
  nOutputs: number;
  aggregation: TreeAggregation;
  link: TreeLink;
  /**
   * @asType integer
   * @minimum 1
   */
  leafWidth: number;
  baseScore: number[];
  trees: TreeSerialization[];
}
