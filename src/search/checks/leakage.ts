/**
 * Leakage detection: does any feature predict the target suspiciously well, better than it should?
 *
 *   table ──sample maxRows──► rows with a target ──seeded 70/30 (stratified)──┐
 *                                                                           ▼
 *   for each feature: tiny GBDT on that one column ──► score alone (AUC / R² on the 30%)
 *                     exact or near relation to the target (copy, 1:1, function;
 *                       near-copy, near-relabelling)                          ──► flag
 *   the 5 strongest alone (score ≥ floor, no relation):
 *                     tiny GBDT on all the OTHER features ──► score of the rest
 *                     when the rest is not near perfect (< threshold), flag when its error is
 *                     < ½ the rest's, or when it is near perfect itself
 *
 * A feature that scores high alone is not suspicious when the other features together do as well
 * (a strong signal, as on the hydraulic rig's cooler, where 9 to 13 of 17 sensors reach AUC 0.99
 * alone); a leak stands out from the rest.
 */
import { predictionWidth, type Task } from '../../artifact/tasks.js';
import { inferTarget, type TaskRequest } from '../../data/infer.js';
import { cellText, type ColumnType, type Table } from '../../data/table.js';
import { isPast } from '../../util/clock.js';
import type { Rng } from '../../util/random.js';
import { leakMessage, leakReason, leakSummary, type ProbeMetric, type ScoreGround } from './messages.js';
import { columnNumbers, DEFAULT_CHECK_ROWS, probe, probeSplit, sampleRows, type ProbeTarget } from './probe.js';
import { nearTargetRelation, targetRelation, type TargetRelation } from './target-relation.js';
import { gather } from '../../util/gather.js';

/** A score alone at or above this (AUC or R²) is near perfect: flagged when the other features together do not reach it. */
export const DEFAULT_LEAK_THRESHOLD = 0.99;

/**
 * A feature must score at least this alone to be compared with the rest (and flagged for beating
 * it); lowered to the threshold when a lower threshold is asked for.
 */
export const LEAK_SCORE_FLOOR = 0.9;

/** A feature whose error (1 − score) alone is below this share of the other features' together is flagged. */
export const REST_ERROR_RATIO = 0.5;

/** At most this many features (the strongest alone) are compared with the rest: one probe each. */
export const MAX_REST_PROBES = 5;

/** "The rest" is at most this many other features, the strongest alone, so that wide tables stay cheap. */
export const MAX_REST_FEATURES = 50;

export interface LeakageOptions {
  /** The seeded RNG every random choice of the check flows from. */
  readonly rng: Rng;
  /** Rows looked at, a seeded sample when the table has more. Default 20,000. */
  readonly maxRows?: number;
  /**
   * The rows of the table that are the training part (the rest are not looked at); all by
   * default. The same as checking `table.take(rows)`, without copying every column's rows.
   */
  readonly rows?: ArrayLike<number>;
  /**
   * Score alone (AUC, or R² for regression) counted as near perfect: a feature reaching it is flagged
   * when the other features together do not. Default 0.99. The floor for comparing a feature with
   * the rest is the lower of this and {@link LEAK_SCORE_FLOOR}.
   */
  readonly threshold?: number;
  /** The task, as `inferTarget` takes it. Default 'auto'. */
  readonly task?: TaskRequest;
  /**
   * A time on the deadline clock (src/util/clock.ts) after which no more features are probed, alone (their score is
   * null) or against the rest (their rest score is null; one reaching the threshold alone is then flagged, saying
   * so); exact and near ties to the target are still looked for. Default: none.
   */
  readonly deadline?: number;
}

export interface LeakageFeature {
  readonly feature: string;
  readonly type: ColumnType;
  /** Out-of-sample score of a tiny GBDT on this feature alone; null when it could not be computed. */
  readonly score: number | null;
  readonly metric: ProbeMetric;
  /**
   * Out-of-sample score of a tiny GBDT on the other features together (those with no relation to the
   * target; the strongest {@link MAX_REST_FEATURES}), for the few features compared with the rest; else null.
   */
  readonly restScore: number | null;
  readonly flagged: boolean;
  /** An exact or near tie to the target, if any (see {@link TargetRelation}). */
  readonly relation: TargetRelation | null;
  /** Share of the rows (with both values present) in which the relation holds: 1 for an exact one; null without one. */
  readonly relationShare: number | null;
  /** Why it was flagged, for people; null when it was not. */
  readonly reason: string | null;
}

