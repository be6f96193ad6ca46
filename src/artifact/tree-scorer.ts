/**
 * The standalone scorer of tree ensembles (gradient-boosted trees and forests). It imports
 * nothing from training: a deployed pipeline and a model being fitted both predict through it,
 * so what was validated is what is deployed. All trees are packed once, at load, into typed
 * arrays; scoring allocates nothing per row.
 *
 * The layout: each tree's nodes in breadth-first order with the two children of a split side
 * by side, so a split holds its feature, its threshold and its left child (the right child is
 * the next node); a leaf is its own left child, with threshold +Infinity. Routing a row is then
 * `i = child[i] + (x[feature[i]] > threshold[i])` repeated as many times as the tree is deep: a
 * row that reaches a leaf early stays on it (nothing is greater than +Infinity), and no branch
 * depends on the data. A tree much deeper than its typical leaf (a long chain of splits) is
 * walked with a branch per node instead, which stops at its leaf.
 *
 * Trees up to depth {@link MAX_HEAP_DEPTH} whose complete copy holds at most about twice their
 * nodes (a depth-wise GBDT's; not small sparse trees, whose copies would crowd the cache) are
 * also kept as complete trees of their depth in heap order, where the children of slot s are
 * 2s + 1 and 2s + 2: rows without missing values take `s = 2s + 1 + (x[feature[s]] >
 * threshold[s])`, one load fewer a step than reading the child, and exactly d steps (see
 * TreeScorer's `hFeature`).
 *
 * Batches are scored a block of {@link BLOCK_ROWS} rows at a time: the block is copied into one
 * row-major array, then each tree routes every row of the block, eight rows side by side (eight
 * independent chains of loads for the processor to overlap; the tree's nodes stay in cache); a
 * single row walks eight trees of the same depth side by side.
 * Small boosted trees (at most {@link MAX_COMPILED_MEAN_NODES} nodes a tree on average, as the
 * search's GBDTs grow on the hydraulic data) are scored in batches by generated code instead,
 * once {@link COMPILE_AFTER_ROWS} rows are scored (see {@link compileTrees}: numbers and integer
 * indices only enter the code); single rows always take the branch-free walk. Per row and output
 * the leaf values are added in tree order, for one row or many, in every path, so every way of
 * scoring gives the same doubles.
 */
import type { TreeEnsembleNode, TreeSerialization } from './format/tree-ensemble.js';
import { applyLink } from './link.js';

/**
 * Rows scored from which small boosted trees are compiled for batches (see {@link compileTrees});
 * callers that time a scorer's steady speed score this many rows first.
 */
export const COMPILE_AFTER_ROWS = 2_000;
/** Ensembles up to this many nodes can be compiled. */
const MAX_COMPILED_NODES = 200_000;
/** Compiled only when the trees are small: at most this many nodes a tree on average. */
const MAX_COMPILED_MEAN_NODES = 64;
/**
 * Nodes per compiled function: V8 optimises only functions of up to about 60 kB of bytecode, and
 * a function past that runs in the interpreter, some 30 times slower.
 */
const NODES_PER_PART = 1_500;

/** Rows per block of batch scoring: the block's values (rows × features) stay in L1 cache. */
const BLOCK_ROWS = 64;

/** Trees up to this depth are also kept as complete trees (see TreeScorer's `hFeature`). */
const MAX_HEAP_DEPTH = 10;

