/**
 * The types the feature transforms share: what a user asks for (a transform request), the target
 * a supervised transform reads, and the fit context a transform is given by the pipeline.
 */
import type { FeatureStep } from '../artifact/format/features.js';
import type { ProblemKind } from '../models/types.js';
import type { Rng } from '../util/random.js';

/** Options every request may carry. */
export interface RequestBase {
  /**
   * Whether the step's outputs are columns of the model matrix (default true). Set it to false
   * for a column only later steps read, e.g. a ratio that is then standardised.
   */
  feature?: boolean;
}

export interface StandardizeRequest extends RequestBase {
  kind: 'standardize';
  column: string;
}
export interface LogRequest extends RequestBase {
  kind: 'log';
  column: string;
}
export interface YeoJohnsonRequest extends RequestBase {
  kind: 'yeo_johnson';
  column: string;
}
export interface QuantileBinRequest extends RequestBase {
  kind: 'quantile_bin';
  column: string;
  /** Number of bins, an integer >= 2 (default 10): bins − 1 quantile edges. */
  bins?: number;
}
export interface MissingRequest extends RequestBase {
  kind: 'missing';
  column: string;
  /** The fill value: the training median (default) or mean. */
  fill?: 'median' | 'mean';
}
export interface InteractionRequest extends RequestBase {
  kind: 'interaction';
  op: 'ratio' | 'difference' | 'product';
  columns: [string, string];
}
export interface OneHotRequest extends RequestBase {
  kind: 'one_hot';
  column: string;
  /** Keep only the most frequent levels, at most this many (default: every level seen). */
  maxLevels?: number;
}
export interface FrequencyRequest extends RequestBase {
  kind: 'frequency';
  column: string;
}
export interface TargetEncodingRequest extends RequestBase {
  kind: 'target_encoding';
  column: string;
  /** Folds of the out-of-fold training encoding, an integer >= 2 (default 5). */
  folds?: number;
  /** Smoothing m >= 0 toward the prior (default 10). */
  smoothing?: number;
}

export interface DateRequest extends RequestBase {
  kind: 'date';
  /** A categorical (text) column of dates or date-times. */
  column: string;
  /** How the values are written (default: detected from the training values). */
  format?: 'iso' | 'dmy' | 'mdy';
}
export interface TextRequest extends RequestBase {
  kind: 'text';
  /** A categorical column of free text. */
  column: string;
  /** Buckets kept, the most frequent in training (default 256). */
  maxFeatures?: number;
  /** 1: word unigrams (default); 2: also bigrams. */
  wordNgrams?: number;
  /** 0: none (default); n ≥ 2: character n-grams within words. */
  charNgrams?: number;
  /** A bucket is kept only when at least this many training rows hold it (default 2). */
  minDf?: number;
}

/** One transform of a feature spec. */
export type TransformRequest =
  | StandardizeRequest
  | LogRequest
  | YeoJohnsonRequest
  | QuantileBinRequest
  | MissingRequest
  | InteractionRequest
  | OneHotRequest
  | FrequencyRequest
  | TargetEncodingRequest
  | DateRequest
  | TextRequest;

/**
 * The target a supervised transform (target encoding) reads, for the training rows. Rows whose
 * target is missing (NaN) are left out of its statistics.
 */
export interface FeatureTarget {
  readonly kind: ProblemKind;
  /** Class index 0..K−1 (classification) or the value (regression); NaN is missing. */
  readonly y: Float64Array;
  /** Number of classes (2 for binary; 1 for regression). */
  readonly nClasses: number;
  /** Class labels in class-index order, for output names; the index is used when absent. */
  readonly labels?: readonly string[];
}

/** A categorical column as a transform sees it: codes into `levels`, −1 for missing. */
export interface CategoricalValues {
  readonly codes: Int32Array;
  readonly levels: readonly string[];
}

/** What the pipeline gives a transform to fit on: the training rows' columns, by name. */
export interface FitContext {
  readonly nRows: number;
  /** A numeric column: an input field or a column an earlier step made. Throws AutomlError. */
  numeric(name: string): Float64Array;
  /** A categorical input field. Throws AutomlError. */
  categorical(name: string): CategoricalValues;
  /** An input field read as text (date and text steps): each row's value, null when missing. Throws AutomlError. */
  text(name: string): readonly (string | null)[];
  /** The target, or an AutomlError naming the step that needs it. */
  target(step: string): FeatureTarget;
  /** The seeded RNG of this step (forked per step). */
  readonly rng: Rng;
}

/**
 * A fitted step. `train` (one column per output) is given only when the training rows must not
 * get the scorer's output, as with target encoding (out-of-fold); otherwise the pipeline applies
 * the step through the scorer, so that training and scoring run the same code.
 */
export interface FittedStep<S extends FeatureStep = FeatureStep> {
  readonly step: S;
  readonly train?: Float64Array[];
}

/** A transform of the registry: its kind and how it fits from a request. */
export interface Transform<K extends TransformRequest['kind'] = TransformRequest['kind']> {
  readonly kind: K;
  /** One line for help texts. */
  readonly description: string;
  fit(request: Extract<TransformRequest, { kind: K }>, ctx: FitContext): FittedStep;
}
