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
 * Histograms are the hot path. They live in shared memory, and on large data a helper thread
 * sums the second half of every large node's rows while this thread sums the first half. Such
 * nodes are summed in the same two halves on one thread too, so results do not depend on it.
 */
import { Worker } from 'node:worker_threads';
import { MISSING_BIN } from './binning.js';
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
/** Below this many rows × features a helper thread costs more than it saves. */
const PARALLEL_MIN_CELLS = 400_000;
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
 * The learner's buffers, sized once for a data set: gradients, hessians, the row index and a
 * pool of histogram slots, all in shared memory. Fill `g`, `h` and `rows`, then `grow`.
 * Call `close()` when done, to stop the helper thread.
 */
export class TreeLearner {
  /** Per-row gradients and hessians of the tree being grown (fill before `grow`). */
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
  /** The bins again, row-major in quads of features (see hist-kernel.ts). */
  private readonly quads: Uint32Array;
  private readonly nq: number;
  /** Offset of the partial histogram in the arena. */
  private readonly partial: number;
  private helper: HistHelper | undefined;

  constructor(
    private readonly bins: readonly Uint8Array[],
    private readonly nBins: Uint16Array,
    nRows: number,
    opts: { slots: number; threads: number },
  ) {
    const nf = bins.length;
    const nq = Math.ceil(nf / 4);
    this.nq = nq;
    const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(8, bytes));
    this.g = new Float64Array(shared(nRows * 8));
    this.h = new Float64Array(shared(nRows * 8));
    this.rows = new Int32Array(shared(nRows * 4));
    this.scratch = new Int32Array(nRows);
    this.histSize = nq * 4 * BINS * STRIDE;
    // One slot more than asked for: the second half's partial histogram (see buildHist).
    this.arena = new Float64Array(shared((opts.slots + 1) * this.histSize * 8));
    this.partial = opts.slots * this.histSize;
    for (let i = opts.slots - 1; i >= 0; i--) this.free.push(i);
    this.quads = new Uint32Array(shared(nRows * nq * 4));
    const bytes = new Uint8Array(this.quads.buffer);
    const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
    for (let f = 0; f < nf; f++) {
      const col = bins[f]!;
      const at = (f & ~3) + (littleEndian ? f & 3 : 3 - (f & 3));
      for (let r = 0; r < nRows; r++) bytes[r * nq * 4 + at] = col[r]!;
    }
    if (opts.threads > 1 && nRows * nf >= PARALLEL_MIN_CELLS) {
      this.helper = new HistHelper(this.quads, nq, this.rows, this.g, this.h, this.arena);
    }
  }

  /** Stops the helper thread. The learner can still grow trees, on one thread. */
  async close(): Promise<void> {
    const helper = this.helper;
    this.helper = undefined;
    await helper?.close();
  }

  /** Whether histograms are built on two threads. */
  get parallel(): boolean {
    return this.helper !== undefined;
  }

  /** Grows a tree over `rows[0, count)` on the features flagged in `features`. */
  grow(count: number, features: Uint8Array, p: TreeParams): BinTree {
    const { rows, g, h } = this;
    const tree: BinTree = { feature: [], splitBin: [], missingLeft: [], left: [], right: [], leafValue: [], gain: [], start: [], end: [] };
    let G = 0;
    let H = 0;
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      G += g[r]!;
      H += h[r]!;
    }
    const depthLimit = p.maxDepth > 0 ? p.maxDepth : Infinity;
    const leafLimit = p.growth === 'leafwise' ? Math.max(2, p.numLeaves) : Infinity;
    const root: Leaf = { node: this.addNode(tree), start: 0, end: count, depth: 0, g: G, h: H, c: count, hist: -1, best: undefined };
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
        for (let i = 0; i < open.length; i++) if (open[i]!.best && (bi < 0 || open[i]!.best!.gain > open[bi]!.best!.gain)) bi = i;
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

  private split(tree: BinTree, leaf: Leaf, s: Split, features: Uint8Array, p: TreeParams, childrenSplit: boolean): [Leaf, Leaf] {
    const rows = this.rows;
    const col = this.bins[s.feature]!;
    const scratch = this.scratch;
    // Stable partition without branches (the side of a row is unpredictable): every row is
    // written to both places, and only the index of its side moves on.
    const side = this.side;
    for (let b = 0; b < BINS; b++) side[b] = b <= s.bin ? 1 : 0;
    side[MISSING_BIN] = s.missingLeft ? 1 : 0;
    let li = leaf.start;
    let ri = 0;
    for (let i = leaf.start; i < leaf.end; i++) {
      const r = rows[i]!;
      const goLeft = side[col[r]!]!;
      rows[li] = r;
      scratch[ri] = r;
      li += goLeft;
      ri += 1 - goLeft;
    }
    rows.set(scratch.subarray(0, ri), li);

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
    const left: Leaf = { node: ln, start: leaf.start, end: li, depth, g: s.lg, h: s.lh, c: li - leaf.start, hist: -1, best: undefined };
    const right: Leaf = { node: rn, start: li, end: leaf.end, depth, g: leaf.g - s.lg, h: leaf.h - s.lh, c: leaf.end - li, hist: -1, best: undefined };
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
   * are summed in two halves of rows, the second into the partial slot, then added: the helper
   * thread takes the second half when there is one, and the sums are the same either way.
   */
  private buildHist(start: number, end: number): number {
    const slot = this.free.pop();
    if (slot === undefined) return -1;
    const nq = this.nq;
    const offset = slot * this.histSize;
    const { quads, rows, g, h, arena } = this;
    if (end - start < HALVES_MIN_ROWS) {
      buildHistRange(quads, nq, rows, start, end, g, h, arena, offset, 0, nq);
      return slot;
    }
    const mid = (start + end) >>> 1;
    if (this.helper) {
      this.helper.start(this.partial, mid, end, 0, nq);
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
  const { feature, splitBin, missingLeft, left, right, leafValue } = tree;
  for (let r = 0; r < nRows; r++) {
    let i = 0;
    let f = feature[0]!;
    while (f >= 0) {
      const b = bins[f]![r]!;
      i = (b === MISSING_BIN ? missingLeft[i] === 1 : b <= splitBin[i]!) ? left[i]! : right[i]!;
      f = feature[i]!;
    }
    out[r * stride + k]! += scale * leafValue[i]!;
  }
}

/** Control words shared with the helper thread. */
const SEQ = 0;
const OFFSET = 1;
const START = 2;
const END = 3;
const Q_BEGIN = 4;
const Q_END = 5;
const DONE = 6;
const EXIT = 7;
const FAILED = 8;

/**
 * A helper thread that builds a range of features' histograms on request. Requests and replies
 * go through shared memory with Atomics (a few microseconds each), not messages, because a tree
 * asks for a histogram per node and this thread blocks until its half is ready.
 */
class HistHelper {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(16 * 4));
  private readonly worker: Worker;
  private seq = 0;

  constructor(quads: Uint32Array, nq: number, rows: Int32Array, g: Float64Array, h: Float64Array, arena: Float64Array) {
    const source = `globalThis.automlBuildHistRange = ${buildHistRange.toString()};\n(${helperMain.toString()})();`;
    this.worker = new Worker(source, {
      eval: true,
      workerData: { ctrl: this.ctrl, quads, nq, rows, g, h, arena },
    });
    this.worker.unref();
  }

  start(offset: number, start: number, end: number, qBegin: number, qEnd: number): void {
    const c = this.ctrl;
    c[OFFSET] = offset;
    c[START] = start;
    c[END] = end;
    c[Q_BEGIN] = qBegin;
    c[Q_END] = qEnd;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
  }

  wait(): void {
    const c = this.ctrl;
    for (let spin = 0; spin < 20000 && Atomics.load(c, DONE) !== this.seq; spin++);
    for (;;) {
      const done = Atomics.load(c, DONE);
      if (done === this.seq) break;
      if (Atomics.load(c, FAILED) !== 0) throw new Error('gbdt: the histogram helper thread failed');
      Atomics.wait(c, DONE, done, 1000);
    }
  }

  async close(): Promise<void> {
    Atomics.store(this.ctrl, EXIT, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    await this.worker.terminate();
  }
}

/** The helper thread's loop; runs from its source text, so it may use only what it requires. */
function helperMain(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const d = workerData as {
    ctrl: Int32Array;
    quads: Uint32Array;
    nq: number;
    rows: Int32Array;
    g: Float64Array;
    h: Float64Array;
    arena: Float64Array;
  };
  // Named through globalThis: a bundler may rename an imported name inside this function's text.
  const build = (globalThis as unknown as { automlBuildHistRange: typeof buildHistRange }).automlBuildHistRange;
  const c = d.ctrl;
  let seen = 0;
  try {
    for (;;) {
      // Spin a little before sleeping: requests come every few hundred microseconds while a
      // tree grows, and waking from Atomics.wait costs tens of microseconds.
      for (let spin = 0; spin < 20000 && Atomics.load(c, 0) === seen; spin++);
      Atomics.wait(c, 0, seen);
      seen = Atomics.load(c, 0);
      if (Atomics.load(c, 7) !== 0) return;
      build(d.quads, d.nq, d.rows, c[2]!, c[3]!, d.g, d.h, d.arena, c[1]!, c[4]!, c[5]!);
      Atomics.store(c, 6, seen);
      Atomics.notify(c, 6);
    }
  } catch {
    Atomics.store(c, 8, 1);
    Atomics.notify(c, 6);
  }
}
