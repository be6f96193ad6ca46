/**
 * The model contract every family implements (gradient-boosted trees, forests, GLM, neural net).
 *
 * A family fits on a numeric matrix (column-major Float64Arrays, NaN for missing) and returns a
 * fitted model that exports itself as a plain-JSON artifact node and predicts **through that
 * node**: `predict` runs the standalone scorer of src/artifact over the exported node, so
 * training-time predictions and deployed predictions are the same code, in float64.
 */
import type { ModelNode } from '../artifact/format/pipeline.js';
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
   * rounds, trees or epochs once it has passed, keep what they have (at least one), and say so
   * in their model's `info.cutByDeadline` (true; false when they ran their course).
   */
  readonly deadline?: number;
}

export interface FeatureImportance {
  /** Per feature: total loss reduction of its splits (or the family's equivalent). */
  readonly gain: Float64Array;
  /** Per feature: how many splits use it. */
  readonly splits: Float64Array;
}

export interface FittedModel<N extends ModelNode = ModelNode> {
  readonly family: string;
  readonly kind: ProblemKind;
  readonly nClasses: number;
  /** The model as a node of the pipeline format (plain JSON: what the pipeline file holds). */
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

/**
 * What the search knows about a family: where it starts, what its variations draw from, and
 * whether the shape of its inputs matters to it.
 */
export interface FamilySearch<P> {
  /**
   * The parameters of its first candidates for a table of `nRows` training rows (each is one
   * candidate; the family's defaults fill the rest).
   */
  first(nRows: number): Partial<P>[];
  /**
   * Configurations scored once the search stops improving and time is left: known to do well
   * across tables (as AutoGluon's and FLAML's portfolios), they add strong, different members for
   * the ensemble where varying the leader has run dry.
   */
  portfolio?(nRows: number): Partial<P>[];
  /** The values each variation draws from, per parameter. */
  readonly space: { readonly [K in keyof P]?: readonly P[K][] };
  /** A variation of its own, instead of draws from `space` (the GLM moves its penalty on a log scale). */
  vary?(params: Partial<P>, rng: Rng): Partial<P>;
  /** A monotone transform of its inputs changes the model (trees are blind to it). */
  readonly shapeSensitive: boolean;
  /** Searched at interpretability 8–10 too: a model a person can read, or explain split by split. */
  readonly interpretable: boolean;
  /**
   * Its fits are slow (the neural net): its first candidate is scored on one fold before the
   * others, and goes on only when that fold is competitive (successive halving).
   */
  readonly costly?: boolean;
}

/** Families that fit in rounds (trees, epochs) and report how many they kept. */
export interface FamilyRounds<P> {
  /** What a round is, in words (plural): 'rounds', 'trees', 'epochs'. */
  readonly unit: string;
  /** The rounds a fitted model kept (early stopping, a deadline), from its `info`. */
  kept(info: Readonly<Record<string, unknown>>): number | null;
  /**
   * The parameters of a refit on all training rows, given the mean rounds its folds kept (no
   * validation rows are left to stop on). Absent: the refit uses the parameters as they are.
   */
  refit?(params: Partial<P>, rounds: number): Partial<P>;
}

/**
 * A model family: its name, defaults and fit, and what the search and the refit need to know of
 * it. A new family is a folder under src/models with one of these, and one line in registry.ts.
 */
export interface ModelFamily<P> {
  readonly name: string;
  readonly defaults: Readonly<P>;
  readonly search: FamilySearch<P>;
  readonly rounds?: FamilyRounds<P>;
  /** The parameters of a fit that may use this many threads (families with threads of their own). */
  withThreads?(params: Partial<P>, threads: number): Partial<P>;
  /** Fits a model; families that train asynchronously (the neural net) return a promise. */
  fit(train: FitData, opts: FitOptions<P>): FittedModel | Promise<FittedModel>;
}

/** `kept` for a family whose model reports the rounds it kept in `info[key]`. */
export function roundsInfo(key: string): (info: Readonly<Record<string, unknown>>) => number | null {
  return (info) => {
    const v = info[key];
    return typeof v === 'number' ? v : null;
  };
}
