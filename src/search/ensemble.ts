/**
 * The ensemble of the leaderboard: greedy forward selection with replacement over the
 * candidates' out-of-fold predictions (Caruana et al., "Ensemble selection from libraries of
 * models", 2004, as AutoGluon's weighted ensemble does), bagged: the selection is run on several
 * bootstrap samples of the rows and the counts are summed, so that no single row decides which
 * model gets the weight, and near-equal models share it (diversity). Classifiers are calibrated
 * first (calibrate.ts), each on its own out-of-fold record.
 *
 * Selection that does not reward luck: on a nearly separable target every candidate is almost
 * perfect out of fold, and the best one differs from the others by a row or two. A paired
 * comparison row by row tells such ties apart from real differences: every family's best
 * candidate that is within {@link NOISE_SE} standard errors of the best (its per-row loss minus
 * the best's, averaged) starts each bag with one vote, so families that fail differently share
 * the weight; and the ensemble is kept unless the best single candidate beats it by more than
 * the same noise.
 *
 *   pool (the best 20 fully scored candidates) ──calibrate──► out-of-fold probabilities
 *        ──► per bootstrap bag: one vote for each family's best within the noise of the best,
 *            then add (with replacement) the member that most improves the average, `rounds`
 *            times ──► counts summed over bags ──► weights
 *        ──► kept unless the best single candidate beats it by more than the noise
 */
import type { Calibration, ModelNode } from '../artifact/format/pipeline.js';
import { predictionWidth } from '../artifact/tasks.js';
import { METRICS, type MetricName } from '../metrics/registry.js';
import { FAMILIES } from '../models/registry.js';
import { Rng } from '../util/random.js';
import type { ScoredCandidate } from './automl.js';
import { calibrated, fitCalibration } from './calibrate.js';
import { predictionRows } from './cross-validate.js';
import type { CvTask } from './types.js';
import { gather } from '../util/gather.js';

/** Bootstrap bags of the selection. */
export const ENSEMBLE_BAGS = 8;
/** Rows the selection and the calibrations are fitted on, at most (a seeded sample beyond). */
export const ENSEMBLE_MAX_ROWS = 10_000;

/**
 * The numbers (tree nodes' fields, weights) a member may hold as shipped, at most (about 3.5 MB
 * of the file): the pipeline must stay portable. A forest of deep trees on many rows can hold
 * millions (three fold models made a 131 MB file on 15,000 rows); it is left out of the ensemble
 * (it can still win alone, refit once).
 */
export const ENSEMBLE_MAX_MEMBER_NUMBERS = 1_000_000;

/**
 * Fold models holding more numbers than this, of a family that can be refit as it is, are shipped
 * refit on all rows instead (a third of the size).
 */
export const REFIT_ABOVE_NUMBERS = 200_000;

/**
 * Whether an ensemble member is shipped refit on all rows rather than as its fold models. The
 * out-of-fold record (and the calibration fitted on it) measured the fold models, so they are
 * shipped, unless together they are large (over {@link REFIT_ABOVE_NUMBERS}) and the family has no
 * rounds to carry over from the folds (forests grow as many trees as asked): then one refit, the
 * same model on more rows, is a third of the size.
 */
export function shipsRefit(c: ScoredCandidate): boolean {
  const family = FAMILIES[c.entry.family];
  if (family.rounds?.refit !== undefined || family.search.costly) return false;
  return [...c.foldModels.values()].reduce((s, m) => s + modelNumbers(m.model), 0) > REFIT_ABOVE_NUMBERS;
}

/**
 * The numbers a member will likely hold as shipped: its fold models', or for a refit one fold
 * model's scaled to all rows (a deep tree grows with its rows).
 */
export function shippedNumbers(c: ScoredCandidate): number {
  const sizes = [...c.foldModels.values()].map((m) => modelNumbers(m.model));
  const total = sizes.reduce((s, x) => s + x, 0);
  if (!shipsRefit(c) || sizes.length === 0) return total;
  const k = sizes.length;
  return (total / k) * (k > 1 ? k / (k - 1) : 1.25);
}

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

/**
 * Standard errors of a paired row-by-row difference within which two out-of-fold records are
 * a tie: about a 2.5% chance that a real difference of zero looks larger.
 */
export const NOISE_SE = 2;

/**
 * Each row's loss under the metric, where the metric is a mean of per-row losses (logloss: the
 * negative log of the true class's probability; rmse: the squared error; mae: the absolute error);
 * null for the others (AUC, F1, MCC, accuracy as a rank or count), which are compared as a whole.
 */
