/**
 * The search's sample of a large training part. With a time budget, a table too large for the
 * search to try more than a couple of candidates in it is searched on a seeded, stratified sample
 * of its training rows, as FLAML and AutoGluon sample large data: the search, the ensemble
 * selection, the calibration and the refit learn from the sample; the test part is scored whole.
 * Without a budget (`--max-models`), or with the user's folds (`--fold`, whose every fold must
 * stay whole), every training row is used.
 *
 * The cap is in cells (rows × features): {@link SEARCH_CELLS_PER_SECOND} per second of the
 * budget, and never below {@link SEARCH_MIN_ROWS} rows: a 40 s budget searches up to 200,000 rows
 * of a 50-feature table, 500,000 of a 20-feature one.
 */
import type { Table } from '../data/table.js';
import { holdoutSplit } from '../split/holdout.js';
import { gather } from '../util/gather.js';
import { Rng } from '../util/random.js';
import type { PreparedData } from './prepare.js';

/** Training cells (rows × features) the search takes on per second of its budget. */
export const SEARCH_CELLS_PER_SECOND = 250_000;
/** The search never samples below this many training rows. */
export const SEARCH_MIN_ROWS = 100_000;

/**
 * The most training rows the search uses for a budget (in seconds; null: no budget, no cap) and a
 * number of features.
 *
 * @example
 * searchRowCap(40, 50); // 200000
 * searchRowCap(null, 50); // Infinity
 */
export function searchRowCap(budgetSeconds: number | null, features: number): number {
  if (budgetSeconds === null) return Infinity;
  return Math.max(SEARCH_MIN_ROWS, Math.round((budgetSeconds * SEARCH_CELLS_PER_SECOND) / Math.max(1, features)));
}

/**
 * The prepared data with its training part cut to `maxRows` rows (seeded; stratified by class
 * for a classification target; rows kept in their order), or the data as it is when it has no
 * more rows than that or has the user's folds. The test part is left whole; `zeroWeightRows`
 * still counts the whole training part's.
 *
 * @example
 * const q = sampleTraining(p, 200_000, 42);
 * q.train.nRows; // 200000 (of p.train.nRows = 750000)
 */
export function sampleTraining(p: PreparedData, maxRows: number, seed: number): PreparedData {
  const n = p.train.nRows;
  if (!(n > maxRows) || p.userFolds) return p;
  const strata = p.cvTask.kind === 'regression' ? undefined : p.cvTask.y;
  const keep = holdoutSplit(n, { ratio: maxRows / n, seed: new Rng(seed).fork(23).seed }, strata);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i] === 1) rows.push(i);
  const cvTask = { ...p.cvTask, y: gather(p.cvTask.y, rows) };
  if (p.cvTask.weights) cvTask.weights = gather(p.cvTask.weights, rows);
  const out: PreparedData = {
    ...p,
    cvTask,
    trainRows: rows.map((i) => p.trainRows[i]!),
    train: p.train.take(rows) as Table,
  };
  if (p.trainTimes) out.trainTimes = gather(p.trainTimes, rows);
  return out;
}
