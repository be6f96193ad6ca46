import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/artifact/decimal.js';
import { cellNumber } from '../../src/artifact/scorer.js';
import { Rng } from '../../src/util/random.js';

const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const MISSING = new Set(['', 'na', 'nan', 'null', '?']);
/** The scorer's reading of a text, as it was defined before the fast path: the regular expression and Number(). */
function reference(v: string): number | null {
  if (DECIMAL.test(v)) {
    const x = Number(v);
    return Number.isFinite(x) ? x : null;
  }
  return MISSING.has(v.trim().toLowerCase()) ? NaN : null;
}

describe('decimal text to double', () => {
  it('parseDecimal equals Number() bit for bit: random doubles printed every way, 16 to 19 digits, near ties', () => {
    const rng = new Rng(11);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    let checked = 0;
    const check = (text: string): void => {
      const got = parseDecimal(text);
      if (!Object.is(got, Number(text))) expect(got, text).toBe(Number(text));
      checked++;
    };
    for (let i = 0; i < 20000; i++) {
      u[0] = Math.floor(rng.next() * 2 ** 32) >>> 0;
      u[1] = (Math.floor(rng.next() * 2 ** 20) | ((1023 + Math.floor(rng.next() * 140) - 70) << 20)) >>> 0;
      const x = f[0]!;
      for (const t of [
        String(x),
        String(-x),
        x.toPrecision(16),
        x.toPrecision(17),
        x.toPrecision(18),
        x.toPrecision(19),
        x.toExponential(18),
        (x * 1000).toFixed(4),
      ])
        check(t);
      // The midpoint between x and its neighbour, printed with 17 to 19 digits: near a tie.
      const mid = x + x * 2 ** -53;
      for (const p of [17, 18, 19]) check(mid.toPrecision(p));
      let digits = '';
      for (let k = 0; k < 16 + (i % 6); k++) digits += String(Math.floor(rng.next() * 10));
      const at = Math.floor(rng.next() * digits.length);
      check(`${digits.slice(0, at)}.${digits.slice(at)}`);
      check(`${digits.slice(0, at)}.${digits.slice(at)}e${Math.floor(rng.next() * 40) - 20}`);
    }
    for (const t of [
      '0',
      '-0',
      '+0',
      '00012.50',
      '.5',
      '5.',
      '1e22',
      '1e23',
      '1e-7',
      '9007199254740993',
      '123456789012345678901234',
      '1E+5',
      '2.2250738585072014e-308',
      '1.7976931348623157e308',
    ])
      check(t);
    expect(checked).toBeGreaterThan(200000);
    for (const t of ['', '.', '+', '-', 'e5', '1e', '1e+', '1.2.3', '0x10', 'Infinity', 'NaN', ' 1', '1 ', '1,5'])
      expect(parseDecimal(t), t).toBeUndefined();
  });

  it('cellNumber reads text exactly as the regular expression and Number() did (spaces, missing tokens, overflow)', () => {
    const rng = new Rng(5);
    const alphabet = ['0', '1', '7', '9', '.', 'e', 'E', '+', '-', ' ', '\t', 'a', 'N', 'x', '\u00a0'];
    for (let i = 0; i < 100000; i++) {
      let t = '';
      const len = Math.floor(rng.next() * 9);
      for (let k = 0; k < len; k++) t += alphabet[Math.floor(rng.next() * alphabet.length)];
      const got = cellNumber(t);
      if (!Object.is(got, reference(t))) expect(got, JSON.stringify(t)).toBe(reference(t));
    }
    expect(cellNumber(' 1.5 ')).toBe(1.5);
    expect(cellNumber('NA')).toBeNaN();
    expect(cellNumber('1e400')).toBeNull();
    expect(cellNumber('155.56646728515625')).toBe(155.56646728515625);
  });
});
