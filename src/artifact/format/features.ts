/**
 * The feature pipeline of the pipeline file: what is on disk, types only.
 *
 * A feature pipeline turns the input fields (numeric values, and categorical values as text)
 * into the model's numeric matrix. Its steps run in order; each reads named columns (input
 * fields, or columns an earlier step made) and writes new named numeric columns. `features` lists
 * the columns of the model matrix, in order. Every step was fitted on training rows only.
 */

/** One input field of the pipeline, as a user sends it. */
export type InputField =
  | { name: string; type: 'numeric' }
  | {
      name: string;
      type: 'categorical';
      /** The levels seen in training, as written; other values count as unseen (treated as missing). */
      levels: string[];
    };

/** A numeric column: standardised. `(x − mean) / std`; missing stays missing. */
export interface StandardizeStep {
  kind: 'standardize';
  column: string;
  output: string;
  mean: number;
  std: number;
}

/** `log(x + shift)`, the shift fitted so that training values are > 0. */
export interface LogStep {
  kind: 'log';
  column: string;
  output: string;
  shift: number;
}

/** The Yeo–Johnson power transform with a fitted lambda. */
export interface YeoJohnsonStep {
  kind: 'yeo_johnson';
  column: string;
  output: string;
  lambda: number;
}

/** Quantile binning: the output is the number of edges the value exceeds (0 … edges.length). */
export interface QuantileBinStep {
  kind: 'quantile_bin';
  column: string;
  output: string;
  edges: number[];
}

/** A missing indicator (1 when missing, else 0) and the value filled in for missing values. */
export interface MissingStep {
  kind: 'missing';
  column: string;
  /** The column with missing values filled in. */
  output: string;
  /** The 0/1 indicator column. */
  indicator: string;
  fill: number;
}

/** A pairwise interaction of two numeric columns. */
export interface InteractionStep {
  kind: 'interaction';
  op: 'ratio' | 'difference' | 'product';
  columns: [string, string];
  output: string;
}

/** One-hot columns for the levels seen in training; an unseen or missing value is all zeros. */
export interface OneHotStep {
  kind: 'one_hot';
  column: string;
  levels: string[];
  outputs: string[];
}

/** The share of training rows with each level; unseen levels get `unseen`. */
export interface FrequencyStep {
  kind: 'frequency';
  column: string;
  output: string;
  levels: string[];
  frequencies: number[];
  unseen: number;
}

/**
 * Target encoding with the full training data's smoothed statistics: per level, the smoothed
 * mean of the target (regression and binary: one output) or of each class indicator
 * (multiclass: one output per class). Unseen and missing levels get the prior.
 */
export interface TargetEncodingStep {
  kind: 'target_encoding';
  column: string;
  outputs: string[];
  levels: string[];
  /** Row-major levels × outputs. */
  values: number[];
  prior: number[];
}

export type FeatureStep =
  | StandardizeStep
  | LogStep
  | YeoJohnsonStep
  | QuantileBinStep
  | MissingStep
  | InteractionStep
  | OneHotStep
  | FrequencyStep
  | TargetEncodingStep;

export interface FeaturePipelineNode {
  kind: 'feature_pipeline';
  /** The input fields the steps read (only those used). */
  inputs: InputField[];
  steps: FeatureStep[];
  /** The columns of the model matrix, in order. */
  features: string[];
}
