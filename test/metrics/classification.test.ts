// Expected values: scikit-learn 1.2.1 (numpy 1.24.2), computed by test/metrics/sklearn-reference.py
// and recorded as literals in test/metrics/sklearn-reference.ts. No Python runs here.
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  auc,
  classificationReport,
  confusionMatrix,
  f1Score,
  logloss,
  mcc,
  precisionRecallF1,
} from '../../src/metrics/index.js';
import { expectAllClose, expectClose } from './expect-close.js';
import { CLASSIFICATION_CASES, SKLEARN_VERSION, type ClassificationExpect } from './sklearn-reference.js';

describe(`classification metrics against scikit-learn ${SKLEARN_VERSION}`, () => {
  it('the reference covers binary, 3- and 4-class cases', () => {
    expect(SKLEARN_VERSION).toBe('1.2.1');
    expect(new Set(CLASSIFICATION_CASES.map((c) => c.nClasses))).toEqual(new Set([2, 3, 4]));
  });

  for (const c of CLASSIFICATION_CASES) {
    const proba = Float64Array.from(c.proba);
    for (const [variant, ys] of [
      ['Int32Array y', Int32Array.from(c.y)],
      ['Float64Array y', Float64Array.from(c.y)],
    ] as const) {
      for (const weighting of ['unweighted', 'weighted'] as const) {
        const want: ClassificationExpect = c[weighting];
        const w = weighting === 'weighted' ? Float64Array.from(c.weights) : undefined;
        describe(`${c.name} (K=${c.nClasses}, ${weighting}, ${variant})`, () => {
          it('logloss', () => expectClose(logloss(ys, proba, w), want.logloss, 'logloss'));
          it('accuracy', () => expectClose(accuracy(ys, proba, w), want.accuracy, 'accuracy'));
          it('confusion matrix', () => {
            const m = confusionMatrix(ys, proba, w);
            expect(m.length).toBe(c.nClasses);
            m.forEach((row, a) => expectAllClose(row, want.confusion[a] as number[], `confusion[${a}]`));
          });
          it('per-class and macro precision, recall, F1', () => {
            const s = precisionRecallF1(ys, proba, w);
            expectAllClose(s.precision, want.precision, 'precision');
            expectAllClose(s.recall, want.recall, 'recall');
            expectAllClose(s.f1, want.f1, 'f1');
            expectAllClose(s.support, want.support, 'support');
            expectClose(s.macro.precision, want.macro.precision, 'macro precision');
            expectClose(s.macro.recall, want.macro.recall, 'macro recall');
            expectClose(s.macro.f1, want.macro.f1, 'macro f1');
          });
          it('f1Score (positive class for binary, macro otherwise)', () =>
            expectClose(f1Score(ys, proba, w), want.f1Score, 'f1Score'));
          it('MCC', () => expectClose(mcc(ys, proba, w), want.mcc, 'mcc'));
          it('AUC (null where undefined)', () => expectClose(auc(ys, proba, w), want.auc, 'auc'));
          it('classificationReport agrees with all of them', () => {
            const labels = Array.from({ length: c.nClasses }, (_, k) => `c${k}`);
            const r = classificationReport(ys, proba, labels, w);
            expectClose(r.logloss, want.logloss, 'logloss');
            expectClose(r.accuracy, want.accuracy, 'accuracy');
            expectClose(r.mcc, want.mcc, 'mcc');
            expectClose(r.auc, want.auc, 'auc');
            expectClose(r.macro.precision, want.macro.precision, 'macro precision');
            expectClose(r.macro.recall, want.macro.recall, 'macro recall');
            expectClose(r.macro.f1, want.macro.f1, 'macro f1');
            expect(r.perClass.map((p) => p.label)).toEqual(labels);
            expectAllClose(
              r.perClass.map((p) => p.precision),
              want.precision,
              'precision',
            );
            expectAllClose(
              r.perClass.map((p) => p.recall),
              want.recall,
              'recall',
            );
            expectAllClose(
              r.perClass.map((p) => p.f1),
              want.f1,
              'f1',
            );
            expectAllClose(
              r.perClass.map((p) => p.support),
              want.support,
              'support',
            );
            r.confusion.forEach((row, a) => expectAllClose(row, want.confusion[a] as number[], `confusion[${a}]`));
          });
        });
      }
    }
  }
});

describe('classification details', () => {
  it('logloss clips at float64 epsilon (sklearn 1.2 eps="auto"), not 1e-15: a confident miss costs −log(2⁻⁵²)', () => {
    const y = Int32Array.of(0);
    expect(logloss(y, Float64Array.of(0, 1))).toBeCloseTo(52 * Math.LN2, 12);
    expect(logloss(y, Float64Array.of(1, 0))).toBeCloseTo(-Math.log(1 - Number.EPSILON), 12);
  });

  it('logloss renormalises rows that do not sum to 1', () => {
    expectClose(logloss(Int32Array.of(1), Float64Array.of(0.2, 0.6)), -Math.log(0.6 / 0.8));
    // Clipping comes first: 3 becomes 1 − ε, so [1, 3] is renormalised to [0.5, 0.5].
    expectClose(logloss(Int32Array.of(1), Float64Array.of(1, 3)), Math.LN2);
  });

  it('argmax ties go to the lowest class index', () => {
    const y = Int32Array.of(0, 1, 2);
    const proba = Float64Array.of(0.4, 0.4, 0.2, 0.2, 0.4, 0.4, 1 / 3, 1 / 3, 1 / 3);
    expect(confusionMatrix(y, proba)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });

  it('the report keeps the class labels and a class never predicted scores 0 precision', () => {
    const r = classificationReport(
      Int32Array.of(0, 1, 2),
      Float64Array.of(0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.5, 0.4, 0.1),
      ['a', 'b', 'c'],
    );
    expect(r.perClass[2]).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.accuracy).toBeCloseTo(2 / 3, 15);
  });

  it('the doc comment examples hold', () => {
    const y = Int32Array.of(0, 1, 1);
    const proba = Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.2, 0.8);
    expect(confusionMatrix(y, proba)).toEqual([
      [1, 0],
      [1, 1],
    ]);
    const s = precisionRecallF1(y, proba);
    expect([...s.precision]).toEqual([0.5, 1]);
    expect([...s.recall]).toEqual([1, 0.5]);
    expect(s.macro.f1).toBeCloseTo(2 / 3, 15);
    expect(f1Score(y, proba)).toBeCloseTo(2 / 3, 15);
    expect(auc(y, proba)).toBe(1);
    expect(logloss(Int32Array.of(1, 0), Float64Array.of(0.1, 0.9, 0.8, 0.2))).toBeCloseTo(
      (-Math.log(0.9) - Math.log(0.8)) / 2,
      15,
    );
    expect(accuracy(Int32Array.of(1, 0, 0), Float64Array.of(0.3, 0.7, 0.6, 0.4, 0.2, 0.8))).toBeCloseTo(2 / 3, 15);
    expect(mcc(Int32Array.of(0, 1, 1, 0), Float64Array.of(0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.6, 0.4))).toBe(1);
    const r = classificationReport(y, proba, ['no', 'yes']);
    expect(r.perClass[1]).toEqual({ label: 'yes', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
  });
});
