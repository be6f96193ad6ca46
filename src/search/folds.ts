/**
 * Validation folds: stratified k-fold for classification (every class spread evenly over the
 * folds), plain shuffled k-fold for regression. Deterministic for a seed.
 */
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
