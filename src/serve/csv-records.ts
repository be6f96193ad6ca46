/**
 * A CSV reader built for scoring speed: it walks the bytes of each chunk once, finds a record's
 * fields as byte offsets (no string per field), and lets the caller read only the fields it
 * needs, as numbers straight from the bytes or as text. Quoted fields (with delimiters, doubled
 * quotes and line breaks inside), CRLF or LF line ends, a UTF-8 byte order mark, and empty lines
 * (skipped) are handled as the training side's reader handles them. Streams: memory holds one
 * chunk and the unfinished record at its end.
 *
 * Part of the scoring side: it imports nothing but Node's built-ins.
 */
import { decimalFromBytes } from '../artifact/decimal.js';
import { ScoringError } from '../artifact/errors.js';

/**
 * The delimiters the scoring side reads: the same as src/data/delimiters.ts (which it may not
 * import; test/serve/delimiters.test.ts proves the two equal).
 */
export type CsvDelimiter = ',' | '\t' | ';';

/** The decimal mark of numbers: the point (`1.5`), or the comma (`1,5`) many European files use. */
export type DecimalMark = '.' | ',';

/** A field that is a number written with a decimal comma (`1,5`, `-0,25`, `3,1e-4`). */
const COMMA_NUMBER = /^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$/;
/** A field that is a number written with a decimal point (`1.5`, `.5`, `2.`). */
const POINT_NUMBER = /^[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Counts the numbers written with a decimal comma and with a decimal point in the data lines of
 * a sample of the text (the header line, and the last line when the sample cuts it, are left
 * out). Quotes are taken off a field; a quoted delimiter splits it, which a sample can afford.
 */
export function countDecimalMarks(sample: string, delimiter: CsvDelimiter): { comma: number; point: number } {
  const lines = sample.split(/\r?\n|\r/);
  const last = /[\r\n]$/.test(sample) ? lines.length : lines.length - 1;
  let comma = 0;
  let point = 0;
  for (let i = 1; i < last; i++) {
    for (let f of lines[i]!.split(delimiter)) {
      f = f.trim();
      if (f.length > 1 && f.startsWith('"') && f.endsWith('"')) f = f.slice(1, -1).trim();
      if (COMMA_NUMBER.test(f)) comma++;
      else if (POINT_NUMBER.test(f)) point++;
    }
  }
  return { comma, point };
}

/** How the decimal mark was decided, for the note a command prints. */
export type DecimalDecision = 'given' | 'detected' | 'default' | 'mixed';

/**
 * The decimal mark of a file from a sample of its text (training and scoring decide it alike):
 * the one given; else the comma when the delimiter is `;` or tab and the numbers are written
 * `1,5` and never `1.5` ('detected'); else the point ('default'), also when both are written
 * ('mixed': the note says so, `--decimal` decides).
 *
 * @example
 * decideDecimal('a;b\n1,5;2\n', ';', undefined); // { decimal: ',', how: 'detected' }
 */
export function decideDecimal(
  sample: string,
  delimiter: CsvDelimiter,
  given: DecimalMark | undefined,
): { decimal: DecimalMark; how: DecimalDecision } {
  if (given) return { decimal: given, how: 'given' };
  if (delimiter === ',') return { decimal: '.', how: 'default' };
  const { comma, point } = countDecimalMarks(sample, delimiter);
  if (comma > 0 && point === 0) return { decimal: ',', how: 'detected' };
  return { decimal: '.', how: comma > 0 ? 'mixed' : 'default' };
}

/** The note (under 80 columns) a command prints once when the mark was detected or is in doubt. */
export function decimalNote(how: DecimalDecision): string | null {
  if (how === 'detected') return 'note: decimal commas read as numbers (1,5 is 1.5); --decimal . turns it off';
  if (how === 'mixed') return 'note: numbers written both 1,5 and 1.5: read as 1.5 is (--decimal , for 1,5)';
  return null;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Node's Buffer method for a byte range as a one-byte string (not in its type declarations). */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

/** The most frequent of , \t ; in the header line, outside quotes (comma on a tie). */
export function detectDelimiterBytes(buf: Uint8Array): CsvDelimiter {
  let comma = 0;
  let tab = 0;
  let semi = 0;
  let inQuotes = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === LF || c === CR) break;
    else if (c === 44) comma++;
    else if (c === 9) tab++;
    else if (c === 59) semi++;
  }
  if (tab > comma && tab >= semi) return '\t';
  if (semi > comma && semi > tab) return ';';
  return ',';
}

