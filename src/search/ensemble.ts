/**
 * The ensemble of the leaderboard: greedy forward selection with replacement over the
 * candidates' out-of-fold predictions (Caruana et al., "Ensemble selection from libraries of
 * models", 2004, as AutoGluon's weighted ensemble does), bagged: the selection is run on several
 * bootstrap samples of the rows and the counts are summed, so that no single row decides which
 * model gets the weight, and near-equal models share it (diversity). Classifiers are calibrated
 * first (calibrate.ts), each on its own out-of-fold record.
 *
 *   pool (the best 20 fully scored candidates) ──calibrate──► out-of-fold probabilities
 *        ──► per bootstrap bag: add (with replacement) the member that most improves the
 *            average, `rounds` times ──► counts summed over bags ──► weights
 *        ──► kept only when it beats the best single candidate out of fold
 */
import type { Calibration, ModelNode } from '../artifact/format/pipeline.js';
import { predictionWidth } from '../artifact/tasks.js';
import { METRICS, type MetricName } from '../metrics/registry.js';
import { Rng } from '../util/random.js';
import type { ScoredCandidate } from './automl.js';
import { calibrated, fitCalibration } from './calibrate.js';
import { predictionRows } from './cross-validate.js';
import type { CvTask } from './types.js';

/** Bootstrap bags of the selection. */
export const ENSEMBLE_BAGS = 8;
/** Rows the selection and the calibrations are fitted on, at most (a seeded sample beyond). */
export const ENSEMBLE_MAX_ROWS = 10_000;

/**
 * The numbers (tree nodes' fields, weights) a member's fold models may hold, at most: the
 * pipeline must stay portable. A forest of deep trees on many rows, shipped as three fold models,
 * can hold millions (a 131 MB file on 15,000 rows); it is left out of the ensemble (it can still
 * win alone, refit once).
 */
export const ENSEMBLE_MAX_MEMBER_NUMBERS = 500_000;

/** The numbers a model node holds (tree fields and leaf values, weights): a measure of its size on disk. */
export function modelNumbers(node: ModelNode): number {
  switch (node.kind) {
    case 'tree_ensemble':
      return node.trees.reduce((s, t) => s + 5 * t.feature.length + t.value.length, 0);
    case 'linear':
      return node.weights.length;
    case 'mlp':
      return node.layers.reduce((s, l) => s + l.weights.length + l.bias.length, 0);
  }
}

/** Selection rounds per bag, by the accuracy dial (1–10): the ensemble's largest size. */
export function ensembleRounds(accuracy: number): number {
  return accuracy <= 3 ? 10 : accuracy <= 6 ? 20 : 30;
}

export interface EnsembleMemberChoice {
  candidate: ScoredCandidate;
  /** Its share of the average (the members' weights sum to 1). */
  weight: number;
  /** Classifiers: fitted on its out-of-fold predictions; null for regression. */
  calibration: Calibration | null;
}

export interface EnsembleSelection {
  /** Members with a weight above 0, in the pool's order; one member when no ensemble was kept. */
  members: EnsembleMemberChoice[];
  /** Whether an ensemble of several candidates was kept (it beat the best single out of fold). */
  ensembled: boolean;
  /** Out-of-fold predictions of what was chosen, row-major over all training rows (0 where not scored). */
  oof: Float64Array;
  /** The search metric of what was chosen, out of fold. */
  score: number;
  /** The search metric of the ensemble that was selected (kept or not), out of fold. */
  ensembleScore: number;
  /** The search metric of the best single candidate, calibrated, out of fold. */
  singleScore: number;
  /** Each candidate's calibration (classification), the winner's included. */
  calibrations: ReadonlyMap<ScoredCandidate, Calibration | null>;
}

/**
 * Selects the pipeline's model from the pool: an ensemble, or the best single candidate, each
 * calibrated (classification).
 *
 * @example
 * const s = selectEnsemble(result.pool, result.best, cvTask, 'logloss', 5, new Rng(42).fork(5));
 * s.members.map((m) => [m.candidate.entry.family, m.weight]); // e.g. [['gbdt', 0.55], ['glm', 0.3], ['random_forest', 0.15]]
 */
