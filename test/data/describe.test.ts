import { describe, expect, it } from 'vitest';
import { describeColumn } from '../../src/data/describe.js';

describe('describeColumn', () => {
  it('summarises a numeric column, ignoring missing values', () => {
    const s = describeColumn({ name: 'x', type: 'numeric', values: Float64Array.from([4, NaN, 1, 3, 2, 2]) });
    expect(s).toEqual({
      name: 'x',
      type: 'numeric',
      missing: 1,
      distinct: 4,
      min: 1,
      mean: 2.4,
      median: 2,
      max: 4,
      std: Math.sqrt(1.3),
    });
  });

  it('summarises an all-missing numeric column with nulls', () => {
    const s = describeColumn({ name: 'x', type: 'numeric', values: Float64Array.from([NaN, NaN]) });
    expect(s).toMatchObject({ missing: 2, distinct: 0, min: null, mean: null });
  });

  it('lists the top levels of a categorical column, most frequent first', () => {
    const s = describeColumn(
      {
        name: 'c',
        type: 'categorical',
        codes: Int32Array.from([0, 1, 1, 2, 2, -1, 2, 3]),
        levels: ['a', 'b', 'c', 'd', 'unused'],
      },
      3,
    );
    expect(s).toEqual({
      name: 'c',
      type: 'categorical',
      missing: 1,
      distinct: 4,
      top: [
        { level: 'c', count: 3 },
        { level: 'b', count: 2 },
        { level: 'a', count: 1 },
      ],
    });
  });
});
