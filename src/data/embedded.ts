import { hydraulicDataPath } from '../../recipes/hydraulic/schema.js';

/**
 * The embedded default data set: the UCI hydraulic test rig, one row per load cycle (cycle
 * means of 17 sensors, five labels), shipped with the package by its recipe. Commands that need
 * data and are given none use it.
 *
 * @example
 * const table = await readCsv(embeddedDataPath());
 */
export function embeddedDataPath(): string {
  return hydraulicDataPath();
}
