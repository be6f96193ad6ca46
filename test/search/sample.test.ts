import { describe, expect, it } from 'vitest';
import { Table, type Column } from '../../src/data/table.js';
import type { ExperimentSettings } from '../../src/search/experiment.js';
import { prepareData } from '../../src/search/prepare.js';
import { sampleTraining, SEARCH_MIN_ROWS, searchRowCap } from '../../src/search/sample.js';
import { Rng } from '../../src/util/random.js';

const settings: ExperimentSettings = {
  name: 't',
  target: 'y',
  task: 'auto',
  seed: 42,
  drop: [],
  time: 1,
  accuracy: 5,
  interpretability: 5,
  outDir: '.',
};

/** 4000 rows: two numeric features, a weight, and a 3-class target of unequal classes (60/30/10%). */
function table(seed: number): Table {
  const rng = new Rng(seed);
  const n = 4000;
  const x0 = new Float64Array(n);
  const x1 = new Float64Array(n);
  const w = new Float64Array(n);
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x0[i] = rng.next();
    x1[i] = i;
    w[i] = 1 + (i % 3);
    const u = rng.next();
    codes[i] = u < 0.6 ? 0 : u < 0.9 ? 1 : 2;
  }
  const columns: Column[] = [
    { name: 'x0', type: 'numeric', values: x0 },
    { name: 'x1', type: 'numeric', values: x1 },
    { name: 'w', type: 'numeric', values: w },
    { name: 'y', type: 'categorical', codes, levels: ['a', 'b', 'c'] },
  ];
  return new Table(columns, n);
}

describe('searchRowCap', () => {
  it('is 250,000 cells a second of budget, at least 100,000 rows, none without a budget', () => {
    expect(searchRowCap(40, 50)).toBe(200_000);
    expect(searchRowCap(40, 20)).toBe(500_000);
    expect(searchRowCap(10, 50)).toBe(SEARCH_MIN_ROWS);
    expect(searchRowCap(160, 50)).toBe(800_000);
    expect(searchRowCap(null, 50)).toBe(Infinity);
  });
});

describe('sampleTraining', () => {
  // x1 is the row number (an identifier, kept to check the rows).
  const p = prepareData(table(1), undefined, { ...settings, weightColumn: 'w', keepColumns: ['x1'] });

  it('keeps the data as it is when it fits', () => {
    expect(sampleTraining(p, p.train.nRows, 42)).toBe(p);
    expect(sampleTraining(p, Infinity, 42)).toBe(p);
  });

  it('samples the training rows, seeded and stratified, in their order; the test part is whole', () => {
    const q = sampleTraining(p, 1000, 42);
    expect(q.train.nRows).toBe(1000);
    expect(q.trainRows).toHaveLength(1000);
    expect(q.cvTask.y).toHaveLength(1000);
    expect(q.cvTask.weights).toHaveLength(1000);
    expect(q.test).toBe(p.test);
    expect(q.yTest).toBe(p.yTest);
    // Rows in their order, each with its own features, label and weight.
    for (let k = 1; k < q.trainRows.length; k++) expect(q.trainRows[k]!).toBeGreaterThan(q.trainRows[k - 1]!);
    const x1 = q.train.numeric('x1').values;
    for (let k = 0; k < q.train.nRows; k++) {
      const row = q.trainRows[k]!;
      expect(x1[k]).toBe(row);
      const j = p.trainRows.indexOf(row);
      expect(q.cvTask.y[k]).toBe(p.cvTask.y[j]);
      expect(q.cvTask.weights![k]).toBe(1 + (row % 3));
    }
    // Each class keeps its share within a row.
    for (let c = 0; c < 3; c++) {
      const all = p.cvTask.y.filter((v) => v === c).length;
      const kept = q.cvTask.y.filter((v) => v === c).length;
      expect(Math.abs(kept - (all * 1000) / p.train.nRows)).toBeLessThanOrEqual(1);
    }
  });

  it('is the same sample for the same seed, another for another', () => {
    expect(sampleTraining(p, 1000, 42).trainRows).toEqual(sampleTraining(p, 1000, 42).trainRows);
    expect(sampleTraining(p, 1000, 7).trainRows).not.toEqual(sampleTraining(p, 1000, 42).trainRows);
  });

  it("leaves the user's folds whole", () => {
    const t = table(2);
    const fold = new Float64Array(t.nRows).map((_, i) => i % 4);
    const withFolds = new Table([...t.columns, { name: 'f', type: 'numeric', values: fold }], t.nRows);
    const pf = prepareData(withFolds, undefined, { ...settings, foldColumn: 'f' });
    expect(pf.userFolds).toBeDefined();
    expect(sampleTraining(pf, 1000, 42)).toBe(pf);
  });
});
