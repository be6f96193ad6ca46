/**
 * No candidate scored twice: the search's variations are drawn again when they repeat a
 * configuration already tried, so the leaderboard never holds one configuration twice.
 */
import { describe, expect, it } from 'vitest';
import { Table, type Column } from '../../src/data/table.js';
import type { FeatureSpec } from '../../src/features/pipeline.js';
import { FAMILIES } from '../../src/models/registry.js';
import { search, type SearchSettings } from '../../src/search/automl.js';
import {
  baselineFeatures,
  candidateKey,
  distinctCandidates,
  freshVariation,
  MAX_REDRAWS,
  mutate,
} from '../../src/search/space.js';
import type { Candidate, CvTask } from '../../src/search/types.js';
import { Rng } from '../../src/util/random.js';

const features = ['a', 'b', 'c', 'd'];

/** A small binary problem: y depends on a and b, with noise; c and d are noise. */
function data(n = 240): { table: Table; task: CvTask } {
  const rng = new Rng(11);
  const cols = features.map((name): Column => ({
    name,
    type: 'numeric',
    values: Float64Array.from({ length: n }, () => rng.next() * 10),
  }));
  const value = (c: number, i: number): number => (cols[c] as { values: Float64Array }).values[i]!;
  const y = Float64Array.from({ length: n }, (_, i) => (value(0, i) + 0.5 * value(1, i) + 3 * rng.next() > 9 ? 1 : 0));
  return { table: new Table(cols, n), task: { kind: 'binary', nClasses: 2, y } };
}

const base: FeatureSpec = baselineFeatures(data(20).table, features, 5);
const glmAt = (lambda: number): Candidate => ({ family: 'glm', params: { lambda }, features: base });

describe('candidateKey: one configuration, one key', () => {
  it("fills in the family's defaults, and reads the feature steps as a set", () => {
    const gbdt = (params: Record<string, unknown>, features: FeatureSpec = base): Candidate => ({
      family: 'gbdt',
      params,
      features,
    });
    expect(candidateKey(gbdt({}))).toBe(candidateKey(gbdt({ ...FAMILIES.gbdt.defaults })));
    const x = { kind: 'interaction' as const, op: 'ratio' as const, columns: ['a', 'b'] as [string, string] };
    const z = { kind: 'interaction' as const, op: 'product' as const, columns: ['c', 'd'] as [string, string] };
    const xz = { ...base, transforms: [...base.transforms, x, z] };
    const zx = { ...base, transforms: [...base.transforms, z, x] };
    expect(candidateKey(gbdt({}, xz))).toBe(candidateKey(gbdt({}, zx)));
    expect(candidateKey(gbdt({}, xz))).not.toBe(candidateKey(gbdt({})));
    expect(candidateKey(gbdt({ numLeaves: 7 }))).not.toBe(candidateKey(gbdt({ numLeaves: 15 })));
    expect(candidateKey(glmAt(1))).not.toBe(candidateKey({ ...glmAt(1), family: 'gbdt' }));
    // The GLM's default penalty written out, or left to the default: the same model.
    expect(candidateKey({ family: 'glm', params: {}, features: base })).toBe(candidateKey(glmAt(1)));
    expect(distinctCandidates([glmAt(1), { family: 'glm', params: {}, features: base }, glmAt(0.01)])).toEqual([
      glmAt(1),
      glmAt(0.01),
    ]);
  });
});

describe('freshVariation: a repeat is drawn again', () => {
  it('the first draw is the plain variation when it is new (a search without repeats is unchanged)', () => {
    const leader = glmAt(0.01);
    const draw = freshVariation(leader, new Rng(5), base, 5, [], new Set([candidateKey(leader)]));
    expect(draw).toEqual(mutate(leader, new Rng(5), base, 5, []));
  });

  it("at the GLM's largest penalty, variations often repeat the leader; fresh ones never do", () => {
    const leader = glmAt(10);
    const tried = new Set([candidateKey(leader)]);
    const plain = Array.from({ length: 40 }, (_, i) => mutate(leader, new Rng(1000 + i), base, 8, []));
    const repeats = plain.filter((c) => tried.has(candidateKey(c))).length;
    expect(repeats).toBeGreaterThan(5); // the penalty clamped back to 10: the leader again
    for (let i = 0; i < 40; i++) {
      const c = freshVariation(leader, new Rng(1000 + i), base, 8, [], tried)!;
      expect(tried.has(candidateKey(c))).toBe(false);
      // Seeded: the same draw again.
      expect(freshVariation(leader, new Rng(1000 + i), base, 8, [], tried)).toEqual(c);
    }
  });

  it(`undefined when ${MAX_REDRAWS} redraws all repeat: the leader's neighbourhood is exhausted`, () => {
    const everything = { has: () => true } as unknown as ReadonlySet<string>;
    expect(freshVariation(glmAt(1), new Rng(1), base, 5, [], everything)).toBeUndefined();
  });
});

describe('search: never scores one configuration twice', () => {
  it('a long run of variations holds each configuration once, the same for a seed', async () => {
    const { table, task } = data();
    const settings: SearchSettings = {
      seed: 42,
      metric: 'logloss',
      validation: 'holdout',
      maxModels: 40,
      interpretability: 8, // no interactions: a small neighbourhood, where repeats are likely
      families: ['glm', 'gbdt'],
      threads: 1,
    };
    const keys: string[] = [];
    const r = await search(table, task, features, settings, {
      // The parameters with the defaults filled in, and the feature steps in words.
      onEntry: (e) =>
        keys.push(`${candidateKey({ family: e.family, params: e.params, features: base })}|${e.features}`),
    });
    expect(r.leaderboard.length).toBeGreaterThan(10);
    const configs = r.leaderboard.map((e) => `${e.family}|${JSON.stringify(e.params)}|${e.features}`);
    expect(new Set(configs).size).toBe(configs.length);
    expect(new Set(keys).size).toBe(keys.length);
    const again = await search(table, task, features, settings);
    expect(again.leaderboard.map((e) => [e.family, e.params, e.score])).toEqual(
      r.leaderboard.map((e) => [e.family, e.params, e.score]),
    );
  }, 120_000);
});
