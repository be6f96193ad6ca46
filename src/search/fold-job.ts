/**
 * One unit of the search's work: a candidate fitted on all folds but one and scored on that one.
 * The same function runs in the search's worker threads and in the main thread, so a result never
 * depends on where it was computed: its randomness comes from the job's seed alone.
 */
import { FeatureScorer } from '../artifact/feature-scorer.js';
import type { Table } from '../data/table.js';
import { columnarInput } from '../features/columnar-input.js';
import { fitFeaturePipeline } from '../features/pipeline.js';
import { familyByName } from '../models/registry.js';
import type { FitData } from '../models/types.js';
import { holdoutSplit } from '../split/holdout.js';
import { Rng } from '../util/random.js';
import type { CvTask, FoldJob, FoldOutput } from './types.js';
import { gather } from '../util/gather.js';

/**
 * Rows of the fold, and the rows it trains on, in row order: the rows of the other folds, or in
 * time order (`forward`) those of the folds before it only. Rows of weight 0 validate (they are
 * predicted, and weigh nothing in the scores) but never train.
 */
export function foldRows(
  fold: Int32Array,
  f: number,
  forward = false,
  weights?: Float64Array,
): { train: number[]; valid: number[] } {
  const train: number[] = [];
  const valid: number[] = [];
  for (let i = 0; i < fold.length; i++) {
    if (fold[i] === f) valid.push(i);
    else if ((forward ? fold[i]! < f : true) && (weights === undefined || weights[i]! > 0)) train.push(i);
  }
  return { train, valid };
}

/**
 * Runs one fold job: the feature steps and the model are fitted on the other folds' rows; early
 * stopping watches a tenth of those rows, never the rows scored (stopping on them would make the
 * out-of-fold score optimistic).
 */
export async function runFold(table: Table, task: CvTask, fold: Int32Array, job: FoldJob): Promise<FoldOutput> {
  const started = performance.now();
  const rng = new Rng(job.seed);
  const f = job.fold;
  const { candidate } = job;
  const rows = foldRows(fold, f, task.forward ?? false, task.weights);
  const trainTable = table.take(rows.train);
  const validTable = table.take(rows.valid);
  const yTrain = gather(task.y, rows.train);
  const wTrain = task.weights ? gather(task.weights!, rows.train) : undefined;
  const fitted = fitFeaturePipeline(
    trainTable,
    candidate.features,
    { kind: task.kind, y: yTrain, nClasses: task.nClasses },
    rng.fork(2 * f),
  );
  const validX = {
    nRows: rows.valid.length,
    columns: new FeatureScorer(fitted.node).apply(columnarInput(validTable, fitted.node)),
  };
  const inner = holdoutSplit(
    rows.train.length,
    { ratio: 0.9, seed: rng.fork(2 * f + 1).seed },
    task.kind === 'regression' ? undefined : yTrain,
  );
  const pick = (flag: number): FitData => {
    const idx: number[] = [];
    inner.forEach((v, i) => v === flag && idx.push(i));
    return {
      x: { nRows: idx.length, columns: fitted.trainMatrix.map((c) => gather(c, idx)) },
      y: gather(yTrain, idx),
      ...(wTrain ? { weights: gather(wTrain, idx) } : {}),
    };
  };
  const tiny = rows.train.length < 40;
  const family = familyByName(candidate.family);
  const params =
    job.threads !== undefined && family.withThreads
      ? family.withThreads(candidate.params, job.threads)
      : candidate.params;
  const model = await family.fit(
    tiny
      ? {
          x: { nRows: rows.train.length, columns: fitted.trainMatrix },
          y: yTrain,
          ...(wTrain ? { weights: wTrain } : {}),
        }
      : pick(1),
    {
      kind: task.kind,
      nClasses: task.nClasses,
      rng: rng.fork(2 * f + 1),
      params,
      ...(tiny ? {} : { valid: pick(0) }),
      ...(job.deadline !== undefined ? { deadline: job.deadline } : {}),
    },
  );
  const pred = model.predict(validX);
  return {
    pred,
    rounds: family.rounds?.kept(model.info) ?? null,
    cutByDeadline: model.info['cutByDeadline'] === true,
    seconds: (performance.now() - started) / 1000,
    nodes: { features: fitted.node, model: model.exportNode() },
  };
}
