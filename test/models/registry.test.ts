import { describe, expect, it } from 'vitest';
import { FAMILIES, FAMILY_NAMES, familyByName } from '../../src/models/registry.js';
import { Rng } from '../../src/util/random.js';
import { makeData } from './contract.js';

describe('model family registry', () => {
  it('names every family once, under the name the family gives itself', () => {
    // The order is the search's: strong and cheap first, the neural net before the forests.
    expect(FAMILY_NAMES).toEqual(['gbdt', 'glm', 'mlp', 'random_forest', 'extra_trees']);
    for (const name of FAMILY_NAMES) expect(FAMILIES[name].name).toBe(name);
  });

  it('each family says what the search needs: first candidates and a space over parameters it has', () => {
    for (const name of FAMILY_NAMES) {
      const f = FAMILIES[name];
      const known = Object.keys(f.defaults);
      const first = f.search.first(1_000);
      expect(first.length, name).toBeGreaterThan(0);
      for (const params of first)
        for (const k of Object.keys(params)) expect(known, `${name}.first: ${k}`).toContain(k);
      for (const [k, values] of Object.entries(f.search.space)) {
        expect(known, `${name}.space: ${k}`).toContain(k);
        expect((values as unknown[]).length, `${name}.space.${k}`).toBeGreaterThan(1);
      }
      // A family varies by its space or by its own rule.
      expect(Object.keys(f.search.space).length > 0 || f.search.vary !== undefined, name).toBe(true);
    }
    expect(FAMILIES.glm.search.first(1_000)).toEqual([{ lambda: 1 }, { lambda: 0.01 }, { lambda: 0.0001 }]);
    expect(FAMILIES.random_forest.search.first(1_000)).toEqual([{ nTrees: 100 }]);
    // The net's batches grow with the rows (an epoch stays about a hundred steps).
    expect(FAMILIES.mlp.search.first(1_000)).toEqual([{}]);
    expect(FAMILIES.mlp.search.first(100_000)).toEqual([{ batchSize: 1024 }]);
  });

  it('families that fit in rounds report them, and a refit keeps the folds’ mean', () => {
    expect(FAMILIES.gbdt.rounds?.kept({ rounds: 37, roundsTrained: 57 })).toBe(37);
    expect(FAMILIES.gbdt.rounds?.refit?.({ learningRate: 0.05 }, 37)).toEqual({ learningRate: 0.05, nRounds: 37 });
    expect(FAMILIES.mlp.rounds?.refit?.({}, 12)).toEqual({ epochs: 12, validationFraction: 0 });
    expect(FAMILIES.random_forest.rounds?.kept({ trees: 80 })).toBe(80);
    expect(FAMILIES.random_forest.rounds?.refit).toBeUndefined();
    expect(FAMILIES.glm.rounds).toBeUndefined();
    expect(FAMILIES.gbdt.withThreads?.({ nRounds: 5 }, 1)).toEqual({ nRounds: 5, threads: 1 });
    expect(FAMILIES.glm.withThreads).toBeUndefined();
  });

  it('looks a family up by name and fits through it', async () => {
    const data = makeData('binary', 200, 1);
    const model = await familyByName('extra_trees').fit(data, {
      kind: 'binary',
      nClasses: 2,
      rng: new Rng(1),
      params: { nTrees: 5 },
    });
    expect(model.family).toBe('extra_trees');
    expect(model.predict(data.x)).toHaveLength(400);
  });

  it('refuses an unknown name, listing the families', () => {
    expect(() => familyByName('xgboost')).toThrow(
      "unknown model family 'xgboost'; the families are: gbdt, glm, mlp, random_forest, extra_trees",
    );
  });
});
