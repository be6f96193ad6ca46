import { describe, expect, it } from 'vitest';
import {
  accuracy,
  auc,
  f1Score,
  isMetricName,
  logloss,
  mae,
  mcc,
  METRIC_NAMES,
  metricByName,
  METRICS,
  r2,
  rmse,
} from '../../src/metrics/index.js';
import { AutomlError } from '../../src/util/errors.js';
import { CLASSIFICATION_CASES, REGRESSION_CASES } from './sklearn-reference.js';

describe('metric registry', () => {
  it('has one entry per name, keyed by its own name', () => {
    expect([...METRIC_NAMES]).toEqual(['logloss', 'auc', 'accuracy', 'f1', 'mcc', 'rmse', 'mae', 'r2']);
    expect(Object.keys(METRICS).sort()).toEqual([...METRIC_NAMES].sort());
    for (const name of METRIC_NAMES) {
      expect(metricByName(name).name).toBe(name);
      expect(isMetricName(name)).toBe(true);
    }
  });

  it('knows each metric’s task and direction', () => {
    const table = METRIC_NAMES.map((n) => [n, METRICS[n].task, METRICS[n].greaterIsBetter]);
    expect(table).toEqual([
      ['logloss', 'classification', false],
      ['auc', 'classification', true],
      ['accuracy', 'classification', true],
      ['f1', 'classification', true],
      ['mcc', 'classification', true],
      ['rmse', 'regression', false],
      ['mae', 'regression', false],
      ['r2', 'regression', true],
    ]);
  });

  it('an unknown name is an AutomlError naming it and listing the valid names', () => {
    expect(isMetricName('auroc')).toBe(false);
    expect(isMetricName('toString')).toBe(false);
    let error: unknown;
    try {
      metricByName('auroc');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AutomlError);
    expect((error as AutomlError).code).toBe('UNKNOWN_METRIC');
    expect((error as AutomlError).message).toContain("'auroc'");
    expect((error as AutomlError).message).toContain(METRIC_NAMES.join(', '));
  });

  it('compute is the metric function (f1: positive class for binary, macro for multiclass)', () => {
    for (const c of CLASSIFICATION_CASES) {
      const y = Int32Array.from(c.y);
      const proba = Float64Array.from(c.proba);
      const w = Float64Array.from(c.weights);
      expect(METRICS.logloss.compute(y, proba, w)).toBe(logloss(y, proba, w));
      expect(METRICS.accuracy.compute(y, proba, w)).toBe(accuracy(y, proba, w));
      expect(METRICS.f1.compute(y, proba, w)).toBe(f1Score(y, proba, w));
      expect(METRICS.f1.compute(y, proba)).toBeCloseTo(c.unweighted.f1Score, 12);
      expect(METRICS.mcc.compute(y, proba, w)).toBe(mcc(y, proba, w));
      const a = auc(y, proba, w);
      if (a === null) expect(() => METRICS.auc.compute(y, proba, w)).toThrow(AutomlError);
      else expect(METRICS.auc.compute(y, proba, w)).toBe(a);
    }
    for (const c of REGRESSION_CASES) {
      const y = Float64Array.from(c.y);
      const pred = Float64Array.from(c.pred);
      expect(METRICS.rmse.compute(y, pred)).toBe(rmse(y, pred));
      expect(METRICS.mae.compute(y, pred)).toBe(mae(y, pred));
      expect(METRICS.r2.compute(y, pred)).toBe(r2(y, pred));
    }
  });

  it('an undefined AUC is an AutomlError METRIC_UNDEFINED from the registry', () => {
    try {
      METRICS.auc.compute(Int32Array.of(1, 1), Float64Array.of(0.5, 0.5, 0.2, 0.8));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AutomlError);
      expect((e as AutomlError).code).toBe('METRIC_UNDEFINED');
    }
  });

  it('regression metrics accept Int32Array targets through the registry', () => {
    expect(METRICS.mae.compute(Int32Array.of(1, 2, 3), Float64Array.of(1, 2, 5))).toBeCloseTo(2 / 3, 15);
  });
});
