/**
 * Hand-made pools for the ensemble tests: fully scored candidates whose out-of-fold predictions
 * are made by the test (the selection reads `cv` and `entry`, never the fold models).
 */
import { METRICS, type MetricName } from '../../src/metrics/registry.js';
import type { FamilyName } from '../../src/models/registry.js';
import type { ScoredCandidate } from '../../src/search/automl.js';
import type { CvTask } from '../../src/search/types.js';

/** A fully scored candidate with these out-of-fold predictions on rows `scoredRows` (default: all). */
export function candidate(
  id: number,
  family: FamilyName,
  oof: Float64Array,
  task: CvTask,
  metric: MetricName,
  scoredRows?: number[],
): ScoredCandidate {
  const width = task.kind === 'regression' ? 1 : task.nClasses;
  const rows = scoredRows ?? Array.from({ length: task.y.length }, (_, i) => i);
  const y = Float64Array.from(rows, (i) => task.y[i]!);
  const pred = new Float64Array(rows.length * width);
  rows.forEach((r, j) => pred.set(oof.subarray(r * width, (r + 1) * width), j * width));
  const score = METRICS[metric].compute(y, pred);
  const logloss = task.kind === 'regression' ? null : METRICS.logloss.compute(y, pred);
  return {
    entry: {
      id,
      family,
      params: {},
      features: '',
      status: 'scored',
      score,
      logloss,
      folds: 3,
      plannedFolds: 3,
      started: 0,
      finished: 0,
      seconds: 0,
      rounds: [],
      cutFolds: 0,
    },
    candidate: { family, params: {}, features: { transforms: [] } },
    cv: { oof, score, logloss, foldScores: [], rounds: [], cutFolds: 0, seconds: 0, scoredRows: rows },
    foldModels: new Map(),
  };
}

/** Binary labels and, per model, the probability it gives the true class on each row. */
export function binaryOof(y: Float64Array, pTrue: (i: number) => number): Float64Array {
  const oof = new Float64Array(y.length * 2);
  y.forEach((c, i) => {
    const p = pTrue(i);
    oof[i * 2 + c] = p;
    oof[i * 2 + 1 - c] = 1 - p;
  });
  return oof;
}
