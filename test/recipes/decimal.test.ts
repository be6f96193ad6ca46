import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../recipes/hydraulic/decimal.js';
import { Rng } from '../../src/util/random.js';

/** A random decimal literal: sign, leading zeros, 1–20 digits, a dot anywhere or none, sometimes an exponent. */
function randomDecimal(rng: Rng): string {
  const sign = ['', '', '-', '+'][rng.int(4)]!;
  const zeros = '0'.repeat(rng.int(3) === 0 ? rng.int(4) : 0);
  const len = 1 + rng.int(20);
  let digits = '';
  for (let i = 0; i < len; i++) digits += String(rng.int(10));
  const dot = rng.int(len + 2) - 1;
  let body = zeros + digits;
  if (dot >= 0 && dot <= body.length) body = `${body.slice(0, dot)}.${body.slice(dot)}`;
  if (body === '.') body = '0.';
  const exp = rng.int(8) === 0 ? `${['e', 'E'][rng.int(2)]}${['', '-', '+'][rng.int(3)]}${rng.int(40)}` : '';
  return sign + body + exp;
}

describe('parseDecimal', () => {
  it('gives exactly the double Number() gives, for 200,000 random decimal literals', () => {
    const rng = new Rng(20240447);
    let fast = 0;
    for (let k = 0; k < 200_000; k++) {
      const t = randomDecimal(rng);
      const got = parseDecimal(t);
      if (!Object.is(got, Number(t))) expect.fail(`${t}: ${got} but Number gives ${Number(t)}`);
      if (!/e/i.test(t) && t.replace(/^[+-]?0*\.?0*/, '').replace('.', '').length <= 15) fast++;
    }
    expect(fast).toBeGreaterThan(50_000);
  });

  it('reads the sample forms of the real data exactly', () => {
    for (const t of [
      '151.47',
      '0.00021100000594742596',
      '2411.6',
      '-0.000',
      '0',
      '35.355934143066406',
      '9.8e-05',
      '.5',
      '5.',
    ]) {
      expect(Object.is(parseDecimal(t), Number(t))).toBe(true);
    }
    expect(Object.is(parseDecimal('-0.000'), -0)).toBe(true);
    expect(parseDecimal('123.456')).toBe(123.456);
  });

  it('refuses what is not a finite decimal literal', () => {
    for (const t of [
      '',
      ' ',
      '\t',
      ' 1.5',
      '1.5 ',
      '12,5',
      '1.2.3',
      'abc',
      '1a',
      '1e',
      '.',
      '-',
      '+',
      '0x1F',
      '0b11',
      '0o7',
      'Infinity',
      '-Infinity',
      'NaN',
      '1e999',
      '1_000',
      '١٢',
    ]) {
      expect(parseDecimal(t), JSON.stringify(t)).toBeNaN();
    }
  });
});
