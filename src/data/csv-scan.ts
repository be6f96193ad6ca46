/**
 * The CSV reader's fast path: records cut straight from the UTF-8 bytes, each field handed on as
 * a byte range (no string per field), so that a numeric cell becomes a float64 without ever being
 * text (`parseDecimalBytes`). It reads what csv-parse reads as `readCsv` configures it (RFC 4180
 * quotes with `""` inside, records ended by \r\n, \n or \r) and gives up, saying so, on anything
 * else (a quote inside an unquoted field, text after a closing quote, a quote never closed):
 * `readCsv` then reads the file again through csv-parse, whose errors name what is wrong.
 */
import { decimalFromBytes } from '../artifact/decimal.js';

/** Receives each record as byte ranges of `buf`: field k is `buf[starts[k], ends[k])`. */
export interface RecordSink {
  /**
   * `quoted[k]`: 0 unquoted, 1 quoted (the range is inside the quotes), 2 quoted with doubled
   * quotes inside (to be undoubled). `breaks`: line breaks inside its quoted fields.
   */
  record(buf: Buffer, starts: Int32Array, ends: Int32Array, quoted: Uint8Array, n: number, breaks: number): void;
}

const INCOMPLETE = -1;
const UNUSUAL = -2;

/**
 * Cuts records from UTF-8 chunks and hands each to `sink` (empty lines too: one empty unquoted
 * field). Returns false, having stopped, at the first thing csv-parse would read differently or
 * refuse.
 */
export async function scanRecords(
  chunks: AsyncIterable<Buffer>,
  delimiter: string,
  sink: RecordSink,
): Promise<boolean> {
  const scanner = new Scanner(delimiter.charCodeAt(0), sink);
  let carry: Buffer | null = null;
  for await (let chunk of chunks) {
    if (carry) {
      // The unfinished record and the chunk's first line, then the rest of the chunk as it is
      // (not the whole chunk copied behind the carry).
      const lf = chunk.indexOf(10);
      const head = Buffer.concat([carry, lf < 0 ? chunk : chunk.subarray(0, lf + 1)]);
      const done = scanner.scan(head, false);
      if (done === UNUSUAL) return false;
      if (lf < 0) chunk = head.subarray(done);
      else if (done === head.length) chunk = chunk.subarray(lf + 1);
      else chunk = Buffer.concat([head.subarray(done), chunk.subarray(lf + 1)]); // a quoted line break
      carry = null;
    }
    const done = scanner.scan(chunk, false);
    if (done === UNUSUAL) return false;
    // The unfinished record is copied: the chunk it lies in may be reused.
    carry = done < chunk.length ? Buffer.from(chunk.subarray(done)) : null;
  }
  if (carry && scanner.scan(carry, true) === UNUSUAL) return false;
  return true;
}

class Scanner {
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private quoted = new Uint8Array(64);
  private n = 0;
  private breaks = 0;

  constructor(
    private readonly delim: number,
    private readonly sink: RecordSink,
  ) {}

  /** Scans whole records of `buf`; returns where the unfinished one starts, or UNUSUAL. */
  scan(buf: Buffer, final: boolean): number {
    let pos = 0;
    while (pos < buf.length) {
      const next = this.record(buf, pos, final);
      if (next === UNUSUAL) return UNUSUAL;
      if (next === INCOMPLETE) return pos;
      this.sink.record(buf, this.starts, this.ends, this.quoted, this.n, this.breaks);
      pos = next;
    }
    return pos;
  }

  private field(start: number, end: number, quoted: number): void {
    if (this.n === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
      this.quoted = grow(this.quoted, (n) => new Uint8Array(n));
    }
    this.starts[this.n] = start;
    this.ends[this.n] = end;
    this.quoted[this.n] = quoted;
    this.n++;
  }

  /** One record from `pos`: returns where the next starts, INCOMPLETE or UNUSUAL. */
  private record(buf: Buffer, pos: number, final: boolean): number {
    const len = buf.length;
    const delim = this.delim;
    this.n = 0;
    this.breaks = 0;
    let i = pos;
    for (;;) {
      let c = 0;
      if (i < len && buf[i] === 34) {
        let j = i + 1;
        let doubled = 0;
        for (;;) {
          if (j >= len) return final ? UNUSUAL : INCOMPLETE; // a quote never closed: csv-parse says so
          c = buf[j]!;
          if (c === 34) {
            if (j + 1 >= len && !final) return INCOMPLETE;
            if (buf[j + 1] === 34) {
              doubled = 1;
              j += 2;
              continue;
            }
            break;
          }
          if (c === 10) this.breaks++;
          else if (c === 13) {
            this.breaks++;
            if (j + 1 >= len && !final) return INCOMPLETE;
            if (buf[j + 1] === 10) j++;
          }
          j++;
        }
        this.field(i + 1, j, 1 + doubled);
        i = j + 1; // past the closing quote
        if (i >= len) return final ? len : INCOMPLETE;
        c = buf[i]!;
        if (c !== delim && c !== 10 && c !== 13) return UNUSUAL; // text after the closing quote
      } else {
        let j = i;
        while (j < len) {
          c = buf[j]!;
          if (c === delim || c === 10 || c === 13) break;
          if (c === 34) return UNUSUAL; // a quote inside an unquoted field
          j++;
        }
        this.field(i, j, 0);
        if (j >= len) return final ? len : INCOMPLETE;
        i = j;
      }
      // buf[i] ends the field: a delimiter, or the record.
      if (c === delim) {
        i++;
        continue;
      }
      if (c === 10) return i + 1;
      if (i + 1 >= len) return final ? i + 1 : INCOMPLETE; // \r: is \n next?
      return buf[i + 1] === 10 ? i + 2 : i + 1;
    }
  }
}

/**
 * A decimal number written in `buf[start, end)` (sign, digits, one decimal mark, an exponent: what
 * `Number` reads once the mark is a point), exactly as `Number` would read it; NaN when the text
 * is anything else (spaces included), or when `digitsToDouble` (src/artifact/decimal.ts, exact up
 * to 19 significant digits and powers of ten up to 22, as the scorer reads numbers) leaves it to
 * `Number`: the text is then read as a string.
 *
 * @example
 * parseDecimalBytes(Buffer.from('-1.25e2'), 0, 7, 46); // -125
 */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number, mark: number): number {
  return decimalFromBytes(buf, start, end, mark) ?? NaN;
}