/**
 * One record of the current chunk: field `j` spans bytes `start(j)` to `end(j)` of `buf`. A
 * quoted field's offsets exclude its quotes; `quoted(j)` says whether it had doubled quotes
 * inside, which `text(j)` turns back into single ones.
 */
export class CsvRecord {
  buf: Buffer = Buffer.alloc(0);
  /** The physical line the record starts on (1-based; the header is line 1). */
  line = 0;
  nFields = 0;
  /** start, end per field. */
  bounds: Int32Array;
  /** 1 when the field was quoted and holds doubled quotes. */
  escaped: Uint8Array;
  /** The decimal mark's byte: 46 (`.`) or 44 (`,`). */
  point = 46;

  constructor(capacity: number) {
    this.bounds = new Int32Array(2 * capacity);
    this.escaped = new Uint8Array(capacity);
  }

  grow(): void {
    const b = new Int32Array(this.bounds.length * 2);
    b.set(this.bounds);
    this.bounds = b;
    const e = new Uint8Array(this.escaped.length * 2);
    e.set(this.escaped);
    this.escaped = e;
  }

  /** Field j as text (UTF-8), doubled quotes undone. */
  text(j: number): string {
    const s = this.buf.toString('utf8', this.bounds[2 * j]!, this.bounds[2 * j + 1]!);
    return this.escaped[j] ? s.replace(/""/g, '"') : s;
  }

  /**
   * Field j as a number, read exactly as JavaScript's `Number` reads the text (so exactly as the
   * scorer reads the same value sent as a string), or undefined when it is not a plain decimal
   * number (`[+-]digits[.digits][e[+-]digits]`, spaces around allowed). Text that is not a number
   * (a missing-value token among others) is left to the caller. With the decimal comma, `1,5` is
   * read as `1.5` is, and a number written with a point is NaN (not a number in that file).
   */
  number(j: number): number | undefined {
    const buf = this.buf;
    let i = this.bounds[2 * j]!;
    let end = this.bounds[2 * j + 1]!;
    if (this.escaped[j]) return undefined;
    while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
    while (end > i && (buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
    const mark = this.point;
    const v = decimalFromBytes(buf, i, end, mark);
    if (v === undefined) {
      // A number past the exact reading of digitsToDouble: its text, read by Number.
      const text = (buf as unknown as Latin1Slicer).latin1Slice(i, end);
      return Number(mark === 44 ? text.replace(',', '.') : text);
    }
    if (v === v) return v;
    // Not a number. With the decimal comma, one written with a point is NaN (not a number in that
    // file); anything else is the caller's to judge (a missing-value token, or a mistake).
    return mark === 44 && pointAfterDigits(buf, i, end) ? NaN : undefined;
  }
}

/** Whether buf[i, end) starts as a number (a sign, digits, at most one comma) then has a point. */
function pointAfterDigits(buf: Uint8Array, i: number, end: number): boolean {
  if (buf[i] === 45 || buf[i] === 43) i++;
  let digit = false;
  let comma = false;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) digit = true;
    else if (c === 44 && !comma) comma = true;
    else break;
  }
  return digit && i < end && buf[i] === 46;
}

/**
 * The CSV tokenizer: finds records and their fields in a buffer, keeping what it needs between
 * buffers (the delimiter, the header's field count, the line number). Synchronous, so that a
 * worker thread can run it over a block of whole records.
 */
