/**
 * Columns that give the rows a role rather than a feature (`automl run --weight`, `--fold`; the
 * time column is in time.ts): read and checked here, so that a user's mistake is refused with the
 * column, the file's line and what to do, before anything is fitted.
 */
import { cellText, type Table } from '../data/table.js';
import { AutomlError } from '../util/errors.js';
import { lineOf } from './time.js';

/** Folds the user may give with `--fold`, at least and at most. */
export const USER_FOLDS = { min: 2, max: 20 } as const;

/**
 * The user's folds (`--fold COL`): one fold per distinct label, numbered in the labels' sorted
 * order (numbers by value, text by code point), so fold f validates exactly the rows of the f-th
 * label. `labels` are the column's values per row (numbers, or texts).
 *
 * @example
 * userFolds(['b', 'a', 'b', 'c']).fold; // Int32Array [1, 0, 1, 2]
 */
export function userFolds(labels: readonly (string | number)[]): { fold: Int32Array; labels: string[] } {
  const distinct = [...new Set(labels)].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
  );
  const index = new Map(distinct.map((l, f) => [l, f]));
  return { fold: Int32Array.from(labels, (l) => index.get(l)!), labels: distinct.map(String) };
}

/**
 * The sample weights of these rows of a table, from its numeric column `name` (`--weight`):
 * refused (BAD_OPTION, exit 2) when the column holds text, or a row's weight is missing, negative
 * or infinite (naming the first such row's line), or when every weight is 0 (`what` names the
 * rows in that message: a table to train on, or to be scored, needs some weight).
 *
 * @example
 * sampleWeights(table, 'w', trainRows); // Float64Array, one weight per row given
 */
export function sampleWeights(table: Table, name: string, rows: readonly number[], what = 'the rows'): Float64Array {
  const col = table.column(name);
  const where = table.source?.path ? `${table.source.path}: ` : '';
  if (col.type !== 'numeric') {
    const row = rows.find((r) => col.codes[r]! >= 0 && !Number.isFinite(Number(col.levels[col.codes[r]!])));
    const at = row === undefined ? '' : ` ('${cellText(col, row)}' on line ${lineOf(table, row)})`;
    throw new AutomlError(
      'BAD_OPTION',
      `${where}--weight ${name} holds text${at}; sample weights are numbers >= 0 (write them as numbers)`,
    );
  }
  const out = new Float64Array(rows.length);
  let total = 0;
  rows.forEach((r, j) => {
    const v = col.values[r]!;
    if (!(v >= 0 && v < Infinity))
      throw new AutomlError(
        'BAD_OPTION',
        Number.isNaN(v)
          ? `${where}--weight ${name} is missing on line ${lineOf(table, r)}; every row needs a weight (0 leaves a row out of training)`
          : `${where}--weight ${name} is ${cellText(col, r)} on line ${lineOf(table, r)}; sample weights must be finite and >= 0`,
      );
    out[j] = v;
    total += v;
  });
  if (rows.length > 0 && !(total > 0))
    throw new AutomlError(
      'BAD_OPTION',
      `${where}--weight ${name} is 0 on all of ${what} (${rows.length}); give some rows a positive weight`,
    );
  return out;
}

/**
 * The user's folds of these rows (`--fold`): a fold per distinct value of the column (any values:
 * numbers or text), numbered in sorted order. Refused (BAD_OPTION, exit 2) when a row has no value
 * (naming its line), or the rows hold fewer than 2 or more than 20 distinct values.
 *
 * @example
 * foldColumn(table, 'site', trainRows); // { fold: Int32Array [...], labels: ['a', 'b', 'c'] }
 */
export function foldColumn(
  table: Table,
  name: string,
  rows: readonly number[],
): { fold: Int32Array; labels: string[] } {
  const col = table.column(name);
  const where = table.source?.path ? `${table.source.path}: ` : '';
  const labels = rows.map((r) => {
    const missing = col.type === 'numeric' ? Number.isNaN(col.values[r]!) : col.codes[r]! < 0;
    if (missing)
      throw new AutomlError(
        'BAD_OPTION',
        `${where}--fold ${name} is missing on line ${lineOf(table, r)}; every training row needs a fold label`,
      );
    return col.type === 'numeric' ? col.values[r]! : cellText(col, r);
  });
  const folds = userFolds(labels);
  const k = folds.labels.length;
  if (k < USER_FOLDS.min || k > USER_FOLDS.max)
    throw new AutomlError(
      'BAD_OPTION',
      `${where}--fold ${name} has ${k} distinct value${k === 1 ? '' : 's'} on the training rows; it needs ${USER_FOLDS.min} to ${USER_FOLDS.max} (one fold per value)${k > USER_FOLDS.max ? ': group the values into fewer folds' : ''}`,
    );
  // Numeric labels as first written (`1`, not `1.0`).
  if (col.type === 'numeric') folds.labels = folds.labels.map((l) => col.texts?.get(Number(l)) ?? l);
  return folds;
}
