import { describe, expect, it } from 'vitest';
import { inferTarget } from '../../src/data/infer.js';
import type { CategoricalColumn, NumericColumn } from '../../src/data/table.js';
import { AutomlError } from '../../src/util/errors.js';

const num = (values: number[], texts?: [number, string][]): NumericColumn => ({
  name: 'y',
  type: 'numeric',
  values: Float64Array.from(values),
  ...(texts ? { texts: new Map(texts) } : {}),
});
const cat = (codes: number[], levels: string[]): CategoricalColumn => ({
  name: 'y',
  type: 'categorical',
  codes: Int32Array.from(codes),
  levels,
});

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AutomlError);
    return (e as AutomlError).code;
  }
  return 'no error';
}

describe('inferTarget', () => {
  it('a numeric target with few integer values is classification, classes in numeric order as written', () => {
    const t = inferTarget(
      num(
        [100, 3, 20, 3, 100, 20],
        [
          [100, '100'],
          [3, '3'],
          [20, '20'],
        ],
      ),
    );
    expect(t.task).toBe('multiclass');
    expect(t.classes).toEqual(['3', '20', '100']);
    expect([...t.y]).toEqual([2, 0, 1, 0, 2, 1]);
  });

  it('two integer values make a binary target; missing rows are -1', () => {
    const t = inferTarget(num([0, 1, NaN, 1]));
    expect(t.task).toBe('binary');
    expect(t.classes).toEqual(['0', '1']);
    expect([...t.y]).toEqual([0, 1, -1, 1]);
    expect(t.missing).toBe(1);
  });

  it('non-integers, or more than 20 integer values, make regression', () => {
    expect(inferTarget(num([0.5, 1, 2])).task).toBe('regression');
    const many = Array.from({ length: 21 }, (_, i) => i);
    expect(inferTarget(num(many)).task).toBe('regression');
    expect(inferTarget(num(many.slice(0, 20))).task).toBe('multiclass');
    const r = inferTarget(num([1.5, NaN, 2.5]));
    expect([...r.y]).toEqual([1.5, NaN, 2.5]);
    expect(r.classes).toBeUndefined();
  });

  it('a categorical target is classification, classes sorted', () => {
    const t = inferTarget(cat([1, 0, 2, -1, 1], ['yes', 'maybe', 'no']));
    expect(t.task).toBe('multiclass');
    expect(t.classes).toEqual(['maybe', 'no', 'yes']);
    expect([...t.y]).toEqual([0, 2, 1, -1, 0]);
  });

  it('honours a requested task, and refuses an impossible one', () => {
    expect(inferTarget(num([1, 2, 3]), 'regression').task).toBe('regression');
    expect(inferTarget(num([1.5, 2.5, 1.5]), 'binary').classes).toEqual(['1.5', '2.5']);
    expect(code(() => inferTarget(num([1, 2, 3]), 'binary'))).toBe('TARGET_NOT_BINARY');
    expect(code(() => inferTarget(cat([0, 1], ['a', 'b']), 'regression'))).toBe('TARGET_NOT_NUMERIC');
  });

  it('refuses a target with one class or all missing', () => {
    expect(code(() => inferTarget(num([7, 7, NaN])))).toBe('TARGET_ONE_CLASS');
    expect(code(() => inferTarget(cat([0, 0], ['a'])))).toBe('TARGET_ONE_CLASS');
    expect(code(() => inferTarget(num([NaN, NaN])))).toBe('TARGET_ALL_MISSING');
    expect(code(() => inferTarget(cat([-1], ['a'])))).toBe('TARGET_ALL_MISSING');
  });
});