export class CsvTokenizer {
  /** The delimiter's byte; -1 until the first buffer (detected there unless given). */
  delim: number;
  /** The header's number of fields; -1 until the header record has been read. */
  headerFields = -1;
  /** The physical line the next record starts on (1-based). */
  line = 1;
  /** Whether the last `parse` stopped because `onRecord` asked it to. */
  paused = false;
  private first = true;
  private readonly rec = new CsvRecord(64);

  constructor(
    /** The file's name in messages. */
    readonly source: string,
    delimiter?: CsvDelimiter,
    /** The decimal mark of numbers (default the point). */
    decimal: DecimalMark = '.',
  ) {
    this.delim = delimiter ? delimiter.charCodeAt(0) : -1;
    this.rec.point = decimal.charCodeAt(0);
  }

  get delimiter(): CsvDelimiter {
    return String.fromCharCode(this.delim) as CsvDelimiter;
  }

  /**
   * Calls `onRecord` with each whole record of `buf` from `pos` on (the header first, when it has
   * not been read), reusing one record object. Returns where it stopped: the start of a record
   * not finished in `buf` (unless `final`), the end of `buf`, or, when `onRecord` returned true,
   * the end of that record (`paused` is then true).
   */
  parse(buf: Buffer, pos: number, final: boolean, onRecord: (record: CsvRecord) => boolean | void): number {
    const rec = this.rec;
    rec.buf = buf;
    this.paused = false;
    if (this.first) {
      // The byte order mark and the delimiter are decided on the whole header line: wait for it.
      if (!final && buf.indexOf(LF, pos) < 0 && buf.indexOf(CR, pos) < 0) return pos;
      this.first = false;
      if (pos === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      if (this.delim < 0) this.delim = detectDelimiterBytes(buf.subarray(pos)).charCodeAt(0);
    }
    const delim = this.delim;
    const n = buf.length;
    while (pos < n) {
      const recordStart = pos;
      const recordLine = this.line;
      let f = 0;
      let fieldStart = pos;
      let i = pos;
      let done = false;
      let linesInside = 0;
      // One record: fields up to the line end that is not inside quotes.
      while (true) {
        if (f * 2 + 2 > rec.bounds.length) rec.grow();
        if (i < n && buf[i] === QUOTE) {
          // A quoted field: up to the closing quote (a doubled quote is part of the text).
          let j = i + 1;
          let escaped = 0;
          let closed = false;
          while (j < n) {
            const q = buf.indexOf(QUOTE, j);
            if (q < 0) {
              j = n;
              break;
            }
            for (let k = j; k < q; k++) if (buf[k] === LF) linesInside++;
            if (buf[q + 1] === QUOTE) {
              escaped = 1;
              j = q + 2;
              continue;
            }
            if (q + 1 >= n && !final) {
              j = n; // the closing quote may be a doubled one split across chunks
              break;
            }
            j = q;
            closed = true;
            break;
          }
          if (!closed) {
            if (!final) return recordStart; // the rest of the record is in the next chunk
            throw new ScoringError(
              'CSV_QUOTE',
              `${this.source}:${recordLine}: a quoted field is not closed before the end of the file; close it with a double quote`,
            );
          }
          rec.bounds[2 * f] = i + 1;
          rec.bounds[2 * f + 1] = j;
          rec.escaped[f] = escaped;
          f++;
          i = j + 1;
          if (i >= n) {
            if (!final) return recordStart;
            done = true;
            break;
          }
          const c = buf[i]!;
          if (c === delim) {
            // The next field (at the end of the data: an empty one, read as unquoted below).
            i++;
            fieldStart = i;
            continue;
          }
          if (c === LF || (c === CR && buf[i + 1] === LF) || c === CR) {
            if (c === CR && i + 1 >= n && !final) return recordStart;
            i += c === CR && buf[i + 1] === LF ? 2 : 1;
            this.line++;
            done = true;
            break;
          }
          throw new ScoringError(
            'CSV_QUOTE',
            `${this.source}:${recordLine + linesInside}: text follows the closing quote of a field; quote the whole field, with doubled quotes inside`,
          );
        }
        // An unquoted field: up to the next delimiter or line end.
        let j = i;
        let endOfLine = false;
        while (j < n) {
          const c = buf[j]!;
          if (c === delim) break;
          if (c === LF || c === CR) {
            endOfLine = true;
            break;
          }
          if (c === QUOTE) {
            // As the training side's reader: a quote belongs at the start of a quoted field only.
            throw new ScoringError(
              'CSV_QUOTE',
              `${this.source}:${recordLine + linesInside}: field ${f + 1} holds a double quote but does not start with one; quote the whole field and double the quotes inside it ("12"" pipe")`,
            );
          }
          j++;
        }
        if (j >= n && !final) return recordStart;
        rec.bounds[2 * f] = fieldStart;
        rec.bounds[2 * f + 1] = j;
        rec.escaped[f] = 0;
        f++;
        if (j >= n) {
          i = n;
          done = true;
          break;
        }
        if (endOfLine) {
          if (buf[j] === CR && j + 1 >= n && !final) return recordStart;
          i = j + (buf[j] === CR && buf[j + 1] === LF ? 2 : 1);
          this.line++;
          done = true;
          break;
        }
        i = j + 1;
        fieldStart = i;
      }
      if (!done) break;
      this.line += linesInside;
      pos = i;
      // An empty line is no record.
      if (f === 1 && rec.bounds[0] === rec.bounds[1] && !rec.escaped[0] && buf[recordStart] !== QUOTE) continue;
      rec.nFields = f;
      rec.line = recordLine;
      if (this.headerFields < 0) this.headerFields = f;
      else if (f !== this.headerFields) {
        throw new ScoringError(
          'CSV_FIELD_COUNT',
          `${this.source}:${recordLine}: this row has ${f} field${f === 1 ? '' : 's'}, the header has ${this.headerFields}; every row needs one value per column (quote values that hold the delimiter)`,
        );
      }
      if (onRecord(rec) === true) {
        this.paused = true;
        return pos;
      }
    }
    return pos;
  }
}

/**
 * Streams the records of a CSV: `onHeader` with the header record, then `onRecord` with each data
 * record, the record object reused (read what you need before returning); when `onRecord` returns
 * a promise, reading waits for it. A record whose number of fields differs from the header's is
 * refused naming its line.
 */
export async function readCsvRecords(
  stream: AsyncIterable<Buffer | string>,
  opts: {
    source: string;
    delimiter?: CsvDelimiter;
    /** The decimal mark of numbers (default the point). */
    decimal?: DecimalMark;
    onHeader: (record: CsvRecord, delimiter: CsvDelimiter) => void;
    onRecord: (record: CsvRecord) => void | Promise<void>;
    onBytes?: (bytes: number) => void;
  },
): Promise<void> {
  const tok = new CsvTokenizer(opts.source, opts.delimiter, opts.decimal);
  let header = true;
  let wait: Promise<void> | undefined;
  const onRecord = (rec: CsvRecord): boolean => {
    if (header) {
      header = false;
      opts.onHeader(rec, tok.delimiter);
      return false;
    }
    const r = opts.onRecord(rec);
    if (r) {
      wait = r;
      return true;
    }
    return false;
  };
  const drain = async (buf: Buffer, final: boolean): Promise<number> => {
    let pos = 0;
    while (true) {
      pos = tok.parse(buf, pos, final, onRecord);
      if (!tok.paused) return pos;
      await wait;
    }
  };
  let carry: Buffer | null = null;
  let total = 0;
  let any = false;
  for await (const part of stream) {
    const chunk = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    if (chunk.length === 0) continue;
    any = true;
    total += chunk.length;
    const buf: Buffer = carry && carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const rest = await drain(buf, false);
    carry = rest < buf.length ? buf.subarray(rest) : null;
    opts.onBytes?.(total);
  }
  if (!any) throw new ScoringError('CSV_EMPTY', `${opts.source} is empty; it needs a header line and rows to score`);
  if (carry && carry.length > 0) await drain(carry, true);
  if (header)
    throw new ScoringError('CSV_EMPTY', `${opts.source} has no header line; its first line must name the columns`);
}
