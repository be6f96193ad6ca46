/**
 * Cross-validating one candidate of the search: a feature pipeline × a model family × its
 * parameters. Each fold fits the feature pipeline and the model on the other folds' rows only (in
 * time order: on the earlier folds' rows only) and predicts its own rows, so the score is out of
 * fold; the test set plays no part. With sample weights every score is weighted.
 */
import { predictionWidth } from '../artifact/tasks.js';
import type { Table } from '../data/table.js';
import { METRICS, type MetricName } from '../metrics/registry.js';
import type { Rng } from '../util/random.js';
import { foldRows, runFold } from './fold-job.js';
import type { Candidate, CvResult, CvTask, FoldOutput } from './types.js';
import { gather } from '../util/gather.js';

/**
 * Cross-validates a candidate over given folds (see kFold), one fold after another in this thread.
 * The search runs the same fold jobs side by side in workers (see pool.ts).
 *
 * @example
 * const fold = kFold(table.nRows, 5, 42, y);
 * const r = await crossValidate(table, { kind: 'multiclass', nClasses: 3, y }, candidate, fold, 'logloss', new Rng(42));
 */
export async function crossValidate(
  table: Table,
  task: CvTask,
  candidate: Candidate,
  fold: Int32Array,
  metric: MetricName,
  rng: Rng,
  /** The folds to validate on (default: all); with one fold this is a holdout. */
  evaluate?: readonly number[],
): Promise<CvResult> {
  const k = Math.max(...fold) + 1;
  const folds = evaluate ?? Array.from({ length: k }, (_, f) => f);
  const outputs = new Map<number, FoldOutput>();
  for (const f of folds) outputs.set(f, await runFold(table, task, fold, { candidate, fold: f, seed: rng.seed }));
  return assembleCv(task, fold, outputs, metric);
}

/**
 * The predictions of some rows (row-major, `width` per row) out of predictions over all rows.
 *
 * @example
 * predictionRows(cv.oof, cv.scoredRows, 3); // the scored rows' probabilities, in their order
 */
export function predictionRows(pred: Float64Array, rows: readonly number[], width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((row, j) => {
    for (let k = 0; k < width; k++) out[j * width + k] = pred[row * width + k]!;
  });
  return out;
}

/**
 * The cross-validation result of the folds a candidate was scored on: out-of-fold predictions,
 * per-fold scores, and the score over all rows those folds hold.
 */
export function assembleCv(
  task: CvTask,
  fold: Int32Array,
  outputs: ReadonlyMap<number, FoldOutput>,
  metric: MetricName,
): CvResult {
  const n = fold.length;
  const width = predictionWidth(task.kind, task.nClasses);
  const oof = new Float64Array(n * width);
  const m = METRICS[metric];
  const foldScores: number[] = [];
  const rounds: number[] = [];
  let cutFolds = 0;
  const scored: number[] = [];
  let seconds = 0;
  for (const f of [...outputs.keys()].sort((a, b) => a - b)) {
    const out = outputs.get(f)!;
    const { valid } = foldRows(fold, f);
    valid.forEach((row, j) => {
      for (let c = 0; c < width; c++) oof[row * width + c] = out.pred[j * width + c]!;
      scored.push(row);
    });
    foldScores.push(
      m.compute(gather(task.y, valid), out.pred, ...(task.weights ? [gather(task.weights!, valid)] : [])),
    );
    if (out.rounds !== null) rounds.push(out.rounds);
    if (out.cutByDeadline) cutFolds++;
    seconds += out.seconds;
  }
  // Scored over the validated rows only (all of them unless a holdout or a halved candidate).
  scored.sort((a, b) => a - b);
  const all = scored.length === n;
  const ys = all ? task.y : gather(task.y, scored);
  const ps = all ? oof : predictionRows(oof, scored, width);
  // Weighted by the sample weights (`--weight`) when there are any.
  const ws = task.weights ? (all ? task.weights : gather(task.weights!, scored)) : undefined;
  const score = m.compute(ys, ps, ws);
  const logloss =
    task.kind === 'regression' ? null : metric === 'logloss' ? score : METRICS.logloss.compute(ys, ps, ws);
  return { oof, score, logloss, foldScores, rounds, cutFolds, seconds, scoredRows: scored };
}
