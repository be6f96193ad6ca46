/**
 * Whether a feature is tied to the target exactly rather than statistically: the pattern of a
 * leak that a score alone can miss (a 1:1 relabelling of a many-class target stored as codes
 * splits poorly in a small tree, yet it *is* the target).
 */

export const TARGET_RELATIONS = [
  'copy',
  'one-to-one',
  'monotone',
  'function-of-target',
  'determines-target',
  'near-copy',
  'near-relabelling',
] as const;
/**
 * Exact relations, which hold in every row where both are present:
 * - `copy`: the same values as the target in every row.
 * - `one-to-one`: a relabelling: each target value has one feature value and vice versa.
 * - `monotone`: over mostly distinct target values (a number), the feature rises (or falls)
 *   with the target exactly, as a rescaled or logged copy would.
 * - `function-of-target`: each target value has one feature value (several may share one).
 * - `determines-target`: each feature value has one target value, over values that repeat.
 *
 * Near relations (see {@link nearTargetRelation}), which hold in nearly every row: a copy of the
 * target with a few values changed, or recorded with errors, is a leak all the same.
 * - `near-copy`: the same text as the target in at least {@link NEAR_MIN_SHARE} of the rows.
 * - `near-relabelling`: each of its few distinct values goes with one target value (its commonest)
 *   in at least {@link NEAR_MIN_SHARE} of the rows.
 */
export type TargetRelation = (typeof TARGET_RELATIONS)[number];

/** The relations that hold in nearly every row rather than in every row. */
export type NearTargetRelation = Extract<TargetRelation, `near-${string}`>;

/** A near relation holds when it holds in at least this share of the rows where both are present. */
export const NEAR_MIN_SHARE = 0.95;

/**
 * ... and when it is this much better than guessing the commonest target value in every row:
 * (share − p) / (1 − p) ≥ this, for p the commonest target value's share. Without it a feature
 * would "nearly copy" a target whose one value fills 97% of the rows merely by holding that value.
 */
export const NEAR_MIN_GAIN = 0.8;

/**
 * A near relabelling needs at least this many rows per distinct feature value on average: with
 * few rows per value, any feature "determines" the target by memorising it.
 */
export const NEAR_MIN_ROWS_PER_VALUE = 20;

/** Rows with both values present that a near relation needs before it says anything. */
export const NEAR_MIN_ROWS = 20;

/** A near relation and how strongly it holds. */
export interface NearRelation {
  readonly relation: NearTargetRelation;
  /** Share of the rows with both values present in which it holds (≥ NEAR_MIN_SHARE). */
  readonly share: number;
  /** Distinct feature values over those rows. */
  readonly values: number;
}

/**
 * Rows whose value is shared with another row must make up at least this share for "each value
 * has one partner" to mean anything: when nearly every value is unique it holds trivially.
 */
export const MIN_REPEATED_SHARE = 0.5;

/**
 * The exact relation between a feature and the target over the rows where both are present, or
 * null when there is none. `x` and `y` are numbers (categorical codes, class indices or values;
 * NaN for missing); `sameText(i)` says whether row i holds the same text in both columns, for
 * telling a copy from a relabelling.
 *
 * @example
 * targetRelation(Float64Array.of(5, 5, 7, 7), Float64Array.of(0, 0, 1, 1), () => false); // 'one-to-one'
 */
export function targetRelation(
  x: Float64Array,
  y: Float64Array,
  sameText: (row: number) => boolean,
): TargetRelation | null {
  const rows: number[] = [];
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]) && !Number.isNaN(y[i])) rows.push(i);
  if (rows.length < 2) return null;
  const xOfY = functional(rows, y, x);
  const yOfX = functional(rows, x, y);
  // A constant feature is trivially a function of anything and tells nothing.
  if (xOfY.rangeSize < 2) return null;
  if (xOfY.holds && yOfX.holds && xOfY.meaningful && yOfX.meaningful) {
    return rows.every((i) => sameText(i)) ? 'copy' : 'one-to-one';
  }
  if (xOfY.holds && xOfY.meaningful) return 'function-of-target';
  if (yOfX.holds && yOfX.meaningful && yOfX.rangeSize >= 2) return 'determines-target';
  if (!xOfY.meaningful && monotone(rows, x, y)) return rows.every((i) => sameText(i)) ? 'copy' : 'monotone';
  return null;
}

