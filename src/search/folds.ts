/**
 * Validation folds: stratified k-fold for classification (every class spread evenly over the
 * folds), plain shuffled k-fold for regression, deterministic for a seed; or, with a time column,
 * forward-chaining folds in time order (no fold trains on a row later than those it validates).
 * The user's own folds (`--fold`) are read in src/split/roles.ts.
 */
import { AutomlError } from '../util/errors.js';
import { Rng } from '../util/random.js';

/**
 * The fold of each row, 0 … k − 1. With `strata` (e.g. the class index; NaN or −1 is a stratum
 * of its own) each stratum's rows are shuffled and dealt round-robin, continuing where the
 * previous stratum stopped, so fold sizes differ by at most one and every class is spread evenly.
 *
 * @example
 * const fold = kFold(1654, 5, 42, classIndex); // Int32Array of 0…4
 */
export function kFold(n: number, k: number, seed: number, strata?: ArrayLike<number>): Int32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`kFold: k must be a whole number >= 2, got ${k}`);
  if (n < k) throw new RangeError(`kFold: ${n} rows cannot make ${k} folds`);
  if (strata && strata.length !== n) throw new RangeError(`kFold: strata has ${strata.length} entries for ${n} rows`);
  const rng = new Rng(seed);
  const fold = new Int32Array(n);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const s = strata ? strata[i]! : 0;
    const key = Number.isNaN(s) ? -1 : s;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  let next = 0;
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const rows = rng.shuffle(Int32Array.from(groups.get(key)!));
    for (const r of rows) {
      fold[r] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/**
 * Forward-chaining folds in time order (an expanding window, as scikit-learn's TimeSeriesSplit):
 * the rows, in time order, are cut into k + 1 blocks of (nearly) equal size; block 0 only trains
 * (fold −1), and fold f validates block f + 1 and trains on the blocks before it, never on a later
 * row. With `holdout`, the earliest four fifths train (fold −1) and the latest fifth validates
 * (fold 0). Rows of the same time stay in one block. Train with {@link forwardTrain}.
 *
 * @example
 * timeFolds(Float64Array.of(4, 3, 2, 1), 3); // Int32Array [2, 1, 0, -1]
 */
export function timeFolds(times: ArrayLike<number>, validation: number | 'holdout'): Int32Array {
  const n = times.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  const fold = new Int32Array(n);
  const blocks = validation === 'holdout' ? [0, Math.round(0.8 * n), n] : edges(n, validation + 1);
  // Cuts move to the start of their group of equal times (rows of one time are never split).
  const cuts = blocks.map((at, b) => (b === 0 || b === blocks.length - 1 ? at : sameTimeStart(order, times, at)));
  for (let b = 0; b + 1 < cuts.length; b++) {
    if (cuts[b + 1]! <= cuts[b]!)
      throw new RangeError(
        `timeFolds: ${n} rows with these times cannot make ${cuts.length - 2} validation block(s) in time order (too many rows share a time)`,
      );
    for (let j = cuts[b]!; j < cuts[b + 1]!; j++) fold[order[j]!] = b - 1;
  }
  return fold;
}

/** Block edges of n rows in `blocks` near-equal blocks. */
function edges(n: number, blocks: number): number[] {
  return Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * n) / blocks));
}

/** The first position of the run of equal times `at` is in. */
function sameTimeStart(order: readonly number[], times: ArrayLike<number>, at: number): number {
  let lo = at;
  while (lo > 0 && times[order[lo - 1]!] === times[order[at]!]) lo--;
  return lo;
}

/**
 * Whether row i trains fold f: in forward-chaining folds (time order) the rows of earlier folds
 * (−1 included) do; in k-fold every row of another fold does.
 */
export function trainsFold(fold: Int32Array, i: number, f: number, forward: boolean): boolean {
  return forward ? fold[i]! < f : fold[i] !== f;
}

/**
 * Checks that every validation fold carries some sample weight (a fold whose rows all weigh 0
 * cannot be scored): a BAD_OPTION error naming the fold otherwise.
 */
export function checkFoldWeights(
  fold: Int32Array,
  weights: Float64Array,
  folds: readonly number[],
  name: (f: number) => string,
): void {
  for (const f of folds) {
    let total = 0;
    for (let i = 0; i < fold.length; i++) if (fold[i] === f) total += weights[i]!;
    if (!(total > 0))
      throw new AutomlError(
        'BAD_OPTION',
        `${name(f)} has a total --weight of 0: it cannot be scored; give its rows weight`,
      );
  }
}

/** How the search validates: its folds, and in words. */
export interface FoldPlan {
  /** k folds, or 'holdout' (one validation part). */
  validation: number | 'holdout';
  /** The fold of each training row, when not the seeded stratified folds; −1: trains only. */
  folds?: Int32Array;
  /** The folds chain forward in time (fold f trains on the earlier folds only). */
  forward?: boolean;
  /** `stratified` (seeded; plain shuffled for regression), `user` (`--fold`) or `time` (`--time-column`). */
  scheme: 'stratified' | 'user' | 'time';
  /** For run.log and experiment.json. */
  description: string;
}

/**
 * The folds of an experiment's search: the user's (`--fold`: one per label, whatever the accuracy
 * dial), forward-chaining in time order (`--time-column`: as many validated blocks as the dial's
 * folds, or the latest fifth for its holdout), or the seeded stratified folds the dial chooses.
 * With sample weights every validated fold must weigh something.
 *
 * @example
 * foldPlan(5, { trainTimes }); // { validation: 5, folds, forward: true, scheme: 'time', … }
 */
export function foldPlan(
  validation: number | 'holdout',
  o: {
    userFolds?: { fold: Int32Array; labels: string[] };
    foldColumn?: string;
    trainTimes?: Float64Array;
    timeColumn?: string;
    weights?: Float64Array;
  },
): FoldPlan {
  let plan: FoldPlan;
  if (o.userFolds) {
    const { fold, labels } = o.userFolds;
    plan = {
      validation: labels.length,
      folds: fold,
      scheme: 'user',
      description: `${labels.length} folds of ${o.foldColumn ?? 'the --fold column'} (${labels.join(', ')})`,
    };
    if (o.weights)
      checkFoldWeights(
        fold,
        o.weights,
        labels.map((_, f) => f),
        (f) => `--fold value '${labels[f]}'`,
      );
  } else if (o.trainTimes) {
    let folds: Int32Array;
    try {
      folds = timeFolds(o.trainTimes, validation);
    } catch (e) {
      throw new AutomlError(
        'BAD_OPTION',
        `--time-column ${o.timeColumn ?? ''}: ${(e as Error).message.replace(/^timeFolds: /, '')}; use fewer folds (a lower --accuracy) or a finer time`,
      );
    }
    const k = validation === 'holdout' ? 1 : validation;
    plan = {
      validation,
      folds,
      forward: true,
      scheme: 'time',
      description:
        validation === 'holdout'
          ? `holdout in ${o.timeColumn ?? 'time'} order: the earliest 80% train, the latest 20% validate`
          : `${k} folds forward in ${o.timeColumn ?? 'time'} order: ${k + 1} blocks, fold k trains on the blocks before it`,
    };
    if (o.weights)
      checkFoldWeights(
        folds,
        o.weights,
        Array.from({ length: k }, (_, f) => f),
        (f) => `time block ${f + 1}`,
      );
  } else {
    plan = {
      validation,
      scheme: 'stratified',
      description: validation === 'holdout' ? 'holdout (a fifth of the training rows)' : `${validation}-fold, seeded`,
    };
  }
  return plan;
}
