/**
 * Grows one regression tree on gradients and hessians over binned features, in the manner of
 * LightGBM: per-leaf histograms of (gradient, hessian) per bin, the subtraction trick
 * (build the smaller child's histogram, derive the larger one's from its parent), the best split
 * per feature by a scan over bins with the missing bin tried on both sides, and rows kept as one
 * index array partitioned in place, leaf by leaf.
 *
 * Growth is depth-wise (every leaf of a level is split, up to `maxDepth`) or leaf-wise (the leaf
 * with the largest gain is split next, up to `numLeaves`, and `maxDepth` when > 0).
 *
 * Histograms are the hot path. They live in shared memory, and a helper thread, when there is a
 * free one, sums the second half of a large node's rows while this thread sums the first half.
 * Such nodes are summed in the same two halves on one thread too, so results do not depend on it.
 */
import { MISSING_BIN } from '../trees/binning.js';
import { leafOfRow, partitionRows } from '../trees/tree.js';
import { buildHistRange } from './hist-kernel.js';

export interface TreeParams {
  growth: 'depthwise' | 'leafwise';
  /** Depth limit; for leaf-wise growth 0 means none. */
  maxDepth: number;
  /** Leaf limit of leaf-wise growth. */
  numLeaves: number;
  minDataInLeaf: number;
  minSumHessian: number;
  lambdaL2: number;
  minGainToSplit: number;
}

/** A grown tree in bin space, nodes in creation order (children after their parent). */
export interface BinTree {
  feature: number[];
  /** Split bin: bins <= splitBin go left. */
  splitBin: number[];
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Leaf output before shrinkage: −G / (H + λ). NaN on internal nodes. */
  leafValue: number[];
  /** Loss reduction of each split (0 on leaves). */
  gain: number[];
  /** For leaves: the range of `rows` the leaf holds after growth. */
  start: number[];
  end: number[];
}

const STRIDE = 2; // per bin: gradient, hessian
const BINS = 256;
/** Nodes with at least this many rows are summed in two halves (on two threads when there are). */
const HALVES_MIN_ROWS = 4096;

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  c: number;
  /** Slot of the leaf's histogram in the shared arena, or -1. */
  hist: number;
  best: Split | undefined;
}

interface Split {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  lg: number;
  lh: number;
}

/**
 * What a learner works in, all in shared memory so that a helper thread can read and write it:
 * the bins row-major in quads (see hist-kernel.ts), gradients, hessians, the row index, and an
 * arena of histogram slots plus one partial slot (see `buildHist`).
 */
export interface LearnerBuffers {
  readonly nRows: number;
  readonly quads: Uint32Array;
  readonly nq: number;
  readonly g: Float64Array;
  readonly h: Float64Array;
  readonly rows: Int32Array;
  readonly arena: Float64Array;
  readonly slots: number;
}

/** Builds the quads of a binned matrix once; learners on the same data share them. */
export function buildQuads(bins: readonly Uint8Array[], nRows: number): Uint32Array {
  const nf = bins.length;
  const nq = Math.ceil(nf / 4);
  const quads = new Uint32Array(new SharedArrayBuffer(Math.max(8, nRows * nq * 4)));
  const bytes = new Uint8Array(quads.buffer);
  const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
  for (let f = 0; f < nf; f++) {
    const col = bins[f]!;
    const at = (f & ~3) + (littleEndian ? f & 3 : 3 - (f & 3));
    for (let r = 0; r < nRows; r++) bytes[r * nq * 4 + at] = col[r]!;
  }
  return quads;
}

export function learnerBuffers(quads: Uint32Array, nf: number, nRows: number, slots: number): LearnerBuffers {
  const nq = Math.ceil(nf / 4);
  const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(8, bytes));
  return {
    nRows,
    quads,
    nq,
    g: new Float64Array(shared(nRows * 8)),
    h: new Float64Array(shared(nRows * 8)),
    rows: new Int32Array(shared(nRows * 4)),
    arena: new Float64Array(shared((slots + 1) * nq * 4 * BINS * STRIDE * 8)),
    slots,
  };
}

/**
 * Sums the second half of a node's rows into a learner's partial slot, on another thread, when
 * that thread is free. It must read the same gradients as the tree being grown.
 */
