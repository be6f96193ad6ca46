/**
 * selectEnsemble on hand-made pools: candidates whose out-of-fold predictions are made here (the
 * selection reads `cv` and `entry`, never the fold models), so that which candidates an ensemble
 * should keep is known: two with complementary errors, one that dominates, a regression.
 */
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../src/metrics/registry.js';
import { calibrated, fitCalibration } from '../../src/search/calibrate.js';
import { ENSEMBLE_BAGS, ensembleRounds, selectEnsemble } from '../../src/search/ensemble.js';
import type { CvTask } from '../../src/search/types.js';
import { Rng } from '../../src/util/random.js';
import { binaryOof, candidate } from './ensemble-pool.js';

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Two models, each sure and right on its own half of the rows and unsure (often wrong) on the other. */
function complementary(n: number, seed: number): { task: CvTask; a: Float64Array; b: Float64Array } {
  const rng = new Rng(seed);
  const y = Float64Array.from({ length: n }, () => rng.int(2));
  const half = Int8Array.from({ length: n }, () => rng.int(2));
  const a = binaryOof(y, (i) => (half[i] ? uniform(rng, 0.75, 0.97) : uniform(rng, 0.25, 0.6)));
  const b = binaryOof(y, (i) => (half[i] ? uniform(rng, 0.25, 0.6) : uniform(rng, 0.75, 0.97)));
  return { task: { kind: 'binary', nClasses: 2, y }, a, b };
}

/** The weighted average of calibrated predictions, and its logloss, computed here. */
function ensembleLogloss(
  task: CvTask,
  parts: { oof: Float64Array; weight: number }[],
): { oof: Float64Array; score: number } {
  const n = task.y.length;
  const out = new Float64Array(n * 2);
  for (const { oof, weight } of parts) {
    const q = calibrated(oof, n, 2, fitCalibration(oof, task.y, 2));
    for (let j = 0; j < out.length; j++) out[j]! += weight * q[j]!;
  }
  return { oof: out, score: METRICS.logloss.compute(task.y, out) };
}

