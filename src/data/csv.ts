import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { decideDecimal, decimalNote, type DecimalDecision, type DecimalMark } from '../serve/csv-records.js';
import { openText, type Encoding, type ResolvedEncoding } from '../serve/decode.js';
import { AutomlError, errorText } from '../util/errors.js';
import { parseDecimalBytes, scanRecords, type RecordSink } from './csv-scan.js';
import { DELIMITERS, type Delimiter } from './delimiters.js';
import { Table, unknownColumn, type Column, type ColumnType } from './table.js';

export { DELIMITERS, type Delimiter } from './delimiters.js';
export { ENCODINGS, parseEncoding, type Encoding } from '../serve/decode.js';
export { decideDecimal, decimalNote, type DecimalDecision, type DecimalMark } from '../serve/csv-records.js';

/** Tokens read as a missing value, compared case-insensitively after trimming spaces. */
export const MISSING_TOKENS: readonly string[] = ['', 'na', 'nan', 'null', '?'];
const missingSet = new Set(MISSING_TOKENS);

export function isMissingToken(s: string): boolean {
  if (s.length === 0) return true;
  const c = s.charCodeAt(0);
  if (c >= 48 && c <= 57) return false; // a digit: the common case in numeric columns
  if (s.length > 4 && c > 32) return false;
  return missingSet.has(s.trim().toLowerCase());
}

const INFINITE = /^\s*[+-]?(?:inf|infinity)\s*$/i;

/**
 * Parses a decimal number as written in a CSV cell. Returns undefined for anything that is not
 * a decimal number (hex, words, dates); ±Infinity for `inf`, `Infinity` or a literal that
 * overflows float64 (`1e999`), which the reader refuses in numeric columns.
 */
export function parseNumber(s: string, decimal: DecimalMark = '.'): number | undefined {
  if (decimal === ',') {
    // `1,5` is read as `1.5`; a point is no decimal mark in such a file (`1.5` is text).
    if (s.includes('.')) return undefined;
    const i = s.indexOf(',');
    if (i >= 0) {
      if (s.includes(',', i + 1)) return undefined;
      s = `${s.slice(0, i)}.${s.slice(i + 1)}`;
    }
  }
  const v = Number(s);
  if (v === v && decimalChars(s)) return v; // Number() checked the syntax; no hex, binary, words
  if (INFINITE.test(s)) return s.trim().startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

/** Only digits, sign, point, exponent and spaces, and at least one digit. */
function decimalChars(s: string): boolean {
  let digit = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digit = true;
    else if (c !== 46 && c !== 43 && c !== 45 && c !== 101 && c !== 69 && c !== 32 && c !== 9) return false;
  }
  return digit;
}

