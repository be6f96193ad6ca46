import { AutomlError } from '../util/errors.js';
import { TASKS, type Task } from '../artifact/tasks.js';
import type { Column } from './table.js';

/** What a user may ask for (`--task`, an experiment's `task`): a task, or `auto` to infer it. */
export const TASK_REQUESTS = ['auto', ...TASKS] as const;
export type TaskRequest = (typeof TASK_REQUESTS)[number];

/** A numeric target with integer values and at most this many distinct ones is classification. */
export const MAX_NUMERIC_CLASSES = 20;

export interface TargetInfo {
  readonly task: Task;
  /** Class labels in order (numeric classes ascending, text classes sorted), as written. */
  readonly classes?: readonly string[];
  /** Per row: the class index (classification), or the value (regression); -1 / NaN when missing. */
  readonly y: Float64Array;
  readonly missing: number;
}

/**
 * Decides the task of a target column and encodes it.
 *
 * `auto`: a categorical target is classification; a numeric target whose values are all
 * integers with at most 20 distinct values is classification (so 3, 20, 100 is multiclass);
 * any other numeric target is regression. Binary means exactly two classes.
 *
 * @example
 * inferTarget(table.column('cool_cond_y')).classes; // ['3', '20', '100']
 */
export function inferTarget(col: Column, requested: TaskRequest = 'auto'): TargetInfo {
  const n = col.type === 'numeric' ? col.values.length : col.codes.length;
  if (col.type === 'numeric') {
    const distinct = new Set<number>();
    let allIntegers = true;
    let missing = 0;
    for (const v of col.values) {
      if (Number.isNaN(v)) {
        missing++;
        continue;
      }
      if (!Number.isInteger(v)) allIntegers = false;
      if (distinct.size <= MAX_NUMERIC_CLASSES || requested === 'binary' || requested === 'multiclass') distinct.add(v);
    }
    checkNotAllMissing(col, missing, n);
    const classLike = allIntegers && distinct.size <= MAX_NUMERIC_CLASSES;
    const task =
      requested === 'auto' ? (classLike ? (distinct.size === 2 ? 'binary' : 'multiclass') : 'regression') : requested;
    if (task === 'regression') return { task, y: Float64Array.from(col.values), missing };
    const values = [...distinct].sort((a, b) => a - b);
    const index = new Map(values.map((v, i) => [v, i]));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = col.values[i]!;
      y[i] = Number.isNaN(v) ? -1 : index.get(v)!;
    }
    const classes = values.map((v) => col.texts?.get(v) ?? String(v));
    return { task: checkClassCount(col.name, task, classes.length), classes, y, missing };
  }
  if (requested === 'regression') {
    throw new AutomlError(
      'TARGET_NOT_NUMERIC',
      `target '${col.name}' is categorical (it holds values such as '${col.levels[0] ?? ''}'), so it cannot be a regression target; use --task auto or a classification task`,
    );
  }
  const used = new Uint8Array(col.levels.length);
  let missing = 0;
  for (const c of col.codes) {
    if (c < 0) missing++;
    else used[c] = 1;
  }
  checkNotAllMissing(col, missing, n);
  const present = col.levels.map((l, i) => ({ l, i })).filter(({ i }) => used[i] === 1);
  present.sort((a, b) => (a.l < b.l ? -1 : a.l > b.l ? 1 : 0));
  const remap = new Int32Array(col.levels.length).fill(-1);
  present.forEach(({ i }, k) => (remap[i] = k));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = col.codes[i]!;
    y[i] = c < 0 ? -1 : remap[c]!;
  }
  const classes = present.map(({ l }) => l);
  const task = requested === 'auto' ? (classes.length === 2 ? 'binary' : 'multiclass') : requested;
  return { task: checkClassCount(col.name, task, classes.length), classes, y, missing };
}

function checkNotAllMissing(col: Column, missing: number, n: number): void {
  if (missing === n) {
    throw new AutomlError(
      'TARGET_ALL_MISSING',
      `target '${col.name}' is missing in every row; choose another target column`,
    );
  }
}

function checkClassCount(name: string, task: Task, k: number): Task {
  if (k < 2) {
    throw new AutomlError(
      'TARGET_ONE_CLASS',
      `target '${name}' has only one class; a classification target needs at least two`,
    );
  }
  if (task === 'binary' && k !== 2) {
    throw new AutomlError(
      'TARGET_NOT_BINARY',
      `target '${name}' has ${k} classes, so it is not binary; use --task multiclass or --task auto`,
    );
  }
  return task;
}

/** Why a column is left out of the features automatically: an identifier, or a constant. */
export interface AutoDrop {
  kind: 'id' | 'constant';
  /** In words, for the dashboard, experiment.json and run.log. */
  reason: string;
}

/**
 * An integer-valued column whose values are all distinct is an identifier from this many
 * present values on: with fewer, distinct integers are common in a measurement (20 ages), and
 * only a row counter (below) or an identifier's name tells it apart.
 */
export const MIN_ID_ROWS = 100;

/** A row counter, or a column named as an identifier, is one from this many present values on. */
export const MIN_COUNTER_ROWS = 10;

/** At most this share of an identifier's values may hold a space (more: free text, not codes). */
const MAX_ID_MULTIWORD_SHARE = 0.1;

/**
 * Names that say a column identifies rows: `id`, `customer_id`, `CustomerID`, `order-id`,
 * `uuid`, `guid`, `row_number`, `index`, and pandas' unnamed index column `Unnamed: 0`.
 */
const ID_NAME = /(?:^|[^A-Za-z])(?:id|uuid|guid)$|^(?:index|row|rownum|row[ _]?(?:id|number|no))$|^Unnamed: \d+$/i;
/** `CustomerID`, `orderId`: camel case, so case matters (`paid` is not an identifier). */
const CAMEL_ID_NAME = /[a-z0-9](?:ID|Id)$/;

