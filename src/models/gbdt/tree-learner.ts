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
 * Histograms are the hot path: kernels in WebAssembly (or TypeScript, bit for bit the same; see
 * hist-kernel.ts) over one shared buffer. A helper thread, when there is a free one, sums the
 * second half of a large node's rows while this thread sums the first half. Such nodes are
 * summed in the same two halves on one thread too, so results do not depend on it.
 */
import { leafOfRow } from '../trees/tree.js';
import { gatherBytes, OBJECTIVE_KINDS, QUAD_HIST_BYTES, type HistKernel } from './hist-kernel.js';
import type { Matrix, ProblemKind } from '../types.js';
import { BIN_SAMPLE_ROWS, type BinMapper, type Sorter } from '../trees/binning.js';

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
 * Where a fit's learners work: byte offsets into one shared buffer (see hist-kernel.ts) of the
 * bins in quads, the (gradient, hessian) pairs of every output (class-major: output k's pairs
 * from `gh + k * nRows * 16`), and per learner its row index and its arena of histogram slots
 * plus one partial slot (see `buildHist`). A helper thread maps the same buffer.
 */
export interface Layout {
  readonly nRows: number;
  readonly nFeatures: number;
  readonly nq: number;
  readonly quads: number;
  readonly gh: number;
  /** The bins column-major too (`u8`, nRows per feature), for partitions; and `u16` bin counts. */
  readonly cols: number;
  readonly nBins: number;
  /**
   * Binning's scratch: a column's values (nRows `f64`), room to sort a sample of them, the radix
   * sort's counts, and the bounds of a feature padded to 255 `f64`.
   */
  readonly stage: number;
  readonly sortTmp: number;
  readonly counts: number;
  readonly bounds: number;
  /** Outputs per row; raw scores (`f64`, row-major nRows × nOut), labels, weights (0: none). */
  readonly nOut: number;
  readonly raw: number;
  readonly y: number;
  readonly w: number;
  /** Bytes of one histogram. */
  readonly histBytes: number;
  readonly slots: number;
  /**
   * Per learner (one per thread): its rows and room to partition them, its histograms, the
   * kernel's scratch area, the feature mask of the tree it grows and the split it found.
   */
  readonly learners: readonly {
    readonly rows: number;
    readonly scratch: number;
    readonly arena: number;
    readonly buf: number;
    readonly mask: number;
    readonly out: number;
    /** Room for one row's softmax (nOut `f64`). */
    readonly e: number;
  }[];
  readonly bytes: number;
}

export function gbdtLayout(
  nRows: number,
  nFeatures: number,
  nOut: number,
  slots: number,
  learners: number,
  weighted: boolean,
): Layout {
  const nq = Math.ceil(nFeatures / 4);
  const histBytes = nq * QUAD_HIST_BYTES;
  let at = 0;
  const take = (bytes: number): number => {
    const o = at;
    at += Math.ceil(bytes / 16) * 16;
    return o;
  };
  // The kernel reads a row's quads 16 bytes at a time, a few past the last row's: into `gh`.
  const quads = take(nRows * nq * 4);
  const gh = take(nOut * nRows * 16);
  const cols = take(nFeatures * nRows);
  const nBins = take(nFeatures * 2);
  const stage = take(nRows * 8);
  const sortTmp = take(Math.min(nRows, BIN_SAMPLE_ROWS) * 8);
  const counts = take(6 * 2048 * 4);
  const bounds = take(255 * 8);
  const raw = take(nRows * nOut * 8);
  const y = take(nRows * 8);
  const w = weighted ? take(nRows * 8) : 0;
  const places = Array.from({ length: learners }, () => ({
    rows: take(nRows * 4),
    scratch: take(nRows * 4),
    arena: take((slots + 1) * histBytes),
    buf: take(gatherBytes(nq)),
    mask: take(nFeatures),
    out: take(6 * 8),
    e: take(nOut * 8),
  }));
  return {
    nRows,
    nFeatures,
    nq,
    quads,
    gh,
    cols,
    nBins,
    stage,
    sortTmp,
    counts,
    bounds,
    nOut,
    raw,
    y,
    w,
    histBytes,
    slots,
    learners: places,
    bytes: at,
  };
}

/** The shared buffer of a fit and the kernels over it, in one thread. */
export interface SharedWork {
  readonly layout: Layout;
  readonly buffer: SharedArrayBuffer;
  readonly kernel: HistKernel;
}

