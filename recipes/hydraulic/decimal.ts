/**
 * Reading one sample's text as a number: a decimal literal, nothing else. The hot path of the
 * recipe (96 million samples in the full archive), so it avoids Number() where it can.
 */

/** The powers of ten that are exact doubles. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * The value of a decimal number's text, exactly as Number() reads it, or NaN when the text is
 * not a finite decimal number: `[+-]digits[.digits]` or `[+-].digits`, with an optional
 * exponent (`1.5e-3`). Refused although Number() takes them: '' and blanks (Number reads 0),
 * surrounding spaces, '0x1f', '0b1', '0o7', 'Infinity', and literals beyond float64's range.
 *
 * Most samples take a fast path that gives the identical double: with at most 15 significant
 * digits the digits form an exact integer m (< 2^53) and, with k ≤ 22 decimals, 10^k is exact
 * too, so m / 10^k is one correctly rounded division, the correctly rounded value of the
 * decimal (Clinger's fast path). Everything else goes through Number(), after the checks.
 *
 * @example
 * parseDecimal('151.47');  // 151.47
 * parseDecimal('-0.5e-3'); // -0.0005
 * parseDecimal('12,5');    // NaN
 * parseDecimal('');        // NaN
 */
export function parseDecimal(t: string): number {
  const n = t.length;
  let i = 0;
  let c = t.charCodeAt(0);
  const negative = c === 45;
  if (negative || c === 43) i = 1;
  let m = 0;
  let significant = 0;
  let decimals = 0;
  let dot = false;
  let digits = false;
  for (; i < n; i++) {
    c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits = true;
      if (m !== 0) significant++;
      if (dot) decimals++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (i === n && digits && significant <= 15 && decimals <= 22) {
    const v = decimals === 0 ? m : m / POW10[decimals]!;
    return negative ? -v : v;
  }
  return checkedNumber(t);
}

/**
 * Number() with what it takes beyond decimal literals refused: it trims blanks (and reads ''
 * as 0), takes 0x/0o/0b integers and Infinity. After those checks, what remains finite is a
 * decimal literal.
 */
function checkedNumber(t: string): number {
  const n = t.length;
  if (n === 0) return NaN;
  const v = +t;
  if (!Number.isFinite(v)) return NaN;
  const first = t.charCodeAt(0);
  const last = t.charCodeAt(n - 1);
  const firstOk = (first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46;
  const lastOk = (last >= 48 && last <= 57) || last === 46;
  if (!firstOk || !lastOk) return NaN;
  if (first === 48 && n > 2) {
    const second = t.charCodeAt(1) | 32;
    if (second === 120 || second === 111 || second === 98) return NaN;
  }
  return v;
}
