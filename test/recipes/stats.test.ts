import { describe, expect, it } from 'vitest';
import { STAT_NAMES, computeStat, parseStats, statColumn } from '../../recipes/hydraulic/index.js';
import { AutomlError } from '../../src/util/errors.js';

describe('per-cycle statistics', () => {
  it('are one named set', () => {
    expect([...STAT_NAMES]).toEqual([
      'mean',
      'std',
      'min',
      'max',
      'median',
      'range',
      'rms',
      'slope',
      'skew',
      'kurtosis',
    ]);
  });

  it('parseStats keeps the order given, drops repeats, accepts any case', () => {
    expect(parseStats(['max', 'Mean', 'max', ' std '])).toEqual(['max', 'mean', 'std']);
  });

  it('parseStats refuses an unknown name, listing the valid ones', () => {
    let e: unknown;
    try {
      parseStats(['mean', 'avg']);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(AutomlError);
    const m = (e as Error).message;
    expect(m).toContain("unknown per-cycle statistic 'avg' in --stats");
    for (const s of STAT_NAMES) expect(m).toContain(s);
    expect(() => parseStats([])).toThrow('--stats names no statistic');
  });

  it('name columns <column>_<stat>, the mean plainly', () => {
    expect(statColumn('psa_bar', 'mean')).toBe('psa_bar');
    expect(statColumn('psa_bar', 'kurtosis')).toBe('psa_bar_kurtosis');
  });

  it('compute known values', () => {
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(computeStat('mean', x, 1)).toBe(5);
    expect(computeStat('std', x, 1)).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(computeStat('min', x, 1)).toBe(2);
    expect(computeStat('max', x, 1)).toBe(9);
    expect(computeStat('median', x, 1)).toBe(4.5);
    expect(computeStat('range', x, 1)).toBe(7);
    expect(computeStat('rms', [3, -4, 3, -4], 1)).toBeCloseTo(Math.sqrt(12.5), 14);
    // y = 3 + 2t sampled every 0.1 s: 2 units per second.
    expect(computeStat('slope', [3, 3.2, 3.4, 3.6, 3.8], 0.1)).toBeCloseTo(2, 12);
    // Symmetric data: no skew. scipy.stats skew(x, bias=False) = 1.697056274847714 and
    // kurtosis(x, bias=False) = 3.152000000000001 for [1, 2, 3, 4, 10] (pandas' skew() and kurt()).
    expect(computeStat('skew', [1, 2, 3, 4, 5], 1)).toBeCloseTo(0, 14);
    expect(computeStat('skew', [1, 2, 3, 4, 10], 1)).toBeCloseTo(1.697056274847714, 13);
    expect(computeStat('kurtosis', [1, 2, 3, 4, 10], 1)).toBeCloseTo(3.152, 12);
  });
});
