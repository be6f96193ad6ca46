/**
 * The embedded hydraulic data as the search tests see it: our stratified 75/25 split (seed 42),
 * the other labels dropped, one label as the target. The modules are passed in, so that tests of
 * the compiled worker path can build the table from dist/ and the others from the sources.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Recipes from '../../recipes/index.js';
import type * as Csv from '../../src/data/csv.js';
import type * as Embedded from '../../src/cli/embedded.js';
import type * as Infer from '../../src/data/infer.js';
import type { Table } from '../../src/data/table.js';
import type { CvTask } from '../../src/search/types.js';
import type * as Holdout from '../../src/split/holdout.js';

export interface DataModules {
  readCsv: typeof Csv.readCsv;
  embeddedDataPath: typeof Embedded.embeddedDataPath;
  inferTarget: typeof Infer.inferTarget;
  holdoutSplit: typeof Holdout.holdoutSplit;
  labelColumns: typeof Recipes.labelColumns;
}

/** A module of the compiled package (dist/, which `npm test` builds before the tests). */
export async function loadDist<T>(rel: string): Promise<T> {
  return (await import(pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', rel)).href)) as T;
}

/** The data modules of the compiled package. */
export async function distDataModules(): Promise<DataModules> {
  return {
    readCsv: (await loadDist<typeof Csv>('src/data/csv.js')).readCsv,
    embeddedDataPath: (await loadDist<typeof Embedded>('src/cli/embedded.js')).embeddedDataPath,
    inferTarget: (await loadDist<typeof Infer>('src/data/infer.js')).inferTarget,
    holdoutSplit: (await loadDist<typeof Holdout>('src/split/holdout.js')).holdoutSplit,
    labelColumns: (await loadDist<typeof Recipes>('recipes/index.js')).labelColumns,
  };
}

export interface HydraulicSplit {
  features: string[];
  /** The training rows (the first `trainRows` of them when given), features only. */
  train: Table;
  task: CvTask;
  test: Table;
  yTest: Float64Array;
}

export async function hydraulicSplit(m: DataModules, target: string, trainRows?: number): Promise<HydraulicSplit> {
  const all = await m.readCsv(m.embeddedDataPath());
  const labels: readonly string[] = m.labelColumns('hydraulic');
  const features = all.names.filter((n) => !labels.includes(n));
  const info = m.inferTarget(all.column(target));
  const isTrain = m.holdoutSplit(all.nRows, { ratio: 0.75, seed: 42 }, info.y);
  const tr: number[] = [];
  const te: number[] = [];
  isTrain.forEach((v, i) => (v ? tr : te).push(i));
  if (trainRows !== undefined) tr.length = trainRows;
  const table = all.select(features);
  return {
    features,
    train: table.take(tr),
    task: { kind: info.task, nClasses: info.classes!.length, y: Float64Array.from(tr, (i) => info.y[i]!) },
    test: table.take(te),
    yTest: Float64Array.from(te, (i) => info.y[i]!),
  };
}
