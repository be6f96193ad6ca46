import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/random.js';

describe('Rng', () => {
  it('gives the same stream for the same seed, different streams for nearby seeds', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextUint32()
      )(new Rng(42)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextUint32()
      )(new Rng(42)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextUint32()
      )(new Rng(43)),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('draws uniform floats in [0, 1) and unbiased integers', () => {
    const r = new Rng(123);
    const counts = new Array<number>(10).fill(0);
    let mean = 0;
    let lo = 1;
    let hi = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      mean += x / n;
      counts[r.int(10)]!++;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    // Chi-square with 9 degrees of freedom: 27.9 is its 0.999 quantile.
    const chi = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.9);
  });

  it('shuffles into a permutation, reproducibly', () => {
    const a = new Rng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Rng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i))).toEqual(a);
    expect(a).not.toEqual(Int32Array.from({ length: 50 }, (_, i) => i));
  });

  it('forks independent, reproducible child streams', () => {
    const r = new Rng(9);
    expect(r.fork(1).nextUint32()).toBe(new Rng(9).fork(1).nextUint32());
    expect(r.fork(1).nextUint32()).not.toBe(r.fork(2).nextUint32());
  });

  it('refuses a non-integer seed', () => {
    expect(() => new Rng(1.5)).toThrow(RangeError);
  });
});