export interface HalvesHelper {
  /** Starts the second half if the helper is idle; false when it is busy. */
  tryStart(start: number, end: number): boolean;
  wait(): void;
}

/**
 * A tree learner over buffers sized once for a data set. Fill `g`, `h` and `rows` (or pass
 * gradients to `grow`), then `grow`.
 */
export class TreeLearner {
  readonly g: Float64Array;
  readonly h: Float64Array;
  /** Row indices; `grow` partitions `rows[0, count)` in place. */
  readonly rows: Int32Array;
  private readonly scratch: Int32Array;
  /** Per bin of the split feature: 1 when its rows go left. */
  private readonly side = new Uint8Array(BINS);
  private readonly histSize: number;
  private readonly arena: Float64Array;
  private readonly free: number[] = [];
  private readonly quads: Uint32Array;
  private readonly nq: number;
  /** Offset of the partial histogram in the arena. */
  private readonly partial: number;
  /** The gradients of the tree being grown. */
  private curG: Float64Array;
  private curH: Float64Array;
  /** Another thread that may sum half of a large node's rows. */
  helper: HalvesHelper | undefined;

  constructor(
    private readonly bins: readonly Uint8Array[],
    private readonly nBins: Uint16Array,
    buffers: LearnerBuffers,
  ) {
    this.g = buffers.g;
    this.h = buffers.h;
    this.rows = buffers.rows;
    this.quads = buffers.quads;
    this.nq = buffers.nq;
    this.arena = buffers.arena;
    this.scratch = new Int32Array(buffers.nRows);
    this.histSize = this.nq * 4 * BINS * STRIDE;
    this.partial = buffers.slots * this.histSize;
    for (let i = buffers.slots - 1; i >= 0; i--) this.free.push(i);
    this.curG = this.g;
    this.curH = this.h;
  }

  /**
   * Grows a tree over `rows[0, count)` on the features flagged in `features`, with per-row
   * gradients `g` and hessians `h` (by default the learner's own buffers).
   */
  grow(count: number, features: Uint8Array, p: TreeParams, g = this.g, h = this.h): BinTree {
    const rows = this.rows;
    this.curG = g;
    this.curH = h;
    const tree: BinTree = {
      feature: [],
      splitBin: [],
      missingLeft: [],
      left: [],
      right: [],
      leafValue: [],
      gain: [],
      start: [],
      end: [],
    };
    let G = 0;
    let H = 0;
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      G += g[r]!;
      H += h[r]!;
    }
    const depthLimit = p.maxDepth > 0 ? p.maxDepth : Infinity;
    const leafLimit = p.growth === 'leafwise' ? Math.max(2, p.numLeaves) : Infinity;
    const root: Leaf = {
      node: this.addNode(tree),
      start: 0,
      end: count,
      depth: 0,
      g: G,
      h: H,
      c: count,
      hist: -1,
      best: undefined,
    };
    if (depthLimit > 0) {
      root.hist = this.buildHist(root.start, root.end);
      root.best = this.findSplit(root, features, p);
    }

    const open: Leaf[] = [root];
    const done: Leaf[] = [];
    let nLeaves = 1;