/** A tree ensemble packed for scoring. */
export class TreeScorer {
  /** Columns of the prediction: class probabilities (2 for binary), or 1 for regression. */
  readonly nPredictions: number;
  /** Per tree: its root's index in the node arrays. */
  private readonly root: Int32Array;
  /** Per tree: its depth, the steps of a branch-free walk; −1 for a walk with branches. */
  private readonly depth: Int32Array;
  /** Per tree: the first output it adds to (t mod nOutputs when summed, else 0). */
  private readonly output: Int32Array;
  /**
   * Per node, 16 bytes in one buffer (one cache line holds four nodes): the threshold (a leaf:
   * +Infinity) as float64 `threshold[2a]`, then the feature and the left child (a leaf: 0 and
   * itself) as int32 `link[4a + 2]`, `link[4a + 3]`.
   */
  private readonly threshold: Float64Array;
  private readonly link: Int32Array;
  /** Per node: 1 where a missing value (NaN) goes right (missingLeft 0), else 0 (leaves: 0). */
  private readonly missingRight: Int32Array;
  /** Per node: the leaf's values (leafWidth of them). */
  private readonly value: Float64Array;
  /**
   * Per tree: where its complete-tree copy starts in {@link hFeature} / {@link hThreshold}, or
   * −1 when it has none (walked with branches, or too deep for one).
   */
  private readonly hRoot: Int32Array;
  /**
   * The trees of depth 0..{@link MAX_HEAP_DEPTH} again as complete trees of their depth in heap
   * order (the children of slot s at s' + 2s + 1 and + 2, s' the tree's start): a split's feature
   * and threshold; a leaf above the bottom becomes a split that always goes left (threshold
   * +Infinity on the row's −Infinity value) down to its copy at the bottom; the bottom holds the
   * leaves: feature the −Infinity value, threshold the leaf's value (leaf width 1) and, in
   * {@link hLeaf} (leaf width above 1), its node in the packed arrays (for {@link value}). Routing a row takes d steps
   * of `s = 2s + 1 + (x[feature[s]] > threshold[s])`: no child index to load.
   */
  private readonly hFeature: Int32Array;
  private readonly hThreshold: Float64Array;
  private readonly hLeaf: Int32Array;
  /** Per group of 8 trees (t = 8g..8g+7): their common depth when all 8 have heap copies, else −1. */
  private readonly group8: Int32Array;
  /** A block of rows, row-major. */
  private readonly block: Float64Array;
  /** Small boosted trees compiled for batches, once {@link COMPILE_AFTER_ROWS} rows are scored. */
  private compiled: CompiledPart[] | null = null;
  private readonly compilable: boolean;
  private rowsScored = 0;
  /** One row's values (and −Infinity), and its raw scores. */
  private readonly rowX: Float64Array;
  private readonly rowRaw: Float64Array;

  /**
   * @param node the tree ensemble node
   * @param options `walk: true` walks every tree with a branch per node, comparing `v <=
   *   threshold` as the format says (the reference the branch-free walk is tested against: both
   *   give the same doubles); `compile: false` never compiles
   */
  constructor(
    readonly node: TreeEnsembleNode,
    options: { walk?: boolean; compile?: boolean } = {},
  ) {
    checkNode(node);
    const { trees, leafWidth: W, nOutputs } = node;
    const nTrees = trees.length;
    const total = trees.reduce((s, t) => s + t.feature.length, 0);
    this.root = new Int32Array(nTrees);
    this.depth = new Int32Array(nTrees);
    this.output = new Int32Array(nTrees);
    const nodes = new ArrayBuffer(16 * total);
    this.threshold = new Float64Array(nodes);
    this.link = new Int32Array(nodes);
    this.missingRight = new Int32Array(total);
    this.value = new Float64Array(total * W);
    let offset = 0;
    trees.forEach((t, ti) => {
      this.root[ti] = offset;
      this.output[ti] = node.aggregation === 'sum' ? ti % nOutputs : 0;
      const d = this.pack(t, offset);
      this.depth[ti] = options.walk ? -1 : d;
      offset += t.feature.length;
    });
    this.hRoot = new Int32Array(nTrees).fill(-1);
    let slots = 0;
    trees.forEach((t, ti) => {
      const d = this.depth[ti]!;
      const size = 2 ** (d + 1) - 1;
      if (d < 0 || d > MAX_HEAP_DEPTH || size > 2 * t.feature.length + 8) return;
      this.hRoot[ti] = slots;
      slots += size;
    });
    this.hFeature = new Int32Array(slots);
    this.hThreshold = new Float64Array(slots);
    this.hLeaf = new Int32Array(W > 1 ? slots : 0);
    for (let ti = 0; ti < nTrees; ti++) if (this.hRoot[ti]! >= 0) this.heap(ti);
    this.group8 = new Int32Array(nTrees >> 3).fill(-1);
    for (let g = 0; g < this.group8.length; g++) {
      const d = this.depth[8 * g]!;
      let same = true;
      for (let u = 8 * g; u < 8 * g + 8; u++) if (this.hRoot[u]! < 0 || this.depth[u] !== d) same = false;
      if (same) this.group8[g] = d;
    }
    this.nPredictions = node.link === 'sigmoid' ? 2 : nOutputs;
    this.compilable =
      options.compile !== false &&
      !options.walk &&
      node.aggregation === 'sum' &&
      W === 1 &&
      total <= MAX_COMPILED_NODES &&
      total <= MAX_COMPILED_MEAN_NODES * nTrees &&
      trees.every((t) => t.feature.length <= NODES_PER_PART);
    // Rows are stored with one more value, −Infinity, that leaves read (see the layout).
    this.block = new Float64Array(BLOCK_ROWS * (node.nFeatures + 1)).fill(-Infinity);
    this.rowX = new Float64Array(node.nFeatures + 1).fill(-Infinity);
    this.rowRaw = new Float64Array(nOutputs);
  }

