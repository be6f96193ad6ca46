/**
 * Column kinds beyond numeric and categorical, detected on a categorical column's values: dates
 * and times (expanded by a `date` feature step) and free text (a `text` step). The search gives
 * each such column its step instead of a categorical encoding.
 *
 * Dates: `iso` when at least {@link MIN_PARSED_SHARE} of the present rows parse as ISO 8601
 * (`2024-03-01`, `2024-03-01T10:30:00Z`, `2024-03-01 10:30+02:00`); `dmy` or `mdy` when they
 * parse as `DD/MM/YYYY` or `MM/DD/YYYY` (also with `.` or `-`) and a value decides which (a
 * first part above 12 is a day: dmy; a second part above 12: mdy). When no value decides,
 * the column stays categorical with a note asking for the format. The grammar is the `date`
 * step's (src/artifact/steps/date.ts).
 *
 * Free text: at least {@link MIN_TEXT_ROWS} present rows, mostly distinct values (distinct
 * values ≥ half the present rows) of several words (at least half the distinct values hold two
 * or more tokens, and a value holds {@link MIN_MEAN_TOKENS} tokens on average), tokens as the
 * `text` step reads them.
 */
import { parseInstant, textTokens } from '../artifact/steps/index.js';
import type { DateStep } from '../artifact/format/features.js';
import { AutomlError } from '../util/errors.js';
import type { Column } from './table.js';

export type DateFormat = DateStep['format'];

/** A column's kind beyond its type, and how to read it. */
export type ColumnKind = { kind: 'date'; format: DateFormat } | { kind: 'text' };

/** The share of present rows that must parse for a column to be read as dates. */
export const MIN_PARSED_SHARE = 0.95;
/** Free text needs at least this many present rows. */
export const MIN_TEXT_ROWS = 10;
/** Free text holds at least this many tokens per value on average. */
export const MIN_MEAN_TOKENS = 3;

/** What `--date-format` says: a format for every column, and per column (`none`: not a date). */
export interface DateFormats {
  all?: DateFormat;
  columns?: Readonly<Record<string, DateFormat | 'none'>>;
}

/** The detected kind of a column, or undefined (plain numeric or categorical), with a note when the user should know why. */
export interface KindResult {
  kind?: ColumnKind;
  note?: string;
}

const FORMAT_NAMES: Readonly<Record<string, DateFormat | 'none'>> = {
  iso: 'iso',
  dmy: 'dmy',
  'dd/mm/yyyy': 'dmy',
  'dd.mm.yyyy': 'dmy',
  'dd-mm-yyyy': 'dmy',
  mdy: 'mdy',
  'mm/dd/yyyy': 'mdy',
  'mm.dd.yyyy': 'mdy',
  'mm-dd-yyyy': 'mdy',
  none: 'none',
};

/**
 * Reads `--date-format` values: `FORMAT` (every date column) or `COL=FORMAT` (one column), the
 * option repeatable. FORMAT: `iso`, `DD/MM/YYYY` (or `dmy`), `MM/DD/YYYY` (or `mdy`), or for one
 * column `none` (keep it categorical). An AutomlError (exit 2) for anything else.
 *
 * @example
 * parseDateFormats(['DD/MM/YYYY', 'shipped=iso']); // { all: 'dmy', columns: { shipped: 'iso' } }
 */
export function parseDateFormats(values: readonly string[]): DateFormats {
  const out: { all?: DateFormat; columns: Record<string, DateFormat | 'none'> } = { columns: {} };
  for (const v of values) {
    const eq = v.lastIndexOf('=');
    const column = eq >= 0 ? v.slice(0, eq) : undefined;
    const name = (eq >= 0 ? v.slice(eq + 1) : v).trim().toLowerCase();
    const format = FORMAT_NAMES[name];
    if (format === undefined || column === '' || (column === undefined && format === 'none'))
      throw new AutomlError(
        'BAD_OPTION',
        `--date-format must be FORMAT or COLUMN=FORMAT, FORMAT one of iso, DD/MM/YYYY, MM/DD/YYYY (or none for one column); got '${v}'`,
      );
    if (column === undefined) out.all = format as DateFormat;
    else out.columns[column] = format;
  }
  return out;
}