/**
 * A relation that holds in nearly every row where both are present, or null: `near-copy` when
 * the feature holds the same text as the target in at least {@link NEAR_MIN_SHARE} of them,
 * else `near-relabelling` when it has few distinct values (on average at least
 * {@link NEAR_MIN_ROWS_PER_VALUE} rows each) and each goes with its commonest target value in at
 * least that share. Either must also beat guessing the commonest target value by
 * {@link NEAR_MIN_GAIN}. Meant for features that {@link targetRelation} found no exact relation for.
 *
 * @example
 * // 20 rows of each class; the feature relabels them, wrong in 1 row of 60.
 * const y = Float64Array.from({ length: 60 }, (_, i) => i % 3);
 * const x = y.map((c, i) => (i === 1 ? 7 : [7, 8, 9][c]!));
 * nearTargetRelation(x, y, () => false); // { relation: 'near-relabelling', share: 0.9833…, values: 3 }
 */
export function nearTargetRelation(
  x: Float64Array,
  y: Float64Array,
  sameText: (row: number) => boolean,
): NearRelation | null {
  const rows: number[] = [];
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]) && !Number.isNaN(y[i])) rows.push(i);
  const n = rows.length;
  if (n < NEAR_MIN_ROWS) return null;
  const targetCounts = new Map<number, number>();
  for (const i of rows) targetCounts.set(y[i]!, (targetCounts.get(y[i]!) ?? 0) + 1);
  const commonest = maxOf(targetCounts.values()) / n;
  if (commonest >= 1) return null;
  const gainOf = (share: number): number => (share - commonest) / (1 - commonest);
  const holds = (share: number): boolean => share >= NEAR_MIN_SHARE && gainOf(share) >= NEAR_MIN_GAIN;

  // Texts are compared until too many differ for a near-copy (cheap on a feature unlike the target).
  const maxDiffering = (1 - NEAR_MIN_SHARE) * n;
  let same = 0;
  let differing = 0;
  const distinct = new Set<number>();
  for (const i of rows) {
    if (differing <= maxDiffering) {
      if (sameText(i)) same++;
      else differing++;
    }
    distinct.add(x[i]!);
  }
  const values = distinct.size;
  if (values < 2) return null;
  if (holds(same / n)) return { relation: 'near-copy', share: same / n, values };
  if (values > n / NEAR_MIN_ROWS_PER_VALUE) return null;
  // Per feature value, how often each target value goes with it; each value's commonest one agrees.
  const pairs = new Map<number, Map<number, number>>();
  for (const i of rows) {
    let m = pairs.get(x[i]!);
    if (!m) pairs.set(x[i]!, (m = new Map()));
    m.set(y[i]!, (m.get(y[i]!) ?? 0) + 1);
  }
  let agree = 0;
  for (const m of pairs.values()) agree += maxOf(m.values());
  return holds(agree / n) ? { relation: 'near-relabelling', share: agree / n, values } : null;
}

function maxOf(values: Iterable<number>): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return max;
}

/** Sorted by the target, the feature never falls (or never rises), and equal targets share a value. */
function monotone(rows: number[], x: Float64Array, y: Float64Array): boolean {
  const order = [...rows].sort((a, b) => y[a]! - y[b]! || x[a]! - x[b]!);
  let up = true;
  let down = true;
  for (let k = 1; k < order.length && (up || down); k++) {
    const i = order[k - 1]!;
    const j = order[k]!;
    if (y[i] === y[j] && x[i] !== x[j]) return false;
    if (x[j]! < x[i]!) up = false;
    if (x[j]! > x[i]!) down = false;
  }
  return up || down;
}

interface Functional {
  /** Every value of `from` occurs with a single value of `to`. */
  holds: boolean;
  /** Enough rows share their `from` value with another row for `holds` to say something. */
  meaningful: boolean;
  /** Distinct values of `to`. */
  rangeSize: number;
}

function functional(rows: readonly number[], from: Float64Array, to: Float64Array): Functional {
  const partner = new Map<number, number>();
  const count = new Map<number, number>();
  const range = new Set<number>();
  let holds = true;
  for (const i of rows) {
    const f = from[i]!;
    const t = to[i]!;
    range.add(t);
    const p = partner.get(f);
    if (p === undefined) partner.set(f, t);
    else if (p !== t) holds = false;
    count.set(f, (count.get(f) ?? 0) + 1);
  }
  let repeated = 0;
  for (const c of count.values()) if (c > 1) repeated += c;
  return { holds, meaningful: repeated >= MIN_REPEATED_SHARE * rows.length, rangeSize: range.size };
}
