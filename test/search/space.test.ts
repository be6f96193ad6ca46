import { describe, expect, it } from 'vitest';
import { Table, type Column } from '../../src/data/table.js';
import type { FeatureSpec } from '../../src/features/pipeline.js';
import type { InteractionRequest, TransformRequest } from '../../src/features/types.js';
import type { FamilyName } from '../../src/models/registry.js';
import type { Candidate } from '../../src/search/types.js';
import { baselineFeatures, mutate } from '../../src/search/space.js';
import { FAMILIES } from '../../src/models/registry.js';
import { Rng } from '../../src/util/random.js';

/** Ten numeric columns n0…n9 and one categorical column, as the search's baseline spec sees them. */
const numeric = Array.from({ length: 10 }, (_, i) => `n${i}`);
function table(): Table {
  const n = 20;
  const columns: Column[] = [
    ...numeric.map((name, i): Column => ({
      name,
      type: 'numeric',
      values: Float64Array.from({ length: n }, (_, r) => r * (i + 1)),
    })),
    {
      name: 'cat',
      type: 'categorical',
      codes: Int32Array.from({ length: n }, (_, r) => r % 3),
      levels: ['a', 'b', 'c'],
    },
  ];
  return new Table(columns, n);
}
const base: FeatureSpec = baselineFeatures(table(), [...numeric, 'cat'], 5);
/** Strongest first; the categorical column and an unknown name are not interaction material. */
const ranking = ['n7', 'cat', 'n3', 'n9', 'zzz', 'n0', 'n5', 'n2', 'n8', 'n1'];
/** The first six ranked numeric features. */
const pool = ['n7', 'n3', 'n9', 'n0', 'n5', 'n2'];

const start = (family: FamilyName, params: Record<string, unknown> = {}): Candidate => ({
  family,
  params,
  features: base,
});
const interactions = (c: Candidate): InteractionRequest[] =>
  c.features.transforms.filter((t): t is InteractionRequest => t.kind === 'interaction');
const yeoColumns = (c: Candidate): string[] =>
  c.features.transforms.flatMap((t) => (t.kind === 'yeo_johnson' ? [t.column] : []));
const others = (ts: readonly TransformRequest[]): TransformRequest[] =>
  ts.filter((t) => t.kind !== 'interaction' && t.kind !== 'yeo_johnson');

/** A chain of mutations, each of the one before, from `c`. */
function chain(
  c: Candidate,
  seed: number,
  steps: number,
  interpretability = 5,
  rank: readonly string[] = ranking,
): Candidate[] {
  const out: Candidate[] = [];
  let cur = c;
  for (let s = 0; s < steps; s++) {
    cur = mutate(cur, new Rng(seed * 1000 + s), base, interpretability, rank);
    out.push(cur);
  }
  return out;
}

