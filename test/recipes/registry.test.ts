import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECIPES, RECIPE_NAMES, getRecipe, labelColumns, recipeForColumns } from '../../recipes/index.js';
import { HYDRAULIC_SENSORS, featureColumns, hydraulicDataPath } from '../../recipes/hydraulic/index.js';

const embeddedHeader = (): string[] => readFileSync(hydraulicDataPath(), 'utf8').split('\n')[0]!.split(',');

describe('recipe registry', () => {
  it('lists the hydraulic recipe with its five labels and its embedded data', () => {
    expect([...RECIPE_NAMES]).toEqual(['hydraulic']);
    const r = getRecipe('hydraulic');
    expect(r).toBe(RECIPES.hydraulic);
    expect(labelColumns(r)).toEqual(['cool_cond_y', 'valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y']);
    expect(labelColumns('hydraulic')).toEqual(labelColumns(r));
    expect(r.urls[0]).toBe('https://archive.ics.uci.edu/ml/machine-learning-databases/00447/data.zip');
    expect(r.urls[1]).toBe(
      'https://archive.ics.uci.edu/static/public/447/condition+monitoring+of+hydraulic+systems.zip',
    );
    expect(r.defaultDataPath()).toBe(hydraulicDataPath());
    expect(existsSync(r.defaultDataPath())).toBe(true);
  });

  it('an unknown recipe is an error listing the recipes', () => {
    expect(() => getRecipe('iris')).toThrow("no recipe 'iris'; the recipes are: hydraulic");
  });

  it('finds the recipe of a table from its columns, only when all its labels are there', () => {
    expect(recipeForColumns(embeddedHeader())).toBe(RECIPES.hydraulic);
    const withStats = [...featureColumns(['mean', 'std']), ...labelColumns('hydraulic')];
    expect(recipeForColumns(withStats)).toBe(RECIPES.hydraulic);
    expect(recipeForColumns(embeddedHeader().filter((c) => c !== 'stable_y'))).toBeUndefined();
    expect(recipeForColumns(['a', 'b'])).toBeUndefined();
  });

  it('the standard sensor order and the labels are exactly the embedded CSV header', () => {
    expect([...featureColumns(['mean']), ...labelColumns('hydraulic')]).toEqual(embeddedHeader());
    expect(HYDRAULIC_SENSORS.map((s) => s.file)).toEqual([
      'PS1.txt',
      'PS2.txt',
      'PS3.txt',
      'PS4.txt',
      'PS5.txt',
      'PS6.txt',
      'FS1.txt',
      'FS2.txt',
      'TS1.txt',
      'TS2.txt',
      'TS3.txt',
      'TS4.txt',
      'EPS1.txt',
      'VS1.txt',
      'CE.txt',
      'CP.txt',
      'SE.txt',
    ]);
  });

  it('a recipe runs through the registry, checking statistic names at its edge', async () => {
    await expect(RECIPES.hydraulic.run({ out: 'never-written.csv', stats: ['mode'] })).rejects.toThrow(
      "unknown per-cycle statistic 'mode'",
    );
    expect(existsSync('never-written.csv')).toBe(false);
  });
});
