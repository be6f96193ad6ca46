/**
 * Time order (`--time-column`): a column that orders the rows in time, read as numbers or as ISO
 * 8601 dates and date-times, and the splits that respect it: the test part is the latest rows,
 * and no fold trains on rows later than the ones it validates.
 *
 * Dates are read here with a small helper of our own (ISO 8601 only: `2024-03-01`,
 * `2024-03-01T12:30`, `2024-03-01 12:30:00Z`, with an optional offset), not the `date` column
 * kind of the data reader: the time column only orders the rows, it is never a feature.
 */
import { cellText, type Column, type Table } from '../data/table.js';
import { AutomlError } from '../util/errors.js';

/** ISO 8601 dates and date-times (a space may stand for the T), with an optional offset or Z. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Milliseconds since 1970 (UTC; a date-time without an offset is read as UTC) of an ISO 8601 date
 * or date-time, or NaN when the text is not one (or not a real day: `2024-02-30`).
 *
 * @example
 * isoTime('2024-03-01'); // 1709251200000
 * isoTime('2024-03-01T12:00:00+01:00'); // 1709290800000
 * isoTime('01/03/2024'); // NaN
 */
export function isoTime(text: string): number {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  // Date.parse reads a date-time without an offset as local time: give it Z to keep runs the
  // same on every machine. Milliseconds: the first three digits of a fraction.
  const ms = fraction === undefined ? '' : `.${fraction.slice(1, 4).padEnd(3, '0')}`;
  const offset = zone === undefined ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const iso = `${y}-${mo}-${d}T${h ?? '00'}:${mi ?? '00'}:${s ?? '00'}${ms}${offset}`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return NaN;
  // Date.parse rolls 2024-02-30 over to March: refuse days that do not exist.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d))
    return NaN;
  return t;
}

/** The line of a table's row in its file (the header is line 1), as the reader recorded it. */
export function lineOf(table: Table, row: number): number {
  const lines = (table as Table & { readonly lines?: ArrayLike<number> }).lines;
  return lines?.[row] ?? row + 2;
}

/**
 * The time of each row of a `--time-column`: its numbers, or its ISO 8601 dates as milliseconds.
 * A missing or unreadable value is refused (AutomlError BAD_OPTION, exit 2) naming the column,
 * the file's line and the value: a row without a time cannot be put in order.
 *
 * @example
 * timeValues(table, 'date'); // Float64Array of ms since 1970
 */
export function timeValues(table: Table, name: string, option = '--time-column'): Float64Array {
  const col: Column = table.column(name);
  const n = table.nRows;
  const where = table.source?.path ? `${table.source.path}: ` : '';
  const out = new Float64Array(n);
  if (col.type === 'numeric') {
    for (let i = 0; i < n; i++) {
      const v = col.values[i]!;
      if (Number.isNaN(v))
        throw new AutomlError(
          'BAD_OPTION',
          `${where}${option} ${name} is missing on line ${lineOf(table, i)}; every row needs a time to be put in order (fill it, or leave the row out)`,
        );
      out[i] = v;
    }
    return out;
  }
  const parsed = col.levels.map(isoTime);
  for (let i = 0; i < n; i++) {
    const code = col.codes[i]!;
    const t = code < 0 ? NaN : parsed[code]!;
    if (Number.isNaN(t))
      throw new AutomlError(
        'BAD_OPTION',
        code < 0
          ? `${where}${option} ${name} is missing on line ${lineOf(table, i)}; every row needs a time to be put in order (fill it, or leave the row out)`
          : `${where}${option} ${name} holds '${cellText(col, i)}' on line ${lineOf(table, i)}: not a number nor an ISO 8601 date (2024-03-01, 2024-03-01T12:30:00); write the times in one of these forms`,
      );
    out[i] = t;
  }
  return out;
}

/** Row indices in time order: by time, ties in row order (a stable order, the same on every run). */
export function timeOrder(times: ArrayLike<number>): number[] {
  return Array.from({ length: times.length }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
}

/**
 * Where to cut `order` (rows in time order) near position `at` so that rows of the same time stay
 * on one side: the start of `at`'s group of equal times, or, when that is the very start, its end
 * (so both sides keep rows); `at` itself when no cut can keep the group whole.
 */
export function cutAt(order: readonly number[], times: ArrayLike<number>, at: number): number {
  const n = order.length;
  if (at <= 0 || at >= n) return at;
  const t = times[order[at]!]!;
  let lo = at;
  while (lo > 0 && times[order[lo - 1]!] === t) lo--;
  if (lo > 0) return lo;
  let hi = at;
  while (hi < n && times[order[hi]!] === t) hi++;
  return hi < n ? hi : at;
}

/**
 * A split in time order: the earliest round(ratio × n) rows train (1), the latest test (0); rows
 * of the time at the cut all go to the test part (or all to the train part when the test part
 * would otherwise be empty). Not stratified: the test part is the future, whatever its classes.
 *
 * @example
 * timeSplit(Float64Array.of(5, 1, 3, 2), 0.75); // Uint8Array [0, 1, 1, 1]
 */
export function timeSplit(times: ArrayLike<number>, ratio: number): Uint8Array {
  if (!(ratio > 0 && ratio < 1)) throw new RangeError(`ratio must be in (0, 1), got ${ratio}`);
  const n = times.length;
  const order = timeOrder(times);
  const cut = cutAt(order, times, Math.round(ratio * n));
  const isTrain = new Uint8Array(n);
  for (let j = 0; j < cut; j++) isTrain[order[j]!] = 1;
  return isTrain;
}