/** The present values of a categorical column with their row counts. */
function presentLevels(col: Column): { level: string; count: number }[] {
  if (col.type !== 'categorical') return [];
  const counts = new Int32Array(col.levels.length);
  for (const c of col.codes) if (c >= 0) counts[c]!++;
  const out: { level: string; count: number }[] = [];
  col.levels.forEach((level, i) => {
    if (counts[i]! > 0) out.push({ level, count: counts[i]! });
  });
  return out;
}

/** Rows (weighted by count) whose value parses in `format`. */
function parsedRows(levels: readonly { level: string; count: number }[], format: DateFormat): number {
  let n = 0;
  for (const { level, count } of levels) if (parseInstant(level, format)) n += count;
  return n;
}

/**
 * The kind of a column: a date column (with its format), free text, or neither. Numeric columns
 * are neither. `formats` is what `--date-format` said.
 *
 * @example
 * columnKind(table.column('signup')); // { kind: { kind: 'date', format: 'iso' } }
 * columnKind(table.column('review')); // { kind: { kind: 'text' } }
 */
export function columnKind(col: Column, formats: DateFormats = {}): KindResult {
  if (col.type !== 'categorical') return {};
  const levels = presentLevels(col);
  const present = levels.reduce((s, l) => s + l.count, 0);
  if (present === 0) return {};
  const asked = formats.columns?.[col.name] ?? formats.all;
  const need = Math.ceil(MIN_PARSED_SHARE * present);
  if (asked === 'none') return {};
  if (asked !== undefined) {
    const ok = parsedRows(levels, asked);
    // A format asked for one column applies whatever its values; a global one, to date columns.
    if (formats.columns?.[col.name] !== undefined || ok >= need) {
      const bad = present - ok;
      return {
        kind: { kind: 'date', format: asked },
        ...(bad > 0
          ? { note: `column '${col.name}': ${bad} of ${present} values are not ${asked} dates (read as missing)` }
          : {}),
      };
    }
  }
  const iso = parsedRows(levels, 'iso');
  if (iso >= need) return dateKind(col.name, 'iso', present - iso, present);
  const dmy = parsedRows(levels, 'dmy');
  const mdy = parsedRows(levels, 'mdy');
  let onlyDmy = 0;
  let onlyMdy = 0;
  let either = 0;
  for (const { level, count } of levels) {
    const d = parseInstant(level, 'dmy') !== null;
    const m = parseInstant(level, 'mdy') !== null;
    if (d && !m) onlyDmy++;
    if (m && !d) onlyMdy++;
    if (d || m) either += count;
  }
  if (either >= need) {
    const dOk = dmy >= need && (onlyMdy === 0 || mdy < need);
    const mOk = mdy >= need && (onlyDmy === 0 || dmy < need);
    // A value with a part above 12 decides; without one, both readings are equally good.
    if (dOk && (!mOk || onlyDmy > 0)) return dateKind(col.name, 'dmy', present - dmy, present);
    if (mOk && (!dOk || onlyMdy > 0)) return dateKind(col.name, 'mdy', present - mdy, present);
    const example = levels.find(({ level }) => parseInstant(level, 'dmy') && parseInstant(level, 'mdy'))?.level;
    return {
      note:
        onlyDmy > 0 && onlyMdy > 0
          ? `column '${col.name}': some dates are DD/MM/YYYY and some MM/DD/YYYY, so it is read as categorical; say which with --date-format ${col.name}=DD/MM/YYYY (or MM/DD/YYYY)`
          : `column '${col.name}': dates such as '${example ?? ''}' may be DD/MM/YYYY or MM/DD/YYYY, so it is read as categorical; say which with --date-format ${col.name}=DD/MM/YYYY (or MM/DD/YYYY)`,
    };
  }
  return isFreeText(levels, present) ? { kind: { kind: 'text' } } : {};
}

function dateKind(name: string, format: DateFormat, bad: number, present: number): KindResult {
  return {
    kind: { kind: 'date', format },
    ...(bad > 0
      ? { note: `column '${name}': ${bad} of ${present} values are not ${format} dates (read as missing)` }
      : {}),
  };
}

function isFreeText(levels: readonly { level: string; count: number }[], present: number): boolean {
  if (present < MIN_TEXT_ROWS || 2 * levels.length < present) return false;
  let multiword = 0;
  let tokens = 0;
  for (const { level, count } of levels) {
    const k = textTokens(level).length;
    if (k >= 2) multiword++;
    tokens += k * count;
  }
  return 2 * multiword >= levels.length && tokens >= MIN_MEAN_TOKENS * present;
}
