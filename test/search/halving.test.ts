/**
 * The search loop with successive halving, on worker threads and on this thread. The worker
 * module exists only compiled, so this test loads the built package from dist/ (`npm test` builds
 * before it runs the tests), every module included, so that both runs use the same code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as AutomlModule from '../../src/search/automl.js';
import type { LeaderboardEntry, SearchResult, SearchSettings } from '../../src/search/automl.js';
import type * as CvModule from '../../src/search/cross-validate.js';
import type { Candidate } from '../../src/search/types.js';
import type * as FoldJobModule from '../../src/search/fold-job.js';
import type * as FoldsModule from '../../src/search/folds.js';
import type * as SpaceModule from '../../src/search/space.js';
import type * as RandomModule from '../../src/util/random.js';
import { distDataModules, hydraulicSplit, loadDist as load } from './hydraulic-split.js';

const { search, BATCH_SIZE } = await load<typeof AutomlModule>('src/search/automl.js');
const { assembleCv, crossValidate } = await load<typeof CvModule>('src/search/cross-validate.js');
const { runFold } = await load<typeof FoldJobModule>('src/search/fold-job.js');
const { kFold } = await load<typeof FoldsModule>('src/search/folds.js');
const { baselineFeatures, candidateKey, defaultCandidates, freshVariation } =
  await load<typeof SpaceModule>('src/search/space.js');
const { Rng } = await load<typeof RandomModule>('src/util/random.js');

/** The hydraulic training rows (our 75/25 split, seed 42) with one label as the target. */
async function hydraulic(target: string) {
  // 900 rows: quicker, and on them some variations of the best half lose to the leader's worst fold.
  const d = await hydraulicSplit(await distDataModules(), target, 900);
  return { table: d.train, task: d.task, features: d.features };
}

const d = await hydraulic('stable_y');
/** A fixed ranking, so that interactions are made among known columns. */
const ranking = ['pse_bar', 'psf_bar', 'psa_bar', 'psb_bar', 'psc_bar', 'psd_bar', 'cool_eff_pct', 'vs_vib'];
const settings: SearchSettings = {
  seed: 42,
  metric: 'logloss',
  validation: 3,
  maxModels: 15,
  interpretability: 5,
  families: ['gbdt', 'glm', 'random_forest'],
  ranking,
};

/** What a leaderboard entry must equal between two runs. */
const key = (e: LeaderboardEntry) => ({
  id: e.id,
  family: e.family,
  params: e.params,
  features: e.features,
  status: e.status,
  folds: e.folds,
  plannedFolds: e.plannedFolds,
  score: e.score,
  logloss: e.logloss,
  rounds: e.rounds,
});

/** The leaderboard's words for a candidate's feature steps (as the search writes them). */
function words(c: Candidate): string {
  const steps = c.features.transforms.map(
    (t) => `${t.kind}${'op' in t ? `:${t.op}` : ''}(${'columns' in t ? t.columns.join(',') : t.column})`,
  );
  return [`${c.features.passthrough?.length ?? 0} numeric`, ...steps].join(' + ');
}