export function selectEnsemble(
  pool: readonly ScoredCandidate[],
  best: ScoredCandidate,
  task: CvTask,
  metricName: MetricName,
  accuracy: number,
  rng: Rng,
): EnsembleSelection {
  const metric = METRICS[metricName];
  const better = (a: number, b: number): boolean => (metric.greaterIsBetter ? a > b : a < b);
  const width = predictionWidth(task.kind, task.nClasses);
  const classification = task.kind !== 'regression';
  const all = best.cv.scoredRows;
  // The rows fitted on: all scored rows, or a seeded sample of them.
  const rows =
    all.length <= ENSEMBLE_MAX_ROWS
      ? all
      : [...rng.fork(0).shuffle(Int32Array.from(all))].slice(0, ENSEMBLE_MAX_ROWS).sort((a, b) => a - b);
  const n = rows.length;
  const y = Float64Array.from(rows, (i) => task.y[i]!);
  const pick = (oof: Float64Array, at: readonly number[]): Float64Array => predictionRows(oof, at, width);
  // Members: the pool's candidates scored on the same rows as the best (all fully scored ones
  // are), whose fold models are not too large to ship.
  const size = (c: ScoredCandidate): number =>
    [...c.foldModels.values()].reduce((s, m) => s + modelNumbers(m.model), 0);
  // A winner too large to ship as fold models is not ensembled (it is calibrated, and refit once).
  const shippable = (c: ScoredCandidate): boolean => size(c) <= ENSEMBLE_MAX_MEMBER_NUMBERS;
  const members = shippable(best)
    ? pool.filter((c) => c === best || (c.cv.scoredRows.length === all.length && shippable(c)))
    : [best];
  if (!members.includes(best)) members.push(best);
  const calibrations = members.map((c) => (classification ? fitCalibration(pick(c.cv.oof, rows), y, width) : null));
  const P = members.map((c, m) => {
    const p = pick(c.cv.oof, rows);
    return calibrations[m] ? calibrated(p, n, width, calibrations[m]!) : p;
  });

  // Bagged greedy selection with replacement.
  const counts = new Float64Array(members.length);
  const rounds = ensembleRounds(accuracy);
  const sum = new Float64Array(n * width);
  const trial = new Float64Array(n * width);
  for (let b = 0; b < ENSEMBLE_BAGS; b++) {
    const bag = rng.fork(1 + b);
    const weights = new Float64Array(n);
    for (let i = 0; i < n; i++) weights[bag.int(n)]! += 1;
    sum.fill(0);
    for (let t = 1; t <= rounds; t++) {
      let chosen = -1;
      let chosenScore = 0;
      for (let m = 0; m < members.length; m++) {
        const p = P[m]!;
        for (let j = 0; j < trial.length; j++) trial[j] = (sum[j]! + p[j]!) / t;
        const s = metric.compute(y, trial, weights);
        if (chosen < 0 || better(s, chosenScore)) {
          chosen = m;
          chosenScore = s;
        }
      }
      const p = P[chosen]!;
      for (let j = 0; j < sum.length; j++) sum[j]! += p[j]!;
      counts[chosen]! += 1;
    }
  }
  const total = counts.reduce((a, c) => a + c, 0);
  const weightOf = (m: number): number => counts[m]! / total;

  // Out-of-fold predictions over all scored rows, of the ensemble and of the best single.
  const fullOof = (m: number): Float64Array => {
    const c = members[m]!;
    const cal = calibrations[m];
    if (!cal) return c.cv.oof;
    const p = pick(c.cv.oof, all);
    const out = new Float64Array(c.cv.oof.length);
    const q = calibrated(p, all.length, width, cal);
    all.forEach((row, j) => {
      for (let k = 0; k < width; k++) out[row * width + k] = q[j * width + k]!;
    });
    return out;
  };
  const scoreOn = (oof: Float64Array): number =>
    metric.compute(
      Float64Array.from(all, (i) => task.y[i]!),
      pick(oof, all),
    );
  const ensembleOof = new Float64Array(best.cv.oof.length);
  for (let m = 0; m < members.length; m++) {
    if (counts[m] === 0) continue;
    const w = weightOf(m);
    const q = fullOof(m);
    for (let j = 0; j < ensembleOof.length; j++) ensembleOof[j]! += w * q[j]!;
  }
  const bestIndex = members.indexOf(best);
  const singleOof = fullOof(bestIndex);
  const ensembleScore = scoreOn(ensembleOof);
  const singleScore = scoreOn(singleOof);
  const chosenMembers = members.flatMap((c, m) =>
    counts[m]! > 0 ? [{ candidate: c, weight: weightOf(m), calibration: calibrations[m]! }] : [],
  );
  const ensembled = chosenMembers.length > 1 && better(ensembleScore, singleScore);
  const byCandidate = new Map(members.map((c, m) => [c, calibrations[m]!]));
  if (ensembled)
    return {
      members: chosenMembers,
      ensembled,
      oof: ensembleOof,
      score: ensembleScore,
      ensembleScore,
      singleScore,
      calibrations: byCandidate,
    };
  return {
    members: [{ candidate: best, weight: 1, calibration: calibrations[bestIndex]! }],
    ensembled: false,
    oof: singleOof,
    score: singleScore,
    ensembleScore,
    singleScore,
    calibrations: byCandidate,
  };
}
