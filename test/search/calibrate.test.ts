/**
 * fitCalibration on synthetic out-of-fold probabilities (seeded): rows whose true class
 * probabilities are known, a model that says them sharpened (overconfident) or flattened
 * (underconfident), and a model right with certainty on every row.
 */
import { describe, expect, it } from 'vitest';
import { calibrateInPlace } from '../../src/artifact/calibration.js';
import type { Calibration } from '../../src/artifact/format/pipeline.js';
import { calibrated, fitCalibration } from '../../src/search/calibrate.js';
import { Rng } from '../../src/util/random.js';

interface Oof {
  /** The true probabilities, row-major n × K. */
  truth: Float64Array;
  y: Float64Array;
}

/** n rows of K classes: softmax of normal logits (scale `spread`), each row's class drawn from them. */
function rowsOf(n: number, K: number, spread: number, seed: number): Oof {
  const rng = new Rng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const truth = new Float64Array(n * K);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: K }, () => spread * normal());
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, k) => (truth[i * K + k] = v / s));
    let u = rng.next();
    let c = 0;
    while (c < K - 1 && u >= truth[i * K + c]!) u -= truth[i * K + c++]!;
    y[i] = c;
  }
  return { truth, y };
}

/** p^power renormalised per row: power > 1 sharpens (overconfident), < 1 flattens. */
function powered(p: Float64Array, K: number, power: number): Float64Array {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length / K; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += out[i * K + k] = p[i * K + k]! ** power;
    for (let k = 0; k < K; k++) out[i * K + k]! /= s;
  }
  return out;
}

function logloss(p: Float64Array, y: Float64Array, K: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(Math.max(1e-15, p[i * K + y[i]!]!));
  return s / y.length;
}

const lossAfter = (p: Float64Array, y: Float64Array, K: number, c: Calibration): number =>
  logloss(calibrated(p, y.length, K, c), y, K);

