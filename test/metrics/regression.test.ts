// Expected values: scikit-learn 1.2.1 (numpy 1.24.2), computed by test/metrics/sklearn-reference.py
// and recorded as literals in test/metrics/sklearn-reference.ts. No Python runs here.
import { describe, expect, it } from 'vitest';
import { mae, r2, regressionReport, rmse } from '../../src/metrics/index.js';
import { expectClose } from './expect-close.js';
import { REGRESSION_CASES } from './sklearn-reference.js';

describe('regression metrics against scikit-learn 1.2.1', () => {
  for (const c of REGRESSION_CASES) {
    const y = Float64Array.from(c.y);
    const pred = Float64Array.from(c.pred);
    for (const weighting of ['unweighted', 'weighted'] as const) {
      const w = weighting === 'weighted' ? Float64Array.from(c.weights) : undefined;
      const want = c[weighting];
      it(`${c.name} (${weighting})`, () => {
        expectClose(rmse(y, pred, w), want.rmse, 'rmse');
        expectClose(mae(y, pred, w), want.mae, 'mae');
        expectClose(r2(y, pred, w), want.r2, 'r2');
        const r = regressionReport(y, pred, w);
        expectClose(r.rmse, want.rmse, 'report rmse');
        expectClose(r.mae, want.mae, 'report mae');
        expectClose(r.r2, want.r2, 'report r2');
      });
    }
  }

  it('R² of constant y is 1 for perfect predictions and 0 otherwise (sklearn force_finite)', () => {
    expect(REGRESSION_CASES.find((c) => c.name === 'constant y, perfect')?.weighted.r2).toBe(1);
    expect(REGRESSION_CASES.find((c) => c.name === 'constant y, imperfect')?.weighted.r2).toBe(0);
  });

  it('R² of a single row is NaN, as sklearn (which warns)', () => {
    expect(r2(Float64Array.of(1), Float64Array.of(2))).toBeNaN();
  });

  it('the doc comment examples hold', () => {
    const y = Float64Array.of(1, 2, 3);
    const pred = Float64Array.of(1, 2, 5);
    expect(rmse(y, pred)).toBeCloseTo(Math.sqrt(4 / 3), 15);
    expect(mae(y, pred)).toBeCloseTo(2 / 3, 15);
    expect(r2(y, pred)).toBe(-1);
  });
});