export function rowLosses(
  metricName: MetricName,
  y: Float64Array,
  prediction: Float64Array,
  width: number,
): Float64Array | null {
  const n = y.length;
  switch (metricName) {
    case 'logloss':
      return Float64Array.from({ length: n }, (_, i) => {
        const p = prediction[i * width + y[i]!]!;
        return -Math.log(Math.min(1, Math.max(p, Number.EPSILON)));
      });
    case 'rmse':
      return Float64Array.from({ length: n }, (_, i) => (prediction[i]! - y[i]!) ** 2);
    case 'mae':
      return Float64Array.from({ length: n }, (_, i) => Math.abs(prediction[i]! - y[i]!));
    default:
      return null;
  }
}

/**
 * Differences of per-row logloss below this are ties whatever their noise: below 0.001 every
 * model is near perfect (one row at p = 0.8 among 551 adds 0.0004), and a model that is a little
 * less sure of every row is not worse in any way that matters.
 */
export const LOGLOSS_TIE = 0.001;
/** Other losses: differences below this share of the better record's mean loss are ties. */
export const RELATIVE_TIE = 0.01;

/**
 * Whether record `a` is worse than record `b` by more than the noise: the mean of the paired
 * differences `a − b` exceeds {@link NOISE_SE} of their standard errors, and exceeds what is a
 * tie anyway (`tie`: {@link LOGLOSS_TIE} for logloss; by default {@link RELATIVE_TIE} of `b`'s
 * mean).
 */
export function worseBeyondNoise(a: Float64Array, b: Float64Array, tie?: number, weights?: Float64Array): boolean {
  if (weights) return weightedWorseBeyondNoise(a, b, weights, tie);
  const n = a.length;
  if (n < 2) return false;
  let mean = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    mean += a[i]! - b[i]!;
    meanB += b[i]!;
  }
  mean /= n;
  meanB /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i]! - b[i]! - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  return mean > NOISE_SE * se && mean > (tie ?? RELATIVE_TIE * meanB);
}

/**
 * {@link worseBeyondNoise} with sample weights: the weighted mean of the paired differences, and
 * its standard error over the effective number of rows (Kish's (Σw)² / Σw²), so that a weight of
 * k counts as k rows in the mean but the noise is not underestimated by weights that are merely
 * large.
 */
