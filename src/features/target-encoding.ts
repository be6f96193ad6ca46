import type { TargetEncodingStep } from '../artifact/format/features.js';
import type { Rng } from '../util/random.js';
import { intOption, levelCounts, numberOption, requestColumn } from './options.js';
import type { CategoricalValues, FeatureTarget, Transform } from './types.js';

export interface TargetEncodingOptions {
  /** Folds of the out-of-fold training encoding, an integer >= 2 (default 5). */
  folds?: number;
  /** Smoothing m >= 0 toward the prior (default 10). */
  smoothing?: number;
}

/** A fitted target encoding: the scoring step, and the out-of-fold encoding of the training rows. */
export interface FittedTargetEncoding {
  /** Full-training-data statistics, used at scoring time. */
  readonly step: TargetEncodingStep;
  /** One column per output: each row encoded with statistics of the other folds only. */
  readonly train: Float64Array[];
}

/**
 * Fits target encoding. Per level and output channel: `enc = (sum_y + m · prior) / (n + m)`,
 * with `n` the level's rows, `sum_y` the sum of the channel over them and `prior` the channel's
 * mean over all rows. Channels: regression, the target value (one output `te(c)`); binary, the
 * indicator of class 1 (one output `te(c)`, the smoothed positive rate); multiclass, one
 * indicator per class (outputs `te(c)=label`). Missing and unseen levels get the prior; rows with
 * a missing target (NaN) are left out of every statistic.
 *
 * The step holds the statistics of all training rows. The training encoding is out-of-fold: the
 * rows are shuffled with `rng` into k folds, and each row is encoded with the statistics (prior
 * included) of the other folds, so that no row sees its own label.
 *
 * @example
 * const { step, train } = fitTargetEncoding(
 *   { codes: Int32Array.of(0, 0, 1, 1), levels: ['a', 'b'] }, 'c',
 *   { kind: 'binary', y: Float64Array.of(1, 0, 1, 1), nClasses: 2 }, { folds: 2, smoothing: 1 }, new Rng(1));
 * step.prior;  // [0.75]
 * step.values; // [(1 + 0.75) / 3, (2 + 0.75) / 3]
 */
export function fitTargetEncoding(
  column: CategoricalValues,
  name: string,
  target: FeatureTarget,
  opts: TargetEncodingOptions,
  rng: Rng,
): FittedTargetEncoding {
  const folds = opts.folds ?? 5;
  const m = opts.smoothing ?? 10;
  if (!(Number.isInteger(folds) && folds >= 2))
    throw new RangeError(`fitTargetEncoding: folds must be an integer >= 2, got ${folds}`);
  if (!(Number.isFinite(m) && m >= 0))
    throw new RangeError(`fitTargetEncoding: smoothing must be a finite number >= 0, got ${m}`);
  const { codes, levels: allLevels } = column;
  const n = codes.length;
  if (target.y.length !== n)
    throw new RangeError(`fitTargetEncoding: the target has ${target.y.length} rows, the column ${n}`);
  const multiclass = target.kind === 'multiclass';
  const k = multiclass ? target.nClasses : 1;
  if (target.kind !== 'regression') {
    for (let i = 0; i < n; i++) {
      const y = target.y[i]!;
      if (y === y && !(Number.isInteger(y) && y >= 0 && y < target.nClasses)) {
        throw new RangeError(`fitTargetEncoding: y[${i}] is ${y}; expected a class index 0..${target.nClasses - 1}`);
      }
    }
  }
  const nLevels = allLevels.length;
  /** Adds row i to the level × channel sums and counts. */
  const add = (sums: Float64Array, counts: Float64Array, total: Float64Array, i: number, sign: number): void => {
    const y = target.y[i]!;
    if (y !== y) return;
    const c = codes[i]!;
    total[k]! += sign;
    if (c >= 0) counts[c]! += sign;
    if (multiclass) {
      total[y]! += sign;
      if (c >= 0) sums[c * k + y]! += sign;
    } else {
      const v = target.kind === 'binary' ? (y === 1 ? 1 : 0) : y;
      total[0]! += sign * v;
      if (c >= 0) sums[c]! += sign * v;
    }
  };
  /** Smoothed encodings, nLevels × k, and the prior, from the sums. */
  const encode = (
    sums: Float64Array,
    counts: Float64Array,
    total: Float64Array,
  ): { values: Float64Array; prior: Float64Array } => {
    const prior = new Float64Array(k);
    const rows = total[k]!;
    for (let o = 0; o < k; o++) prior[o] = rows > 0 ? total[o]! / rows : 0;
    const values = new Float64Array(nLevels * k);
    for (let c = 0; c < nLevels; c++) {
      const cnt = counts[c]!;
      for (let o = 0; o < k; o++) {
        const p = prior[o]!;
        values[c * k + o] = cnt + m > 0 ? (sums[c * k + o]! + m * p) / (cnt + m) : p;
      }
    }
    return { values, prior };
  };

  const sums = new Float64Array(nLevels * k);
  const counts = new Float64Array(nLevels);
  const total = new Float64Array(k + 1);
  for (let i = 0; i < n; i++) add(sums, counts, total, i, 1);
  const full = encode(sums, counts, total);

  // Out of fold: the statistics of fold f are the full sums minus fold f's rows.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  const train = Array.from({ length: k }, () => new Float64Array(n));
  for (let f = 0; f < folds; f++) {
    const s = sums.slice();
    const cnt = counts.slice();
    const tot = total.slice();
    for (let p = f; p < n; p += folds) add(s, cnt, tot, order[p]!, -1);
    const enc = encode(s, cnt, tot);
    for (let p = f; p < n; p += folds) {
      const i = order[p]!;
      const c = codes[i]!;
      for (let o = 0; o < k; o++) train[o]![i] = c >= 0 ? enc.values[c * k + o]! : enc.prior[o]!;
    }
  }

  const seen = levelCounts(codes, nLevels);
  const keep: number[] = [];
  for (let c = 0; c < nLevels; c++) if (seen[c]! > 0) keep.push(c);
  const values: number[] = [];
  for (const c of keep) for (let o = 0; o < k; o++) values.push(full.values[c * k + o]!);
  const outputs = multiclass
    ? Array.from({ length: k }, (_, o) => `te(${name})=${target.labels?.[o] ?? String(o)}`)
    : [`te(${name})`];
  return {
    step: {
      kind: 'target_encoding',
      column: name,
      outputs,
      levels: keep.map((c) => allLevels[c]!),
      values,
      prior: Array.from(full.prior),
    },
    train,
  };
}

export const targetEncodingTransform: Transform<'target_encoding'> = {
  kind: 'target_encoding',
  description: 'categorical: the smoothed target mean per level, out-of-fold on the training rows',
  fit(request, ctx) {
    const column = requestColumn(request);
    const folds = intOption(request.kind, column, 'folds', request.folds, 2, 5);
    const smoothing = numberOption(request.kind, column, 'smoothing', request.smoothing, 0, 10);
    const values = ctx.categorical(column);
    return fitTargetEncoding(
      values,
      column,
      ctx.target(`target_encoding of '${column}'`),
      { folds, smoothing },
      ctx.rng,
    );
  },
};