  /**
   * Packs tree `t` at `offset` in breadth-first order, children side by side. Returns its depth
   * for the branch-free walk, or −1 when it is to be walked with branches: deeper than twice its
   * mean leaf depth plus 4, or with a NaN threshold (where `v > t` and `!(v <= t)` differ).
   */
  private pack(t: TreeSerialization, offset: number): number {
    const W = this.node.leafWidth;
    const order = [0];
    const at = new Int32Array(t.feature.length).fill(-1);
    const level = new Int32Array(t.feature.length);
    at[0] = offset;
    let next = offset + 1;
    let depth = 0;
    let leafDepths = 0;
    let leaves = 0;
    let nanThreshold = false;
    for (let q = 0; q < order.length; q++) {
      const i = order[q]!;
      const a = at[i]!;
      const f = t.feature[i]!;
      if (f >= 0) {
        const l = t.left[i]!;
        const r = t.right[i]!;
        if (at[l]! >= 0 || at[r]! >= 0 || l === r)
          throw new TypeError(`tree_ensemble: a node of the tree is the child of two splits (node ${l} or ${r})`);
        at[l] = next;
        at[r] = next + 1;
        next += 2;
        level[l] = level[r] = level[i]! + 1;
        order.push(l, r);
        this.setNode(a, f, at[l]!, t.threshold[i]!);
        this.missingRight[a] = t.missingLeft[i] === 1 ? 0 : 1;
        if (Number.isNaN(t.threshold[i])) nanThreshold = true;
      } else {
        // A leaf reads the row's extra value −Infinity, which is never above its threshold: its
        // own value when the leaf width is 1 (read from there by the kernels), else +Infinity.
        this.setNode(a, this.node.nFeatures, a, W === 1 ? t.value[i]! : Infinity);
        this.missingRight[a] = 0;
        for (let k = 0; k < W; k++) this.value[a * W + k] = t.value[i * W + k]!;
        depth = Math.max(depth, level[i]!);
        leafDepths += level[i]!;
        leaves++;
      }
    }
    // Nodes no split reaches are packed after the tree as leaves of value 0 (never visited).
    for (let i = 0; i < t.feature.length; i++) {
      if (at[i]! >= 0) continue;
      const a = next++;
      this.setNode(a, this.node.nFeatures, a, 0);
    }
    return nanThreshold || depth > (2 * leafDepths) / leaves + 4 ? -1 : depth;
  }

  /** Tree ti's complete-tree copy (see {@link hFeature}), from its packed nodes. */
  private heap(ti: number): void {
    const d = this.depth[ti]!;
    const h0 = this.hRoot[ti]!;
    const nF = this.node.nFeatures;
    // Per heap slot of the level being filled: the packed node it copies.
    let level = [this.root[ti]!];
    for (let l = 0; l <= d; l++) {
      const first = 2 ** l - 1;
      const next: number[] = [];
      level.forEach((a, j) => {
        const s = h0 + first + j;
        const left = this.link[4 * a + 3]!;
        if (l === d) {
          this.hFeature[s] = nF;
          this.hThreshold[s] = this.threshold[2 * a]!;
          if (this.node.leafWidth > 1) this.hLeaf[s] = a;
        } else if (left === a) {
          this.hFeature[s] = nF;
          this.hThreshold[s] = Infinity;
          next.push(a, a);
        } else {
          this.hFeature[s] = this.link[4 * a + 2]!;
          this.hThreshold[s] = this.threshold[2 * a]!;
          next.push(left, left + 1);
        }
      });
      level = next;
    }
  }

  private setNode(a: number, feature: number, left: number, threshold: number): void {
    this.threshold[2 * a] = threshold;
    this.link[4 * a + 2] = feature;
    this.link[4 * a + 3] = left;
  }

  /**
   * Raw scores (before the link), row-major n × nOutputs, from column-major inputs.
   * `out` may be given to avoid allocating.
   */
  raw(
    columns: readonly Float64Array[],
    nRows: number,
    out = new Float64Array(nRows * this.node.nOutputs),
  ): Float64Array {
    const { nOutputs, aggregation, baseScore, nFeatures } = this.node;
    if (columns.length < nFeatures) {
      throw new RangeError(`tree ensemble needs ${nFeatures} feature columns, got ${columns.length}`);
    }
    if (aggregation === 'sum') {
      for (let r = 0; r < nRows; r++) for (let k = 0; k < nOutputs; k++) out[r * nOutputs + k] = baseScore[k]!;
    } else out.fill(0, 0, nRows * nOutputs);
    if (this.compilable && this.compiled === null && (this.rowsScored += nRows) >= COMPILE_AFTER_ROWS)
      this.compiled = compileTrees(this.node);
    if (this.compiled) {
      for (const part of this.compiled) part(columns, nRows, out);
      return out;
    }
    const block = this.block;
    const S = nFeatures + 1;
    for (let r0 = 0; r0 < nRows; r0 += BLOCK_ROWS) {
      const m = Math.min(BLOCK_ROWS, nRows - r0);
      let missing = false;
      for (let f = 0; f < nFeatures; f++) {
        const col = columns[f]!;
        for (let r = 0; r < m; r++) {
          const v = col[r0 + r]!;
          if (v !== v) missing = true;
          block[r * S + f] = v;
        }
      }
      this.addTrees(block, m, S, out, r0 * nOutputs, missing);
    }
    if (aggregation === 'mean' && this.root.length > 0) {
      const inv = 1 / this.root.length;
      for (let j = 0; j < nRows * nOutputs; j++) out[j]! *= inv;
    }
    return out;
  }

