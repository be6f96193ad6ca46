import { describe, expect, it } from 'vitest';
import { TreeScorer } from '../../src/artifact/tree-scorer.js';
import type { TreeEnsembleNode } from '../../src/artifact/format/tree-ensemble.js';
import { fitGbdt, GBDT_DEFAULTS } from '../../src/models/gbdt/gbdt.js';
import { BIN_SAMPLE_ROWS, binColumn, fitBins, MISSING_BIN, splitThreshold } from '../../src/models/trees/binning.js';
import type { Matrix } from '../../src/models/types.js';
import { Rng } from '../../src/util/random.js';
import { contractTests, makeData, meanLoss } from './contract.js';

contractTests({
  name: 'gbdt',
  fit: (train, opts) => fitGbdt(train, { ...opts, params: { nRounds: 40, ...opts.params } }),
  scoreNode: (node, x) => new TreeScorer(node as TreeEnsembleNode).predict(x.columns, x.nRows),
  randomParams: { baggingFraction: 0.7, featureFraction: 0.6 },
  earlyStopping: { params: { nRounds: 400, learningRate: 0.3, earlyStoppingRounds: 10 } },
  deadline: { kept: 'rounds', params: { nRounds: 20 } },
  weightEqualsDuplicate: {
    params: { minDataInLeaf: 1, minSumHessian: 0, featureFraction: 1, nRounds: 10, numLeaves: 4 },
  },
});

describe('binning', () => {
  it('gives each distinct value its own bin when there are few, and missing values bin 255', () => {
    const col = Float64Array.from([3, 1, 2, NaN, 2, 3, 1]);
    const m = fitBins({ nRows: 7, columns: [col] });
    expect(m.nBins[0]).toBe(3);
    expect([...m.upper[0]!]).toEqual([1.5, 2.5]);
    expect([...binColumn(col, m.upper[0]!, 7)]).toEqual([2, 0, 1, MISSING_BIN, 1, 2, 0]);
  });

  it('caps the bins at maxBins with roughly equal counts, and bins agree with raw thresholds', () => {
    const rng = new Rng(3);
    const n = 20000;
    const col = Float64Array.from({ length: n }, () => (rng.next() < 0.2 ? 0 : rng.next() * 100));
    const m = fitBins({ nRows: n, columns: [col] }, 64);
    expect(m.nBins[0]).toBeLessThanOrEqual(64);
    expect(m.nBins[0]).toBeGreaterThan(50);
    const bins = binColumn(col, m.upper[0]!, n);
    const counts = new Array<number>(m.nBins[0]!).fill(0);
    for (const b of bins) counts[b]!++;
    // The heavy value 0 (20% of rows) gets a bin of its own.
    expect(counts[0]).toBe(col.filter((v) => v === 0).length);
    for (let b = 0; b < m.nBins[0]!; b++) {
      const t = splitThreshold(m, 0, b);
      for (let i = 0; i < n; i += 97) expect(col[i]! <= t).toBe(bins[i]! <= b);
    }
  });
});

describe('binning: the branch-free search and the sample past 200,000 rows', () => {
  /** The first bin b with v <= bounds[b] (bounds.length when none), by a plain binary search. */
  const reference = (v: number, bounds: Float64Array): number => {
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= bounds[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  it('bins as a binary search does, for bounds of every length, on and between them', () => {
    const rng = new Rng(9);
    for (const nb of [0, 1, 2, 3, 127, 128, 200, 254]) {
      const bounds = Float64Array.from({ length: nb }, () => rng.next() * 200 - 100).sort();
      const values = [
        ...bounds,
        ...Array.from({ length: 500 }, () => rng.next() * 240 - 120),
        -Infinity,
        Infinity,
        -0,
        0,
        -Number.MAX_VALUE,
      ];
      const col = Float64Array.from([...values, NaN]);
      const bins = binColumn(col, bounds, col.length);
      values.forEach((v, i) => expect(bins[i], `value ${v} of ${nb} bounds`).toBe(reference(v, bounds)));
      expect(bins[values.length]).toBe(MISSING_BIN);
    }
  });

  it('finds bounds from a seeded sample of 200,000 rows past that size: near the full quantiles', () => {
    expect(BIN_SAMPLE_ROWS).toBe(200_000);
    const n = 600_000;
    const rng = new Rng(4);
    const col = Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? NaN : rng.next() ** 2));
    const x = { nRows: n, columns: [col] };
    const a = fitBins(x, 255, new Rng(1));
    expect([...a.upper[0]!]).toEqual([...fitBins(x, 255, new Rng(1)).upper[0]!]);
    expect([...a.upper[0]!]).not.toEqual([...fitBins(x, 255, new Rng(2)).upper[0]!]);
    expect(a.nBins[0]).toBe(255);
    // Every bin of the full column holds close to its share of the present values.
    const bins = binColumn(col, a.upper[0]!, n);
    const counts = new Array<number>(255).fill(0);
    let present = 0;
    for (const b of bins)
      if (b !== MISSING_BIN) {
        counts[b]!++;
        present++;
      }
    for (const c of counts) expect(Math.abs(c / (present / 255) - 1)).toBeLessThan(0.25);
    // Without a random source (or at 200,000 rows or fewer) every row is read.
    const small = { nRows: 1000, columns: [col.subarray(0, 1000)] };
    expect([...fitBins(small, 255, new Rng(1)).upper[0]!]).toEqual([...fitBins(small).upper[0]!]);
  });
});