describe('the search space: mutate', () => {
  it('the baseline spec passes the numeric columns through and encodes the categorical one', () => {
    expect(base.passthrough).toEqual(numeric);
    expect(base.transforms).toEqual([
      { kind: 'one_hot', column: 'cat', maxLevels: 16 },
      { kind: 'frequency', column: 'cat' },
    ]);
  });

  it('is deterministic for a seed, and seeds differ', () => {
    const seen = new Set<string>();
    for (const family of ['gbdt', 'glm', 'random_forest', 'mlp'] as const) {
      for (let seed = 0; seed < 40; seed++) {
        const a = mutate(start(family), new Rng(seed), base, 5, ranking);
        const b = mutate(start(family), new Rng(seed), base, 5, ranking);
        expect(b).toEqual(a);
        expect(a.family).toBe(family);
        seen.add(JSON.stringify(a));
      }
    }
    expect(seen.size).toBeGreaterThan(120);
    // A chain too.
    expect(chain(start('gbdt'), 3, 30)).toEqual(chain(start('gbdt'), 3, 30));
    // The candidate mutated is left as it was.
    const c = start('gbdt', { nRounds: 100 });
    const copy = JSON.parse(JSON.stringify(c)) as Candidate;
    for (let seed = 0; seed < 50; seed++) mutate(c, new Rng(seed), base, 5, ranking);
    expect(c).toEqual(copy);
  });

  it('makes interactions only among the six strongest ranked numeric features, at most four', () => {
    const pairs = new Set<string>();
    const used = new Set<string>();
    const ops = new Set<string>();
    let maxCount = 0;
    let removals = 0;
    for (let seed = 0; seed < 40; seed++) {
      let before = 0;
      for (const c of chain(start('gbdt'), seed, 40)) {
        const xs = interactions(c);
        expect(xs.length).toBeLessThanOrEqual(4);
        if (xs.length < before) removals++;
        before = xs.length;
        maxCount = Math.max(maxCount, xs.length);
        for (const t of xs) {
          expect(pool).toContain(t.columns[0]);
          expect(pool).toContain(t.columns[1]);
          expect(t.columns[0]).not.toBe(t.columns[1]);
          expect(['ratio', 'difference', 'product']).toContain(t.op);
          pairs.add(`${t.op}:${t.columns.join(',')}`);
          t.columns.forEach((col) => used.add(col));
          ops.add(t.op);
        }
        // No interaction twice in one candidate.
        expect(new Set(xs.map((t) => `${t.op}:${t.columns.join(',')}`)).size).toBe(xs.length);
        // A tree model's inputs are never transformed: the numeric columns stay as they are.
        expect(c.features.passthrough).toEqual(numeric);
        expect(yeoColumns(c)).toEqual([]);
        expect(others(c.features.transforms)).toEqual(base.transforms);
      }
    }
    expect(maxCount).toBe(4);
    expect(removals).toBeGreaterThan(0);
    expect([...used].sort()).toEqual([...pool].sort());
    expect([...ops].sort()).toEqual(['difference', 'product', 'ratio']);
    expect(pairs.size).toBeGreaterThan(30);
  });

  it('fills the interaction pool from the unranked numeric columns, in table order, when fewer than six are ranked', () => {
    const used = new Set<string>();
    for (let seed = 0; seed < 30; seed++)
      for (const c of chain(start('gbdt'), seed, 30, 5, ['n9', 'cat', 'n4']))
        for (const t of interactions(c)) t.columns.forEach((col) => used.add(col));
    expect([...used].sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n9']);
    // No ranking: the first six numeric columns.
    used.clear();
    for (let seed = 0; seed < 30; seed++)
      for (const c of chain(start('gbdt'), seed, 30, 5, []))
        for (const t of interactions(c)) t.columns.forEach((col) => used.add(col));
    expect([...used].sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
  });

  it('adds no interaction at interpretability 8 (but may still remove one)', () => {
    for (const family of ['gbdt', 'glm', 'mlp', 'random_forest'] as const) {
      for (let seed = 0; seed < 30; seed++) {
        for (const c of chain(start(family), seed, 20, 8)) expect(interactions(c)).toEqual([]);
      }
    }
    // For a tree model there is then no feature move at all: every variation is of the parameters.
    for (let seed = 0; seed < 100; seed++) {
      const c = mutate(start('gbdt'), new Rng(seed), base, 8, ranking);
      expect(c.features).toBe(base);
      expect(c.params).not.toEqual({});
    }
    // A candidate that has interactions only loses them.
    const withTwo: Candidate = {
      family: 'gbdt',
      params: {},
      features: {
        ...base,
        transforms: [
          ...base.transforms,
          { kind: 'interaction', op: 'ratio', columns: ['n7', 'n3'] },
          { kind: 'interaction', op: 'product', columns: ['n9', 'n0'] },
        ],
      },
    };
    let dropped = 0;
    for (let seed = 0; seed < 100; seed++) {
      const c = mutate(withTwo, new Rng(seed), base, 8, ranking);
      const n = interactions(c).length;
      expect(n).toBeLessThanOrEqual(2);
      if (n < 2) dropped++;
      for (const t of interactions(c)) expect(interactions(withTwo)).toContainEqual(t);
    }
    expect(dropped).toBeGreaterThan(10);
  });

  it('toggles Yeo-Johnson for glm and mlp only, replacing the passthrough columns it transforms; toggling back restores them', () => {
    for (const family of ['gbdt', 'random_forest', 'extra_trees'] as const) {
      for (let seed = 0; seed < 20; seed++)
        for (const c of chain(start(family), seed, 25)) expect(yeoColumns(c)).toEqual([]);
    }
    for (const family of ['glm', 'mlp'] as const) {
      let on = 0;
      let off = 0;
      for (let seed = 0; seed < 20; seed++) {
        let prev = start(family);
        for (const c of chain(start(family), seed, 25)) {
          const yj = yeoColumns(c);
          if (yj.length > 0) {
            // Every numeric column, in order, transformed instead of passed through; the other
            // steps kept; the Yeo-Johnson steps first.
            expect(yj).toEqual(numeric);
            expect(c.features.passthrough).toEqual([]);
            expect(c.features.transforms.slice(0, numeric.length).every((t) => t.kind === 'yeo_johnson')).toBe(true);
          } else {
            expect(c.features.passthrough).toEqual(numeric);
          }
          expect(others(c.features.transforms)).toEqual(base.transforms);
          const was = yeoColumns(prev).length > 0;
          const is = yj.length > 0;
          if (!was && is) {
            on++;
            expect(interactions(c)).toEqual(interactions(prev));
          }
          if (was && !is) {
            off++;
            // Back to the passthrough columns, the interactions kept.
            expect(c.features.passthrough).toEqual(numeric);
            expect(interactions(c)).toEqual(interactions(prev));
          }
          prev = c;
        }
      }
      expect(on).toBeGreaterThan(5);
      expect(off).toBeGreaterThan(3);
    }
    // At interpretability 8 too (a monotone transform).
    const yeoAt8 = Array.from({ length: 60 }, (_, seed) =>
      mutate(start('glm'), new Rng(seed), base, 8, ranking),
    ).filter((c) => yeoColumns(c).length > 0);
    expect(yeoAt8.length).toBeGreaterThan(5);
    for (const c of yeoAt8) expect(c.features.passthrough).toEqual([]);
  });

  it('changes one to three parameters at a time, each to another value of its list, and keeps the others', () => {
    const ranges = FAMILIES.gbdt.search.space as Record<string, readonly unknown[]>;
    expect(Object.keys(ranges).sort()).toEqual([
      'baggingFraction',
      'featureFraction',
      'lambdaL2',
      'learningRate',
      'minDataInLeaf',
      'nRounds',
      'numLeaves',
    ]);
    const values = new Map<string, Set<unknown>>();
    const changedCounts = new Map<number, number>();
    let paramsKept = 0;
    const n = 2000;
    const from = start('gbdt', { maxBins: 63, nRounds: 100 });
    for (let seed = 0; seed < n; seed++) {
      const c = mutate(from, new Rng(seed), base, 5, ranking);
      if (c.params === from.params) {
        paramsKept++;
        expect(c.features).not.toBe(base);
        continue;
      }
      expect(c.params['maxBins']).toBe(63);
      const changed = Object.keys(c.params).filter((k) => c.params[k] !== from.params[k]);
      expect(changed.length).toBeGreaterThanOrEqual(1);
      expect(changed.length).toBeLessThanOrEqual(3);
      changedCounts.set(changed.length, (changedCounts.get(changed.length) ?? 0) + 1);
      for (const name of changed) {
        expect(ranges[name]).toContain(c.params[name]);
        const s = values.get(name) ?? new Set();
        s.add(c.params[name]);
        values.set(name, s);
      }
      // nRounds was 100: when it changes, it changes to another value.
      if (changed.includes('nRounds')) expect(c.params['nRounds']).not.toBe(100);
    }
    expect([...changedCounts.keys()].sort()).toEqual([1, 2, 3]);
    // Every listed value is drawn (nRounds: the two it can move to).
    for (const [name, allowed] of Object.entries(ranges))
      expect([...values.get(name)!].sort()).toEqual([...allowed].filter((v) => name !== 'nRounds' || v !== 100).sort());
    // A quarter of the variations change the features only (0.6 <= u < 0.85).
    expect(paramsKept / n).toBeGreaterThan(0.2);
    expect(paramsKept / n).toBeLessThan(0.3);

    // Other families: each changed parameter within its list; the GLM's penalty by up to 10× either way.
    for (const family of ['random_forest', 'extra_trees', 'mlp'] as const) {
      for (let seed = 0; seed < 200; seed++) {
        const p = mutate(start(family), new Rng(seed), base, 5, ranking).params;
        const changed = Object.keys(p);
        expect(changed.length).toBeLessThanOrEqual(3);
        for (const name of changed) expect(FAMILIES[family].search.space[name]).toContainEqual(p[name]);
      }
    }
    const lambdas: number[] = [];
    for (let seed = 0; seed < 300; seed++) {
      const p = mutate(start('glm', { lambda: 0.01 }), new Rng(seed), base, 5, ranking).params;
      if (p['lambda'] !== 0.01) lambdas.push(p['lambda'] as number);
    }
    expect(lambdas.length).toBeGreaterThan(150);
    for (const l of lambdas) {
      expect(l).toBeGreaterThanOrEqual(0.001 * (1 - 1e-12));
      expect(l).toBeLessThanOrEqual(0.1 * (1 + 1e-12));
    }
    expect(Math.min(...lambdas)).toBeLessThan(0.002);
    expect(Math.max(...lambdas)).toBeGreaterThan(0.05);
    // At the edge of its range, the penalty stays inside it.
    for (let seed = 0; seed < 100; seed++)
      expect(
        mutate(start('glm', { lambda: 10 }), new Rng(seed), base, 5, ranking).params['lambda'],
      ).toBeLessThanOrEqual(10);
  });
});