  /**
   * Predictions, row-major n × nPredictions: class probabilities (binary: [1 − p, p]) or
   * regression values.
   */
  predict(columns: readonly Float64Array[], nRows: number): Float64Array {
    const raw = this.raw(columns, nRows);
    return applyLink(this.node.link, raw, nRows, this.node.nOutputs);
  }

  /**
   * One row's predictions (nPredictions values) from its feature values `x` (node.nFeatures of
   * them): the same doubles as {@link predict} gives that row. The array returned is reused by
   * the next call.
   */
  predictRow(x: Float64Array): Float64Array {
    const { nOutputs, aggregation, baseScore, nFeatures } = this.node;
    if (x.length < nFeatures) throw new RangeError(`tree ensemble needs ${nFeatures} feature values, got ${x.length}`);
    const out = this.rowRaw;
    if (aggregation === 'sum') for (let k = 0; k < nOutputs; k++) out[k] = baseScore[k]!;
    else out.fill(0);
    const row = this.rowX;
    let missing = false;
    for (let f = 0; f < nFeatures; f++) {
      const v = x[f]!;
      if (v !== v) missing = true;
      row[f] = v;
    }
    if (missing) this.addTrees(row, 1, nFeatures + 1, out, 0, missing);
    else this.addTreesOneRow(row, out);
    if (aggregation === 'mean' && this.root.length > 0) {
      const inv = 1 / this.root.length;
      for (let k = 0; k < nOutputs; k++) out[k]! *= inv;
    }
    return applyLink(this.node.link, out, 1, nOutputs);
  }

  /**
   * Adds every tree's leaf values for rows 0..m−1 of `x` (row-major, stride F: the features,
   * then −Infinity) to
   * `out[o0 + r * nOutputs + k]`, tree after tree. `missing`: whether x holds a NaN.
   */
  private addTrees(x: Float64Array, m: number, F: number, out: Float64Array, o0: number, missing: boolean): void {
    const nTrees = this.root.length;
    const depth = this.depth;
    for (let t = 0; t < nTrees; t++) {
      const d = depth[t]!;
      const root = this.root[t]!;
      const o = o0 + this.output[t]!;
      const h = this.hRoot[t]!;
      if (d < 0) this.walk(x, m, F, out, o, root);
      else if (missing) this.routeMissing(x, m, F, out, o, root, d);
      else if (h >= 0) this.routeHeap(x, m, F, out, o, h, d);
      else if (this.node.leafWidth === 1) this.route(x, m, F, out, o, root, d);
      else this.routeWide(x, m, F, out, o, root, d);
    }
  }

