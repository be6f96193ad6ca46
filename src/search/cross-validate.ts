/**
 * Cross-validating one candidate of the search: a feature pipeline × a model family × its
 * parameters. Each fold fits the feature pipeline and the model on the other folds' rows only and
 * predicts its own rows, so the score is out of fold; the test set plays no part.
 */
import { FeatureScorer } from '../artifact/feature-scorer.js';
import type { Table } from '../data/table.js';
import { columnarInput } from '../features/columnar-input.js';
import { fitFeaturePipeline, type FeatureSpec } from '../features/pipeline.js';
import { METRICS, type MetricName } from '../metrics/registry.js';
import { familyByName, type FamilyName } from '../models/registry.js';
import type { ProblemKind } from '../models/types.js';
import type { Rng } from '../util/random.js';
import { holdoutSplit } from '../split/holdout.js';

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
  seconds: number;
}

/**
 * Cross-validates a candidate over given folds (see kFold).
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
  /** A `performance.now()` time by which the whole cross-validation should end. */
  deadline?: number,
): Promise<CvResult> {
  const started = performance.now();
  const n = table.nRows;
  const k = Math.max(...fold) + 1;
  const folds = evaluate ?? Array.from({ length: k }, (_, f) => f);
  const width = task.kind === 'regression' ? 1 : task.nClasses;
  const oof = new Float64Array(n * width);
  const m = METRICS[metric];
  const family = familyByName(candidate.family);
  const foldScores: number[] = [];
  const rounds: number[] = [];
  const scored: number[] = [];
  for (const f of folds) {
    const trainRows: number[] = [];
    const validRows: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? validRows : trainRows).push(i);
    const trainTable = table.take(trainRows);
    const validTable = table.take(validRows);
    const yTrain = Float64Array.from(trainRows, (i) => task.y[i]!);
    const yValid = Float64Array.from(validRows, (i) => task.y[i]!);
    const fitted = fitFeaturePipeline(trainTable, candidate.features, { kind: task.kind, y: yTrain, nClasses: task.nClasses }, rng.fork(2 * f));
    const validX = { nRows: validRows.length, columns: new FeatureScorer(fitted.node).apply(columnarInput(validTable, fitted.node)) };
    // Early stopping watches a tenth of the fold's training rows, never the rows it is scored
    // on: stopping on those would make the out-of-fold score optimistic.
    const inner = holdoutSplit(trainRows.length, { ratio: 0.9, seed: rng.fork(2 * f + 1).seed }, task.kind === 'regression' ? undefined : yTrain);
    const pick = (flag: number): { x: { nRows: number; columns: Float64Array[] }; y: Float64Array } => {
      const idx: number[] = [];
      inner.forEach((v, i) => v === flag && idx.push(i));
      return { x: { nRows: idx.length, columns: fitted.trainMatrix.map((c) => Float64Array.from(idx, (i) => c[i]!)) }, y: Float64Array.from(idx, (i) => yTrain[i]!) };
    };
    const tiny = trainRows.length < 40;
    const model = await family.fit(tiny ? { x: { nRows: trainRows.length, columns: fitted.trainMatrix }, y: yTrain } : pick(1), {
      kind: task.kind,
      nClasses: task.nClasses,
      rng: rng.fork(2 * f + 1),
      params: candidate.params as never,
      ...(tiny ? {} : { valid: pick(0) }),
      // Each fold gets an equal share of the time that is left.
      ...(deadline !== undefined ? { deadline: performance.now() + (deadline - performance.now()) / (folds.length - folds.indexOf(f)) } : {}),
    });
    const p = model.predict(validX);
    validRows.forEach((row, j) => {
      for (let c = 0; c < width; c++) oof[row * width + c] = p[j * width + c]!;
      scored.push(row);
    });
    foldScores.push(m.compute(yValid, p));
    const kept = (model.info as { rounds?: unknown; trees?: unknown }).rounds ?? (model.info as { trees?: unknown }).trees;
    if (typeof kept === 'number') rounds.push(kept);
  }
  // Scored over the validated rows only (all of them unless a holdout).
  const all = scored.length === n;
  const ys = all ? task.y : Float64Array.from(scored, (i) => task.y[i]!);
  const ps = all ? oof : Float64Array.from({ length: scored.length * width }, (_, j) => oof[scored[Math.floor(j / width)]! * width + (j % width)]!);
  const score = m.compute(ys, ps);
  const logloss = task.kind === 'regression' ? null : metric === 'logloss' ? score : METRICS.logloss.compute(ys, ps);
  return { oof, score, logloss, foldScores, rounds, seconds: (performance.now() - started) / 1000 };
}