    while (open.length > 0) {
      // Choose the leaves to split now: all of the shallowest level (depth-wise) or the best one.
      let batch: Leaf[];
      if (p.growth === 'depthwise') {
        const d = open[0]!.depth;
        batch = open.filter((l) => l.depth === d);
        open.splice(0, batch.length);
      } else {
        let bi = -1;
        for (let i = 0; i < open.length; i++)
          if (open[i]!.best && (bi < 0 || open[i]!.best!.gain > open[bi]!.best!.gain)) bi = i;
        if (bi < 0) {
          done.push(...open.splice(0));
          break;
        }
        batch = open.splice(bi, 1);
      }
      for (const leaf of batch) {
        const s = leaf.best;
        if (!s || nLeaves >= leafLimit || leaf.hist < 0) {
          done.push(leaf);
          continue;
        }
        nLeaves++;
        // Children that can never be split need no histograms.
        const childrenSplit = leaf.depth + 1 < depthLimit && nLeaves < leafLimit;
        for (const child of this.split(tree, leaf, s, features, p, childrenSplit)) {
          if (child.best) open.push(child);
          else done.push(child);
        }
      }
    }
    for (const leaf of done) {
      this.release(leaf);
      tree.leafValue[leaf.node] = -leaf.g / (leaf.h + p.lambdaL2);
      tree.start[leaf.node] = leaf.start;
      tree.end[leaf.node] = leaf.end;
    }
    return tree;
  }

  private addNode(tree: BinTree): number {
    tree.feature.push(-1);
    tree.splitBin.push(0);
    tree.missingLeft.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.leafValue.push(NaN);
    tree.gain.push(0);
    tree.start.push(0);
    tree.end.push(0);
    return tree.feature.length - 1;
  }

  private split(
    tree: BinTree,
    leaf: Leaf,
    s: Split,
    features: Uint8Array,
    p: TreeParams,
    childrenSplit: boolean,
  ): [Leaf, Leaf] {
    const rows = this.rows;
    const li = partitionRows(
      rows,
      this.scratch,
      this.side,
      this.bins[s.feature]!,
      leaf.start,
      leaf.end,
      s.bin,
      s.missingLeft,
    );

    const node = leaf.node;
    tree.feature[node] = s.feature;
    tree.splitBin[node] = s.bin;
    tree.missingLeft[node] = s.missingLeft ? 1 : 0;
    tree.gain[node] = s.gain;
    const ln = this.addNode(tree);
    const rn = this.addNode(tree);
    tree.left[node] = ln;
    tree.right[node] = rn;

    const depth = leaf.depth + 1;
    const left: Leaf = {
      node: ln,
      start: leaf.start,
      end: li,
      depth,
      g: s.lg,
      h: s.lh,
      c: li - leaf.start,
      hist: -1,
      best: undefined,
    };
    const right: Leaf = {
      node: rn,
      start: li,
      end: leaf.end,
      depth,
      g: leaf.g - s.lg,
      h: leaf.h - s.lh,
      c: leaf.end - li,
      hist: -1,
      best: undefined,
    };
    if (!childrenSplit) {
      this.release(leaf);
      return [left, right];
    }
    // Subtraction trick: build the smaller child's histogram, derive the larger one's.
    const [small, large] = left.c <= right.c ? [left, right] : [right, left];
    small.hist = this.buildHist(small.start, small.end);
    if (small.hist >= 0) {
      const a = this.arena;
      const po = leaf.hist * this.histSize;
      const so = small.hist * this.histSize;
      for (let j = 0; j < this.histSize; j++) a[po + j]! -= a[so + j]!;
      large.hist = leaf.hist;
      leaf.hist = -1;
      left.best = this.findSplit(left, features, p);
      right.best = this.findSplit(right, features, p);
    } else this.release(leaf);
    return [left, right];
  }

  private release(leaf: Leaf): void {
    if (leaf.hist >= 0) this.free.push(leaf.hist);
    leaf.hist = -1;
  }

  /**
   * Builds the histogram of rows[start, end) into a free slot; -1 when none is free. Large nodes
   * are summed in two halves of rows, the second into the partial slot, then added: a helper
   * thread takes the second half when one is free, and the sums are the same either way.
   */
  private buildHist(start: number, end: number): number {
    const slot = this.free.pop();
    if (slot === undefined) return -1;
    const nq = this.nq;
    const offset = slot * this.histSize;
    const { quads, rows, arena } = this;
    const g = this.curG;
    const h = this.curH;
    if (end - start < HALVES_MIN_ROWS) {
      buildHistRange(quads, nq, rows, start, end, g, h, arena, offset, 0, nq);
      return slot;
    }
    const mid = (start + end) >>> 1;
    if (this.helper?.tryStart(mid, end)) {
      buildHistRange(quads, nq, rows, start, mid, g, h, arena, offset, 0, nq);
      this.helper.wait();
    } else {
      buildHistRange(quads, nq, rows, start, mid, g, h, arena, offset, 0, nq);
      buildHistRange(quads, nq, rows, mid, end, g, h, arena, this.partial, 0, nq);
    }
    const p = this.partial;
    for (let j = 0; j < this.histSize; j++) arena[offset + j]! += arena[p + j]!;
    return slot;
  }

  private findSplit(leaf: Leaf, features: Uint8Array, p: TreeParams): Split | undefined {
    if (leaf.c < 2 * p.minDataInLeaf || leaf.h < 2 * p.minSumHessian || leaf.hist < 0) return undefined;
    const hist = this.arena;
    const base = leaf.hist * this.histSize;
    const lambda = p.lambdaL2;
    const parentScore = (leaf.g * leaf.g) / (leaf.h + lambda);
    // Histograms hold gradients and hessians only; counts are estimated from the hessian, as
    // LightGBM does (exact when hessians are constant, as for squared error).
    const cntFactor = leaf.c / leaf.h;
    const minData = p.minDataInLeaf;
    const minHess = p.minSumHessian;
    let best: Split | undefined;
    let bestGain = p.minGainToSplit > 0 ? p.minGainToSplit : 1e-12;
    const nf = this.bins.length;
    for (let f = 0; f < nf; f++) {
      const nb = this.nBins[f]!;
      if (features[f] === 0 || nb < 2) continue;
      const off = base + f * BINS * STRIDE;
      const mo = off + MISSING_BIN * STRIDE;
      const mg = hist[mo]!;
      const mh = hist[mo + 1]!;
      const hasMissing = mh > 0;
      let lg = 0;
      let lh = 0;
      // Split after bin b (b = nb − 1 only makes sense with missing values on the right).
      const last = hasMissing ? nb - 1 : nb - 2;
      for (let b = 0; b <= last; b++) {
        const o = off + b * STRIDE;
        lg += hist[o]!;
        lh += hist[o + 1]!;
        // Missing values to the right.
        let rg = leaf.g - lg;
        let rh = leaf.h - lh;
        if (lh >= minHess && rh >= minHess && lh * cntFactor >= minData - 0.5 && rh * cntFactor >= minData - 0.5) {
          const gain = (lg * lg) / (lh + lambda) + (rg * rg) / (rh + lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            best = { feature: f, bin: b, missingLeft: !hasMissing && lh >= rh, gain, lg, lh };
          }
        }
        if (hasMissing && b < nb - 1) {
          // Missing values to the left.
          const xg = lg + mg;
          const xh = lh + mh;
          rg = leaf.g - xg;
          rh = leaf.h - xh;
          if (xh >= minHess && rh >= minHess && xh * cntFactor >= minData - 0.5 && rh * cntFactor >= minData - 0.5) {
            const gain = (xg * xg) / (xh + lambda) + (rg * rg) / (rh + lambda) - parentScore;
            if (gain > bestGain) {
              bestGain = gain;
              best = { feature: f, bin: b, missingLeft: true, gain, lg: xg, lh: xh };
            }
          }
        }
      }
    }
    return best;
  }
}