  /**
   * Every tree's leaf values for one row without missing values added to `out`: eight trees of
   * the same depth side by side through their complete-tree copies (eight independent chains of
   * loads), their values added in tree order; other groups of eight through the packed nodes
   * ({@link addGroupPacked}); the last trees one by one.
   */
  private addTreesOneRow(x: Float64Array, out: Float64Array): void {
    const W = this.node.leafWidth;
    const hf = this.hFeature;
    const ht = this.hThreshold;
    const hRoot = this.hRoot;
    const group8 = this.group8;
    const output = this.output;
    const nTrees = hRoot.length;
    const nGroups = group8.length;
    for (let g = 0; g < nGroups; g++) {
      const d = group8[g]!;
      const t = 8 * g;
      if (d < 0) {
        this.addGroupPacked(x, out, t);
        continue;
      }
      // Slot s of tree u is at b_u + s; its children at b_u + 2s + 1 (+1): from the index i
      // (= b_u + s) the left child is 2i + (1 − b_u).
      const b0 = hRoot[t]!;
      const b1 = hRoot[t + 1]!;
      const b2 = hRoot[t + 2]!;
      const b3 = hRoot[t + 3]!;
      const b4 = hRoot[t + 4]!;
      const b5 = hRoot[t + 5]!;
      const b6 = hRoot[t + 6]!;
      const b7 = hRoot[t + 7]!;
      const k0 = 1 - b0;
      const k1 = 1 - b1;
      const k2 = 1 - b2;
      const k3 = 1 - b3;
      const k4 = 1 - b4;
      const k5 = 1 - b5;
      const k6 = 1 - b6;
      const k7 = 1 - b7;
      let i0 = b0;
      let i1 = b1;
      let i2 = b2;
      let i3 = b3;
      let i4 = b4;
      let i5 = b5;
      let i6 = b6;
      let i7 = b7;
      for (let l = 0; l < d; l++) {
        i0 = 2 * i0 + k0 + +(x[hf[i0]!]! > ht[i0]!);
        i1 = 2 * i1 + k1 + +(x[hf[i1]!]! > ht[i1]!);
        i2 = 2 * i2 + k2 + +(x[hf[i2]!]! > ht[i2]!);
        i3 = 2 * i3 + k3 + +(x[hf[i3]!]! > ht[i3]!);
        i4 = 2 * i4 + k4 + +(x[hf[i4]!]! > ht[i4]!);
        i5 = 2 * i5 + k5 + +(x[hf[i5]!]! > ht[i5]!);
        i6 = 2 * i6 + k6 + +(x[hf[i6]!]! > ht[i6]!);
        i7 = 2 * i7 + k7 + +(x[hf[i7]!]! > ht[i7]!);
      }
      if (W === 1) {
        out[output[t]!]! += ht[i0]!;
        out[output[t + 1]!]! += ht[i1]!;
        out[output[t + 2]!]! += ht[i2]!;
        out[output[t + 3]!]! += ht[i3]!;
        out[output[t + 4]!]! += ht[i4]!;
        out[output[t + 5]!]! += ht[i5]!;
        out[output[t + 6]!]! += ht[i6]!;
        out[output[t + 7]!]! += ht[i7]!;
      } else {
        const hl = this.hLeaf;
        this.addLeaf(out, output[t]!, hl[i0]!);
        this.addLeaf(out, output[t + 1]!, hl[i1]!);
        this.addLeaf(out, output[t + 2]!, hl[i2]!);
        this.addLeaf(out, output[t + 3]!, hl[i3]!);
        this.addLeaf(out, output[t + 4]!, hl[i4]!);
        this.addLeaf(out, output[t + 5]!, hl[i5]!);
        this.addLeaf(out, output[t + 6]!, hl[i6]!);
        this.addLeaf(out, output[t + 7]!, hl[i7]!);
      }
    }
    for (let t = 8 * nGroups; t < nTrees; t++) this.addTrees1(x, out, t);
  }

  /**
   * Trees t..t+7 for one row through the packed nodes, side by side, each walked as deep as the
   * deepest of the eight (a walk that reached its leaf stays there), their values added in tree
   * order; any walked with branches: one by one.
   */
  private addGroupPacked(x: Float64Array, out: Float64Array, t: number): void {
    const W = this.node.leafWidth;
    const ln = this.link;
    const th = this.threshold;
    const depth = this.depth;
    const root = this.root;
    const output = this.output;
    let d = 0;
    let walked = false;
    for (let u = t; u < t + 8; u++) {
      const du = depth[u]!;
      if (du < 0) walked = true;
      else if (du > d) d = du;
    }
    if (walked) {
      for (let u = t; u < t + 8; u++) this.addTrees1(x, out, u);
      return;
    }
    let i0 = root[t]!;
    let i1 = root[t + 1]!;
    let i2 = root[t + 2]!;
    let i3 = root[t + 3]!;
    let i4 = root[t + 4]!;
    let i5 = root[t + 5]!;
    let i6 = root[t + 6]!;
    let i7 = root[t + 7]!;
    for (let l = 0; l < d; l++) {
      i0 = ln[4 * i0 + 3]! + +(x[ln[4 * i0 + 2]!]! > th[2 * i0]!);
      i1 = ln[4 * i1 + 3]! + +(x[ln[4 * i1 + 2]!]! > th[2 * i1]!);
      i2 = ln[4 * i2 + 3]! + +(x[ln[4 * i2 + 2]!]! > th[2 * i2]!);
      i3 = ln[4 * i3 + 3]! + +(x[ln[4 * i3 + 2]!]! > th[2 * i3]!);
      i4 = ln[4 * i4 + 3]! + +(x[ln[4 * i4 + 2]!]! > th[2 * i4]!);
      i5 = ln[4 * i5 + 3]! + +(x[ln[4 * i5 + 2]!]! > th[2 * i5]!);
      i6 = ln[4 * i6 + 3]! + +(x[ln[4 * i6 + 2]!]! > th[2 * i6]!);
      i7 = ln[4 * i7 + 3]! + +(x[ln[4 * i7 + 2]!]! > th[2 * i7]!);
    }
    if (W === 1) {
      out[output[t]!]! += th[2 * i0]!;
      out[output[t + 1]!]! += th[2 * i1]!;
      out[output[t + 2]!]! += th[2 * i2]!;
      out[output[t + 3]!]! += th[2 * i3]!;
      out[output[t + 4]!]! += th[2 * i4]!;
      out[output[t + 5]!]! += th[2 * i5]!;
      out[output[t + 6]!]! += th[2 * i6]!;
      out[output[t + 7]!]! += th[2 * i7]!;
    } else {
      this.addLeaf(out, output[t]!, i0);
      this.addLeaf(out, output[t + 1]!, i1);
      this.addLeaf(out, output[t + 2]!, i2);
      this.addLeaf(out, output[t + 3]!, i3);
      this.addLeaf(out, output[t + 4]!, i4);
      this.addLeaf(out, output[t + 5]!, i5);
      this.addLeaf(out, output[t + 6]!, i6);
      this.addLeaf(out, output[t + 7]!, i7);
    }
  }