/** The leakage check's findings: plain JSON, as experiment.json stores it. */
export interface LeakageReport {
  readonly check: 'leakage';
  readonly target: string;
  readonly task: Task;
  readonly metric: ProbeMetric;
  readonly threshold: number;
  /** The score alone from which a feature is compared with the rest. */
  readonly floor: number;
  /** Rows with a target that the check used, and rows in the table. */
  readonly rowsUsed: number;
  readonly rowsTotal: number;
  /** Per feature, highest score first (no score last), ties by name. */
  readonly features: LeakageFeature[];
  /** Names of the flagged features, in the order of `features`. */
  readonly flagged: string[];
  /** One line per flagged feature: what was found and what to do. */
  readonly messages: string[];
  /** One line for the terminal dashboard. */
  readonly summary: string;
  /** Features not probed alone because the deadline had passed. */
  readonly unprobed: number;
  /** Features strong enough alone that were not compared with the rest because the deadline had passed. */
  readonly uncompared: number;
}

/**
 * Checks each feature for target leakage. Scores a tiny GBDT (20 rounds, 8 leaves) on each feature
 * alone, out of sample (AUC for classes, macro one-vs-rest for more than two; R² for a number), and
 * looks for exact ties to the target (a copy, a relabelling, a function of it) and near ones (the
 * same as the target, or relabelling it, in ≥ 95% of rows). The strongest few alone are then
 * compared with a GBDT on all the other features together. A feature is flagged when it is tied to
 * the target, or when it alone is suspiciously better than the rest: while they together stay
 * below the threshold (0.99), its error (1 − score) is below half of theirs with a score of at
 * least the floor (0.9), or it reaches the threshold itself. A flag is a warning to look at the
 * feature, not proof of a leak. Deterministic for a seed.
 *
 * @example
 * const report = checkLeakage(table, 'cool_cond_y', [...sensors, 'leak'], { rng: new Rng(42) });
 * report.summary;  // 'leakage: 1 of 18 features flagged for cool_cond_y: leak (near-copy, 98.0% of rows); 9 other features reach AUC 0.99 alone but …'
 * report.messages; // ['possible leak: leak: nearly deterministic: equal to the target cool_cond_y in 98.0% of the rows … drop it with --drop leak.']
 */
