/**
 * The pipeline file (`<name>.pipeline.json`): what is on disk, types only. One JSON file,
 * self-contained and readable: the input fields, the fitted feature pipeline, the model (or an
 * ensemble of models, each with its own features if they differ), the class labels, metrics,
 * variable importance, (binary) decision thresholds, provenance, and a sha256 checksum of the
 * file's own content (its RFC 8785 canonical JSON, so formatting does not change it).
 */
import type { FeaturePipelineNode, InputField } from './features.js';
import type { LinearNode } from './linear.js';
import type { MlpNode } from './mlp.js';
import type { TreeEnsembleNode } from './tree-ensemble.js';

export const PIPELINE_FORMAT = 'automl-pipeline';
/**
 * The version this code writes; a loader reads every file of the same major version, and refuses a
 * member or kind it does not know. 2.0: the checksum covers the canonical JSON, loading is strict.
 * 2.1: an ensemble member may carry a `calibration` of its probabilities. 2.2: `text` input
 * fields and the `date` and `text` feature steps. A file is written with the lowest version that
 * holds it (2.1 when it has no text field), so that older scorers still read what they can.
 */
export const PIPELINE_FORMAT_VERSION = '2.2';

export type ModelNode = TreeEnsembleNode | LinearNode | MlpNode;

/**
 * A classifier's probabilities made no more certain than its out-of-fold record supports, fitted
 * on its out-of-fold predictions: with K classes, q_k ∝ p_k^(1/temperature) (a temperature above 1
 * softens, below 1 sharpens), then r_k = (1 − K·floor)·q_k + floor, so that no class gets less
 * than `floor`. Computed in float64 as log(p_k)/temperature, less its maximum, exponentiated and
 * normalised (log 0 = −∞ gives q_k = 0).
 */
export interface Calibration {
  kind: 'temperature';
  /** @exclusiveMinimum 0 */
  temperature: number;
  /**
   * The least probability of any class; K·floor < 1.
   * @minimum 0
   * @exclusiveMaximum 0.5
   */
  floor: number;
}

export interface EnsembleMember {
  /** @minimum 0 */
  weight: number;
  /**
   * The member's own features, when they differ from the pipeline's. Its categorical input fields
   * may list their levels differently (a fold saw fewer): the scorer re-codes the pipeline's
   * levels into the member's by their text.
   */
  features?: FeaturePipelineNode;
  model: ModelNode;
  /** Classification only: applied to this member's probabilities before the weighted average. */
  calibration?: Calibration;
}

/** A weighted average of the members' predictions (weights sum to 1). */
export interface EnsembleNode {
  kind: 'ensemble';
  /** @minItems 1 */
  members: EnsembleMember[];
}

export type PipelineTask = 'binary' | 'multiclass' | 'regression';

export interface ImportanceEntry {
  feature: string;
  importance: number;
}

export interface Provenance {
  tool: 'automl';
  toolVersion: string;
  /** @asType integer */
  seed: number;
  /** The settings of the experiment or fit that made the pipeline. */
  settings: Record<string, unknown>;
  /**
   * sha256 of the training data file's bytes, when the data came from a file.
   * @pattern ^[0-9a-f]{64}$
   */
  dataSha256: string | null;
  /**
   * When the pipeline was fitted and exported (ISO 8601, UTC).
   * @pattern ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$
   */
  fittedAt: string;
  /** @pattern ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$ */
  exportedAt: string;
}

/**
 * Decision thresholds of a binary pipeline, chosen by `automl run` on out-of-fold predictions
 * (never on the test rows): a row is predicted `positiveClass` when its probability of that class
 * is at least the threshold.
 */
export interface DecisionThresholds {
  /** The class the thresholds apply to: the second of `classes`. */
  positiveClass: string;
  /**
   * The threshold that maximises F1 of the positive class out of fold.
   * @minimum 0
   * @maximum 1
   */
  f1: number;
  /**
   * The threshold that maximises the Matthews correlation coefficient out of fold.
   * @minimum 0
   * @maximum 1
   */
  mcc: number;
}

/**
 * The whole file. JSDoc tags such as `@pattern` in this folder are JSON Schema keywords for
 * pipelines/pipeline.schema.json, which `npm run schema` generates from these types; the two
 * one below says that `thresholds` appears only on a binary pipeline.
 * @dependencies {"thresholds": {"properties": {"task": {"const": "binary"}}}}
 */
export interface PipelineFile {
  format: typeof PIPELINE_FORMAT;
  /**
   * `major.minor`; this schema covers major version 2.
   * @pattern ^2\.[0-9]+$
   */
  formatVersion: string;
  /**
   * A UUID made at export.
   * @pattern ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$
   */
  pipelineId: string;
  name: string;
  target: string;
  task: PipelineTask;
  /**
   * Class labels in prediction order (classification), else null.
   * @type ["array", "null"]
   * @minItems 2
   */
  classes: string[] | null;
  /** The input fields the pipeline needs (only those used). */
  inputs: InputField[];
  features: FeaturePipelineNode;
  model: ModelNode | EnsembleNode;
  metrics: Record<string, unknown>;
  importance: ImportanceEntry[];
  /** Binary pipelines written by `automl run`: decision thresholds chosen out of fold. */
  thresholds?: DecisionThresholds;
  provenance: Provenance;
  /**
   * sha256 (hex) of the UTF-8 RFC 8785 canonical JSON (src/artifact/canonical-json.ts) of the
   * file's object without this member. The exporter writes the file indented by two spaces
   * (arrays of numbers or strings on one line) with this member added last, on its own line.
   * @pattern ^[0-9a-f]{64}$
   */
  checksum: string;
}