  /** Leaf i's values added to out[o..o + leafWidth). */
  private addLeaf(out: Float64Array, o: number, i: number): void {
    const W = this.node.leafWidth;
    for (let k = 0; k < W; k++) out[o + k]! += this.value[i * W + k]!;
  }

  /** Tree t's leaf value for one row added to `out`. */
  private addTrees1(x: Float64Array, out: Float64Array, t: number): void {
    const d = this.depth[t]!;
    const root = this.root[t]!;
    const o = this.output[t]!;
    const h = this.hRoot[t]!;
    if (d < 0) this.walk(x, 1, 0, out, o, root);
    else if (h >= 0) this.routeHeap(x, 1, 0, out, o, h, d);
    else if (this.node.leafWidth === 1) this.route(x, 1, 0, out, o, root, d);
    else this.routeWide(x, 1, 0, out, o, root, d);
  }

  /** One tree, branch-free, leaf width 1, no missing values: four rows side by side. */
  private route(x: Float64Array, m: number, F: number, out: Float64Array, o: number, root: number, d: number): void {
    const ln = this.link;
    const th = this.threshold;
    const K = this.node.nOutputs;
    let r = 0;
    for (; r + 4 <= m; r += 4) {
      const x0 = r * F;
      const x1 = x0 + F;
      const x2 = x1 + F;
      const x3 = x2 + F;
      let i0 = root;
      let i1 = root;
      let i2 = root;
      let i3 = root;
      for (let l = 0; l < d; l++) {
        i0 = ln[4 * i0 + 3]! + +(x[x0 + ln[4 * i0 + 2]!]! > th[2 * i0]!);
        i1 = ln[4 * i1 + 3]! + +(x[x1 + ln[4 * i1 + 2]!]! > th[2 * i1]!);
        i2 = ln[4 * i2 + 3]! + +(x[x2 + ln[4 * i2 + 2]!]! > th[2 * i2]!);
        i3 = ln[4 * i3 + 3]! + +(x[x3 + ln[4 * i3 + 2]!]! > th[2 * i3]!);
      }
      const at = o + r * K;
      out[at]! += th[2 * i0]!;
      out[at + K]! += th[2 * i1]!;
      out[at + 2 * K]! += th[2 * i2]!;
      out[at + 3 * K]! += th[2 * i3]!;
    }
    for (; r < m; r++) {
      const xr = r * F;
      let i = root;
      for (let l = 0; l < d; l++) i = ln[4 * i + 3]! + +(x[xr + ln[4 * i + 2]!]! > th[2 * i]!);
      out[o + r * K]! += th[2 * i]!;
    }
  }