describe('selectEnsemble', () => {
  it('two models with complementary errors: both kept, weights > 0 summing to 1, better than the best alone', () => {
    const { task, a, b } = complementary(600, 1);
    const A = candidate(0, 'gbdt', a, task, 'logloss');
    const B = candidate(1, 'glm', b, task, 'logloss');
    const best = A.cv.score <= B.cv.score ? A : B;
    const s = selectEnsemble([A, B], best, task, 'logloss', 5, new Rng(42).fork(55));
    expect(s.ensembled).toBe(true);
    expect(s.members.map((m) => m.candidate)).toEqual([A, B]); // the pool's order
    for (const m of s.members) {
      expect(m.weight).toBeGreaterThan(0.2);
      // Counts over 8 bags of 20 rounds (accuracy 5), after a vote for each seeded family.
      const votes = ENSEMBLE_BAGS * (ensembleRounds(5) + s.seeded.length);
      expect(Math.abs(m.weight * votes - Math.round(m.weight * votes))).toBeLessThan(1e-9);
    }
    expect(ensembleRounds(5)).toBe(20);
    expect(s.members[0]!.weight + s.members[1]!.weight).toBeCloseTo(1, 14);
    expect(s.score).toBe(s.ensembleScore);
    expect(s.ensembleScore).toBeLessThan(s.singleScore - 0.05);

    // Each candidate calibrated on its own out-of-fold record, as fitCalibration does.
    for (const [c, oof] of [
      [A, a],
      [B, b],
    ] as const) {
      const cal = fitCalibration(oof, task.y, 2);
      expect(s.calibrations.get(c)).toEqual(cal);
      expect(s.members.find((m) => m.candidate === c)!.calibration).toEqual(cal);
    }
    // The scores and the out-of-fold predictions, recomputed here.
    const single = ensembleLogloss(task, [{ oof: best.cv.oof, weight: 1 }]);
    expect(s.singleScore).toBeCloseTo(single.score, 12);
    const mixed = ensembleLogloss(
      task,
      s.members.map((m) => ({ oof: m.candidate.cv.oof, weight: m.weight })),
    );
    expect(s.ensembleScore).toBeCloseTo(mixed.score, 12);
    s.oof.forEach((v, j) => expect(v).toBeCloseTo(mixed.oof[j]!, 14));
    // Calibrating the best alone helps it a little (its raw logloss is higher), not as much as the ensemble.
    expect(s.singleScore).toBeLessThanOrEqual(best.cv.score + 1e-12);
  });

  it('one model that dominates: no ensemble, the best alone with weight 1, its calibrated out-of-fold predictions', () => {
    const rng = new Rng(2);
    const n = 500;
    const y = Float64Array.from({ length: n }, () => rng.int(2));
    const task: CvTask = { kind: 'binary', nClasses: 2, y };
    const strong = binaryOof(y, () => uniform(rng, 0.8, 0.97));
    const weak = binaryOof(y, () => uniform(rng, 0.3, 0.65));
    const weaker = binaryOof(y, () => uniform(rng, 0.2, 0.6));
    const W = candidate(0, 'glm', weak, task, 'logloss');
    const S = candidate(1, 'gbdt', strong, task, 'logloss');
    const V = candidate(2, 'mlp', weaker, task, 'logloss');
    expect(S.cv.score).toBeLessThan(W.cv.score);
    const s = selectEnsemble([W, S, V], S, task, 'logloss', 5, new Rng(7));
    expect(s.ensembled).toBe(false);
    expect(s.members).toHaveLength(1);
    expect(s.members[0]!.candidate).toBe(S);
    expect(s.members[0]!.weight).toBe(1);
    const cal = fitCalibration(strong, y, 2);
    expect(s.members[0]!.calibration).toEqual(cal);
    expect(s.score).toBe(s.singleScore);
    expect(s.singleScore).toBeCloseTo(METRICS.logloss.compute(y, calibrated(strong, n, 2, cal)), 12);
    expect(Array.from(s.oof)).toEqual(Array.from(calibrated(strong, n, 2, cal)));
    // Every candidate was calibrated, the ones left out too.
    expect([...s.calibrations.keys()]).toEqual([W, S, V]);
    expect(s.calibrations.get(V)).toEqual(fitCalibration(weaker, y, 2));
  });

  it('the best is a member even when the pool does not list it; a candidate scored on fewer rows is not', () => {
    const { task, a, b } = complementary(400, 3);
    const A = candidate(0, 'gbdt', a, task, 'logloss');
    const B = candidate(1, 'random_forest', b, task, 'logloss');
    const halved = candidate(
      2,
      'extra_trees',
      a,
      task,
      'logloss',
      Array.from({ length: 200 }, (_, i) => 2 * i),
    );
    const s = selectEnsemble([B, halved], A, task, 'logloss', 5, new Rng(9));
    expect(s.ensembled).toBe(true);
    expect(s.members.map((m) => m.candidate)).toEqual([B, A]); // the pool's members, then the best
    expect(s.calibrations.has(halved)).toBe(false);
    expect(s.members.reduce((x, m) => x + m.weight, 0)).toBeCloseTo(1, 14);
  });

  it('is deterministic for the same generator seed', () => {
    const { task, a, b } = complementary(500, 4);
    const rng = new Rng(5);
    const pool = [
      candidate(0, 'gbdt', a, task, 'logloss'),
      candidate(1, 'glm', b, task, 'logloss'),
      candidate(
        2,
        'mlp',
        binaryOof(task.y, () => uniform(rng, 0.4, 0.9)),
        task,
        'logloss',
      ),
    ];
    const run = (): ReturnType<typeof selectEnsemble> =>
      selectEnsemble(pool, pool[0]!, task, 'logloss', 8, new Rng(42).fork(55));
    const x = run();
    const y = run();
    expect(y.members.map((m) => [m.candidate.entry.id, m.weight, m.calibration])).toEqual(
      x.members.map((m) => [m.candidate.entry.id, m.weight, m.calibration]),
    );
    expect(y.ensembleScore).toBe(x.ensembleScore);
    expect(y.singleScore).toBe(x.singleScore);
    expect(Array.from(y.oof)).toEqual(Array.from(x.oof));
    // Accuracy 8: 30 rounds per bag after the seeded votes, so weights are multiples of 1/(8 × that).
    expect(ensembleRounds(8)).toBe(30);
    expect(y.seeded).toEqual(x.seeded);
    const votes = 8 * (30 + x.seeded.length);
    for (const m of x.members) expect(Math.abs(m.weight * votes - Math.round(m.weight * votes))).toBeLessThan(1e-9);
  });

  it('regression (rmse): no calibrations; two models with complementary errors are averaged', () => {
    const rng = new Rng(6);
    const n = 400;
    const y = Float64Array.from({ length: n }, () => uniform(rng, -5, 5));
    const task: CvTask = { kind: 'regression', nClasses: 1, y };
    const half = Int8Array.from({ length: n }, () => rng.int(2));
    // Each is exact on its half and off by ±2 on the other.
    const a = Float64Array.from(y, (v, i) => (half[i] ? v : v + (rng.int(2) ? 2 : -2)));
    const b = Float64Array.from(y, (v, i) => (half[i] ? v + (rng.int(2) ? 2 : -2) : v));
    const A = candidate(0, 'gbdt', a, task, 'rmse');
    const B = candidate(1, 'glm', b, task, 'rmse');
    const best = A.cv.score <= B.cv.score ? A : B;
    const s = selectEnsemble([A, B], best, task, 'rmse', 5, new Rng(11));
    expect(s.ensembled).toBe(true);
    expect(s.members.map((m) => m.calibration)).toEqual([null, null]);
    expect([...s.calibrations.values()]).toEqual([null, null]);
    expect(s.singleScore).toBe(best.cv.score);
    // The average of an exact and a ±2 prediction is off by 1 at most: rmse well below the single's ~1.41.
    const [wa, wb] = [s.members[0]!.weight, s.members[1]!.weight];
    expect(wa + wb).toBeCloseTo(1, 14);
    const want = Float64Array.from(a, (v, i) => wa * v + wb * b[i]!);
    expect(s.ensembleScore).toBeCloseTo(METRICS.rmse.compute(y, want), 12);
    expect(s.ensembleScore).toBeLessThan(1.05);
    expect(s.singleScore).toBeGreaterThan(1.3);
    expect(Math.abs(wa - 0.5)).toBeLessThan(0.1);
  });
});