/** The column-major bins in a fit's shared buffer: one `Uint8Array` view per feature. */
export function binColumns(work: SharedWork): Uint8Array[] {
  const { nRows, nFeatures, cols } = work.layout;
  return Array.from({ length: nFeatures }, (_, f) => new Uint8Array(work.buffer, cols + f * nRows, nRows));
}

/** Sorts bin bounds' values with the fit's kernels, in its binning scratch (see fitBins). */
export function kernelSorter(work: SharedWork): Sorter {
  const { stage, sortTmp, counts } = work.layout;
  return {
    room: (n) => new Float64Array(work.buffer, stage, n),
    sort: (values) => work.kernel.sort(values.byteOffset, values.length, sortTmp, counts),
  };
}

/** Bins every column into the fit's shared buffer, column-major and as quads, and the bin counts. */
export function writeBins(x: Matrix, mapper: BinMapper, work: SharedWork): void {
  if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) throw new Error('gbdt: a little-endian machine is needed');
  const { nRows, nq, quads, cols, stage, bounds, nFeatures } = work.layout;
  new Uint16Array(work.buffer, work.layout.nBins, mapper.nBins.length).set(mapper.nBins);
  const values = new Float64Array(work.buffer, stage, nRows);
  const padded = new Float64Array(work.buffer, bounds, 255);
  x.columns.forEach((col, f) => {
    values.set(col.subarray(0, nRows));
    padded.fill(Infinity).set(mapper.upper[f]!);
    work.kernel.binColumn(stage, nRows, bounds, cols + f * nRows);
  });
  work.kernel.transpose(cols, nRows, nFeatures, quads, nq);
}

/** The raw scores, labels and weights in a fit's shared buffer. */
export function scoreArrays(work: SharedWork): { raw: Float64Array; y: Float64Array; w: Float64Array | undefined } {
  const { nRows, nOut, raw, y, w } = work.layout;
  return {
    raw: new Float64Array(work.buffer, raw, nRows * nOut),
    y: new Float64Array(work.buffer, y, nRows),
    w: w === 0 ? undefined : new Float64Array(work.buffer, w, nRows),
  };
}

/** Fills the gradient pairs of rows [start, end) from the raw scores, in learner `index`'s thread. */
export function fillGradients(work: SharedWork, kind: ProblemKind, start: number, end: number, index: number): void {
  const { layout } = work;
  work.kernel.gradients(
    OBJECTIVE_KINDS.indexOf(kind),
    layout.raw,
    layout.y,
    layout.w,
    layout.gh,
    start,
    end,
    layout.nOut,
    layout.nRows,
    layout.learners[index]!.e,
  );
}

/** Output k's (gradient, hessian) pairs, as `f64` pairs. */
export function gradientPairs(work: SharedWork, k: number): Float64Array {
  const n = work.layout.nRows;
  return new Float64Array(work.buffer, work.layout.gh + k * n * 16, 2 * n);
}

/**
 * Another thread that may sum the second half of a large node's rows into this learner's
 * partial slot. It must read the same gradients as the tree being grown.
 */
export interface HalvesHelper {
  /** Offers rows [start, end) of the node being summed. */
  offer(start: number, end: number): void;
  /**
   * After the first half: true when the offer was not taken (this thread sums the second half
   * itself), false when the other thread has summed it (it waits for that to end).
   */
  takeBack(): boolean;
}

/**
 * A tree learner in a fit's shared buffer (learner `index` of its layout). Fill `rows`, then
 * `grow` a tree on the gradients of one output.
 */
export class TreeLearner {
  /** Row indices; `grow` partitions `rows[0, count)` in place. */
  readonly rows: Int32Array;
  private readonly kernel: HistKernel;
  private readonly layout: Layout;
  private readonly work: SharedWork;
  /** This learner's places in the shared buffer (byte offsets; see {@link Layout}). */
  private readonly place: Layout['learners'][number];
  /** Byte offset of the partial histogram. */
  private readonly partial: number;
  /** The split the kernel found, as doubles (see HistKernel.bestSplit). */
  private readonly out: Float64Array;
  private readonly mask: Uint8Array;
  private readonly free: number[] = [];
  /** Byte offset of the (gradient, hessian) pairs of the tree being grown. */
  private ghAt: number;
  /** Another thread that may sum half of a large node's rows. */
  helper: HalvesHelper | undefined;
  /** Called between the nodes of a tree (the worker's learner serves the main thread's offers). */
  betweenNodes: (() => void) | undefined;

