/**
 * The hydraulic data recipe: the UCI "Condition monitoring of hydraulic systems" archive into
 * one table, one row per load cycle. The public surface, listed explicitly.
 */
export { runHydraulicRecipe, hashFile, type HydraulicRecipeOptions } from './recipe.js';
export { readHydraulicArchive, featureColumns, type CycleTable, type ReadArchiveOptions } from './read.js';
export { downloadArchive, cachedArchivePath, type DownloadOptions, type DownloadedArchive } from './download.js';
export { openArchive, locateFiles, readLines, baseName, type ZipArchive } from './archive.js';
export { parseDecimal } from './decimal.js';
export { STAT_NAMES, parseStats, statColumn, computeStat, describeStat, type StatName } from './stats.js';
export {
  HYDRAULIC_SENSORS,
  HYDRAULIC_LABELS,
  HYDRAULIC_URLS,
  PROFILE_FILE,
  CYCLE_SECONDS,
  hydraulicDataPath,
  type SensorSpec,
} from './schema.js';
export type { ArchiveLabel } from './messages.js';
