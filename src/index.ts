/**
 * The public API of automl, listed explicitly. The CLI (`automl …`) is built on the same
 * functions.
 *
 * @example
 * import { readCsv, inferTarget, holdoutSplit } from 'automl';
 * const table = await readCsv('recipes/hydraulic/hydraulic.csv');
 * const target = inferTarget(table.column('cool_cond_y'));
 * const isTrain = holdoutSplit(table.nRows, { ratio: 0.75, seed: 42 }, target.y);
 */
export {
  readCsv,
  CsvSource,
  parseNumber,
  isMissingToken,
  detectDelimiter,
  MISSING_TOKENS,
  DELIMITERS,
} from './data/csv.js';
export type { Delimiter, CsvOptions, CsvRecord, ReadCsvOptions } from './data/csv.js';
export { Table, cellText, isMissingAt, missingCount, COLUMN_TYPES } from './data/table.js';
export type { Column, ColumnType, NumericColumn, CategoricalColumn, TableSource } from './data/table.js';
export { inferTarget, MAX_NUMERIC_CLASSES } from './data/infer.js';
export type { TaskRequest, TargetInfo } from './data/infer.js';
export { TASKS, TASKS as PROBLEM_KINDS, isTask, predictionWidth } from './artifact/tasks.js';
export type { Task } from './artifact/tasks.js';
export { describeTable, describeColumn } from './data/describe.js';
export type { ColumnSummary, NumericSummary, CategoricalSummary } from './data/describe.js';
export { embeddedDataPath } from './cli/embedded.js';
export { holdoutSplit } from './split/holdout.js';
export type { HoldoutOptions } from './split/holdout.js';
export { splitCsvFile, defaultSplitPaths } from './split/split-file.js';
export type { SplitFileOptions, SplitSummary, SplitPart } from './split/split-file.js';
export { Rng } from './util/random.js';
export { AutomlError } from './util/errors.js';
export type { AutomlErrorCode } from './util/errors.js';
export {
  logloss,
  LOGLOSS_EPS,
  accuracy,
  confusionMatrix,
  precisionRecallF1,
  f1Score,
  mcc,
  auc,
  binaryAuc,
  ovrAuc,
  bestThreshold,
  THRESHOLD_OBJECTIVES,
} from './metrics/index.js';
export {
  rmse,
  mae,
  r2,
  classificationReport,
  regressionReport,
  METRIC_NAMES,
  METRIC_TASKS,
  METRICS,
  metricByName,
  isMetricName,
} from './metrics/index.js';
export type {
  ClassScores,
  ThresholdChoice,
  ThresholdObjective,
  ClassificationReport,
  ClassReport,
  RegressionReport,
  Metric,
  MetricName,
  MetricTask,
  ClassTargets,
} from './metrics/index.js';
export { fitGbdt, gbdt, GBDT_DEFAULTS } from './models/gbdt/gbdt.js';
export type { GbdtParams, GbdtInfo } from './models/gbdt/gbdt.js';
export type {
  Matrix,
  FitData,
  FitOptions,
  FittedModel,
  FeatureImportance,
  ModelFamily,
  ProblemKind,
  FamilySearch,
  FamilyRounds,
} from './models/types.js';
export { numericMatrix } from './data/matrix.js';
export { TreeScorer } from './artifact/tree-scorer.js';
export type { TreeEnsembleNode, TreeSerialization } from './artifact/format/tree-ensemble.js';
export { fitForest, randomForest, extraTrees, FOREST_DEFAULTS } from './models/forest/forest.js';
export type { ForestParams, ForestInfo } from './models/forest/forest.js';
export { glm, fitGlm, GLM_DEFAULTS } from './models/glm/glm.js';
export type { GlmParams, GlmInfo } from './models/glm/glm.js';
export { LinearScorer } from './artifact/linear-scorer.js';
export type { LinearNode } from './artifact/format/linear.js';
export { mlp, fitMlpAsync, MLP_DEFAULTS } from './models/mlp/mlp.js';
export type { MlpParams, MlpInfo } from './models/mlp/mlp.js';
export { setMlpBackend } from './models/mlp/tf-loader.js';
export { MlpScorer } from './artifact/mlp-scorer.js';
export type { MlpNode } from './artifact/format/mlp.js';
export { fitFeaturePipeline } from './features/pipeline.js';
export type { FeatureSpec, FittedFeaturePipeline } from './features/pipeline.js';
export { TRANSFORM_KINDS } from './features/registry.js';
export { columnarInput } from './features/columnar-input.js';
export { FeatureScorer } from './artifact/feature-scorer.js';
export type { FeaturePipelineNode, FeatureStep, InputField } from './artifact/format/features.js';
export { pipelineText, writePipeline } from './search/export.js';
export type { PipelineParts } from './search/export.js';
export { loadPipeline, PipelineScorer, ScoringError } from './artifact/scorer.js';
export type { ScoringErrorCode } from './artifact/errors.js';
export type { PipelineFile, ModelNode, EnsembleNode } from './artifact/format/pipeline.js';
export { PIPELINE_FORMAT, PIPELINE_FORMAT_VERSION } from './artifact/format/pipeline.js';
export { FAMILY_NAMES, FAMILIES, familyByName, isFamilyName } from './models/registry.js';
export type { FamilyName } from './models/registry.js';
export type { AnyFamily } from './models/registry.js';
export { runExperiment } from './search/experiment.js';
export type { ExperimentSettings, ExperimentResult, ExperimentHooks } from './search/experiment.js';
export { search, refit, validationFor } from './search/automl.js';
export type { SearchSettings, SearchResult, LeaderboardEntry } from './search/automl.js';
export { Budget, budgetForTime, STAGE_ENDS } from './search/budget.js';
export type { Stage } from './search/budget.js';
