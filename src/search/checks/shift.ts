/**
 * Train/test shift by adversarial validation: can a model tell a training row from a test row?
 *
 *   train rows (label 0) ∪ test rows (label 1) ──sample maxRows──► seeded 70/30 (stratified)
 *        │                                                              │
 *        │            GBDT on all features ──► AUC on the 30% (≈ 0.5: no shift)
 *        │            GBDT on each feature ──► AUC per feature ──► flag ≥ threshold
 *        └──► numeric features: two-sample Kolmogorov–Smirnov statistic
 */
import type { Column, ColumnType, Table } from '../../data/table.js';
import { AutomlError } from '../../util/errors.js';
import { isPast } from '../../util/clock.js';
import type { Rng } from '../../util/random.js';
import { ksStatistic } from './ks.js';
import { missingTestColumn, shiftMessage, shiftSummary, testColumnType } from './messages.js';
import { columnNumbers, DEFAULT_CHECK_ROWS, probe, probeSplit, sampleRows, type ProbeTarget } from './probe.js';

/** A train-vs-test AUC at or above this flags a feature (and, for all features, the data). */
export const DEFAULT_SHIFT_THRESHOLD = 0.6;

export interface ShiftOptions {
  /** The seeded RNG every random choice of the check flows from. */
  readonly rng: Rng;
  /** Rows looked at in all (train and test in their proportions), a seeded sample when there are more. Default 20,000. */
  readonly maxRows?: number;
  /** Train-vs-test AUC that flags a feature as shifted. Default 0.6. */
  readonly threshold?: number;
  /**
   * A time on the deadline clock (src/util/clock.ts) after which no more features are probed alone (their AUC is null;
   * the all-feature model and the KS statistics are still computed). Default: none.
   */
  readonly deadline?: number;
}

export interface ShiftFeature {
  readonly feature: string;
  readonly type: ColumnType;
  /** Out-of-sample AUC of a tiny GBDT telling train from test on this feature alone. */
  readonly auc: number | null;
  /** Two-sample Kolmogorov–Smirnov statistic between train and test values (numeric features only). */
  readonly ks: number | null;
  /** Share of the all-feature model's gain that this feature carries, in [0, 1]. */
  readonly importance: number;
  readonly flagged: boolean;
  /** What differs, for people: means and KS for numbers, unseen levels for categories. */
  readonly note: string;
}

/** The shift check's findings: plain JSON, as experiment.json stores it. */
export interface ShiftReport {
  readonly check: 'shift';
  /** Out-of-sample AUC of a GBDT on all features telling train from test; 0.5 means no shift. */
  readonly auc: number | null;
  readonly threshold: number;
  /** Whether the all-feature AUC reaches the threshold. */
  readonly shifted: boolean;
  readonly rowsUsed: { readonly train: number; readonly test: number };
  /** Per feature, highest AUC first, ties by name. */
  readonly features: ShiftFeature[];
  readonly flagged: string[];
  /** One line per shifted feature: what was found and what to do. */
  readonly messages: string[];
  /** One line for the terminal dashboard. */
  readonly summary: string;
  /** Features not probed alone because the deadline had passed. */
  readonly unprobed: number;
}

/**
 * Checks whether the test table is drawn like the training table (adversarial validation):
 * labels training rows 0 and test rows 1 and scores, on a seeded 30% of their union, a small
 * GBDT on all features together and a tiny one on each feature alone; numeric features also get
 * the Kolmogorov–Smirnov statistic. Features match by name and must have the same type;
 * categorical values match by their text. Deterministic for a seed.
 *
 * @example
 * const report = checkShift(trainTable, testTable, features, { rng: new Rng(42) });
 * report.auc;     // 0.51: the two halves look alike
 * report.summary; // 'shift: a model telling train from test reaches AUC 0.510 (0.5 = indistinguishable): no shift detected; …'
 */