/** Guesses the delimiter from the header line: the most frequent of , \t ; outside quotes. */
export function detectDelimiter(sample: string): Delimiter {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  for (let i = 0; i < sample.length; i++) {
    const ch = sample[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

export interface CsvOptions {
  /** Field delimiter; detected from the header when not given. */
  delimiter?: Delimiter | undefined;
  /** The text's encoding (default UTF-8, or what a byte order mark says). */
  encoding?: Encoding | undefined;
  /** The decimal mark of numbers; detected when not given (see `decideDecimal`). */
  decimal?: DecimalMark | undefined;
}

/** One data record: its fields, the line it starts on (1-based, the header is line 1). */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
  /** The record's text as it stands in the file, without its line ending (with `raw: true`). */
  readonly raw?: string;
}

/**
 * A CSV file opened for streaming: the header is read and checked at open, `records()` streams
 * the data rows once, `sha256` is ready after they have all been read.
 *
 * @example
 * const src = await CsvSource.open('data.csv');
 * for await (const r of src.records()) console.log(r.line, r.fields);
 */
export class CsvSource {
  private hash = createHash('sha256');
  private digest: string | undefined;

  private constructor(
    readonly path: string,
    readonly delimiter: Delimiter,
    /** `\r\n` or `\n`, as the file's header line ends. */
    readonly newline: string,
    readonly header: readonly string[],
    /** The header line as it stands in the file, with its byte order mark if it has one. */
    readonly headerRaw: string,
    private readonly raw: boolean,
    /**
     * About how many data rows the file holds, from its size and the lines of its first block
     * (0 when that cannot tell: a compressed file): the reader's first allocation.
     */
    readonly rowsGuess: number,
    /** How the file is read: its encoding, compression, the decimal mark and how it was decided. */
    readonly format: {
      readonly encoding: ResolvedEncoding;
      readonly given: Encoding | undefined;
      readonly compression: 'gzip' | 'zip' | null;
      readonly entry: string | null;
      readonly decimal: DecimalMark;
      readonly decimalHow: DecimalDecision;
    },
  ) {}

  /** The decimal mark of numbers in this file. */
  get decimal(): DecimalMark {
    return this.format.decimal;
  }

  static async open(path: string, opts: CsvOptions & { raw?: boolean } = {}): Promise<CsvSource> {
    const input = await openText(path, { encoding: opts.encoding });
    await input.close();
    const text = input.head.toString('utf8');
    const bom = input.bom;
    if (text.trim().length === 0) {
      throw new AutomlError(
        'CSV_EMPTY',
        `${path}: the file is empty; a CSV file needs a header line and at least one row`,
      );
    }
    const delimiter = opts.delimiter ?? detectDelimiter(text);
    const { decimal, how } = decideDecimal(text, delimiter, opts.decimal);
    const format = {
      encoding: input.encoding,
      given: opts.encoding,
      compression: input.compression,
      entry: input.entry,
      decimal,
      decimalHow: how,
    };
    const firstBreak = text.search(/\r?\n/);
    const newline = firstBreak >= 0 && text[firstBreak] === '\r' ? '\r\n' : '\n';
    let header: string[] | undefined;
    let headerRaw = '';
    for await (const rec of streamRecords(path, opts.encoding, delimiter, true, undefined)) {
      header = rec.fields;
      headerRaw = rec.raw ?? '';
      break;
    }
    if (!header)
      throw new AutomlError(
        'CSV_EMPTY',
        `${path}: the file is empty; a CSV file needs a header line and at least one row`,
      );
    checkHeader(path, header);
    return new CsvSource(
      path,
      delimiter,
      newline,
      header,
      (bom ? '\uFEFF' : '') + headerRaw,
      opts.raw ?? false,
      input.compression === null ? rowsGuess(path, input.head) : 0,
      format,
    );
  }

  /** The index of a named column, or an error listing the columns there are. */
  indexOf(name: string): number {
    const i = this.header.indexOf(name);
    if (i < 0) throw unknownColumn(name, this.header, this.path);
    return i;
  }

  /** Streams the data records (not the header). Can be called more than once. */
  async *records(): AsyncGenerator<CsvRecord> {
    this.hash = createHash('sha256');
    let first = true;
    let n = 0;
    // The checksum is of the file's bytes as stored; a zip entry's reading skips the rest of its archive.
    const zip = this.format.compression === 'zip';
    const hash = zip ? undefined : this.hash;
    for await (const rec of streamRecords(this.path, this.format.given, this.delimiter, this.raw, hash)) {
      if (first) {
        first = false;
        continue;
      }
      n++;
      yield rec;
    }
    if (n === 0) {
      throw new AutomlError('CSV_NO_ROWS', `${this.path}: the file has a header but no data rows`);
    }
    this.digest = zip ? await hashFile(this.path) : this.hash.digest('hex');
  }

  /**
   * Streams the data records as byte ranges (the fast path of `readCsv`, see csv-scan.ts), with
   * the same empty lines skipped, field counts checked and checksum as `records()`. Returns false,
   * having stopped early, when the file holds quoting that only `records()` reads (or refuses).
   */
  async scan(onRecord: (buf: Buffer, fields: FieldRanges, line: number) => void): Promise<boolean> {
    if (this.raw) throw new RangeError('CsvSource.scan: not with raw: true');
    this.hash = createHash('sha256');
    const zip = this.format.compression === 'zip';
    const hash = zip ? undefined : this.hash;
    const text = await openText(this.path, {
      encoding: this.format.given,
      ...(hash ? { onRawBytes: (c: Buffer) => hash.update(c) } : {}),
    });
    let nextLine = 1;
    let width = -1;
    let n = 0;
    const fields: FieldRanges = { starts: new Int32Array(0), ends: new Int32Array(0), quoted: new Uint8Array(0), n: 0 };
    const sink: RecordSink = {
      record: (buf, starts, ends, quoted, count, breaks) => {
        const line = nextLine;
        nextLine = line + 1 + breaks;
        if (count === 1 && ends[0] === starts[0] && breaks === 0) return; // an empty line
        if (width < 0) {
          width = count; // the header
          return;
        }
        if (count !== width) throw fieldCountError(this.path, line, count, width);
        fields.starts = starts;
        fields.ends = ends;
        fields.quoted = quoted;
        fields.n = count;
        n++;
        onRecord(buf, fields, line);
      },
    };
    let usual: boolean;
    try {
      usual = await scanRecords(text.chunks(), this.delimiter, sink);
    } catch (e) {
      throw csvFailure(this.path, e, 0);
    } finally {
      await text.close();
    }
    if (!usual) return false;
    if (n === 0) {
      throw new AutomlError('CSV_NO_ROWS', `${this.path}: the file has a header but no data rows`);
    }
    this.digest = zip ? await hashFile(this.path) : this.hash.digest('hex');
    return true;
  }

  /** sha256 of the file's bytes, once `records()` has been read to the end. */
  get sha256(): string {
    if (this.digest === undefined) throw new RangeError('CsvSource.sha256: read records() to the end first');
    return this.digest;
  }
}

/** Data rows of a plain file as its first block's lines per byte say, with 3% to spare. */
function rowsGuess(path: string, head: Buffer): number {
  let lines = 0;
  for (let i = head.indexOf(10); i >= 0; i = head.indexOf(10, i + 1)) lines++;
  const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  if (lines < 2 || size === 0) return 0;
  if (head.length >= size) return lines;
  return Math.min(1 << 27, Math.ceil(((size * lines) / head.length) * 1.03));
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function checkHeader(path: string, header: readonly string[]): void {
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name.trim().length === 0) {
      throw new AutomlError(
        'CSV_HEADER_EMPTY_NAME',
        `${path}:1: column ${i + 1} of the header has an empty name; give every column a name`,
      );
    }
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new AutomlError(
        'CSV_HEADER_DUPLICATE',
        `${path}:1: the column name '${name}' appears twice in the header (columns ${prev + 1} and ${i + 1}); rename one of them`,
      );
    }
    seen.set(name, i);
  });
}

