/**
 * The types the search's cross-validation shares between its parts: a candidate, the task it is
 * validated on, one fold job and its output, and a candidate's cross-validation result.
 * (Types only, so that cross-validate.ts and fold-job.ts both import them and not each other.)
 */
import type { FeaturePipelineNode } from '../artifact/format/features.js';
import type { FeatureSpec } from '../features/pipeline.js';
import type { FamilyName } from '../models/registry.js';
import type { ModelNode } from '../artifact/format/pipeline.js';
import type { ProblemKind } from '../models/types.js';

export interface Candidate {
  family: FamilyName;
  params: Record<string, unknown>;
  features: FeatureSpec;
}

export interface CvTask {
  kind: ProblemKind;
  /** 2 for binary, K for multiclass, 1 for regression. */
  nClasses: number;
  /** Per row: class index, or the value (regression). No missing targets. */
  y: Float64Array;
  /**
   * Per row: its sample weight (`--weight`), >= 0; absent: every row weighs 1 (and the code
   * paths are those of an unweighted run). Rows of weight 0 are left out of every fit.
   */
  weights?: Float64Array;
  /**
   * The folds are in time order (`--time-column`): fold f trains on the rows of the folds before
   * it (fold −1 included, which only trains), never on a later one.
   */
  forward?: boolean;
}

export interface FoldJob {
  candidate: Candidate;
  /** The fold scored (the model is fitted on the others). */
  fold: number;
  /** The candidate's seed: fold f's steps use fork(2f), its model fork(2f + 1). */
  seed: number;
  /** When the fit should end, on the deadline clock (src/util/clock.ts; the same in every thread). */
  deadline?: number;
  /** Threads a GBDT fit may use (1 inside the search's workers, which already run side by side). */
  threads?: number;
}

export interface FoldOutput {
  /** The fold's fitted feature steps and model, as artifact nodes (for permutation importance). */
  nodes: { features: FeaturePipelineNode; model: ModelNode };
  /** Predictions for the fold's rows in row order, row-major (K probabilities or 1 value). */
  pred: Float64Array;
  /** Rounds / trees / epochs the model kept, where the family reports them. */
  rounds: number | null;
  /** The fit's deadline stopped it before its rounds were done (see FitOptions.deadline). */
  cutByDeadline: boolean;
  seconds: number;
}

export interface CvResult {
  /** Out-of-fold predictions, row-major n × width (K probabilities, or 1 value); 0 for rows not validated. */
  oof: Float64Array;
  /** The chosen metric on the out-of-fold predictions. */
  score: number;
  /** Out-of-fold logloss (classification), always reported; null for regression. */
  logloss: number | null;
  foldScores: number[];
  /** Rounds / trees / epochs each fold's model kept, where the family reports them. */
  rounds: number[];
  /** Folds whose fit the deadline stopped before its rounds were done. */
  cutFolds: number;
  /** Fit seconds summed over the folds. */
  seconds: number;
  /** The rows scored, in order (all training rows, unless a holdout or a halved candidate). */
  scoredRows: number[];
}
