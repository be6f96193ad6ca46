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

  it('routes uneven trees branch-free, leaves reached early staying put (missing values both ways)', () => {
    // Depth 3 on the left, a leaf at depth 1 on the right.
    const uneven: TreeSerialization = {
      feature: [0, 1, -1, 1, -1, -1, -1],
      threshold: [0, 0, 0, 2, 0, 0, 0],
      missingLeft: [0, 1, 0, 0, 0, 0, 0],
      left: [1, 3, -1, 4, -1, -1, -1],
      right: [2, 6, -1, 5, -1, -1, -1],
      value: [0, 0, 7, 0, 1, 2, 3],
    };
    const node: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures: 2,
      nOutputs: 1,
      aggregation: 'sum',
      link: 'identity',
      leafWidth: 1,
      baseScore: [0],
      trees: [uneven],
    };
    const x = [
      Float64Array.from([-1, -1, -1, -1, 1, NaN, NaN, 0]),
      Float64Array.from([-1, 2, 3, NaN, NaN, -1, NaN, 0]),
    ];
    // x0 ≤ 0 → node 1: x1 ≤ 0 or missing → node 3: x1 ≤ 2 → 1, else 2 (missing → right: 2); x1 > 0 → 3.
    // x0 > 0 or missing (missingLeft 0) → 7.
    const want = [1, 3, 3, 2, 7, 7, 7, 1];
    const s = new TreeScorer(node);
    expect((s as unknown as { depth: Int32Array }).depth[0]).toBe(3);
    expect([...s.raw(x, 8)]).toEqual(want);
    expect([...new TreeScorer(node, { walk: true }).raw(x, 8)]).toEqual(want);
    // Without missing values (the other branch-free kernel), on rows 0-2 and 7 repeated past a block of four.
    const full = [0, 1, 2, 7, 0, 1, 2, 7, 0];
    const y = [Float64Array.from(full, (r) => x[0]![r]!), Float64Array.from(full, (r) => x[1]![r]!)];
    expect([...s.raw(y, 9)]).toEqual(full.map((r) => want[r]));
    for (let r = 0; r < 8; r++) expect(s.predictRow(Float64Array.of(x[0]![r]!, x[1]![r]!))[0]).toBe(want[r]);
  });

  it('walks a tree with a long chain below a shallow bulk with branches, giving the same values', () => {
    // A complete tree of depth 5 on feature 0 (leaf j holds j), whose leftmost leaf is replaced by
    // a chain of 15 splits on feature 1 (x1 ≤ c goes to a leaf of value 100 + c).
    const t: TreeSerialization = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
    const add = (f: number, th: number, v: number): number => {
      t.feature.push(f);
      t.threshold.push(th);
      t.missingLeft.push(0);
      t.left.push(-1);
      t.right.push(-1);
      t.value.push(v);
      return t.feature.length - 1;
    };
    let leaf = 0;
    const chain = (c: number): number => {
      if (c === 15) return add(-1, 0, 200);
      const i = add(1, c, 0);
      t.left[i] = add(-1, 0, 100 + c);
      t.right[i] = chain(c + 1);
      return i;
    };
    const grow = (depth: number, lo: number, hi: number): number => {
      if (depth === 5) return leaf++ === 0 ? chain(0) : add(-1, 0, leaf - 1);
      const i = add(0, (lo + hi) / 2, 0);
      t.left[i] = grow(depth + 1, lo, (lo + hi) / 2);
      t.right[i] = grow(depth + 1, (lo + hi) / 2, hi);
      return i;
    };
    grow(0, 0, 32);
    const node: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures: 2,
      nOutputs: 1,
      aggregation: 'sum',
      link: 'identity',
      leafWidth: 1,
      baseScore: [0],
      trees: [t],
    };
    const s = new TreeScorer(node);
    expect((s as unknown as { depth: Int32Array }).depth[0]).toBe(-1);
    const x = [Float64Array.from([0.5, 0.5, 0.5, 5.5, 31.5, NaN]), Float64Array.from([-1, 6.5, 99, 0, 0, 0])];
    // Row 5: x0 missing goes right at every split: the last leaf, 31.
    expect([...s.raw(x, 6)]).toEqual([100, 107, 200, 5, 31, 31]);
  });

  it('the branch-free walk, the walk with branches, batches and single rows give exactly the same doubles (missing values, ties at thresholds, many trees)', async () => {
    const { Rng } = await import('../../src/util/random.js');
    const rng = new Rng(7);
    const nFeatures = 6;
    const K = 3;
    // 240 random trees of depth up to 6, thresholds drawn from the data so that ties happen.
    const data = Array.from({ length: nFeatures }, () =>
      Float64Array.from({ length: 4000 }, (_, i) => (i % 17 === 0 ? NaN : Math.round(rng.next() * 40) / 4 - 5)),
    );
    const tree = (width: number): TreeSerialization => {
      const t: TreeSerialization = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
      const grow = (depth: number): number => {
        const i = t.feature.length;
        t.feature.push(-1);
        t.threshold.push(0);
        t.missingLeft.push(0);
        t.left.push(-1);
        t.right.push(-1);
        for (let k = 0; k < width; k++) t.value.push(0);
        if (depth < 6 && rng.next() < 0.8) {
          const f = Math.floor(rng.next() * nFeatures);
          t.feature[i] = f;
          t.threshold[i] = data[f]![Math.floor(rng.next() * 4000)]! || 0;
          t.missingLeft[i] = rng.next() < 0.5 ? 1 : 0;
          t.left[i] = grow(depth + 1);
          t.right[i] = grow(depth + 1);
        } else for (let k = 0; k < width; k++) t.value[i * width + k] = (rng.next() - 0.5) / 3;
        return i;
      };
      grow(0);
      return t;
    };
    const boosted: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures,
      nOutputs: K,
      aggregation: 'sum',
      link: 'softmax',
      leafWidth: 1,
      baseScore: [0.1, -0.2, 0.3],
      trees: Array.from({ length: 240 }, () => tree(1)),
    };
    const forest: TreeEnsembleNode = {
      ...boosted,
      aggregation: 'mean',
      link: 'identity',
      leafWidth: K,
      baseScore: [],
      trees: Array.from({ length: 30 }, () => tree(K)),
    };
    for (const node of [boosted, forest]) {
      const complete = new TreeScorer(node, { compile: false });
      expect([...(complete as unknown as { depth: Int32Array }).depth].every((d) => d >= 0)).toBe(true);
      const fast = complete.raw(data, 4000);
      const walked = new TreeScorer(node, { walk: true }).raw(data, 4000);
      // Small boosted trees are compiled for batches from 2,000 rows on: the same doubles again.
      const compiling = new TreeScorer(node);
      compiling.raw(data, 4000);
      const compiledOnce = (compiling as unknown as { compiled: unknown }).compiled !== null;
      expect(compiledOnce, 'compiled').toBe(node.aggregation === 'sum');
      const compiled = compiling.raw(data, 4000);
      for (let i = 0; i < compiled.length; i++)
        if (!Object.is(compiled[i], walked[i])) expect(compiled[i], `compiled output ${i}`).toBe(walked[i]);
      expect(fast.length).toBe(12000);
      let same = 0;
      for (let i = 0; i < fast.length; i++) if (Object.is(fast[i], walked[i])) same++;
      expect(same, 'outputs equal to the bit').toBe(fast.length);
      // One row at a time, and a batch that is not a whole number of blocks, through the link.
      const batch = complete.predict(
        data.map((c) => c.subarray(0, 1001)),
        1001,
      );
      const x = new Float64Array(nFeatures);
      for (let r = 0; r < 1001; r++) {
        for (let f = 0; f < nFeatures; f++) x[f] = data[f]![r]!;
        const row = complete.predictRow(x);
        for (let k = 0; k < K; k++)
          if (!Object.is(row[k], batch[r * K + k])) expect(row[k], `row ${r} output ${k}`).toBe(batch[r * K + k]);
      }
      expect([...batch]).toEqual([
        ...new TreeScorer(node, { walk: true }).predict(
          data.map((c) => c.subarray(0, 1001)),
          1001,
        ),
      ]);
    }
  });

  it('routes rows without missing values through complete-tree copies, eight trees side by side, exactly as the walk with branches', async () => {
    const { Rng } = await import('../../src/util/random.js');
    const rng = new Rng(11);
    const nFeatures = 5;
    const K = 3;
    const data = Array.from({ length: nFeatures }, () =>
      Float64Array.from({ length: 1500 }, () => Math.round(rng.next() * 40) / 4 - 5),
    );
    // Complete trees of depth 6 (every leaf at the bottom) and uneven ones of depth 0 to 6.
    const tree = (width: number, complete: boolean): TreeSerialization => {
      const t: TreeSerialization = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
      const grow = (depth: number): number => {
        const i = t.feature.length;
        t.feature.push(-1);
        t.threshold.push(0);
        t.missingLeft.push(1);
        t.left.push(-1);
        t.right.push(-1);
        for (let k = 0; k < width; k++) t.value.push(0);
        if (depth < 6 && (complete || rng.next() < 0.7)) {
          const f = Math.floor(rng.next() * nFeatures);
          t.feature[i] = f;
          t.threshold[i] = data[f]![Math.floor(rng.next() * 1500)]!;
          t.left[i] = grow(depth + 1);
          t.right[i] = grow(depth + 1);
        } else for (let k = 0; k < width; k++) t.value[i * width + k] = (rng.next() - 0.5) / 3;
        return i;
      };
      grow(0);
      return t;
    };
    // 16 complete trees (two groups of eight of the same depth), then 13 uneven ones.
    const trees = (width: number): TreeSerialization[] => Array.from({ length: 29 }, (_, i) => tree(width, i < 16));
    const boosted: TreeEnsembleNode = {
      kind: 'tree_ensemble',
      nFeatures,
      nOutputs: K,
      aggregation: 'sum',
      link: 'softmax',
      leafWidth: 1,
      baseScore: [0.1, -0.2, 0.3],
      trees: trees(1),
    };
    const forest: TreeEnsembleNode = {
      ...boosted,
      aggregation: 'mean',
      link: 'identity',
      leafWidth: K,
      baseScore: [],
      trees: trees(K),
    };
    for (const node of [boosted, forest]) {
      const s = new TreeScorer(node, { compile: false });
      const inner = s as unknown as { hRoot: Int32Array; group8: Int32Array };
      expect([...inner.hRoot.subarray(0, 16)].every((h) => h >= 0)).toBe(true);
      // Groups of complete trees go through their copies; the uneven ones through the packed nodes.
      expect([...inner.group8]).toEqual([6, 6, -1]);
      const n = 1500;
      const walked = new TreeScorer(node, { walk: true }).predict(data, n);
      const batch = s.predict(data, n);
      let same = 0;
      for (let i = 0; i < batch.length; i++) if (Object.is(batch[i], walked[i])) same++;
      expect(same, 'batch outputs equal to the bit').toBe(n * K);
      const x = new Float64Array(nFeatures);
      same = 0;
      for (let r = 0; r < n; r++) {
        for (let f = 0; f < nFeatures; f++) x[f] = data[f]![r]!;
        const row = s.predictRow(x);
        for (let k = 0; k < K; k++) if (Object.is(row[k], walked[r * K + k])) same++;
      }
      expect(same, 'single-row outputs equal to the bit').toBe(n * K);
    }
    // A tree much deeper than 10 gets no complete copy (it would hold 2^(d+1) − 1 slots).
    const chain: TreeSerialization = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
    for (let c = 0; c < 12; c++) {
      chain.feature.push(0, -1);
      chain.threshold.push(c, 0);
      chain.missingLeft.push(0, 0);
      chain.left.push(2 * c + 1, -1);
      chain.right.push(2 * c + 2, -1);
      chain.value.push(0, c);
    }
    chain.feature.push(-1);
    chain.threshold.push(0);
    chain.missingLeft.push(0);
    chain.left.push(-1);
    chain.right.push(-1);
    chain.value.push(99);
    const deep = new TreeScorer({
      ...boosted,
      nFeatures: 1,
      nOutputs: 1,
      link: 'identity',
      baseScore: [0],
      trees: [chain],
    });
    expect((deep as unknown as { hRoot: Int32Array }).hRoot[0]).toBe(-1);
    expect([...deep.raw([Float64Array.of(-1, 0.5, 5.5, 11, 12)], 5)]).toEqual([0, 1, 6, 11, 99]);
  });

  it('a pipeline scores one row exactly as its batch scores it (every example pipeline)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { loadPipeline } = await import('../../src/artifact/scorer.js');
    const dir = join(import.meta.dirname, '..', '..', 'pipelines', 'examples');
    const names = readdirSync(dir).filter((f) => f.endsWith('.pipeline.json'));
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const scorer = loadPipeline(join(dir, name));
      const rows = JSON.parse(
        readFileSync(join(dir, name.replace('.pipeline.json', '.inputs.json')), 'utf8'),
      ) as Record<string, unknown>[];
      const batch = scorer.scoreBatch(rows);
      const w = scorer.outputNames.length;
      rows.forEach((row, r) => {
        const one = scorer.score(row);
        for (let k = 0; k < w; k++)
          expect(Object.is(one[k], batch[r * w + k]), `${name} row ${r} output ${k}`).toBe(true);
      });
    }
  });
});