describe('gbdt', () => {
  const data = makeData('multiclass', 800, 5);
  const opts = { kind: 'multiclass' as const, nClasses: 3, rng: new Rng(1) };

  it('grows depth-wise within maxDepth and leaf-wise within numLeaves', () => {
    const depthOf = (node: TreeEnsembleNode): number[] =>
      node.trees.map((t) => {
        const depth = (i: number): number =>
          t.feature[i]! < 0 ? 0 : 1 + Math.max(depth(t.left[i]!), depth(t.right[i]!));
        return depth(0);
      });
    const d = fitGbdt(data, {
      ...opts,
      params: { growth: 'depthwise', maxDepth: 3, nRounds: 10, minDataInLeaf: 1 },
    }).exportNode();
    expect(Math.max(...depthOf(d))).toBe(3);
    const l = fitGbdt(data, {
      ...opts,
      params: { growth: 'leafwise', numLeaves: 5, nRounds: 10, minDataInLeaf: 1 },
    }).exportNode();
    const leaves = l.trees.map((t) => t.feature.filter((f) => f < 0).length);
    expect(Math.max(...leaves)).toBe(5);
    expect(Math.max(...depthOf(l))).toBeGreaterThan(2);
  });

  it('puts thresholds in raw feature units, between the values it separates', () => {
    const x: Matrix = {
      nRows: 100,
      columns: [Float64Array.from({ length: 100 }, (_, i) => (i < 50 ? 10 + i / 100 : 20 + i / 100))],
    };
    const y = Float64Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 1));
    const node = fitGbdt(
      { x, y },
      { kind: 'binary', nClasses: 2, rng: new Rng(1), params: { nRounds: 1, featureFraction: 1 } },
    ).exportNode();
    expect(node.trees[0]!.feature[0]).toBe(0);
    const t = node.trees[0]!.threshold[0]!;
    expect(t).toBeGreaterThan(10.49);
    expect(t).toBeLessThan(20.5);
  });

  it('learns where missing values go', () => {
    const n = 400;
    const rng = new Rng(8);
    const a = Float64Array.from({ length: n }, () => rng.next());
    const y = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : a[i]! > 0.8 ? 1 : 0));
    for (let i = 0; i < n; i += 4) a[i] = NaN; // missing means positive
    const model = fitGbdt(
      { x: { nRows: n, columns: [a] }, y },
      { kind: 'binary', nClasses: 2, rng: new Rng(1), params: { featureFraction: 1 } },
    );
    const p = model.predict({ nRows: 3, columns: [Float64Array.from([NaN, 0.2, 0.95])] });
    expect(p[1]).toBeGreaterThan(0.9); // missing → positive
    expect(p[3]).toBeLessThan(0.1);
    expect(p[5]).toBeGreaterThan(0.9);
  });

  it('reports gain and split importance, largest for the informative feature', () => {
    const model = fitGbdt(data, { ...opts, params: { nRounds: 20 } });
    const imp = model.importance();
    const noise = imp.gain[3]!; // feature 3 is 70% missing noise
    expect(imp.gain[0]!).toBeGreaterThan(10 * noise);
    expect(imp.splits.reduce((s, v) => s + v, 0)).toBe(
      model.exportNode().trees.reduce((s, t) => s + t.feature.filter((f) => f >= 0).length, 0),
    );
  });

  it('refuses bad parameters and bad labels with a message that names them', () => {
    expect(() => fitGbdt(data, { ...opts, params: { learningRate: 0 } })).toThrow(/learningRate must be > 0/);
    expect(() => fitGbdt(data, { ...opts, params: { maxBins: 300 } })).toThrow(/maxBins/);
    const bad = { ...data, y: Float64Array.from(data.y, (v, i) => (i === 5 ? 3 : v)) };
    expect(() => fitGbdt(bad, opts)).toThrow(/label of row 5 is 3/);
  });

  it('has the documented defaults', () => {
    expect(GBDT_DEFAULTS).toMatchObject({
      nRounds: 100,
      learningRate: 0.1,
      growth: 'leafwise',
      numLeaves: 31,
      lambdaL2: 1,
    });
  });

  it('regression minimises squared error', () => {
    const tr = makeData('regression', 1000, 1);
    const te = makeData('regression', 500, 2);
    const model = fitGbdt(tr, { kind: 'regression', nClasses: 1, rng: new Rng(1) });
    expect(meanLoss('regression', te.y, model.predict(te.x), 1)).toBeLessThan(0.35);
  });
});