/**
 * The records of a file, the header first, each with the line it starts on. csv-parse does the
 * parsing; we count lines and check field counts ourselves, which is faster than its per-record
 * info objects and lets a quoted \r\n count as one line, as a person counts it.
 */
async function* streamRecords(
  path: string,
  encoding: Encoding | undefined,
  delimiter: Delimiter,
  raw: boolean,
  hash: ReturnType<typeof createHash> | undefined,
): AsyncGenerator<CsvRecord> {
  // The text as UTF-8 (decompressed, converted, checked; without its byte order mark).
  const text = await openText(path, { encoding, ...(hash ? { onRawBytes: (c: Buffer) => hash.update(c) } : {}) });
  const input = Readable.from(text.chunks(), { objectMode: false });
  const parser = parse({
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    raw,
  });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let nextLine = 1;
  let width = -1;
  // csv-parse's own line count (used in its syntax errors) counts a quoted \r\n twice.
  let excess = 0;
  try {
    for await (const out of parser as AsyncIterable<string[] | { record: string[]; raw: string }>) {
      const fields = raw ? (out as { record: string[] }).record : (out as string[]);
      const line = nextLine;
      let breaks = 0;
      for (const f of fields) {
        if (f.length > 0 && (f.includes('\n') || f.includes('\r'))) {
          const b = countBreaks(f);
          breaks += b.breaks;
          excess += b.crlf;
        }
      }
      nextLine = line + 1 + breaks;
      if (fields.length === 1 && fields[0] === '' && breaks === 0) continue; // an empty line
      if (width < 0) width = fields.length;
      else if (fields.length !== width) {
        throw fieldCountError(path, line, fields.length, width);
      }
      yield raw ? { fields, line, raw: trimRaw((out as { raw: string }).raw) } : { fields, line };
    }
  } catch (e) {
    throw csvFailure(path, e, excess);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** The fields of one record as byte ranges (see csv-scan.ts's RecordSink). */
export interface FieldRanges {
  starts: Int32Array;
  ends: Int32Array;
  /** 0 unquoted, 1 quoted, 2 quoted with doubled quotes inside. */
  quoted: Uint8Array;
  n: number;
}

/** A field's text from its byte range. */
export function fieldText(buf: Buffer, start: number, end: number, quoted: number): string {
  const s = buf.toString('utf8', start, end);
  return quoted === 2 ? s.replaceAll('""', '"') : s;
}

function fieldCountError(path: string, line: number, count: number, width: number): AutomlError {
  return new AutomlError(
    'CSV_FIELD_COUNT',
    `${path}:${line}: this row has ${count} field${count === 1 ? '' : 's'}, the header has ${width}; every row needs one field per column (quote fields that contain the delimiter)`,
  );
}

/** Line breaks in a field as a person counts them (\r\n, \n or \r), and how many were \r\n. */
function countBreaks(s: string): { breaks: number; crlf: number } {
  let breaks = 0;
  let crlf = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 13) {
      breaks++;
      if (s.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      }
    } else if (c === 10) breaks++;
  }
  return { breaks, crlf };
}

/** csv-parse's raw text carries the skipped empty lines before a record and its line ending. */
function trimRaw(s: string): string {
  let start = 0;
  while (start < s.length && (s[start] === '\n' || s[start] === '\r')) start++;
  let end = s.length;
  if (s[end - 1] === '\n') end--;
  if (s[end - 1] === '\r') end--;
  return s.slice(start, end);
}

function csvFailure(path: string, e: unknown, excessLines: number): Error {
  if (e instanceof AutomlError) return e;
  if (e instanceof CsvError) {
    const err = e as CsvError & { lines?: number; record?: string[] };
    const line = (err.lines ?? 0) - excessLines;
    switch (err.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return new AutomlError(
          'CSV_QUOTE',
          `${path}:${line}: a quoted field is never closed; check the quotes on this line or above`,
        );
      default:
        return new AutomlError('CSV_SYNTAX', `${path}:${line}: ${err.message}`);
    }
  }
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new AutomlError('FILE_NOT_FOUND', `${path}: no such file`);
  return new AutomlError('FILE_UNREADABLE', `${path}: cannot read the file: ${errorText(e)}`);
}

export interface ReadCsvOptions extends CsvOptions {
  /** Force a column's type; the others are inferred. */
  types?: Readonly<Record<string, ColumnType>>;
  /** Read only these columns (in file order); all by default. */
  columns?: readonly string[];
  /** Gets the note on the decimal mark when it was detected or is in doubt (see `decimalNote`). */
  onNote?: (note: string) => void;
}

/**
 * Reads a CSV file into a typed table, streaming: memory beyond the table itself stays bounded
 * whatever the file's size.
 *
 * A column whose non-missing values all parse as finite decimal numbers is numeric
 * (Float64Array, NaN for missing); any other is categorical (codes into its levels, the text as
 * written, -1 for missing). Missing tokens: empty, NA, NaN, null, ? (any case).
 *
 * @example
 * const t = await readCsv('data.csv', { types: { zip: 'categorical' } });
 */
export async function readCsv(path: string, opts: ReadCsvOptions = {}): Promise<Table> {
  const src = await CsvSource.open(path, opts);
  const note = decimalNote(src.format.decimalHow);
  if (note && opts.onNote) opts.onNote(note);
  for (const name of Object.keys(opts.types ?? {})) src.indexOf(name);
  const wanted = opts.columns ? new Set(opts.columns) : undefined;
  for (const name of wanted ?? []) src.indexOf(name);

  const builders: ColumnBuilder[] = [];
  const positions: number[] = [];
  const names = src.header.filter((name) => !wanted || wanted.has(name));
  // The rows guessed, allocated at once (no doubling and copying as the rows come), within
  // INITIAL_BYTES in all: a guess can be far off when the first lines are unlike the rest.
  const capacity = Math.max(1024, Math.min(src.rowsGuess, Math.floor(INITIAL_BYTES / (12 * names.length))));
  src.header.forEach((name, i) => {
    if (wanted && !wanted.has(name)) return;
    builders.push(new ColumnBuilder(name, opts.types?.[name], path, src.decimal, capacity));
    positions.push(i);
  });

  let n = 0;
  // The line each row starts on: test-predictions.csv names rows by it.
  let lines = new Int32Array(1024);
  const addLine = (line: number): void => {
    if (n === lines.length) {
      const grown = new Int32Array(2 * lines.length);
      grown.set(lines);
      lines = grown;
    }
    lines[n] = line;
    n++;
  };
  // The fast path: fields as byte ranges, numbers parsed from the bytes (csv-scan.ts).
  const fast = await src.scan((buf, f, line) => {
    for (let j = 0; j < builders.length; j++) {
      const p = positions[j]!;
      builders[j]!.pushBytes(buf, f.starts[p]!, f.ends[p]!, f.quoted[p]!, n, line);
    }
    addLine(line);
  });
  if (!fast) {
    // Quoting only csv-parse reads (or refuses, naming the line): read the file through it.
    n = 0;
    for (let j = 0; j < builders.length; j++) builders[j] = builders[j]!.fresh();
    for await (const rec of src.records()) {
      const f = rec.fields;
      for (let j = 0; j < builders.length; j++) builders[j]!.push(f[positions[j]!]!, n, rec.line);
      addLine(rec.line);
    }
  }

  const lost = builders.filter((b) => b.lostText).map((b) => b.name);
  if (lost.length > 0) {
    // A column looked numeric for many distinct values, then held text: read it again as text.
    const types: Record<string, ColumnType> = { ...opts.types };
    for (const name of lost) types[name] = 'categorical';
    // The same reading again: the decimal mark as decided, the note said once.
    const { onNote: _, ...rest } = opts;
    return readCsv(path, { ...rest, types, decimal: src.decimal });
  }
  const columns = builders.map((b) => b.finish(n));
  return new Table(columns, n, { path, delimiter: src.delimiter, sha256: src.sha256 }, lines.slice(0, n));
}

/**
 * The first `n` entries: a view when little of the array is left over (the rows were guessed
 * well), else a copy, so that no column holds much memory it does not use.
 */
function fitted<T extends Float64Array | Int32Array>(a: T, n: number): T {
  if (a.length === n) return a;
  return (a.length - n <= a.length / 8 ? a.subarray(0, n) : a.slice(0, n)) as T;
}

/** At most this much is allocated for the columns before the first row is read (float64 and codes). */
const INITIAL_BYTES = 1 << 30;

/** Distinct texts kept per numeric-looking column, so that it can still turn categorical. */
const TEXT_LIMIT = 4096;

class ColumnBuilder {
  private numeric: boolean;
  private values: Float64Array;
  private codes: Int32Array | undefined;
  private dict: Map<string, number> | undefined = new Map();
  private levels: string[] = [];
  private nonFinite: { line: number; text: string } | undefined;
  /** Set when the column turned out categorical after its early texts were dropped. */
  lostText = false;

  constructor(
    readonly name: string,
    private readonly forced: ColumnType | undefined,
    private readonly path: string,
    private readonly decimal: DecimalMark = '.',
    /** Rows to allocate for at first (it grows past them). */
    private readonly capacity = 1024,
  ) {
    this.numeric = forced !== 'categorical';
    this.values = new Float64Array(this.numeric ? capacity : 0);
    this.codes = new Int32Array(capacity);
  }

  /** A builder like this one when it was new. */
  fresh(): ColumnBuilder {
    return new ColumnBuilder(this.name, this.forced, this.path, this.decimal, this.capacity);
  }

  /**
   * A field as a byte range (see `fieldText`): a plain decimal number in a numeric column that
   * no longer keeps its texts is parsed from the bytes; anything else as `push` reads text.
   */
  pushBytes(buf: Buffer, start: number, end: number, quoted: number, row: number, line: number): void {
    if (this.numeric && quoted === 0 && this.dict === undefined) {
      const v = parseDecimalBytes(buf, start, end, this.decimal === ',' ? 44 : 46);
      if (v === v) {
        if (row >= this.values.length) this.grow();
        this.values[row] = v;
        return;
      }
    }
    this.push(fieldText(buf, start, end, quoted), row, line);
  }

  push(s: string, row: number, line: number): void {
    if (this.lostText) return;
    if (row >= (this.numeric ? this.values.length : this.codes!.length)) this.grow();
    if (isMissingToken(s)) {
      if (this.numeric) this.values[row] = NaN;
      if (this.codes) this.codes[row] = -1;
      return;
    }
    if (this.numeric) {
      const v = parseNumber(s, this.decimal);
      if (v === undefined) {
        if (this.forced === 'numeric') {
          throw new AutomlError(
            'CSV_NOT_NUMERIC',
            `${this.path}:${line}: column '${this.name}' is declared numeric but holds '${s}'; fix the value or read the column as categorical`,
          );
        }
        this.toCategorical();
        if (this.lostText) return;
      } else {
        if (!Number.isFinite(v)) {
          this.nonFinite ??= { line, text: s };
          if (this.forced === 'numeric') throw this.nonFiniteError();
        }
        this.values[row] = v;
        if (this.dict) this.codes![row] = this.code(s);
        return;
      }
    }
    this.codes![row] = this.code(s);
  }

  private code(s: string): number {
    let c = this.dict!.get(s);
    if (c === undefined) {
      c = this.levels.length;
      this.levels.push(s);
      this.dict!.set(s, c);
      if (this.numeric && this.levels.length > TEXT_LIMIT) {
        this.dict = undefined;
        this.codes = undefined;
        this.levels = [];
      }
    }
    return c;
  }

  private toCategorical(): void {
    this.numeric = false;
    this.values = new Float64Array(0);
    if (!this.dict) this.lostText = true;
  }

  private grow(): void {
    const cap = Math.max(1024, (this.numeric ? this.values.length : this.codes!.length) * 2);
    if (this.numeric) {
      const v = new Float64Array(cap);
      v.set(this.values);
      this.values = v;
    }
    if (this.codes) {
      const c = new Int32Array(cap);
      c.set(this.codes);
      this.codes = c;
    }
  }

  private nonFiniteError(): AutomlError {
    const nf = this.nonFinite!;
    return new AutomlError(
      'CSV_NOT_FINITE',
      `${this.path}:${nf.line}: column '${this.name}' holds '${nf.text}', which is not a finite number (infinite or beyond float64's range); write it as a finite value, or leave it empty or NA if it is missing`,
    );
  }

  /** The column of the first `n` rows; the builder lets go of its arrays (they are copied). */
  finish(n: number): Column {
    if (this.numeric) {
      if (this.nonFinite) throw this.nonFiniteError();
      const values = fitted(this.values, n);
      this.values = new Float64Array(0);
      if (!this.dict) return { name: this.name, type: 'numeric', values };
      const texts = new Map<number, string>();
      for (const level of this.levels) {
        const v = this.decimal === ',' ? parseNumber(level, ',')! : Number(level);
        if (!texts.has(v)) texts.set(v, level);
      }
      return { name: this.name, type: 'numeric', values, texts };
    }
    const codes = fitted(this.codes!, n);
    this.codes = undefined;
    return { name: this.name, type: 'categorical', codes, levels: this.levels };
  }
}
