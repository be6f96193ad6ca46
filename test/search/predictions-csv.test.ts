import { describe, expect, it } from 'vitest';
import { predictionsCsv } from '../../src/search/run-files.js';

describe('test-predictions.csv', () => {
  it('classification: the row, the actual class, a probability per class, the most probable class', () => {
    const text = predictionsCsv({
      target: 'churn',
      classes: ['no', 'yes'],
      y: Float64Array.from([0, 1, 1]),
      // The second row is a tie: the first class, as automl score predicts it.
      pred: Float64Array.from([0.9, 0.1, 0.5, 0.5, 0.25, 0.75]),
      ids: { name: 'line', values: ['2', '7', '9'] },
    });
    expect(text).toBe(
      'line,churn,churn.no,churn.yes,churn.predicted\n2,no,0.9,0.1,no\n7,yes,0.5,0.5,no\n9,yes,0.25,0.75,yes\n',
    );
  });

  it('multiclass with an --id-column of text (quoted when it must be), and regression', () => {
    const multi = predictionsCsv({
      target: 'grade',
      classes: ['A', 'B, C', 'D'],
      y: Float64Array.from([2]),
      pred: Float64Array.from([0.2, 0.5, 0.3]),
      ids: { name: 'customer', values: ['Smith, J.'] },
    });
    expect(multi).toBe(
      'customer,grade,grade.A,"grade.B, C",grade.D,grade.predicted\n"Smith, J.",D,0.2,0.5,0.3,"B, C"\n',
    );
    const reg = predictionsCsv({
      target: 'price',
      classes: null,
      y: Float64Array.from([10.5, 3]),
      pred: Float64Array.from([11.25, 2.5]),
      ids: { name: 'line', values: ['2', '3'] },
    });
    expect(reg).toBe('line,price,price.predicted\n2,10.5,11.25\n3,3,2.5\n');
  });
});
