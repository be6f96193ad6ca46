import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';

/**
 * The embedded default data set: the UCI hydraulic test rig, one row per load cycle (cycle
 * means of 17 sensors, five labels). Commands that need data and are given none use it.
 */
export function embeddedDataPath(): string {
  return join(packageRoot(), 'recipes', 'hydraulic', 'hydraulic.csv');
}
