import { AutomlError } from '../util/errors.js';

export const COLUMN_TYPES = ['numeric', 'categorical'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A numeric column: float64 values, NaN for missing. */
export interface NumericColumn {
  readonly name: string;
  readonly type: 'numeric';
  readonly values: Float64Array;
  /**
   * The text each distinct value was first written as (`3`, not `3.0`), kept while the column
   * has few distinct values, so that class labels read from a numeric column keep their text.
   */
  readonly texts?: ReadonlyMap<number, string>;
}

/** A categorical column: dictionary codes into `levels` (the text as written), -1 for missing. */
export interface CategoricalColumn {
  readonly name: string;
  readonly type: 'categorical';
  readonly codes: Int32Array;
  readonly levels: readonly string[];
}

export type Column = NumericColumn | CategoricalColumn;

/** Where a table came from, for messages and provenance. */
export interface TableSource {
  /** The file as given by the user. */
  readonly path: string;
  readonly delimiter: string;
  /** sha256 of the file's bytes, hex. */
  readonly sha256: string;
}

/**
 * A table of typed columns, column-major. Immutable once built.
 *
 * @example
 * const t = await readCsv('recipes/hydraulic/hydraulic.csv');
 * t.numeric('psa_bar').values[0]; // 160.67349166666665
 */
export class Table {
  private readonly byName: Map<string, Column>;

  constructor(
    readonly columns: readonly Column[],
    readonly nRows: number,
    readonly source?: TableSource,
    /**
     * The line of its file each row starts on (the header is line 1), as the CSV reader counts
     * them: rows and lines differ after empty lines and quoted line breaks.
     */
    readonly lines?: Int32Array,
  ) {
    this.byName = new Map(columns.map((c) => [c.name, c]));
    if (this.byName.size !== columns.length) throw new RangeError('Table: duplicate column names');
    for (const c of columns) {
      const n = c.type === 'numeric' ? c.values.length : c.codes.length;
      if (n !== nRows) throw new RangeError(`Table: column ${c.name} has ${n} rows, expected ${nRows}`);
    }
    if (lines && lines.length !== nRows) throw new RangeError(`Table: ${lines.length} lines for ${nRows} rows`);
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The column of that name, or an error that lists the columns there are. */
  column(name: string): Column {
    const c = this.byName.get(name);
    if (!c) throw unknownColumn(name, this.names, this.source?.path);
    return c;
  }

  numeric(name: string): NumericColumn {
    const c = this.column(name);
    if (c.type !== 'numeric')
      throw new AutomlError('COLUMN_TYPE', `column '${name}' is categorical, a numeric column is needed here`);
    return c;
  }

  /** A new table with only these columns, in this order. */
  select(names: readonly string[]): Table {
    return new Table(
      names.map((n) => this.column(n)),
      this.nRows,
      this.source,
      this.lines,
    );
  }

  /** A new table with these rows (by index), in this order. */
  take(rows: ArrayLike<number>): Table {
    const cols = this.columns.map((c): Column => {
      if (c.type === 'numeric') {
        const v = new Float64Array(rows.length);
        for (let i = 0; i < rows.length; i++) v[i] = c.values[rows[i]!]!;
        return c.texts
          ? { name: c.name, type: 'numeric', values: v, texts: c.texts }
          : { name: c.name, type: 'numeric', values: v };
      }
      const codes = new Int32Array(rows.length);
      for (let i = 0; i < rows.length; i++) codes[i] = c.codes[rows[i]!]!;
      return { name: c.name, type: 'categorical', codes, levels: c.levels };
    });
    let lines: Int32Array | undefined;
    if (this.lines) {
      lines = new Int32Array(rows.length);
      for (let i = 0; i < rows.length; i++) lines[i] = this.lines[rows[i]!]!;
    }
    return new Table(cols, rows.length, this.source, lines);
  }
}

export function isMissingAt(c: Column, row: number): boolean {
  return c.type === 'numeric' ? Number.isNaN(c.values[row]) : c.codes[row]! < 0;
}

export function missingCount(c: Column): number {
  let n = 0;
  const len = c.type === 'numeric' ? c.values.length : c.codes.length;
  for (let i = 0; i < len; i++) if (isMissingAt(c, i)) n++;
  return n;
}

/** The value of a cell as text: the level, or the number as first written. Empty for missing. */
export function cellText(c: Column, row: number): string {
  if (c.type === 'categorical') {
    const code = c.codes[row]!;
    return code < 0 ? '' : c.levels[code]!;
  }
  const v = c.values[row]!;
  if (Number.isNaN(v)) return '';
  return c.texts?.get(v) ?? String(v);
}

export function unknownColumn(name: string, names: readonly string[], file?: string): AutomlError {
  const where = file ? ` in ${file}` : '';
  const close = names.filter(
    (n) => n.toLowerCase() === name.toLowerCase() || n.toLowerCase().includes(name.toLowerCase()),
  );
  const hint = close.length > 0 ? ` Did you mean ${close.map((n) => `'${n}'`).join(' or ')}?` : '';
  const list = names.length <= 30 ? names.join(', ') : `${names.slice(0, 30).join(', ')}, … (${names.length} in all)`;
  return new AutomlError('UNKNOWN_COLUMN', `no column '${name}'${where}.${hint} The columns are: ${list}`);
}
