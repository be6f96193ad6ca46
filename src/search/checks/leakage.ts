/**
 * Leakage detection: does any feature, on its own, predict the target too well?
 *
 *   table ──sample maxRows──► rows with a target ──seeded 70/30 (stratified)──┐
 *                                                                           ▼
 *   for each feature: tiny GBDT on that one column ──► AUC / R² on the 30% ──► flag ≥ threshold
 *                     exact relation to the target (copy, 1:1, function)  ──► flag
 */
import { predictionWidth, type Task } from '../../artifact/tasks.js';
import { inferTarget, type TaskRequest } from '../../data/infer.js';
import { cellText, type ColumnType, type Table } from '../../data/table.js';
import { isPast } from '../../util/clock.js';
import type { Rng } from '../../util/random.js';
import { leakMessage, leakReason, leakSummary, type ProbeMetric } from './messages.js';
import { columnNumbers, DEFAULT_CHECK_ROWS, probe, probeSplit, sampleRows, type ProbeTarget } from './probe.js';
import { targetRelation, type TargetRelation } from './target-relation.js';

/** A single-feature score at or above this (AUC or R²) flags the feature. */
export const DEFAULT_LEAK_THRESHOLD = 0.99;

export interface LeakageOptions {
  /** The seeded RNG every random choice of the check flows from. */
  readonly rng: Rng;
  /** Rows looked at, a seeded sample when the table has more. Default 20,000. */
  readonly maxRows?: number;
  /** Single-feature score (AUC, or R² for regression) that flags a feature. Default 0.99. */
  readonly threshold?: number;
  /** The task, as `inferTarget` takes it. Default 'auto'. */
  readonly task?: TaskRequest;
  /**
   * A time on the deadline clock (src/util/clock.ts) after which no more features are probed (their score is null;
   * exact ties to the target are still looked for). Default: none.
   */
  readonly deadline?: number;
}

export interface LeakageFeature {
  readonly feature: string;
  readonly type: ColumnType;
  /** Out-of-sample score of a tiny GBDT on this feature alone; null when it could not be computed. */
  readonly score: number | null;
  readonly metric: ProbeMetric;
  readonly flagged: boolean;
  /** An exact tie to the target, if any (see {@link TargetRelation}). */
  readonly relation: TargetRelation | null;
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
}

/**
 * Checks each feature for target leakage: scores a tiny GBDT (20 rounds, 8 leaves) on that
 * feature alone, out of sample (AUC for classes, macro one-vs-rest for more than two; R² for a
 * number), and looks for exact ties to the target (a copy, a relabelling, a function of it).
 * A feature is flagged when its score reaches the threshold or when it is tied exactly. A flag is
 * a warning to look at the feature, not proof of a leak: a genuine, strong measurement scores
 * high too. Deterministic for a seed.
 *
 * @example
 * const report = checkLeakage(table, 'cool_cond_y', sensors, { rng: new Rng(42) });
 * report.summary;  // 'leakage: 1 of 17 features flagged for cool_cond_y: cool_eff_pct (AUC 0.998); …'
 * report.messages; // ['possible leak: cool_eff_pct: on its own it predicts …, drop it with --drop cool_eff_pct; …']
 */
export function checkLeakage(train: Table, target: string, features: readonly string[], opts: LeakageOptions): LeakageReport {
  const threshold = opts.threshold ?? DEFAULT_LEAK_THRESHOLD;
  const maxRows = opts.maxRows ?? DEFAULT_CHECK_ROWS;
  if (!(maxRows >= 2 && Number.isInteger(maxRows))) throw new RangeError(`maxRows must be a whole number >= 2, got ${maxRows}`);
  const targetColumn = train.column(target);
  const info = inferTarget(targetColumn, opts.task ?? 'auto');
  const metric: ProbeMetric = info.task === 'regression' ? 'r2' : 'auc';
  const columns = features.map((f) => train.column(f));

  const withTarget: number[] = [];
  // Missing targets are NaN for a number and -1 for a class index.
  const present = info.task === 'regression' ? (v: number) => !Number.isNaN(v) : (v: number) => v >= 0;
  for (let i = 0; i < train.nRows; i++) if (present(info.y[i]!)) withTarget.push(i);
  const rows = Int32Array.from(sampleRows(withTarget.length, maxRows, opts.rng.fork(0)), (k) => withTarget[k]!);
  const y = Float64Array.from(rows, (i) => info.y[i]!);
  const probeTarget: ProbeTarget = { kind: info.task, nClasses: predictionWidth(info.task, info.classes?.length ?? 0), y };
  const split = probeSplit(rows.length, opts.rng.fork(1), info.task === 'regression' ? undefined : y);

  let unprobed = 0;
  const results = columns.map((col, j): LeakageFeature => {
    const all = columnNumbers(col);
    const x = Float64Array.from(rows, (i) => all[i]!);
    const late = isPast(opts.deadline);
    if (late) unprobed++;
    const score = late ? null : probe([x], probeTarget, split, opts.rng.fork(2 + j)).score;
    const relation = targetRelation(x, y, (k) => cellText(col, rows[k]!) === cellText(targetColumn, rows[k]!));
    const flagged = relation !== null || (score !== null && score >= threshold);
    return {
      feature: col.name,
      type: col.type,
      score,
      metric,
      flagged,
      relation,
      reason: flagged ? leakReason(target, metric, score, threshold, relation) : null,
    };
  });
  results.sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
  const flagged = results.filter((r) => r.flagged);
  const byScore = flagged.filter((r) => r.relation === null).length;
  return {
    check: 'leakage',
    target,
    task: info.task,
    metric,
    threshold,
    rowsUsed: rows.length,
    rowsTotal: train.nRows,
    features: results,
    flagged: flagged.map((r) => r.feature),
    messages: flagged.map((r) => leakMessage(r.feature, r.reason!, r.relation, byScore - (r.relation === null ? 1 : 0))),
    summary: `${leakSummary(target, features.length, flagged, results[0])}${unprobed ? `; ${unprobed} of ${features.length} features not probed alone (time; exact copies of the target were still looked for)` : ''}`,
    unprobed,
  };
}