function weightedWorseBeyondNoise(a: Float64Array, b: Float64Array, w: Float64Array, tie?: number): boolean {
  const n = a.length;
  let sw = 0;
  let sw2 = 0;
  let mean = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    sw += wi;
    sw2 += wi * wi;
    mean += wi * (a[i]! - b[i]!);
    meanB += wi * b[i]!;
  }
  if (!(sw > 0)) return false;
  mean /= sw;
  meanB /= sw;
  const nEff = (sw * sw) / sw2;
  if (nEff < 2) return false;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += w[i]! * (a[i]! - b[i]! - mean) ** 2;
  const se = Math.sqrt(((ss / sw) * nEff) / (nEff - 1) / nEff);
  return mean > NOISE_SE * se && mean > (tie ?? RELATIVE_TIE * meanB);
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
  /**
   * The families' best candidates within the noise of the best, each given one vote at the start
   * of every bag (none when only the best is).
   */
  seeded: ScoredCandidate[];
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
  const y = gather(task.y, rows);
  // Sample weights (`--weight`): every loss, score, bag and calibration is weighted.
  const sw = task.weights;
  const w = sw ? gather(sw, rows) : undefined;
  const pick = (oof: Float64Array, at: readonly number[]): Float64Array => predictionRows(oof, at, width);
  // Members: the pool's candidates scored on the same rows as the best (all fully scored ones
  // are), whose fold models are not too large to ship.
  // A winner too large to ship is not ensembled (it is calibrated, and refit once).
  const shippable = (c: ScoredCandidate): boolean => shippedNumbers(c) <= ENSEMBLE_MAX_MEMBER_NUMBERS;
  const members = shippable(best)
    ? pool.filter((c) => c === best || (c.cv.scoredRows.length === all.length && shippable(c)))
    : [best];
  if (!members.includes(best)) members.push(best);
  const calibrations = members.map((c) =>
    classification ? fitCalibration(pick(c.cv.oof, rows), y, width, ...(w ? [w] : [])) : null,
  );
  const P = members.map((c, m) => {
    const p = pick(c.cv.oof, rows);
    return calibrations[m] ? calibrated(p, n, width, calibrations[m]!) : p;
  });

  // Each family's best candidate within the noise of the best starts every bag with one vote.
  const bestIndexInMembers = members.indexOf(best);
  const losses = P.map((p) => rowLosses(metricName, y, p, width));
  const bestLoss = losses[bestIndexInMembers];
  const tie = metricName === 'logloss' ? LOGLOSS_TIE : undefined;
  const seeded: number[] = [];
  if (bestLoss) {
    const families = new Set<string>();
    const order = members
      .map((c, m) => m)
      .sort((a, b) => (metric.greaterIsBetter ? -1 : 1) * (members[a]!.entry.score - members[b]!.entry.score) || a - b);
    for (const m of order) {
      const family = members[m]!.entry.family;
      if (families.has(family)) continue;
      families.add(family);
      if (m === bestIndexInMembers || !worseBeyondNoise(losses[m]!, bestLoss, tie, ...(w ? [w] : []))) seeded.push(m);
    }
  }

  if (seeded.length < 2) seeded.length = 0;
  const seededCandidates = seeded.map((m) => members[m]!);

  // Bagged greedy selection with replacement.
  const counts = new Float64Array(members.length);
  const rounds = ensembleRounds(accuracy);
  const sum = new Float64Array(n * width);
  const trial = new Float64Array(n * width);
  for (let b = 0; b < ENSEMBLE_BAGS; b++) {
    const bag = rng.fork(1 + b);
    const weights = new Float64Array(n);
    for (let i = 0; i < n; i++) weights[bag.int(n)]! += 1;
    // A bag's row counts times the rows' sample weights (a bag of weight-0 rows only: unweighted).
    if (w) {
      let total = 0;
      for (let i = 0; i < n; i++) total += weights[i]! *= w[i]!;
      if (!(total > 0)) weights.set(w);
    }
    sum.fill(0);
    for (const m of seeded) {
      const p = P[m]!;
      for (let j = 0; j < sum.length; j++) sum[j]! += p[j]!;
      counts[m]! += 1;
    }
    const start = seeded.length;
    for (let t = start + 1; t <= start + rounds; t++) {
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
  const wAll = sw ? gather(sw, all) : undefined;
  const scoreOn = (oof: Float64Array): number =>
    metric.compute(gather(task.y, all), pick(oof, all), ...(wAll ? [wAll] : []));
  const ensembleOof = new Float64Array(best.cv.oof.length);
  for (let m = 0; m < members.length; m++) {
    if (counts[m] === 0) continue;
    const w = weightOf(m);
    const q = fullOof(m);
    for (let j = 0; j < ensembleOof.length; j++) ensembleOof[j]! += w * q[j]!;
  }
  const bestIndex = bestIndexInMembers;
  const singleOof = fullOof(bestIndex);
  const ensembleScore = scoreOn(ensembleOof);
  const singleScore = scoreOn(singleOof);
  const chosenMembers = members.flatMap((c, m) =>
    counts[m]! > 0 ? [{ candidate: c, weight: weightOf(m), calibration: calibrations[m]! }] : [],
  );
  // Kept when it beats the best single, or when the best single is better only within the noise.
  const yAll = gather(task.y, all);
  const ensembleLoss = rowLosses(metricName, yAll, pick(ensembleOof, all), width);
  const singleLoss = rowLosses(metricName, yAll, pick(singleOof, all), width);
  const ensembled =
    chosenMembers.length > 1 &&
    (better(ensembleScore, singleScore) ||
      (ensembleLoss !== null &&
        singleLoss !== null &&
        !worseBeyondNoise(ensembleLoss, singleLoss, tie, ...(wAll ? [wAll] : []))));
  const byCandidate = new Map(members.map((c, m) => [c, calibrations[m]!]));
  if (ensembled)
    return {
      members: chosenMembers,
      ensembled,
      oof: ensembleOof,
      score: ensembleScore,
      ensembleScore,
      singleScore,
      seeded: seededCandidates,
      calibrations: byCandidate,
    };
  return {
    members: [{ candidate: best, weight: 1, calibration: calibrations[bestIndex]! }],
    ensembled: false,
    oof: singleOof,
    score: singleScore,
    ensembleScore,
    singleScore,
    seeded: seededCandidates,
    calibrations: byCandidate,
  };
}
