import { describe, expect, it } from 'vitest';
import { FAMILIES, FAMILY_NAMES, familyByName } from '../../src/models/registry.js';
import { Rng } from '../../src/util/random.js';
import { makeData } from './contract.js';

describe('model family registry', () => {
  it('names every family once, under the name the family gives itself', () => {
    expect(FAMILY_NAMES).toEqual(['gbdt', 'random_forest', 'extra_trees', 'glm', 'mlp']);
    for (const name of FAMILY_NAMES) expect(FAMILIES[name].name).toBe(name);
  });

  it('looks a family up by name and fits through it', async () => {
    const data = makeData('binary', 200, 1);
    const model = await familyByName('extra_trees').fit(data, { kind: 'binary', nClasses: 2, rng: new Rng(1), params: { nTrees: 5 } as never });
    expect(model.family).toBe('extra_trees');
    expect(model.predict(data.x)).toHaveLength(400);
  });

  it('refuses an unknown name, listing the families', () => {
    expect(() => familyByName('xgboost')).toThrow("unknown model family 'xgboost'; the families are: gbdt, random_forest, extra_trees, glm, mlp");
  });
});
