/**
 * The model contract every family implements (gradient-boosted trees, forests, GLM, neural net).
 *
 * A family fits on a numeric matrix (column-major Float64Arrays, NaN for missing) and returns a
 * fitted model that exports itself as a plain-JSON artifact node and predicts **through that
 * node**: `predict` runs the standalone scorer of src/artifact over the exported node, so
 * training-time predictions and deployed predictions are the same code, in float64.
 */
import type { Task } from '../artifact/tasks.js';
import type { Rng } from '../util/random.js';

/** The models' name for the task (src/artifact/tasks.ts defines the union). */
export type ProblemKind = Task;

/** A column-major numeric matrix: `columns[j][i]` is row i of feature j; NaN is missing. */
export interface Matrix {
  readonly nRows: number;
  readonly columns: readonly Float64Array[];
}

/** What a model is fitted on. */
export interface FitData {
  readonly x: Matrix;
  /** Class index 0..K−1 (classification) or the value (regression). */
  readonly y: Float64Array;
  /** Optional non-negative sample weights. */
  readonly weights?: Float64Array;
}

export interface FitOptions<P> {
  readonly kind: ProblemKind;
  /** Number of classes (2 for binary; 1 for regression). */
  readonly nClasses: number;
  /** Family hyper-parameters; missing ones take the family's defaults. */
  readonly params?: Partial<P>;
  /** A validation set for early stopping (families that iterate). */
  readonly valid?: FitData;
  /** The seeded RNG all of the fit's random choices flow from. */
  readonly rng: Rng;
  /** Feature names, for importance reports. */
  readonly featureNames?: readonly string[];
  /**
   * A time limit on the deadline clock (src/util/clock.ts): families that iterate stop adding
   * rounds, trees or epochs once it has passed, and keep what they have (at least one).
   */
  readonly deadline?: number;
}

export interface FeatureImportance {
  /** Per feature: total loss reduction of its splits (or the family's equivalent). */
  readonly gain: Float64Array;
  /** Per feature: how many splits use it. */
  readonly splits: Float64Array;
}

/** A plain-JSON artifact node: no functions, numbers as JSON numbers, a `kind` tag. */
export interface ArtifactNode {
  readonly kind: string;
}

export interface FittedModel<N extends ArtifactNode = ArtifactNode> {
  readonly family: string;
  readonly kind: ProblemKind;
  readonly nClasses: number;
  /** The model as a plain-JSON artifact node (what the pipeline file holds). */
  exportNode(): N;
  /**
   * Predictions through the standalone scorer: row-major n × K class probabilities
   * (K = 2 for binary), or n values for regression.
   */
  predict(x: Matrix): Float64Array;
  importance(): FeatureImportance;
  /** What the fit did, for reports: iterations kept, validation curve, … */
  readonly info: Readonly<Record<string, unknown>>;
}

export interface ModelFamily<P> {
  readonly name: string;
  readonly defaults: Readonly<P>;
  /** Fits a model; families that train asynchronously (the neural net) return a promise. */
  fit(train: FitData, opts: FitOptions<P>): FittedModel | Promise<FittedModel>;
}