describe('search with successive halving (compiled)', () => {
  let two: SearchResult;
  let one: SearchResult;
  beforeAll(async () => {
    two = await search(d.table, d.task, d.features, { ...settings, threads: 2 });
    one = await search(d.table, d.task, d.features, { ...settings, threads: 1 });
  });

  it('gives the same leaderboard on 2 worker threads as on this thread', () => {
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
    expect(two.leaderboard).toHaveLength(15);
    expect(two.leaderboard.map(key)).toEqual(one.leaderboard.map(key));
    expect(two.best.entry.id).toBe(one.best.entry.id);
    expect(Array.from(two.best.cv.oof)).toEqual(Array.from(one.best.cv.oof));
    expect(two.best.cv.foldScores).toEqual(one.best.cv.foldScores);
    expect(two.best.candidate).toEqual(one.best.candidate);
    expect(two.stoppedBy).toBe('max-models');
    expect(one.stoppedBy).toBe('max-models');
  });

  it('lists entries in id order; halved ones have one fold of three; the best is the best scored entry', () => {
    for (const r of [two, one]) {
      const lb = r.leaderboard;
      expect(lb.map((e) => e.id)).toEqual(Array.from({ length: 15 }, (_, i) => i));
      // The defaults (gbdt, glm × 3, random_forest) are scored on every fold.
      expect(lb.slice(0, 5).map((e) => [e.family, e.status, e.folds])).toEqual([
        ['gbdt', 'scored', 3],
        ['glm', 'scored', 3],
        ['glm', 'scored', 3],
        ['glm', 'scored', 3],
        ['random_forest', 'scored', 3],
      ]);
      const halved = lb.filter((e) => e.status === 'halved');
      expect(halved.length).toBeGreaterThanOrEqual(5);
      for (const e of halved) {
        expect(e.id).toBeGreaterThanOrEqual(5);
        expect(e.folds).toBe(1);
        expect(e.plannedFolds).toBe(3);
        expect(Number.isFinite(e.score)).toBe(true);
        expect(e.logloss).toBe(e.score);
        expect(e.rounds).toHaveLength(1);
        expect(e.seconds).toBeGreaterThan(0);
      }
      const scored = lb.filter((e) => e.status === 'scored');
      for (const e of scored) {
        expect(e.folds).toBe(3);
        expect(e.plannedFolds).toBe(3);
      }
      expect(lb.every((e) => e.status === 'scored' || e.status === 'halved')).toBe(true);
      // In each batch of variations, at most half go on to the other folds.
      for (let start = 5; start < 15; start += BATCH_SIZE) {
        const batch = lb.slice(start, start + BATCH_SIZE);
        expect(batch.filter((e) => e.status === 'scored').length).toBeLessThanOrEqual(Math.ceil(batch.length / 2));
      }
      expect(r.best.entry.status).toBe('scored');
      expect(r.best.entry.score).toBe(Math.min(...scored.map((e) => e.score)));
      // The first of the best scores (a tie does not replace the best).
      expect(r.best.entry.id).toBe(scored.find((e) => e.score === r.best.entry.score)!.id);
      expect(r.best.cv.score).toBe(r.best.entry.score);
      expect(r.best.cv.foldScores).toHaveLength(3);
      expect(r.best.entry.score).toBeLessThan(0.2);
    }
  });

  it('halves as described: the better half of a batch on its first fold goes on, if not worse than the leader’s worst fold', async () => {
    const lb = one.leaderboard;
    const spec = baselineFeatures(d.table, d.features, settings.interpretability);
    const fold = kFold(d.table.nRows, 3, settings.seed, d.task.y);
    const rng = new Rng(settings.seed);
    const seedOf = (id: number): number => rng.fork(id).seed;
    const candidates: Candidate[] = defaultCandidates(settings.families!, spec);
    const firstFold = async (id: number): Promise<number> => {
      const out = await runFold(d.table, d.task, fold, { candidate: candidates[id]!, fold: 0, seed: seedOf(id) });
      return assembleCv(d.task, fold, new Map([[0, out]]), 'logloss').score;
    };
    const foldScores = new Map<number, number[]>();
    const leaderFolds = async (id: number): Promise<number[]> => {
      if (!foldScores.has(id)) {
        const cv = await crossValidate(d.table, d.task, candidates[id]!, fold, 'logloss', new Rng(seedOf(id)));
        expect(cv.score).toBe(lb[id]!.score);
        foldScores.set(id, cv.foldScores);
      }
      return foldScores.get(id)!;
    };
    let leader = 0;
    const update = (ids: readonly number[]): void => {
      for (const id of ids) if (lb[id]!.status === 'scored' && lb[id]!.score < lb[leader]!.score) leader = id;
    };
    update([1, 2, 3, 4]);
    let continued = 0;
    let halvedByRank = 0;
    let halvedByLeader = 0;
    // As the search draws them: a variation that repeats a configuration already tried is redrawn.
    const tried = new Set(candidates.slice(0, 5).map(candidateKey));
    for (let start = 5; start < 15; start += BATCH_SIZE) {
      const ids = Array.from({ length: Math.min(BATCH_SIZE, 15 - start) }, (_, i) => start + i);
      for (const id of ids) {
        const draw = freshVariation(
          candidates[leader]!,
          rng.fork(1000 + id),
          spec,
          settings.interpretability,
          ranking,
          tried,
        );
        expect(draw, `a fresh variation for #${id}`).toBeDefined();
        candidates[id] = draw!;
        tried.add(candidateKey(draw!));
        expect(lb[id]!.family).toBe(candidates[leader]!.family);
        expect(lb[id]!.params, `#${id} leader #${leader}`).toEqual(candidates[id]!.params);
        expect(lb[id]!.features).toBe(words(candidates[id]!));
      }
      const worst = Math.max(...(await leaderFolds(leader)));
      const first = new Map<number, number>();
      for (const id of ids) {
        const s = await firstFold(id);
        if (lb[id]!.status === 'halved') expect(s).toBe(lb[id]!.score);
        first.set(id, s);
      }
      const ranked = [...ids].sort((a, b) => first.get(a)! - first.get(b)! || a - b);
      const goOn = ranked.slice(0, Math.ceil(ids.length / 2)).filter((id) => !(worst < first.get(id)!));
      for (const id of ids) expect([id, lb[id]!.status]).toEqual([id, goOn.includes(id) ? 'scored' : 'halved']);
      continued += goOn.length;
      halvedByLeader += Math.ceil(ids.length / 2) - goOn.length;
      halvedByRank += ids.length - Math.ceil(ids.length / 2);
      update(ids);
    }
    // The run exercises both outcomes.
    expect(continued).toBeGreaterThan(0);
    expect(halvedByRank).toBeGreaterThan(0);
    expect(halvedByLeader).toBeGreaterThan(0);
    expect(leader).toBe(one.best.entry.id);
  });

  it("halves nothing with validation 'holdout': every entry is scored on its one fold", async () => {
    const r = await search(d.table, d.task, d.features, {
      ...settings,
      validation: 'holdout',
      maxModels: 9,
      threads: 2,
    });
    expect(r.threads).toBe(2);
    expect(r.leaderboard.map((e) => e.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    for (const e of r.leaderboard) {
      expect(e.status).toBe('scored');
      expect(e.folds).toBe(1);
      expect(e.plannedFolds).toBe(1);
      expect(Number.isFinite(e.score)).toBe(true);
    }
    expect(r.best.entry.score).toBe(Math.min(...r.leaderboard.map((e) => e.score)));
    expect(r.best.cv.foldScores).toEqual([r.best.entry.score]);
    // The holdout is the same on one thread.
    const s = await search(d.table, d.task, d.features, {
      ...settings,
      validation: 'holdout',
      maxModels: 9,
      threads: 1,
    });
    expect(s.leaderboard.map(key)).toEqual(r.leaderboard.map(key));
  });
});
