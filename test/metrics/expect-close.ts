import { expect } from 'vitest';

/** |actual − expected| <= 1e-12 · max(1, |expected|): agreement with scikit-learn to rounding. */
export function expectClose(actual: number | null | undefined, expected: number | null, what = ''): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(typeof actual, what).toBe('number');
  const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

export function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], what = ''): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i], expected[i] as number, `${what}[${i}]`);
}
