/**
 * Decimal text to the double JavaScript's `Number()` gives, without making a string: the CSV
 * reader calls it with digits read from bytes, the scorer with digits read from a string. Up to
 * 15 significant digits and an exponent within ±22, one correctly rounded operation (Clinger's
 * fast path); 16 to 19 digits, double-double arithmetic rounded once; otherwise (or too near a
 * rounding tie to be sure) undefined, and the caller asks `Number()`. Tested against `Number()`
 * on millions of texts, ties included.
 */

/** Exact powers of ten as doubles (10^22 is the largest one a double holds exactly). */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** 2^(e − 1075) for each biased exponent e: the ulp of a double whose exponent bits are e. */
const ULP = Float64Array.from({ length: 2048 }, (_, e) => 2 ** (e - 1075));

/**
 * (high · 10^d + low) · 10^e10 as the correctly rounded double, for 16 to 19 significant digits
 * (high holds the first 15, low the other d) and |e10| ≤ 22: computed in double-double
 * arithmetic (error below 2^-100 of the value), rounded once; undefined (the caller asks
 * Number()) when the exact value lies too near a rounding boundary to be sure, or at a power of
 * two, where the ulp changes.
 */
function decimalToDouble(high: number, low: number, d: number, e10: number): number | undefined {
  // hi + lo = high · 10^d + low, exactly (Dekker's product, Knuth's sum).
  const p2 = POW10[d]!;
  let hi = high * p2;
  let lo = productError(high, p2, hi);
  const s = hi + low;
  const bb = s - hi;
  lo += hi - (s - bb) + (low - bb);
  hi = s;
  // q + r = (hi + lo) · 10^e10, to about 2^-104 relative.
  let q: number;
  let r: number;
  if (e10 >= 0) {
    const p = POW10[e10]!;
    q = hi * p;
    r = lo * p + productError(hi, p, q);
  } else {
    const p = POW10[-e10]!;
    q = hi / p;
    const qp = q * p;
    r = (hi - qp - productError(q, p, qp) + lo) / p;
  }
  const v = q + r;
  const bv = v - q;
  const rest = q - (v - bv) + (r - bv); // v + rest = q + r exactly
  f64[0] = v;
  const hiBits = u32[1]!;
  if ((hiBits & 0xfffff) === 0 && u32[0] === 0) return undefined;
  const half = ULP[(hiBits >>> 20) & 0x7ff]! / 2;
  if (Math.abs(Math.abs(rest) - half) <= half * 2 ** -20) return undefined;
  return v;
}

/** The rounding error of p = a · b (p the rounded product), exactly: a · b = p + error (Dekker). */
function productError(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * The double of ±(high · 10^(digits − 15) + low) · 10^e10 for `digits` significant digits, high
 * holding the first 15 and low the rest (digits ≤ 15: high holds all, low is 0); undefined when
 * `Number()` must decide.
 */
export function digitsToDouble(high: number, low: number, digits: number, e10: number): number | undefined {
  if (e10 < -22 || e10 > 22) return undefined;
  if (digits <= 15) return e10 < 0 ? high / POW10[-e10]! : high * POW10[e10]!;
  if (digits <= 19) return decimalToDouble(high, low, digits - 15, e10);
  return undefined;
}

/**
 * A plain decimal number's text (`[+-]digits[.digits][e[+-]digits]`, nothing around it) as a
 * double, exactly as `Number(text)`; undefined when the text is not of that form.
 */
export function parseDecimal(text: string): number | undefined {
  const n = text.length;
  if (n > ascii.length) ascii = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return undefined;
    ascii[i] = c;
  }
  const v = decimalFromBytes(ascii, 0, n, 46);
  if (v === undefined) return Number(text);
  return v === v ? v : undefined;
}

/** parseDecimal's text as bytes (a plain decimal number is ASCII). */
let ascii = new Uint8Array(64);

/**
 * A plain decimal number written in the bytes `buf[start, end)` (`[+-]digits[mark digits]
 * [e[+-]digits]`, nothing around it; `mark` the decimal mark's byte), as `Number` reads it once
 * the mark is a point: the number; NaN when the bytes are not such a number; undefined when they
 * are one that `digitsToDouble` does not read exactly (the caller reads the text with `Number`).
 * The CSV reader (src/data/csv-scan.ts) and batch scoring (src/serve/csv-records.ts) share it.
 *
 * @example
 * decimalFromBytes(Buffer.from('-1.25e2'), 0, 7, 46); // -125
 */
export function decimalFromBytes(buf: Uint8Array, start: number, end: number, mark: number): number | undefined {
  let i = start;
  if (i >= end) return NaN;
  let neg = false;
  let c = buf[i]!;
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let high = 0; // the first 15 significant digits
  let low = 0; // the 16th to 19th
  let digits = 0; // significant digits
  let scale = 0; // digits after the mark
  let any = false;
  let point = false;
  for (; i < end; i++) {
    c = buf[i]!;
    if (c >= 48 && c <= 57) {
      any = true;
      if (point) scale++;
      if (high !== 0 || c !== 48) {
        if (digits < 15) high = high * 10 + (c - 48);
        else if (digits < 19) low = low * 10 + (c - 48);
        digits++;
      }
    } else if (c === mark && !point) point = true;
    else break;
  }
  if (!any) return NaN;
  let exp = 0;
  if (i < end && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    let expNeg = false;
    if (i < end && (buf[i] === 45 || buf[i] === 43)) expNeg = buf[i++] === 45;
    const e0 = i;
    for (; i < end && buf[i]! >= 48 && buf[i]! <= 57; i++) if (exp < 100_000) exp = exp * 10 + (buf[i]! - 48);
    if (i === e0) return NaN;
    if (expNeg) exp = -exp;
  }
  if (i !== end) return NaN;
  if (high === 0) return neg ? -0 : 0;
  const v = digitsToDouble(high, low, digits, exp - scale);
  if (v === undefined) return undefined;
  return neg ? -v : v;
}
