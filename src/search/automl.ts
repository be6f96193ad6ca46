/**
 * The AutoML loop (the library side of `automl run`).
 *
 *   defaults per family ──► cross-validate ──► leaderboard ──► best so far ──► mutate ──┐
 *          ▲                      (out of fold; test set never seen)                  │
 *          └──────────────────────────────────────────────────────────────────────────┘
 *   stop: time budget, model count, or no improvement ──► refit the best on all training rows
 *
 * Deterministic for a seed when bounded by `maxModels` (the same candidates in the same order).
 */
import type { FeaturePipelineNode } from '../artifact/format/features.js';
import type { Table } from '../data/table.js';
import { fitFeaturePipeline } from '../features/pipeline.js';
import { METRICS, type MetricName } from '../metrics/registry.js';
import { familyByName, type FamilyName } from '../models/registry.js';
import type { FittedModel } from '../models/types.js';
import { Rng } from '../util/random.js';
import { crossValidate, type Candidate, type CvResult, type CvTask } from './cross-validate.js';
import { kFold } from './folds.js';
import { baselineFeatures, defaultCandidates, familiesFor, mutate } from './space.js';

export interface SearchSettings {
  seed: number;
  /** The metric the search optimises (logloss is always reported for classification). */
  metric: MetricName;
  /** Validation: k folds, or 'holdout' (one fifth of the training rows). */
  validation: number | 'holdout';
  /** Stop starting candidates after this many seconds. */
  budgetSeconds?: number;
  /** Stop after this many candidates (deterministic runs). */
  maxModels?: number;
  /** 1–10: at 8–10 only original features, monotone steps and interpretable families. */
  interpretability: number;
  /** Stop when this many candidates in a row did not improve the best (default 12). */
  patience?: number;
  families?: readonly FamilyName[];
}

export interface LeaderboardEntry {
  id: number;
  family: FamilyName;
  params: Record<string, unknown>;
  /** The feature steps, in words. */
  features: string;
  score: number;
  logloss: number | null;
  /** Seconds since the search began, when the candidate started and finished. */
  started: number;
  finished: number;
  seconds: number;
  rounds: number[];
}

export interface SearchResult {
  leaderboard: LeaderboardEntry[];
  best: { entry: LeaderboardEntry; candidate: Candidate; cv: CvResult };
  stoppedBy: 'budget' | 'max-models' | 'no-improvement' | 'interrupted';
}

/** Settings of the accuracy dial (1–10): holdout at 1–3, 3-fold at 4–6, 5-fold at 7–10. */
export function validationFor(accuracy: number): number | 'holdout' {
  return accuracy <= 3 ? 'holdout' : accuracy <= 6 ? 3 : 5;
}

function describeFeatures(c: Candidate): string {
  const steps = c.features.transforms.map((t) => `${t.kind}(${'columns' in t ? t.columns.join(',') : t.column})`);
  return [`${c.features.passthrough?.length ?? 0} numeric`, ...steps].join(' + ');
}

/**
 * Searches feature steps × families × parameters by out-of-fold score.
 *
 * @example
 * const r = await search(train, { kind: 'multiclass', nClasses: 3, y }, features, { seed: 42, metric: 'logloss', validation: 5, maxModels: 8, interpretability: 5 });
 * r.best.entry.family; // e.g. 'gbdt'
 */
export async function search(
  table: Table,
  task: CvTask,
  features: readonly string[],
  settings: SearchSettings,
  hooks: { onEntry?: (e: LeaderboardEntry, isBest: boolean) => void; shouldStop?: () => boolean } = {},
): Promise<SearchResult> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const rng = new Rng(settings.seed);
  const strata = task.kind === 'regression' ? undefined : task.y;
  const validation = settings.validation;
  const fold = kFold(table.nRows, validation === 'holdout' ? 5 : validation, settings.seed, strata);
  const evaluate = validation === 'holdout' ? [0] : undefined;
  const metric = METRICS[settings.metric];
  const better = (a: number, b: number): boolean => (metric.greaterIsBetter ? a > b : a < b);
  const spec = baselineFeatures(table, features, settings.interpretability);
  const queue = defaultCandidates(settings.families ?? familiesFor(settings.interpretability), spec);
  const patience = settings.patience ?? 12;

  const leaderboard: LeaderboardEntry[] = [];
  let best: SearchResult['best'] | undefined;
  let sinceBest = 0;
  let stoppedBy: SearchResult['stoppedBy'] = 'max-models';
  for (let id = 0; ; id++) {
    if (settings.maxModels !== undefined && id >= settings.maxModels) {
      stoppedBy = 'max-models';
      break;
    }
    // Let signals (Ctrl-C) and timers run: fits are synchronous, so only a real turn of the event
    // loop between candidates delivers them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (hooks.shouldStop?.()) {
      stoppedBy = 'interrupted';
      break;
    }
    if (settings.budgetSeconds !== undefined) {
      // Do not start a candidate that would likely end past the budget.
      const last = leaderboard[leaderboard.length - 1]?.seconds ?? 0;
      if (id > 0 && elapsed() + last > settings.budgetSeconds) {
        stoppedBy = 'budget';
        break;
      }
      if (best && sinceBest >= patience && settings.maxModels === undefined) {
        stoppedBy = 'no-improvement';
        break;
      }
    }
    const candidate = queue.shift() ?? mutate(best!.candidate, rng.fork(1000 + id));
    const started = elapsed();
    const deadline = settings.budgetSeconds !== undefined ? t0 + settings.budgetSeconds * 1000 : undefined;
    const cv = await crossValidate(table, task, candidate, fold, settings.metric, rng.fork(id), evaluate, deadline);
    const finished = elapsed();
    const entry: LeaderboardEntry = {
      id,
      family: candidate.family,
      params: candidate.params,
      features: describeFeatures(candidate),
      score: cv.score,
      logloss: cv.logloss,
      started,
      finished,
      seconds: finished - started,
      rounds: cv.rounds,
    };
    leaderboard.push(entry);
    const improved = !best || better(cv.score, best.entry.score);
    if (improved) {
      best = { entry, candidate, cv };
      sinceBest = 0;
    } else sinceBest++;
    hooks.onEntry?.(entry, improved);
  }
  if (!best) throw new RangeError('search: no candidate was evaluated (a budget of zero?)');
  return { leaderboard, best, stoppedBy };
}

/**
 * Refits a candidate on all training rows: the feature steps, then the model, with the rounds
 * its folds kept (the mean) for families that early-stop.
 */
export async function refit(
  table: Table,
  task: CvTask,
  candidate: Candidate,
  cv: CvResult,
  seed: number,
): Promise<{ features: FeaturePipelineNode; model: FittedModel }> {
  const rng = new Rng(seed).fork(999_999);
  const fitted = fitFeaturePipeline(table, candidate.features, { kind: task.kind, y: task.y, nClasses: task.nClasses }, rng.fork(0));
  const params: Record<string, unknown> = { ...candidate.params };
  if (cv.rounds.length > 0) {
    const mean = Math.max(1, Math.round(cv.rounds.reduce((s, r) => s + r, 0) / cv.rounds.length));
    if (candidate.family === 'gbdt') params['nRounds'] = mean;
    if (candidate.family === 'mlp') {
      params['epochs'] = mean;
      params['validationFraction'] = 0;
    }
  }
  const model = await familyByName(candidate.family).fit(
    { x: { nRows: table.nRows, columns: fitted.trainMatrix }, y: task.y },
    { kind: task.kind, nClasses: task.nClasses, rng: rng.fork(1), params: params as never },
  );
  return { features: fitted.node, model };
}
