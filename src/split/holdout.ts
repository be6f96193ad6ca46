import { Rng } from '../util/random.js';

export interface HoldoutOptions {
  /** Share of rows that go to the train part, in (0, 1). Default 0.75. */
  ratio?: number;
  /** Seed of the one RNG the split draws from. Default 42. */
  seed?: number;
}

/**
 * Splits rows into train and test. Returns one flag per row: 1 for train, 0 for test.
 *
 * With `strata` (one stratum per row, e.g. the class index; any value, missing included, forms
 * its own stratum) the split is stratified: the train part holds round(ratio × n) rows overall,
 * and each stratum sends floor or ceil of ratio × its size to train, so every class is split
 * within one row of its own ratio. Without strata it is a plain seeded random split.
 * Deterministic for a seed.
 *
 * @example
 * const isTrain = holdoutSplit(7, { ratio: 0.75, seed: 42 }, [0, 0, 0, 1, 1, 1, 1]);
 */
export function holdoutSplit(n: number, opts: HoldoutOptions = {}, strata?: ArrayLike<number>): Uint8Array {
  const ratio = opts.ratio ?? 0.75;
  const rng = new Rng(opts.seed ?? 42);
  if (!(ratio > 0 && ratio < 1)) throw new RangeError(`ratio must be in (0, 1), got ${ratio}`);
  if (strata && strata.length !== n) throw new RangeError(`strata has ${strata.length} entries for ${n} rows`);
  const isTrain = new Uint8Array(n);
  const total = Math.round(ratio * n);

  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = strata ? strata[i]! : 0;
    const k = Number.isNaN(key) ? -Infinity : key;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(i);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);

  // Each stratum gets floor(ratio × size); the rows still needed for round(ratio × n) go one each
  // to the strata with the largest fractional parts (ties to the smaller stratum key).
  const take = new Map<number, number>();
  let assigned = 0;
  const fractions: { key: number; frac: number }[] = [];
  for (const key of keys) {
    const exact = ratio * groups.get(key)!.length;
    const base = Math.floor(exact);
    take.set(key, base);
    assigned += base;
    fractions.push({ key, frac: exact - base });
  }
  fractions.sort((a, b) => b.frac - a.frac || a.key - b.key);
  for (let r = 0; r < total - assigned; r++) {
    const f = fractions[r]!;
    take.set(f.key, take.get(f.key)! + 1);
  }

  for (const key of keys) {
    const rows = Int32Array.from(groups.get(key)!);
    rng.shuffle(rows);
    const t = take.get(key)!;
    for (let i = 0; i < t; i++) isTrain[rows[i]!] = 1;
  }
  return isTrain;
}
