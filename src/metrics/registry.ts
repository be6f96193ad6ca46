import { AutomlError } from '../util/errors.js';
import { accuracy } from './accuracy.js';
import { auc } from './auc.js';
import type { ClassTargets } from './inputs.js';
import { logloss } from './logloss.js';
import { mae } from './mae.js';
import { mcc } from './mcc.js';
import { f1Score } from './precision-recall-f1.js';
import { r2 } from './r2.js';
import { rmse } from './rmse.js';

/** Every metric a search can optimise or report, by name. The one list the names come from. */
export const METRIC_NAMES = ['logloss', 'auc', 'accuracy', 'f1', 'mcc', 'rmse', 'mae', 'r2'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export const METRIC_TASKS = ['classification', 'regression'] as const;
export type MetricTask = (typeof METRIC_TASKS)[number];

/** A metric, with what a search needs to know to rank by it. */
export interface Metric {
  readonly name: MetricName;
  readonly task: MetricTask;
  readonly greaterIsBetter: boolean;
  /**
   * The metric's value. Classification: `y` class indices, `prediction` row-major n × K
   * probabilities. Regression: `y` values, `prediction` n predicted values.
   */
  compute(y: ClassTargets, prediction: Float64Array, weights?: Float64Array): number;
}

function values(y: ClassTargets): Float64Array {
  return y instanceof Float64Array ? y : Float64Array.from(y);
}

/** Every metric by name. `auc` throws AutomlError('METRIC_UNDEFINED') where the AUC is undefined. */
export const METRICS: Readonly<Record<MetricName, Metric>> = {
  logloss: { name: 'logloss', task: 'classification', greaterIsBetter: false, compute: logloss },
  auc: {
    name: 'auc',
    task: 'classification',
    greaterIsBetter: true,
    compute(y, proba, weights) {
      const value = auc(y, proba, weights);
      if (value === null) {
        throw new AutomlError(
          'METRIC_UNDEFINED',
          'AUC is undefined on these rows: a class is missing from them (or has zero total weight). ' +
            'Use more rows per class, stratified splits, or another metric such as logloss.',
        );
      }
      return value;
    },
  },
  accuracy: { name: 'accuracy', task: 'classification', greaterIsBetter: true, compute: accuracy },
  f1: { name: 'f1', task: 'classification', greaterIsBetter: true, compute: f1Score },
  mcc: { name: 'mcc', task: 'classification', greaterIsBetter: true, compute: mcc },
  rmse: { name: 'rmse', task: 'regression', greaterIsBetter: false, compute: (y, pred, w) => rmse(values(y), pred, w) },
  mae: { name: 'mae', task: 'regression', greaterIsBetter: false, compute: (y, pred, w) => mae(values(y), pred, w) },
  r2: { name: 'r2', task: 'regression', greaterIsBetter: true, compute: (y, pred, w) => r2(values(y), pred, w) },
};

/** Whether `name` is one of {@link METRIC_NAMES}. */
export function isMetricName(name: string): name is MetricName {
  return Object.prototype.hasOwnProperty.call(METRICS, name);
}

/**
 * The metric called `name`; an AutomlError (code UNKNOWN_METRIC) naming it and listing the
 * valid names when there is none. For `f1`: binary targets use the positive class's F1,
 * multiclass targets the macro F1.
 *
 * @example
 * const m = metricByName('logloss');
 * m.greaterIsBetter; // false
 * m.compute(Int32Array.of(1, 0), Float64Array.of(0.1, 0.9, 0.8, 0.2)); // ≈ 0.1643
 * metricByName('auroc'); // throws: unknown metric 'auroc'; the metrics are: logloss, auc, …
 */
export function metricByName(name: string): Metric {
  if (!isMetricName(name)) {
    throw new AutomlError(
      'UNKNOWN_METRIC',
      `unknown metric '${name}'; the metrics are: ${METRIC_NAMES.join(', ')}. Use one of these names.`,
    );
  }
  return METRICS[name];
}