/** Whether a column's name says it identifies rows (see {@link ID_NAME}). */
export function hasIdName(name: string): boolean {
  const n = name.trim();
  return ID_NAME.test(n) || CAMEL_ID_NAME.test(n);
}

/** Dates and times as written (`2024-03-01`, `2024-03-01T10:00`, `01/03/2024`): distinct, but not identifiers. */
const DATE_LIKE = /^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\S.*)?$|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?:[T ]\S.*)?$/;

/**
 * Whether a column is dropped before the search, and why: a constant (one value in every row, or
 * missing in every row), or an identifier.
 *
 * An identifier is
 * - a categorical column whose present values (at least {@link MIN_COUNTER_ROWS}, and most rows)
 *   are all distinct codes: as a feature every test row's level would be unseen. Values of
 *   several words (free text) and dates are not codes;
 * - an integer-valued numeric column (`7`, `7.0`) whose present values are all distinct and
 *   - step by one from row to row (or nearly: a row counter, the row number, with gaps where rows
 *     were removed: strictly monotone with most steps ±1), from {@link MIN_COUNTER_ROWS} rows;
 *   - or are a shuffled range (a counter after a shuffle: max − min + 1 = count), or the column
 *     is named as an identifier, from {@link MIN_COUNTER_ROWS} rows;
 *   - or, any other all-distinct integers, from {@link MIN_ID_ROWS} rows.
 * Real-valued columns are never identifiers, however distinct their values (a pressure sensor).
 * A column with one value and some missing rows is kept: its missingness may carry signal.
 *
 * @example
 * autoDrop(table.column('customer_id'));  // { kind: 'id', reason: 'an identifier: …' }
 * autoDrop(table.column('psb_bar'));      // undefined (real-valued)
 */
export function autoDrop(col: Column): AutoDrop | undefined {
  const n = col.type === 'numeric' ? col.values.length : col.codes.length;
  if (n === 0) return undefined;
  return col.type === 'numeric' ? numericDrop(col.values, col.name) : categoricalDrop(col.codes, col.levels);
}

function categoricalDrop(codes: Int32Array, levels: readonly string[]): AutoDrop | undefined {
  const n = codes.length;
  const counts = new Int32Array(levels.length);
  let present = 0;
  for (const c of codes) {
    if (c < 0) continue;
    present++;
    counts[c]!++;
  }
  if (present === 0) return { kind: 'constant', reason: `missing in every row (${n})` };
  let distinct = 0;
  let repeated = false;
  let multiword = 0;
  let dates = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! === 0) continue;
    distinct++;
    if (counts[i]! > 1) repeated = true;
    const level = levels[i]!.trim();
    if (DATE_LIKE.test(level)) dates++;
    else if (/\S\s+\S/.test(level)) multiword++;
  }
  if (distinct === 1 && present === n) {
    const only = levels[counts.findIndex((k) => k > 0)]!;
    return { kind: 'constant', reason: `constant: '${shorten(only)}' in every row` };
  }
  if (
    !repeated &&
    present >= MIN_COUNTER_ROWS &&
    2 * present > n &&
    multiword <= MAX_ID_MULTIWORD_SHARE * distinct &&
    dates <= MAX_ID_MULTIWORD_SHARE * distinct
  ) {
    return {
      kind: 'id',
      reason: `an identifier: all ${present} values are distinct, so every new row's would be unseen`,
    };
  }
  return undefined;
}

function numericDrop(values: Float64Array, name: string): AutoDrop | undefined {
  const n = values.length;
  // One pass without allocating: most columns are decided by it (real values, small ranges).
  let m = 0;
  let integers = true;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    m++;
    if (integers && !Number.isInteger(v)) integers = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (m === 0) return { kind: 'constant', reason: `missing in every row (${n})` };
  if (min === max) return m === n ? { kind: 'constant', reason: `constant: ${String(min)} in every row` } : undefined;
  // Fewer integers in the range than values: some repeat (ages, counts).
  if (!integers || m < MIN_COUNTER_ROWS || 2 * m <= n || max - min + 1 < m) return undefined;
  const present = new Float64Array(m);
  let k = 0;
  for (const v of values) if (!Number.isNaN(v)) present[k++] = v;
  const sorted = present.slice().sort();
  for (let i = 1; i < m; i++) if (sorted[i] === sorted[i - 1]) return undefined;
  // All distinct integers. A counter: strictly monotone in row order, most steps ±1.
  let up = 0;
  let down = 0;
  let unit = 0;
  for (let i = 1; i < m; i++) {
    const step = present[i]! - present[i - 1]!;
    if (step > 0) up++;
    else down++;
    if (Math.abs(step) === 1) unit++;
  }
  const steps = m - 1;
  if ((up === steps || down === steps) && unit >= 0.9 * steps)
    return {
      kind: 'id',
      reason: `a row counter: ${up === steps ? 'rises' : 'falls'} by ${unit === steps ? 'one' : 'about one'} from row to row (${fmtInt(present[0]!)} to ${fmtInt(present[m - 1]!)})`,
    };
  if (max - min + 1 === m)
    return { kind: 'id', reason: `an identifier: the distinct integers ${fmtInt(min)} to ${fmtInt(max)}, shuffled` };
  if (hasIdName(name))
    return { kind: 'id', reason: `an identifier: named so, and all ${m} values are distinct integers` };
  if (m >= MIN_ID_ROWS) return { kind: 'id', reason: `an identifier: all ${m} values are distinct integers` };
  return undefined;
}

/** An integer as a person reads it in a reason (no exponent up to 2^53). */
function fmtInt(v: number): string {
  return Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