export function checkShift(train: Table, test: Table, features: readonly string[], opts: ShiftOptions): ShiftReport {
  const threshold = opts.threshold ?? DEFAULT_SHIFT_THRESHOLD;
  const maxRows = opts.maxRows ?? DEFAULT_CHECK_ROWS;
  if (!(maxRows >= 4 && Number.isInteger(maxRows)))
    throw new RangeError(`maxRows must be a whole number >= 4, got ${maxRows}`);
  const pairs = features.map((f) => {
    const a = train.column(f);
    if (!test.has(f)) throw new AutomlError('TEST_COLUMN_MISSING', missingTestColumn(f));
    const b = test.column(f);
    if (a.type !== b.type) throw new AutomlError('TEST_COLUMN_TYPE', testColumnType(f, a.type, b.type));
    return [a, b] as const;
  });

  const total = train.nRows + test.nRows;
  const nTrain = total <= maxRows ? train.nRows : Math.round((maxRows * train.nRows) / total);
  const nTest = total <= maxRows ? test.nRows : maxRows - nTrain;
  const trainRows = sampleRows(train.nRows, nTrain, opts.rng.fork(0));
  const testRows = sampleRows(test.nRows, nTest, opts.rng.fork(1));
  const n = trainRows.length + testRows.length;
  const y = new Float64Array(n).fill(1, trainRows.length);
  const target: ProbeTarget = { kind: 'binary', nClasses: 2, y };
  const split = probeSplit(n, opts.rng.fork(2), y);

  const columns = pairs.map(([a, b]) => stack(a, b, trainRows, testRows));
  const overall = probe(columns, target, split, opts.rng.fork(3));
  const gain = overall.model.importance().gain;
  const gainSum = gain.reduce((s, g) => s + g, 0);

  let unprobed = 0;
  const results = pairs.map(([a, b], j): ShiftFeature => {
    const x = columns[j]!;
    const late = isPast(opts.deadline);
    if (late) unprobed++;
    const score = late ? null : probe([x], target, split, opts.rng.fork(4 + j)).score;
    const ks = a.type === 'numeric' ? ksStatistic(x.subarray(0, trainRows.length), x.subarray(trainRows.length)) : null;
    const ksOrNull = ks === null || Number.isNaN(ks) ? null : ks;
    return {
      feature: a.name,
      type: a.type,
      auc: score,
      ks: ksOrNull,
      importance: gainSum > 0 ? gain[j]! / gainSum : 0,
      flagged: score !== null && score >= threshold,
      note: a.type === 'numeric' ? numericNote(x, trainRows.length, ksOrNull) : categoricalNote(a, b, testRows),
    };
  });
  results.sort(
    (p, q) =>
      (q.auc ?? -Infinity) - (p.auc ?? -Infinity) || (p.feature < q.feature ? -1 : p.feature > q.feature ? 1 : 0),
  );
  const flagged = results.filter((r) => r.flagged);
  return {
    check: 'shift',
    auc: overall.score,
    threshold,
    shifted: overall.score !== null && overall.score >= threshold,
    rowsUsed: { train: trainRows.length, test: testRows.length },
    features: results,
    flagged: flagged.map((r) => r.feature),
    messages: flagged.map((r) => shiftMessage(r.feature, r.auc, r.ks)),
    summary: `${shiftSummary(
      overall.score,
      threshold,
      features.length,
      flagged.map((r) => r.feature),
    )}${unprobed ? `; ${unprobed} of ${features.length} features not probed alone (time)` : ''}`,
    unprobed,
  };
}

/**
 * The sampled train values followed by the sampled test values. Categorical test values are
 * re-coded by their text into the training table's codes; levels the training table lacks get
 * codes after its own, so that they stay distinguishable.
 */
function stack(a: Column, b: Column, trainRows: Int32Array, testRows: Int32Array): Float64Array {
  const out = new Float64Array(trainRows.length + testRows.length);
  const xa = columnNumbers(a);
  trainRows.forEach((i, k) => (out[k] = xa[i]!));
  let xb: Float64Array;
  if (a.type === 'categorical' && b.type === 'categorical') {
    const code = new Map(a.levels.map((l, i) => [l, i]));
    const recode = b.levels.map((l) => {
      let c = code.get(l);
      if (c === undefined) code.set(l, (c = code.size));
      return c;
    });
    xb = Float64Array.from(b.codes, (c) => (c < 0 ? NaN : recode[c]!));
  } else xb = columnNumbers(b);
  testRows.forEach((i, k) => (out[trainRows.length + k] = xb[i]!));
  return out;
}

function numericNote(x: Float64Array, nTrain: number, ks: number | null): string {
  const a = stats(x.subarray(0, nTrain));
  const b = stats(x.subarray(nTrain));
  const sd = a.sd > 0 ? ` (${signed((b.mean - a.mean) / a.sd)} train sd)` : '';
  const ksText = ks === null ? 'KS not defined (no values on one side)' : `KS ${ks.toFixed(3)}`;
  return `${ksText}; mean ${fmt(a.mean)} in train, ${fmt(b.mean)} in test${sd}`;
}

function categoricalNote(a: Column, b: Column, testRows: Int32Array): string {
  if (a.type !== 'categorical' || b.type !== 'categorical') return '';
  const known = new Set(a.levels);
  let unseen = 0;
  let present = 0;
  for (const i of testRows) {
    const c = b.codes[i]!;
    if (c < 0) continue;
    present++;
    if (!known.has(b.levels[c]!)) unseen++;
  }
  const share = present > 0 ? unseen / present : 0;
  return `${(100 * share).toFixed(1)}% of test values are levels the training table does not have`;
}

function stats(v: Float64Array): { mean: number; sd: number } {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const x of v) {
    if (Number.isNaN(x)) continue;
    n++;
    sum += x;
    sq += x * x;
  }
  const mean = n > 0 ? sum / n : NaN;
  return { mean, sd: n > 1 ? Math.sqrt(Math.max(0, (sq - n * mean * mean) / (n - 1))) : NaN };
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'n/a' : Number(v.toPrecision(4)).toString();
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
}