  /**
   * One tree through its complete-tree copy starting at `h` (depth d), no missing values: eight
   * rows side by side (leaf width 1), else one by one.
   */
  private routeHeap(x: Float64Array, m: number, F: number, out: Float64Array, o: number, h: number, d: number): void {
    const hf = this.hFeature;
    const ht = this.hThreshold;
    const K = this.node.nOutputs;
    const k = 1 - h;
    let r = 0;
    if (this.node.leafWidth === 1) {
      for (; r + 8 <= m; r += 8) {
        const x0 = r * F;
        const x1 = x0 + F;
        const x2 = x1 + F;
        const x3 = x2 + F;
        const x4 = x3 + F;
        const x5 = x4 + F;
        const x6 = x5 + F;
        const x7 = x6 + F;
        let i0 = h;
        let i1 = h;
        let i2 = h;
        let i3 = h;
        let i4 = h;
        let i5 = h;
        let i6 = h;
        let i7 = h;
        for (let l = 0; l < d; l++) {
          i0 = 2 * i0 + k + +(x[x0 + hf[i0]!]! > ht[i0]!);
          i1 = 2 * i1 + k + +(x[x1 + hf[i1]!]! > ht[i1]!);
          i2 = 2 * i2 + k + +(x[x2 + hf[i2]!]! > ht[i2]!);
          i3 = 2 * i3 + k + +(x[x3 + hf[i3]!]! > ht[i3]!);
          i4 = 2 * i4 + k + +(x[x4 + hf[i4]!]! > ht[i4]!);
          i5 = 2 * i5 + k + +(x[x5 + hf[i5]!]! > ht[i5]!);
          i6 = 2 * i6 + k + +(x[x6 + hf[i6]!]! > ht[i6]!);
          i7 = 2 * i7 + k + +(x[x7 + hf[i7]!]! > ht[i7]!);
        }
        const at = o + r * K;
        out[at]! += ht[i0]!;
        out[at + K]! += ht[i1]!;
        out[at + 2 * K]! += ht[i2]!;
        out[at + 3 * K]! += ht[i3]!;
        out[at + 4 * K]! += ht[i4]!;
        out[at + 5 * K]! += ht[i5]!;
        out[at + 6 * K]! += ht[i6]!;
        out[at + 7 * K]! += ht[i7]!;
      }
      for (; r < m; r++) {
        const xr = r * F;
        let i = h;
        for (let l = 0; l < d; l++) i = 2 * i + k + +(x[xr + hf[i]!]! > ht[i]!);
        out[o + r * K]! += ht[i]!;
      }
      return;
    }
    const hl = this.hLeaf;
    const value = this.value;
    const W = this.node.leafWidth;
    for (; r < m; r++) {
      const xr = r * F;
      let i = h;
      for (let l = 0; l < d; l++) i = 2 * i + k + +(x[xr + hf[i]!]! > ht[i]!);
      const a = hl[i]! * W;
      for (let j = 0; j < W; j++) out[o + r * K + j]! += value[a + j]!;
    }
  }

  /** One tree, branch-free, any leaf width, no missing values. */
  private routeWide(
    x: Float64Array,
    m: number,
    F: number,
    out: Float64Array,
    o: number,
    root: number,
    d: number,
  ): void {
    const ln = this.link;
    const th = this.threshold;
    const value = this.value;
    const K = this.node.nOutputs;
    const W = this.node.leafWidth;
    let r = 0;
    for (; r + 2 <= m; r += 2) {
      const x0 = r * F;
      const x1 = x0 + F;
      let i0 = root;
      let i1 = root;
      for (let l = 0; l < d; l++) {
        i0 = ln[4 * i0 + 3]! + +(x[x0 + ln[4 * i0 + 2]!]! > th[2 * i0]!);
        i1 = ln[4 * i1 + 3]! + +(x[x1 + ln[4 * i1 + 2]!]! > th[2 * i1]!);
      }
      const at = o + r * K;
      for (let k = 0; k < W; k++) {
        out[at + k]! += value[i0 * W + k]!;
        out[at + K + k]! += value[i1 * W + k]!;
      }
    }
    for (; r < m; r++) {
      const xr = r * F;
      let i = root;
      for (let l = 0; l < d; l++) i = ln[4 * i + 3]! + +(x[xr + ln[4 * i + 2]!]! > th[2 * i]!);
      for (let k = 0; k < W; k++) out[o + r * K + k]! += value[i * W + k]!;
    }
  }

  /** One tree, branch-free, rows that may hold missing values (NaN goes where missingRight says). */
  private routeMissing(
    x: Float64Array,
    m: number,
    F: number,
    out: Float64Array,
    o: number,
    root: number,
    d: number,
  ): void {
    const ln = this.link;
    const th = this.threshold;
    const mr = this.missingRight;
    const value = this.value;
    const K = this.node.nOutputs;
    const W = this.node.leafWidth;
    for (let r = 0; r < m; r++) {
      const xr = r * F;
      let i = root;
      for (let l = 0; l < d; l++) {
        const v = x[xr + ln[4 * i + 2]!]!;
        i = ln[4 * i + 3]! + (+(v > th[2 * i]!) | (+(v !== v) & mr[i]!));
      }
      for (let k = 0; k < W; k++) out[o + r * K + k]! += value[i * W + k]!;
    }
  }

