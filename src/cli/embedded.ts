import { RECIPES } from '../../recipes/index.js';

/**
 * The embedded default data set: the UCI hydraulic test rig, one row per load cycle (cycle
 * means of 17 sensors, five labels), shipped with the package by its recipe. Commands that need
 * data and are given none use it. (It lives with the CLI because it comes from a recipe, and
 * only the CLI imports recipes/.)
 *
 * @example
 * const table = await readCsv(embeddedDataPath());
 */
export function embeddedDataPath(): string {
  return RECIPES.hydraulic.defaultDataPath();
}