  constructor(work: SharedWork, index: number) {
    const layout = (this.layout = work.layout);
    const place = (this.place = layout.learners[index]!);
    this.work = work;
    this.kernel = work.kernel;
    this.rows = new Int32Array(work.buffer, place.rows, layout.nRows);
    this.out = new Float64Array(work.buffer, place.out, 6);
    this.mask = new Uint8Array(work.buffer, place.mask, layout.nFeatures);
    this.partial = place.arena + layout.slots * layout.histBytes;
    for (let i = layout.slots - 1; i >= 0; i--) this.free.push(i);
    this.ghAt = layout.gh;
  }

  /**
   * Grows a tree over `rows[0, count)` on the features flagged in `features`, with the
   * gradients of output `k`.
   */
  grow(count: number, features: Uint8Array, p: TreeParams, k: number): BinTree {
    const rows = this.rows;
    const gh = gradientPairs(this.work, k);
    this.ghAt = this.layout.gh + k * this.layout.nRows * 16;
    this.mask.set(features);
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
      G += gh[2 * r]!;
      H += gh[2 * r + 1]!;
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
      root.best = this.findSplit(root, p);
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
        this.betweenNodes?.();
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
    const { nRows, cols } = this.layout;
    const li = this.kernel.partition(
      this.place.rows,
      this.place.scratch,
      cols + s.feature * nRows,
      leaf.start,
      leaf.end,
      s.bin,
      s.missingLeft ? 1 : 0,
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
      const bytes = this.layout.histBytes;
      const arena = this.place.arena;
      this.kernel.sub(arena + leaf.hist * bytes, arena + small.hist * bytes, bytes);
      large.hist = leaf.hist;
      leaf.hist = -1;
      left.best = this.findSplit(left, p);
      right.best = this.findSplit(right, p);
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
    const { nq, quads, histBytes } = this.layout;
    const at = this.place.arena + slot * histBytes;
    const { kernel, ghAt } = this;
    const { rows: rowsAt, buf: bufAt } = this.place;
    if (end - start < HALVES_MIN_ROWS) {
      kernel.hist(quads, nq, rowsAt, start, end, ghAt, at, 0, nq, bufAt);
      return slot;
    }
    const mid = (start + end) >>> 1;
    const helper = this.helper;
    helper?.offer(mid, end);
    kernel.hist(quads, nq, rowsAt, start, mid, ghAt, at, 0, nq, bufAt);
    if (!helper || helper.takeBack()) kernel.hist(quads, nq, rowsAt, mid, end, ghAt, this.partial, 0, nq, bufAt);
    kernel.add(at, this.partial, histBytes);
    return slot;
  }

  private findSplit(leaf: Leaf, p: TreeParams): Split | undefined {
    if (leaf.c < 2 * p.minDataInLeaf || leaf.h < 2 * p.minSumHessian || leaf.hist < 0) return undefined;
    const { layout, place, out } = this;
    // Histograms hold gradients and hessians only; counts are estimated from the hessian, as
    // LightGBM does (exact when hessians are constant, as for squared error).
    const found = this.kernel.bestSplit(
      place.arena + leaf.hist * layout.histBytes,
      layout.nFeatures,
      layout.nBins,
      place.mask,
      leaf.g,
      leaf.h,
      leaf.c / leaf.h,
      p.lambdaL2,
      p.minDataInLeaf - 0.5,
      p.minSumHessian,
      p.minGainToSplit > 0 ? p.minGainToSplit : 1e-12,
      place.out,
    );
    if (found === 0) return undefined;
    return { feature: out[0]!, bin: out[1]!, missingLeft: out[2] === 1, gain: out[3]!, lg: out[4]!, lh: out[5]! };
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
 * Adds a tree grown over `rows[0, count)` to column k of the raw scores (row-major, `stride` a
 * row): from the leaf ranges when every row took part, else by routing the binned rows.
 */
export function addTreeToRaw(
  tree: BinTree,
  rows: Int32Array,
  allRows: boolean,
  bins: readonly Uint8Array[],
  raw: Float64Array,
  stride: number,
  k: number,
): void {
  if (!allRows) return addTreeOutput(tree, bins, raw.length / stride, 1, raw, stride, k);
  for (let i = 0; i < tree.feature.length; i++) {
    if (tree.feature[i]! >= 0) continue;
    const v = tree.leafValue[i]!;
    for (let j = tree.start[i]!, e = tree.end[i]!; j < e; j++) raw[rows[j]! * stride + k]! += v;
  }
}

/** Scales a grown tree's leaf values by the learning rate (in place). */
export function shrinkTree(tree: BinTree, learningRate: number): void {
  for (let i = 0; i < tree.leafValue.length; i++) if (tree.feature[i]! < 0) tree.leafValue[i]! *= learningRate;
}