/** Routes binned rows through a bin-space tree and adds `scale × leafValue` to `out[row * stride + k]`. */
export function addTreeOutput(
  tree: BinTree,
  bins: readonly Uint8Array[],
  nRows: number,
  scale: number,
  out: Float64Array,
  stride: number,
  k: number,
): void {
  for (let r = 0; r < nRows; r++) out[r * stride + k]! += scale * tree.leafValue[leafOfRow(tree, bins, r)]!;
}

/**
 * Each row's output of a tree grown over `rows[0, count)`: from the leaf ranges when every row
 * took part (scattered writes to `out`, a small array), else by routing the binned rows.
 */
export function treeRowValues(
  tree: BinTree,
  rows: Int32Array,
  allRows: boolean,
  bins: readonly Uint8Array[],
  out: Float64Array,
): void {
  if (allRows) {
    for (let i = 0; i < tree.feature.length; i++) {
      if (tree.feature[i]! >= 0) continue;
      const v = tree.leafValue[i]!;
      for (let j = tree.start[i]!; j < tree.end[i]!; j++) out[rows[j]!] = v;
    }
    return;
  }
  out.fill(0);
  addTreeOutput(tree, bins, out.length, 1, out, 1, 0);
}

/** Scales a grown tree's leaf values by the learning rate (in place). */
export function shrinkTree(tree: BinTree, learningRate: number): void {
  for (let i = 0; i < tree.leafValue.length; i++) if (tree.feature[i]! < 0) tree.leafValue[i]! *= learningRate;
}