  /** One tree walked with a branch per node, as the format reads: left when `v <= threshold`. */
  private walk(x: Float64Array, m: number, F: number, out: Float64Array, o: number, root: number): void {
    const ln = this.link;
    const th = this.threshold;
    const mr = this.missingRight;
    const value = this.value;
    const K = this.node.nOutputs;
    const W = this.node.leafWidth;
    for (let r = 0; r < m; r++) {
      const xr = r * F;
      let i = root;
      let left = ln[4 * i + 3]!;
      while (left !== i) {
        const v = x[xr + ln[4 * i + 2]!]!;
        i = v <= th[2 * i]! ? left : v !== v ? left + mr[i]! : left + 1;
        left = ln[4 * i + 3]!;
      }
      for (let k = 0; k < W; k++) out[o + r * K + k]! += value[i * W + k]!;
    }
  }
}

/** A double as JavaScript source that reads back as the very same double (-0 included). */
function literal(x: number): string {
  if (typeof x !== 'number') throw new TypeError(`tree_ensemble: ${JSON.stringify(x)} is not a number`);
  return Object.is(x, -0) ? '-0' : String(x);
}

/** A compiled group of trees: adds its trees' leaf values to `out` (row-major n × nOutputs). */
type CompiledPart = (columns: readonly Float64Array[], nRows: number, out: Float64Array) => void;

/**
 * Small boosted trees (one leaf value each, summed) as JavaScript functions, for batches: each
 * tree becomes a nested conditional expression with its thresholds and leaf values as literals,
 * so that scoring a row reads only the row's values; where a tree's branches follow the data
 * predictably this beats the branch-free walk (measured: 3–7 ns a tree and row for the hydraulic
 * GBDTs' trees of about 20 nodes, against 12–15). Per row and output the leaf values are added in
 * tree order, exactly as the walks add them, so all give the same doubles. Only numbers the file
 * holds (as numbers, written back by `String`, which round-trips) and integer indices enter the
 * code: no text of the file does.
 */
function compileTrees(node: TreeEnsembleNode): CompiledPart[] {
  const parts: CompiledPart[] = [];
  const K = node.nOutputs;
  let body: string[] = [];
  let used = new Set<number>();
  let nodes = 0;
  const flush = (): void => {
    if (body.length === 0) return;
    const cols = [...used].map((f) => `const c${f} = columns[${f}];`).join('\n');
    const source = `${cols}\nfor (let r = 0; r < nRows; r++) {\nconst o = r * ${K};\nlet v = 0;\n${body.join('\n')}\n}`;
    parts.push(new Function('columns', 'nRows', 'out', source) as CompiledPart);
    body = [];
    used = new Set();
    nodes = 0;
  };
  node.trees.forEach((t, ti) => {
    const expr = (i: number): string => {
      const f = t.feature[i]!;
      if (!Number.isInteger(f)) throw new TypeError(`tree_ensemble: feature ${JSON.stringify(f)} is not an integer`);
      if (f < 0) return literal(t.value[i]!);
      used.add(f);
      // A missing value (NaN) fails `<=`: it goes left only where missingLeft says so.
      const test =
        t.missingLeft[i] === 1
          ? `((v = c${f}[r]) <= ${literal(t.threshold[i]!)} || v !== v)`
          : `(v = c${f}[r]) <= ${literal(t.threshold[i]!)}`;
      return `(${test} ? ${expr(t.left[i]!)} : ${expr(t.right[i]!)})`;
    };
    body.push(`out[o + ${ti % K}] += ${expr(0)};`);
    nodes += t.feature.length;
    if (nodes >= NODES_PER_PART) flush();
  });
  flush();
  return parts;
}

function checkNode(node: TreeEnsembleNode): void {
  if (node.kind !== 'tree_ensemble') throw new TypeError(`expected a tree_ensemble node, got ${String(node.kind)}`);
  if (node.baseScore.length !== node.nOutputs && node.aggregation === 'sum') {
    throw new TypeError(`tree_ensemble: baseScore has ${node.baseScore.length} entries for ${node.nOutputs} outputs`);
  }
  node.trees.forEach((t, ti) => {
    const n = t.feature.length;
    if (
      t.threshold.length !== n ||
      t.missingLeft.length !== n ||
      t.left.length !== n ||
      t.right.length !== n ||
      t.value.length !== n * node.leafWidth
    ) {
      throw new TypeError(`tree_ensemble: tree ${ti} has arrays of different lengths`);
    }
    for (let i = 0; i < n; i++) {
      const f = t.feature[i]!;
      if (f >= node.nFeatures)
        throw new TypeError(`tree_ensemble: tree ${ti} node ${i} uses feature ${f} of ${node.nFeatures}`);
      if (f >= 0 && (t.left[i]! <= i || t.right[i]! <= i || t.left[i]! >= n || t.right[i]! >= n)) {
        throw new TypeError(`tree_ensemble: tree ${ti} node ${i} has children out of order or range`);
      }
    }
  });
}
