import { describe, expect, it } from 'vitest';
import { TreeScorer } from '../../src/artifact/tree-scorer.js';
import type { TreeEnsembleNode, TreeSerialization } from '../../src/artifact/format/tree-ensemble.js';

// One split on feature 0 at 1.5 (missing → left), then the right child splits on feature 1 at 0.
const stump = (a: number, b: number, c: number): TreeSerialization => ({
  feature: [0, -1, 1, -1, -1],
  threshold: [1.5, 0, 0, 0, 0],
  missingLeft: [1, 0, 0, 0, 0],
  left: [1, -1, 3, -1, -1],
  right: [2, -1, 4, -1, -1],
  value: [0, a, 0, b, c],
});

const cols = [Float64Array.from([1, 1.5, 2, 2, NaN]), Float64Array.from([0, 0, -1, 1, 5])];

describe('TreeScorer', () => {
  it('routes rows by value <= threshold, missing values by missingLeft, and sums a boosted ensemble', () => {
    const node: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures: 2,
      nOutputs: 1,
      aggregation: 'sum',
      link: 'identity',
      leafWidth: 1,
      baseScore: [10],
      trees: [stump(1, 2, 3), stump(0.5, 0.25, 0.125)],
    };
    const s = new TreeScorer(node);
    expect([...s.predict(cols, 5)]).toEqual([11.5, 11.5, 12.25, 13.125, 11.5]);
  });

  it('applies the sigmoid for binary models, giving [1 − p, p]', () => {
    const node: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures: 2,
      nOutputs: 1,
      aggregation: 'sum',
      link: 'sigmoid',
      leafWidth: 1,
      baseScore: [0],
      trees: [stump(0, Math.log(3), -Math.log(3))],
    };
    const p = new TreeScorer(node).predict(cols, 5);
    expect(p[1]).toBeCloseTo(0.5, 15);
    expect(p[5]).toBeCloseTo(0.75, 15);
    expect(p[7]).toBeCloseTo(0.25, 15);
    expect(p[4]! + p[5]!).toBe(1);
  });

  it('gives tree t to output t mod K under softmax', () => {
    const node: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures: 2,
      nOutputs: 2,
      aggregation: 'sum',
      link: 'softmax',
      leafWidth: 1,
      baseScore: [0, 0],
      trees: [stump(0, Math.log(3), 0), stump(0, 0, Math.log(3))],
    };
    const p = new TreeScorer(node).predict(cols, 5);
    expect([p[0], p[1]]).toEqual([0.5, 0.5]);
    expect(p[4]).toBeCloseTo(0.75, 15); // row 2: tree 0 → output 0 gets log 3
    expect(p[7]).toBeCloseTo(0.75, 15); // row 3: tree 1 → output 1 gets log 3
  });

  it('averages leaf distributions of a forest', () => {
    const tree = (v: number[]): TreeSerialization => ({
      feature: [0, -1, -1],
      threshold: [1.5, 0, 0],
      missingLeft: [0, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      value: v,
    });
    const node: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures: 1,
      nOutputs: 2,
      aggregation: 'mean',
      link: 'identity',
      leafWidth: 2,
      baseScore: [],
      trees: [tree([0, 0, 1, 0, 0.2, 0.8]), tree([0, 0, 0.6, 0.4, 0, 1])],
    };
    const p = new TreeScorer(node).predict([Float64Array.from([1, 3, NaN])], 3);
    expect([...p]).toEqual([0.8, 0.2, 0.1, 0.9, 0.1, 0.9]);
  });

  it('refuses a malformed node', () => {
    const bad = {
      kind: 'tree_ensemble',
      nFeatures: 1,
      nOutputs: 1,
      aggregation: 'sum',
      link: 'identity',
      leafWidth: 1,
      baseScore: [0],
      trees: [stump(1, 2, 3)],
    } as TreeEnsembleNode;
    expect(() => new TreeScorer(bad)).toThrow(/uses feature 1 of 1/);
    const loop = { ...bad, nFeatures: 2, trees: [{ ...stump(1, 2, 3), left: [0, -1, 3, -1, -1] }] };
    expect(() => new TreeScorer(loop)).toThrow(/children out of order/);
  });

  it('compiled boosted trees give exactly the doubles of the array walk (missing values, ties at thresholds, many trees)', async () => {
    const { Rng } = await import('../../src/util/random.js');
    const rng = new Rng(7);
    const nFeatures = 6;
    const K = 3;
    // 240 random trees of depth up to 6, thresholds drawn from the data so that ties happen.
    const data = Array.from({ length: nFeatures }, () =>
      Float64Array.from({ length: 4000 }, (_, i) => (i % 17 === 0 ? NaN : Math.round(rng.next() * 40) / 4 - 5)),
    );
    const tree = (): TreeSerialization => {
      const t: TreeSerialization = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
      const grow = (depth: number): number => {
        const i = t.feature.length;
        t.feature.push(-1);
        t.threshold.push(0);
        t.missingLeft.push(0);
        t.left.push(-1);
        t.right.push(-1);
        t.value.push(0);
        if (depth < 6 && rng.next() < 0.8) {
          const f = Math.floor(rng.next() * nFeatures);
          t.feature[i] = f;
          t.threshold[i] = data[f]![Math.floor(rng.next() * 4000)]! || 0;
          t.missingLeft[i] = rng.next() < 0.5 ? 1 : 0;
          t.left[i] = grow(depth + 1);
          t.right[i] = grow(depth + 1);
        } else t.value[i] = (rng.next() - 0.5) / 3;
        return i;
      };
      grow(0);
      return t;
    };
    const node: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures,
      nOutputs: K,
      aggregation: 'sum',
      link: 'softmax',
      leafWidth: 1,
      baseScore: [0.1, -0.2, 0.3],
      trees: Array.from({ length: 240 }, tree),
    };
    const compiling = new TreeScorer(node);
    const compiled = compiling.raw(data, 4000);
    expect((compiling as unknown as { compiled: unknown }).compiled, 'compiled after 4,000 rows').not.toBeNull();
    const walked = new TreeScorer(node, { compile: false }).raw(data, 4000);
    expect(compiled.length).toBe(12000);
    for (let i = 0; i < compiled.length; i++) expect(Object.is(compiled[i], walked[i]), `output ${i}`).toBe(true);
    // A scorer fed one row at a time walks the arrays first and compiles after 2,000 rows: the same doubles throughout.
    const oneByOne = new TreeScorer(node);
    for (let r = 0; r < 2100; r++) {
      const row = oneByOne.raw(
        data.map((c) => c.subarray(r, r + 1)),
        1,
      );
      for (let k = 0; k < 3; k++)
        if (!Object.is(row[k], walked[r * 3 + k])) expect(row[k], `row ${r} output ${k}`).toBe(walked[r * 3 + k]);
    }
    expect((oneByOne as unknown as { compiled: unknown }).compiled).not.toBeNull();
    // And the same through the link.
    expect([...new TreeScorer(node).predict(data, 4000)]).toEqual([
      ...new TreeScorer(node, { compile: false }).predict(data, 4000),
    ]);
  });
});
