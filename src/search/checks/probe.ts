/**
 * The probe both checks use: a tiny seeded GBDT fitted on a 70% split of some columns and scored
 * out of sample on the other 30% (AUC for classes, R² for a number). Small and fast on purpose:
 * the checks ask "is there an easy signal here?", not "what is the best model?".
 */
import type { Column } from '../../data/table.js';
import { auc, binaryAuc, r2 } from '../../metrics/index.js';
import { fitGbdt, type GbdtParams } from '../../models/gbdt/gbdt.js';
import type { FittedModel, Matrix, ProblemKind } from '../../models/types.js';
import { holdoutSplit } from '../../split/holdout.js';
import type { Rng } from '../../util/random.js';
import { gather } from '../../util/gather.js';

/** Rows the checks look at by default (a seeded sample of them when there are more). */
export const DEFAULT_CHECK_ROWS = 20_000;

/** Share of the rows the probe is fitted on; it is scored on the rest. */
export const PROBE_TRAIN_SHARE = 0.7;

/**
 * 20 rounds of 8 leaves. The learning rate is 0.3 rather than 0.1 so that 20 rounds can reach an
 * R² above 0.99 on a feature that copies a numeric target (0.7^20 of the signal is left over).
 */
export const PROBE_PARAMS: Readonly<Partial<GbdtParams>> = {
  nRounds: 20,
  numLeaves: 8,
  learningRate: 0.3,
  featureFraction: 1,
  baggingFraction: 1,
  earlyStoppingRounds: 0,
  threads: 1,
};

/** What the probe predicts: class indices 0..K−1 (no missing), or values (regression). */
export interface ProbeTarget {
  readonly kind: ProblemKind;
  /** 2 for binary, K for multiclass, 1 for regression. */
  readonly nClasses: number;
  readonly y: Float64Array;
}

/** The probe's train and validation rows. */
export interface ProbeSplit {
  readonly train: Int32Array;
  readonly valid: Int32Array;
}

/**
 * A column as numbers for the probe: numeric values as they are, categorical codes with -1 → NaN;
 * of the given rows only (a copy), or of all (numeric values shared).
 */
export function columnNumbers(c: Column, rows?: ArrayLike<number>): Float64Array {
  if (c.type === 'numeric') return rows ? gather(c.values, rows) : c.values;
  const n = rows ? rows.length : c.codes.length;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const code = c.codes[rows ? rows[k]! : k]!;
    out[k] = code < 0 ? NaN : code;
  }
  return out;
}

/** A seeded sample of `maxRows` of `n` row indices (all of them when n ≤ maxRows), ascending. */
export function sampleRows(n: number, maxRows: number, rng: Rng): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (n <= maxRows) return all;
  rng.shuffle(all);
  return all.slice(0, maxRows).sort();
}

/** A seeded 70/30 split of n rows, stratified when strata (e.g. class indices) are given. */
export function probeSplit(n: number, rng: Rng, strata?: ArrayLike<number>): ProbeSplit {
  const isTrain = holdoutSplit(n, { ratio: PROBE_TRAIN_SHARE, seed: rng.int(0x7fffffff) }, strata);
  const train: number[] = [];
  const valid: number[] = [];
  isTrain.forEach((t, i) => (t ? train : valid).push(i));
  return { train: Int32Array.from(train), valid: Int32Array.from(valid) };
}

export interface ProbeResult {
  /** Out-of-sample AUC (classes) or R² (regression); null when it cannot be computed. */
  readonly score: number | null;
  readonly model: FittedModel;
}

/**
 * Fits the probe on the split's train rows of `columns` and scores it on its valid rows.
 *
 * @example
 * const { score } = probe([columnNumbers(table.column('x'))], { kind: 'binary', nClasses: 2, y }, probeSplit(n, rng, y), rng);
 */
export function probe(columns: readonly Float64Array[], target: ProbeTarget, split: ProbeSplit, rng: Rng): ProbeResult {
  const pick = (v: Float64Array, rows: Int32Array): Float64Array => gather(v, rows);
  const matrix = (rows: Int32Array): Matrix => ({ nRows: rows.length, columns: columns.map((c) => pick(c, rows)) });
  const nTrain = split.train.length;
  const model = fitGbdt(
    { x: matrix(split.train), y: pick(target.y, split.train) },
    {
      kind: target.kind,
      nClasses: target.nClasses,
      rng,
      // Small tables still get leaves of a few rows rather than none at all.
      params: { ...PROBE_PARAMS, minDataInLeaf: Math.max(1, Math.min(20, Math.floor(nTrain / 20))) },
    },
  );
  const yValid = pick(target.y, split.valid);
  const pred = model.predict(matrix(split.valid));
  return { score: scoreOf(target, yValid, pred), model };
}

function scoreOf(target: ProbeTarget, y: Float64Array, pred: Float64Array): number | null {
  if (y.length < 2) return null;
  if (target.kind === 'regression') {
    const s = r2(y, pred);
    return Number.isFinite(s) ? s : null;
  }
  return auc(y, pred) ?? macroAucOfPresentClasses(y, pred, target.nClasses);
}

/** Macro one-vs-rest AUC over the classes that have both positives and negatives in y. */
function macroAucOfPresentClasses(y: Float64Array, proba: Float64Array, K: number): number | null {
  let sum = 0;
  let count = 0;
  for (let k = 0; k < K; k++) {
    const isK = Float64Array.from(y, (c) => (c === k ? 1 : 0));
    const a = binaryAuc(
      isK,
      Float64Array.from({ length: y.length }, (_, i) => proba[i * K + k]!),
    );
    if (a !== null) {
      sum += a;
      count++;
    }
  }
  return count > 0 ? sum / count : null;
}
