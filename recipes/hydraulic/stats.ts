/**
 * The per-cycle statistics a sensor column can be reduced with: one named set, defined once.
 * Each takes one cycle's samples (in time order) and returns one number.
 */
import {
  max,
  mean,
  median,
  min,
  rootMeanSquare,
  sampleKurtosis,
  sampleSkewness,
  sampleStandardDeviation,
} from 'simple-statistics';
import { AutomlError } from '../../src/util/errors.js';

/**
 * The statistic names, in their documented order.
 *
 * @example
 * STAT_NAMES.includes('std'); // true
 */
export const STAT_NAMES = ['mean', 'std', 'min', 'max', 'median', 'range', 'rms', 'slope', 'skew', 'kurtosis'] as const;
export type StatName = (typeof STAT_NAMES)[number];

interface StatDef {
  readonly describe: string;
  /** `x`: one cycle's samples in time order; `dt`: seconds between two samples. */
  compute(x: number[], dt: number): number;
}

const STATS: Readonly<Record<StatName, StatDef>> = {
  mean: { describe: 'arithmetic mean', compute: (x) => mean(x) },
  std: { describe: 'sample standard deviation (n - 1), as pandas', compute: (x) => sampleStandardDeviation(x) },
  min: { describe: 'smallest sample', compute: (x) => min(x) },
  max: { describe: 'largest sample', compute: (x) => max(x) },
  median: { describe: 'median', compute: (x) => median(x) },
  range: { describe: 'max - min', compute: (x) => max(x) - min(x) },
  rms: { describe: 'root mean square', compute: (x) => rootMeanSquare(x) },
  slope: { describe: 'least-squares slope against time, per second', compute: slope },
  skew: { describe: 'sample skewness (adjusted Fisher-Pearson), as pandas', compute: (x) => sampleSkewness(x) },
  kurtosis: { describe: 'sample excess kurtosis, as pandas', compute: (x) => sampleKurtosis(x) },
};

/**
 * Least-squares slope of the samples against time (units per second). Written out rather than
 * simple-statistics' linearRegression, which wants an [x, y] pair per sample: 6000 small arrays
 * per line, and the times are evenly spaced, so Σ(t - t̄)² has a closed form.
 */
function slope(x: number[], dt: number): number {
  const n = x.length;
  if (n < 2) return NaN;
  const m = mean(x);
  const mid = (n - 1) / 2;
  let num = 0;
  for (let i = 0; i < n; i++) num += (i - mid) * (x[i]! - m);
  return num / (dt * ((n * (n * n - 1)) / 12));
}

/**
 * What a statistic computes, for help texts and errors.
 *
 * @example
 * describeStat('std'); // 'sample standard deviation (n - 1), as pandas'
 */
export function describeStat(name: StatName): string {
  return STATS[name].describe;
}

/**
 * Checks statistic names (from `--stats` or an API caller): known names in the order given,
 * duplicates dropped. An unknown or empty list is an AutomlError listing the valid names.
 *
 * @example
 * parseStats(['mean', 'std']); // ['mean', 'std']
 * parseStats(['avg']);         // throws: unknown per-cycle statistic 'avg' …
 */
export function parseStats(names: readonly string[]): StatName[] {
  const valid = STAT_NAMES.map((s) => `${s} (${STATS[s].describe})`).join(', ');
  if (names.length === 0) {
    throw new AutomlError('BAD_STATS', `--stats names no statistic; choose one or more of: ${valid}`);
  }
  const out: StatName[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (!(STAT_NAMES as readonly string[]).includes(name)) {
      throw new AutomlError('BAD_STATS', `unknown per-cycle statistic '${raw}' in --stats; choose from: ${valid}`);
    }
    if (!out.includes(name as StatName)) out.push(name as StatName);
  }
  return out;
}

/**
 * The column a statistic of a sensor column is written to: the plain name for the mean,
 * `<column>_<stat>` otherwise.
 *
 * @example
 * statColumn('psa_bar', 'mean'); // 'psa_bar'
 * statColumn('psa_bar', 'std');  // 'psa_bar_std'
 */
export function statColumn(column: string, stat: StatName): string {
  return stat === 'mean' ? column : `${column}_${stat}`;
}

/**
 * Computes one statistic of one cycle's samples.
 *
 * @example
 * computeStat('range', [1, 4, 2], 1); // 3
 * computeStat('slope', [0, 2, 4], 0.5); // 4 (units per second)
 */
export function computeStat(stat: StatName, samples: number[], secondsPerSample: number): number {
  return STATS[stat].compute(samples, secondsPerSample);
}
