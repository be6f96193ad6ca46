/**
 * Whether a feature is tied to the target exactly rather than statistically: the pattern of a
 * leak that a score alone can miss (a 1:1 relabelling of a many-class target stored as codes
 * splits poorly in a small tree, yet it *is* the target).
 */

export const TARGET_RELATIONS = ['copy', 'one-to-one', 'monotone', 'function-of-target', 'determines-target'] as const;
/**
 * - `copy`: the same values as the target in every row.
 * - `one-to-one`: a relabelling: each target value has one feature value and vice versa.
 * - `monotone`: over mostly distinct target values (a number), the feature rises (or falls)
 *   with the target exactly, as a rescaled or logged copy would.
 * - `function-of-target`: each target value has one feature value (several may share one).
 * - `determines-target`: each feature value has one target value, over values that repeat.
 */
export type TargetRelation = (typeof TARGET_RELATIONS)[number];

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
export function targetRelation(x: Float64Array, y: Float64Array, sameText: (row: number) => boolean): TargetRelation | null {
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
