/**
 * The data recipes, by name. A recipe downloads a public data set and turns it into one table;
 * the registry also says which of that table's columns are labels, so that an experiment on one
 * label never uses the others as features. Running a recipe loads its module on demand.
 */
import { AutomlError } from '../src/util/errors.js';
import { HYDRAULIC_LABELS, HYDRAULIC_URLS, hydraulicDataPath } from './hydraulic/schema.js';
import type { ArchiveSource, RecipeProgress, RecipeReport } from './types.js';

export type { ArchiveSource, RecipeProgress, RecipeReport } from './types.js';

/** What running any recipe takes; recipe-specific values (statistic names) are checked by the recipe. */
export interface RecipeRunOptions {
  /** The raw archive (default: the recipe's own URLs). */
  readonly source?: ArchiveSource;
  /** The output CSV. */
  readonly out: string;
  /** Per-cycle statistic names (default: mean); an unknown one is an AutomlError listing the valid ones. */
  readonly stats?: readonly string[];
  readonly refresh?: boolean;
  readonly cacheDir?: string;
  readonly progress?: RecipeProgress;
}

export interface Recipe {
  readonly name: string;
  readonly description: string;
  /** The label columns of the recipe's table, in table order. */
  readonly labels: readonly string[];
  /** Where the raw archive is published, tried in order. */
  readonly urls: readonly string[];
  /** The recipe's output as shipped with the package (the embedded default data set). */
  defaultDataPath(): string;
  run(opts: RecipeRunOptions): Promise<RecipeReport>;
}

/** The recipe names, defined once. */
export const RECIPE_NAMES = ['hydraulic'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

/**
 * Every recipe, by name.
 *
 * @example
 * RECIPES.hydraulic.labels; // ['cool_cond_y', 'valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y']
 */
export const RECIPES: Readonly<Record<RecipeName, Recipe>> = {
  hydraulic: {
    name: 'hydraulic',
    description:
      'UCI condition monitoring of hydraulic systems (data set 447): per-cycle statistics of 17 sensors and five condition labels, one row per 60-s load cycle',
    labels: HYDRAULIC_LABELS,
    urls: HYDRAULIC_URLS,
    defaultDataPath: hydraulicDataPath,
    async run(opts) {
      const { runHydraulicRecipe, parseStats } = await import('./hydraulic/index.js');
      return runHydraulicRecipe({ ...opts, stats: parseStats(opts.stats ?? ['mean']) });
    },
  },
};

/**
 * A recipe by name; an unknown name is an AutomlError listing the recipes there are.
 *
 * @example
 * getRecipe('hydraulic').description;
 */
export function getRecipe(name: string): Recipe {
  if (!(RECIPE_NAMES as readonly string[]).includes(name)) {
    throw new AutomlError('UNKNOWN_RECIPE', `no recipe '${name}'; the recipes are: ${RECIPE_NAMES.join(', ')}`);
  }
  return RECIPES[name as RecipeName];
}

/**
 * The label columns of a recipe's table (given as a recipe or its name).
 *
 * @example
 * labelColumns('hydraulic');         // ['cool_cond_y', …, 'stable_y']
 * labelColumns(RECIPES.hydraulic);   // the same
 */
export function labelColumns(recipe: Recipe | string): readonly string[] {
  return (typeof recipe === 'string' ? getRecipe(recipe) : recipe).labels;
}

/**
 * The recipe whose label columns are all present among a table's column names, if any: with
 * it, an experiment on one label can leave the other labels out of its features.
 *
 * @example
 * const recipe = recipeForColumns(table.names);
 * const leaky = recipe ? labelColumns(recipe).filter((c) => c !== target) : [];
 */
export function recipeForColumns(names: readonly string[]): Recipe | undefined {
  const have = new Set(names);
  return RECIPE_NAMES.map((n) => RECIPES[n]).find((r) => r.labels.every((l) => have.has(l)));
}
