/**
 * Metrics for classification (class indices + row-major n × K probabilities) and regression,
 * each matching scikit-learn 1.2, with optional sample weights; and the registry of metric
 * names a search can rank by.
 *
 * @example
 * import { classificationReport, metricByName } from './metrics/index.js';
 * const report = classificationReport(y, proba, ['no', 'yes']);
 * const score = metricByName('logloss').compute(y, proba);
 */
export { logloss, LOGLOSS_EPS } from './logloss.js';
export { accuracy } from './accuracy.js';
export { confusionMatrix } from './confusion-matrix.js';
export { precisionRecallF1, f1Score } from './precision-recall-f1.js';
export type { ClassScores } from './precision-recall-f1.js';
export { mcc } from './mcc.js';
export { auc, binaryAuc, ovrAuc } from './auc.js';
export { bestThreshold, THRESHOLD_OBJECTIVES } from './best-threshold.js';
export type { ThresholdChoice, ThresholdObjective } from './best-threshold.js';
export { rmse } from './rmse.js';
export { mae } from './mae.js';
export { r2 } from './r2.js';
export { classificationReport } from './classification-report.js';
export type { ClassificationReport, ClassReport } from './classification-report.js';
export { regressionReport } from './regression-report.js';
export type { RegressionReport } from './regression-report.js';
export { METRIC_NAMES, METRIC_TASKS, METRICS, metricByName, isMetricName } from './registry.js';
export type { Metric, MetricName, MetricTask } from './registry.js';
export type { ClassTargets } from './inputs.js';