export function checkLeakage(
  train: Table,
  target: string,
  features: readonly string[],
  opts: LeakageOptions,
): LeakageReport {
  const threshold = opts.threshold ?? DEFAULT_LEAK_THRESHOLD;
  const floor = Math.min(LEAK_SCORE_FLOOR, threshold);
  const maxRows = opts.maxRows ?? DEFAULT_CHECK_ROWS;
  if (!(maxRows >= 2 && Number.isInteger(maxRows)))
    throw new RangeError(`maxRows must be a whole number >= 2, got ${maxRows}`);
  const part = opts.rows;
  const nPart = part ? part.length : train.nRows;
  const targetColumn = part ? train.select([target]).take(part).column(target) : train.column(target);
  const info = inferTarget(targetColumn, opts.task ?? 'auto');
  const metric: ProbeMetric = info.task === 'regression' ? 'r2' : 'auc';
  const columns = features.map((f) => train.column(f));

  const withTarget: number[] = [];
  // Missing targets are NaN for a number and -1 for a class index.
  const present = info.task === 'regression' ? (v: number) => !Number.isNaN(v) : (v: number) => v >= 0;
  for (let i = 0; i < nPart; i++) if (present(info.y[i]!)) withTarget.push(i);
  const rows = Int32Array.from(sampleRows(withTarget.length, maxRows, opts.rng.fork(0)), (k) => withTarget[k]!);
  // The same rows of the table itself (of the feature columns).
  const tableRows = part ? gather(part, rows) : rows;
  const y = gather(info.y, rows);
  const probeTarget: ProbeTarget = {
    kind: info.task,
    nClasses: predictionWidth(info.task, info.classes?.length ?? 0),
    y,
  };
  const split = probeSplit(rows.length, opts.rng.fork(1), info.task === 'regression' ? undefined : y);

  // 1. Each feature alone, and its exact or near relation to the target.
  let unprobed = 0;
  const xs = columns.map((col) => columnNumbers(col, tableRows));
  const alone = columns.map((col, j) => {
    const x = xs[j]!;
    const late = isPast(opts.deadline);
    if (late) unprobed++;
    const score = late ? null : probe([x], probeTarget, split, opts.rng.fork(2 + j)).score;
    const sameText = (k: number): boolean => cellText(col, tableRows[k]!) === cellText(targetColumn, rows[k]!);
    const exact = targetRelation(x, y, sameText);
    const near = exact ? null : nearTargetRelation(x, y, sameText);
    return {
      j,
      score,
      relation: exact ?? near?.relation ?? null,
      relationShare: exact ? 1 : (near?.share ?? null),
      relationValues: near?.values ?? null,
    };
  });

  // 2. The strongest alone against the other features together (features tied to the target left out).
  const byScore = (a: { j: number; score: number | null }, b: { j: number; score: number | null }): number =>
    (b.score ?? -Infinity) - (a.score ?? -Infinity) ||
    (features[a.j]! < features[b.j]! ? -1 : features[a.j]! > features[b.j]! ? 1 : 0);
  const untied = alone.filter((a) => a.relation === null).sort(byScore);
  const candidates = untied.filter((a) => a.score !== null && a.score >= floor).slice(0, MAX_REST_PROBES);
  const restScores = new Map<number, number | null>();
  const grounds = new Map<number, ScoreGround>();
  const restCounts = new Map<number, number>();
  let uncompared = 0;
  for (const c of candidates) {
    const score = c.score!;
    const rest = untied.filter((a) => a.j !== c.j).slice(0, MAX_REST_FEATURES);
    restCounts.set(c.j, rest.length);
    if (rest.length === 0) {
      if (score >= threshold) grounds.set(c.j, 'alone');
      continue;
    }
    if (isPast(opts.deadline)) {
      uncompared++;
      if (score >= threshold) grounds.set(c.j, 'uncompared');
      continue;
    }
    const restScore = probe(
      rest.map((a) => xs[a.j]!),
      probeTarget,
      split,
      opts.rng.fork(2 + features.length + c.j),
    ).score;
    restScores.set(c.j, restScore);
    // When the others together are near perfect too, no one feature is suspicious (and near 1 the
    // ratio of two tiny errors is noise). A rest that cannot be scored tells nothing: its error counts as 1.
    if (restScore !== null && restScore >= threshold) continue;
    const restError = restScore === null ? 1 : 1 - restScore;
    if (1 - score < REST_ERROR_RATIO * restError) grounds.set(c.j, 'beats-rest');
    else if (score >= threshold) grounds.set(c.j, 'near-perfect');
  }

  const results = alone.sort(byScore).map(({ j, score, relation, relationShare, relationValues }): LeakageFeature => {
    const ground = grounds.get(j) ?? null;
    const restScore = restScores.get(j) ?? null;
    const flagged = relation !== null || ground !== null;
    const reason = flagged
      ? leakReason({
          target,
          metric,
          score,
          restScore,
          restCount: restCounts.get(j) ?? 0,
          threshold,
          restErrorRatio: REST_ERROR_RATIO,
          relation,
          relationShare,
          relationValues,
          ground,
        })
      : null;
    return {
      feature: features[j]!,
      type: columns[j]!.type,
      score,
      metric,
      restScore,
      flagged,
      relation,
      relationShare,
      reason,
    };
  });
  const flagged = results.filter((r) => r.flagged);
  const strongUnflagged = results.filter((r) => !r.flagged && r.score !== null && r.score >= threshold).length;
  const late = [
    unprobed
      ? `${unprobed} of ${features.length} features not probed alone (time; exact copies of the target were still looked for)`
      : '',
    uncompared
      ? `${uncompared} strong feature${uncompared === 1 ? '' : 's'} not compared with the others together (time)`
      : '',
  ].filter((t) => t !== '');
  return {
    check: 'leakage',
    target,
    task: info.task,
    metric,
    threshold,
    floor,
    rowsUsed: rows.length,
    rowsTotal: nPart,
    features: results,
    flagged: flagged.map((r) => r.feature),
    messages: flagged.map((r) => leakMessage(r.feature, r.reason!, r.relation)),
    summary: `${leakSummary(target, features.length, flagged, results[0], strongUnflagged, threshold)}${late.map((t) => `; ${t}`).join('')}`,
    unprobed,
    uncompared,
  };
}