describe('fitCalibration', () => {
  it('an overconfident model (true probabilities cubed) gets a temperature near 3, and a lower logloss', () => {
    const K = 3;
    const { truth, y } = rowsOf(3000, K, 1.2, 11);
    const p = powered(truth, K, 3);
    const c = fitCalibration(p, y, K);
    expect(c.kind).toBe('temperature');
    expect(c.temperature).toBeGreaterThan(2.4);
    expect(c.temperature).toBeLessThan(3.7);
    expect(c.floor).toBeGreaterThanOrEqual(1 / (K * (y.length + 2)));
    const before = logloss(p, y, K);
    const after = lossAfter(p, y, K, c);
    expect(after).toBeLessThan(before - 0.05);
    // About as good as the truth itself.
    expect(Math.abs(after - logloss(truth, y, K))).toBeLessThan(0.02);
  });

  it('an underconfident model (true probabilities to the power 0.4) gets a temperature near 0.4, and a lower logloss', () => {
    const K = 4;
    const { truth, y } = rowsOf(3000, K, 2, 12);
    const p = powered(truth, K, 0.4);
    const c = fitCalibration(p, y, K);
    expect(c.temperature).toBeLessThan(0.5);
    expect(c.temperature).toBeGreaterThan(0.32);
    const after = lossAfter(p, y, K, c);
    expect(after).toBeLessThan(logloss(p, y, K) - 0.05);
    expect(Math.abs(after - logloss(truth, y, K))).toBeLessThan(0.02);
  });

  it('a calibrated model (the true probabilities) keeps a temperature near 1', () => {
    const K = 3;
    const { truth, y } = rowsOf(4000, K, 1.5, 13);
    const c = fitCalibration(truth, y, K);
    expect(c.temperature).toBeGreaterThan(0.9);
    expect(c.temperature).toBeLessThan(1.1);
  });

  it('the temperature stays within [1/4, 8] (1/T in [1/8, 4]) however far off the model is', () => {
    const K = 2;
    const { truth, y } = rowsOf(1000, K, 1, 14);
    const hot = fitCalibration(powered(truth, K, 40), y, K);
    expect(hot.temperature).toBeLessThanOrEqual(8);
    expect(hot.temperature).toBeGreaterThan(7.9);
    const cold = fitCalibration(powered(truth, K, 0.01), y, K);
    expect(cold.temperature).toBeGreaterThanOrEqual(0.25);
    expect(cold.temperature).toBeLessThan(0.26);
  });

  it('a model right with certainty on all n rows gets the least floor, 1/(K·(n + 2)), and no class above 1 − (K − 1)·floor', () => {
    for (const [K, n] of [
      [2, 100],
      [3, 250],
      [5, 40],
    ] as const) {
      const y = Float64Array.from({ length: n }, (_, i) => (i * 7) % K);
      const p = new Float64Array(n * K);
      y.forEach((c, i) => (p[i * K + c] = 1));
      const c = fitCalibration(p, y, K);
      const least = 1 / (K * (n + 2));
      // Right on every row: the floor is the rule of succession's bound itself.
      expect(c.floor).toBe(least);
      const q = calibrated(p, n, K, c);
      const top = 1 - (K - 1) * c.floor;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) {
          const v = q[i * K + k]!;
          if (k === y[i]) {
            expect(v).toBeLessThanOrEqual(top + 1e-15);
            expect(v).toBeCloseTo(top, 14);
          } else expect(v).toBeCloseTo(c.floor, 15);
        }
      }
      // On a new row where it is wrong, the logloss is −log(floor), finite.
      const wrong = Float64Array.from({ length: K }, (_, k) => (k === 0 ? 1 : 0));
      calibrateInPlace(wrong, 1, K, c);
      expect(wrong[1]).toBeCloseTo(c.floor, 15);
      expect(-Math.log(wrong[1]!)).toBeLessThan(Math.log(K * (n + 2)) + 1e-6);
    }
  });

  it('a model right on every row but unsure (p = 0.7 on the true class) is sharpened to the bound 1/T = 4, with the least floor', () => {
    const K = 2;
    const n = 200;
    const y = Float64Array.from({ length: n }, (_, i) => i % 2);
    const p = new Float64Array(n * K);
    y.forEach((c, i) => {
      p[i * K + c] = 0.7;
      p[i * K + 1 - c] = 0.3;
    });
    const c = fitCalibration(p, y, K);
    expect(c.temperature).toBeCloseTo(0.25, 5);
    expect(c.floor - 1 / (K * (n + 2))).toBeLessThan(1e-9);
  });

  it('a model with more surprises in its record gets a larger floor than the least', () => {
    const K = 3;
    const { truth, y } = rowsOf(2000, K, 4, 15);
    // Sharp, then a tenth of the rows told the wrong class with near certainty.
    const p = powered(truth, K, 1);
    for (let i = 0; i < y.length; i += 10) {
      const wrongClass = (y[i]! + 1) % K;
      for (let k = 0; k < K; k++) p[i * K + k] = k === wrongClass ? 1 - 2e-9 : 1e-9;
    }
    const c = fitCalibration(p, y, K);
    expect(c.floor).toBeGreaterThan(10 / (K * (y.length + 2)));
    expect(c.floor).toBeLessThanOrEqual(0.1 / K + 1e-9);
    expect(lossAfter(p, y, K, c)).toBeLessThan(logloss(p, y, K));
  });

  it("the fitted logloss is never worse than the uncalibrated one by more than the floor's cost, −log(1 − K·floor)", () => {
    const cases: { name: string; K: number; p: Float64Array; y: Float64Array }[] = [];
    for (const [seed, K, power] of [
      [21, 2, 1],
      [22, 3, 1],
      [23, 3, 2],
      [24, 4, 0.5],
      [25, 5, 1.3],
      [26, 2, 0.8],
    ] as const) {
      const { truth, y } = rowsOf(500 + 100 * (seed % 5), K, 1.5, seed);
      cases.push({ name: `seed ${seed}`, K, p: powered(truth, K, power), y });
    }
    // Near-random predictions, unrelated to the labels.
    const noise = rowsOf(300, 3, 0.3, 27);
    cases.push({ name: 'unrelated', K: 3, p: rowsOf(300, 3, 0.3, 28).truth, y: noise.y });
    // Perfect.
    const yPerfect = Float64Array.from({ length: 60 }, (_, i) => i % 3);
    const perfect = new Float64Array(180);
    yPerfect.forEach((c, i) => (perfect[i * 3 + c] = 1));
    cases.push({ name: 'perfect', K: 3, p: perfect, y: yPerfect });
    for (const { name, K, p, y } of cases) {
      const c = fitCalibration(p, y, K);
      const before = logloss(p, y, K);
      const after = lossAfter(p, y, K, c);
      const cost = -Math.log(1 - K * c.floor);
      expect(after, name).toBeLessThanOrEqual(before + cost + 1e-9);
      // The floor is at least the bound and at most a tenth of a uniform guess.
      expect(c.floor, name).toBeGreaterThanOrEqual(1 / (K * (y.length + 2)));
      expect(c.floor, name).toBeLessThanOrEqual(0.1 / K + 1e-9);
    }
  });

  it('is deterministic and does not change its input', () => {
    const { truth, y } = rowsOf(500, 3, 1, 31);
    const p = powered(truth, 3, 2);
    const copy = Float64Array.from(p);
    const a = fitCalibration(p, y, 3);
    expect(Array.from(p)).toEqual(Array.from(copy));
    expect(fitCalibration(p, y, 3)).toEqual(a);
    const q = calibrated(p, y.length, 3, a);
    expect(Array.from(p)).toEqual(Array.from(copy));
    expect(q).not.toBe(p);
  });
});
