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
 * hist-kernel.ts) over one shared buffer. Another thread helps in two ways: when it is idle it
 * claims node tasks (the splits of a level, posted together: partition, the smaller child's
 * histogram, both children's best splits); and it sums the second half of a large node's rows
 * while this thread sums the first half, when it is free. Such nodes are summed in the same two
 * halves on one thread too, and a task's results do not depend on who runs it.
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

/**
 * A level's splits are node tasks in the growing learner's table, which the other thread may
 * claim when it is idle. A task: partition the node's rows by its split, sum the smaller child's
 * histogram, derive the larger one's, find both children's best splits. Task records are `f64`:
 */
const T = {
  START: 0,
  END: 1,
  FEATURE: 2,
  BIN: 3,
  MISSING_LEFT: 4,
  /** The node's histogram slot, which becomes the larger child's. */
  PARENT: 5,
  /** The smaller child's slot, or -1: children get no histogram. */
  CHILD: 6,
  G: 7,
  H: 8,
  LG: 9,
  LH: 10,
  /**
   * Out: the first right row, then the left child's split and the right child's: a flag (1:
   * found) and the six doubles of HistKernel.bestSplit.
   */
  MID: 11,
  LEFT: 12,
  RIGHT: 19,
} as const;
const TASK_F64 = 26;
/**
 * A learner's task header (`i32` words): the claim word (publication, count, next; see
 * `claimTask`), tasks done, and the gradient pairs' byte offset of the tree being grown.
 */
const CLAIM = 0;
const DONE = 1;
const GH = 2;
const TASK_HEADER_BYTES = 16;

/** Leaves handed to the kernel at once when a tree is added to the raw scores. */
const LEAF_CHUNK = 256;

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
  /** Outputs per row; raw scores (`f64`, class-major nOut × nRows), labels, weights (0: none). */
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
    /** Room for two rows' softmax (2 nOut `f64`). */
    readonly e: number;
    /** Its task header and records (see `TreeLearner.runTasks`). */
    readonly tasks: number;
    /** Leaves to add to the raw scores, {@link LEAF_CHUNK} at a time (see `addToRaw`). */
    readonly leaves: number;
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
    e: take(nOut * 16),
    tasks: take(TASK_HEADER_BYTES + slots * TASK_F64 * 8),
    leaves: take(LEAF_CHUNK * 24),
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

/** The raw scores (one view per output), labels and weights in a fit's shared buffer. */
export function scoreArrays(work: SharedWork): { raw: Float64Array[]; y: Float64Array; w: Float64Array | undefined } {
  const { nRows, nOut, raw, y, w } = work.layout;
  return {
    raw: Array.from({ length: nOut }, (_, k) => new Float64Array(work.buffer, raw + k * nRows * 8, nRows)),
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

/**
 * Another thread that may sum the second half of a large node's rows: rows
 * `[start, end)` of the row index at `rowsAt`, with the gradient pairs at `ghAt`, into the
 * histogram at `partialAt` (the offering thread's partial slot).
 */
export interface HalvesHelper {
  offer(rowsAt: number, start: number, end: number, ghAt: number, partialAt: number): void;
  /**
   * After the first half: true when the offer was not taken (this thread sums the second half
   * itself), false when the other thread has summed it (it waits for that to end).
   */
  takeBack(): boolean;
  /** Wakes the other thread if it sleeps (after a learner posts node tasks it may take). */
  wake(): void;
  /** Throws if the other thread has failed (rather than waiting for it for ever). */
  check(): void;
}

/** Sums an offered half (see HalvesHelper) on learner `index`'s thread. */
export function halfSummer(
  work: SharedWork,
  index: number,
): (rowsAt: number, start: number, end: number, ghAt: number, partialAt: number) => void {
  const { kernel, layout } = work;
  const buf = layout.learners[index]!.buf;
  return (rowsAt, start, end, ghAt, partialAt) =>
    kernel.hist(layout.quads, layout.nq, rowsAt, start, end, ghAt, partialAt, 0, layout.nq, buf);
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
  /** Leaves handed to `addLeaves` (see {@link Layout}). */
  private readonly leaves: Float64Array;
  private readonly free: number[] = [];
  /** Every learner's task header and records (this one posts to its own, helps with others'). */
  private readonly headers: Int32Array[];
  private readonly tables: Float64Array[];
  /** Publications of this learner's tasks (10 bits; see claimTask). */
  private published = 0;
  /** Node tasks this learner ran for another, and of its own that another ran. */
  tasksShared = 0;
  /** Another thread that may sum half of a large node's rows, and take node tasks. */
  helper: HalvesHelper | undefined;
  /** Called between the nodes of a tree (the worker's learner serves the main thread's offers). */
  betweenNodes: (() => void) | undefined;

  constructor(
    work: SharedWork,
    private readonly index: number,
    /** The fit's split limits (the same on every thread). */
    private readonly limits: TreeParams,
  ) {
    const layout = (this.layout = work.layout);
    const place = (this.place = layout.learners[index]!);
    this.work = work;
    this.kernel = work.kernel;
    this.rows = new Int32Array(work.buffer, place.rows, layout.nRows);
    this.out = new Float64Array(work.buffer, place.out, 6);
    this.mask = new Uint8Array(work.buffer, place.mask, layout.nFeatures);
    this.leaves = new Float64Array(work.buffer, place.leaves, LEAF_CHUNK * 3);
    this.partial = place.arena + layout.slots * layout.histBytes;
    for (let i = layout.slots - 1; i >= 0; i--) this.free.push(i);
    this.headers = layout.learners.map((l) => new Int32Array(work.buffer, l.tasks, TASK_HEADER_BYTES / 4));
    this.tables = layout.learners.map(
      (l) => new Float64Array(work.buffer, l.tasks + TASK_HEADER_BYTES, layout.slots * TASK_F64),
    );
  }

  /**
   * Adds a tree this learner grew (over `rows[0, count)`) to output k's raw scores: from its
   * leaves' ranges of rows when every row took part (`allRows`), else by routing the binned rows.
   */
  addToRaw(tree: BinTree, allRows: boolean, bins: readonly Uint8Array[], k: number): void {
    const { nRows, raw } = this.layout;
    const col = raw + k * nRows * 8;
    if (!allRows) return addTreeOutput(tree, bins, nRows, 1, new Float64Array(this.work.buffer, col, nRows), 1, 0);
    const leaves = this.leaves;
    let n = 0;
    for (let i = 0; i < tree.feature.length; i++) {
      if (tree.feature[i]! >= 0) continue;
      leaves[3 * n] = tree.start[i]!;
      leaves[3 * n + 1] = tree.end[i]!;
      leaves[3 * n + 2] = tree.leafValue[i]!;
      if (++n === LEAF_CHUNK) {
        this.kernel.addLeaves(this.place.rows, this.place.leaves, n, col);
        n = 0;
      }
    }
    this.kernel.addLeaves(this.place.rows, this.place.leaves, n, col);
  }

  /**
   * Grows a tree over `rows[0, count)` on the features flagged in `features`, with the
   * gradients of output `k`.
   */
  grow(count: number, features: Uint8Array, p: TreeParams, k: number): BinTree {
    const ghAt = this.layout.gh + k * this.layout.nRows * 16;
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
    this.kernel.sumPairs(this.place.rows, 0, count, ghAt, this.place.out);
    const G = this.out[0]!;
    const H = this.out[1]!;
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
      const slot = this.free.pop()!;
      const at = this.place.arena + slot * this.layout.histBytes;
      this.buildHist(this.place.rows, 0, count, ghAt, at);
      root.hist = slot;
      root.best = this.findSplit(at, this.place.mask, root.g, root.h, root.c);
    }

    const open: Leaf[] = [root];
    const done: Leaf[] = [];
    const table = this.tables[this.index]!;
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
      // Post a task per leaf to split, largest first (so that two threads end together); a leaf
      // whose children get no histogram frees its own slot now, for the next leaf's child.
      const splits: Leaf[] = [];
      for (const leaf of batch) {
        const s = leaf.best;
        if (!s || nLeaves >= leafLimit || leaf.hist < 0) {
          done.push(leaf);
          continue;
        }
        nLeaves++;
        const childrenSplit = leaf.depth + 1 < depthLimit && nLeaves < leafLimit;
        const child = childrenSplit ? (this.free.pop() ?? -1) : -1;
        const parent = leaf.hist;
        if (child < 0) this.release(leaf);
        splits.push(leaf);
        const o = (splits.length - 1) * TASK_F64;
        table[o + T.START] = leaf.start;
        table[o + T.END] = leaf.end;
        table[o + T.FEATURE] = s.feature;
        table[o + T.BIN] = s.bin;
        table[o + T.MISSING_LEFT] = s.missingLeft ? 1 : 0;
        table[o + T.PARENT] = parent;
        table[o + T.CHILD] = child;
        table[o + T.G] = leaf.g;
        table[o + T.H] = leaf.h;
        table[o + T.LG] = s.lg;
        table[o + T.LH] = s.lh;
      }
      if (splits.length > 0) this.runTasks(splits.length, ghAt);
      splits.forEach((leaf, j) => {
        for (const child of this.children(tree, leaf, table, j * TASK_F64)) {
          if (child.best) open.push(child);
          else done.push(child);
        }
      });
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

  /**
   * Runs this learner's `m` posted tasks: posts them for the other thread when there are two or
   * more, claims them in turn, and waits for those the other thread claimed.
   */
  private runTasks(m: number, ghAt: number): void {
    const header = this.headers[this.index]!;
    header[GH] = ghAt;
    Atomics.store(header, DONE, 0);
    this.published = (this.published + 1) & 0x3ff;
    Atomics.store(header, CLAIM, (this.published << 22) | (m << 11));
    if (m > 1) this.helper?.wake();
    let ran = 0;
    for (let i = claimTask(header); i >= 0; i = claimTask(header)) {
      this.runTask(this.index, i);
      ran++;
      if (ran < m) this.betweenNodes?.();
    }
    if (ran === m) return;
    this.tasksShared += m - ran;
    // The other thread runs the rest: serve its offers of halves meanwhile.
    while (Atomics.load(header, DONE) !== m - ran) {
      this.betweenNodes?.();
      this.helper?.check();
    }
  }

  /**
   * Claims and runs tasks of learner `owner` (another thread's) while there are some; true when
   * it ran one.
   */
  helpWith(owner: number): boolean {
    const header = this.headers[owner]!;
    let ran = false;
    for (let i = claimTask(header); i >= 0; i = claimTask(header)) {
      this.runTask(owner, i);
      Atomics.add(header, DONE, 1);
      this.tasksShared++;
      ran = true;
    }
    return ran;
  }

  /** Runs task `i` of learner `owner`'s table with this learner's scratch, on the owner's rows. */
  private runTask(owner: number, i: number): void {
    const { layout, kernel } = this;
    const { nRows, cols, histBytes } = layout;
    const o = i * TASK_F64;
    const t = this.tables[owner]!;
    const home = layout.learners[owner]!;
    const start = t[o + T.START]!;
    const end = t[o + T.END]!;
    const mid = kernel.partition(
      home.rows,
      this.place.scratch,
      cols + t[o + T.FEATURE]! * nRows,
      start,
      end,
      t[o + T.BIN]!,
      t[o + T.MISSING_LEFT]!,
    );
    t[o + T.MID] = mid;
    t[o + T.LEFT] = 0;
    t[o + T.RIGHT] = 0;
    const child = t[o + T.CHILD]!;
    if (child < 0) return;
    // Subtraction trick: build the smaller child's histogram, derive the larger one's.
    const leftSmall = mid - start <= end - mid;
    const childAt = home.arena + child * histBytes;
    const parentAt = home.arena + t[o + T.PARENT]! * histBytes;
    const ghAt = this.headers[owner]![GH]! >>> 0;
    if (leftSmall) this.buildHist(home.rows, start, mid, ghAt, childAt);
    else this.buildHist(home.rows, mid, end, ghAt, childAt);
    kernel.sub(parentAt, childAt, histBytes);
    const lg = t[o + T.LG]!;
    const lh = t[o + T.LH]!;
    const [leftAt, rightAt] = leftSmall ? [childAt, parentAt] : [parentAt, childAt];
    this.writeSplit(t, o + T.LEFT, leftAt, home.mask, lg, lh, mid - start);
    this.writeSplit(t, o + T.RIGHT, rightAt, home.mask, t[o + T.G]! - lg, t[o + T.H]! - lh, end - mid);
  }

  private writeSplit(
    t: Float64Array,
    at: number,
    histAt: number,
    maskAt: number,
    g: number,
    h: number,
    c: number,
  ): void {
    const s = this.findSplit(histAt, maskAt, g, h, c);
    t[at] = s ? 1 : 0;
    if (!s) return;
    t.set(this.out, at + 1);
  }

  /** The two children of a split leaf, from its task's results (at `o` in `table`). */
  private children(tree: BinTree, leaf: Leaf, table: Float64Array, o: number): [Leaf, Leaf] {
    const s = leaf.best!;
    const mid = table[o + T.MID]!;
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
    const child = table[o + T.CHILD]!;
    const leftSmall = mid - leaf.start <= leaf.end - mid;
    const parent = table[o + T.PARENT]!;
    const made = (n: number, start: number, end: number, g: number, h: number, hist: number, at: number): Leaf => ({
      node: n,
      start,
      end,
      depth,
      g,
      h,
      c: end - start,
      hist,
      best: table[at] === 1 ? splitAt(table, at + 1) : undefined,
    });
    const [lh, rh] = child < 0 ? [-1, -1] : leftSmall ? [child, parent] : [parent, child];
    return [
      made(ln, leaf.start, mid, s.lg, s.lh, lh, o + T.LEFT),
      made(rn, mid, leaf.end, leaf.g - s.lg, leaf.h - s.lh, rh, o + T.RIGHT),
    ];
  }

  private release(leaf: Leaf): void {
    if (leaf.hist >= 0) this.free.push(leaf.hist);
    leaf.hist = -1;
  }

  /**
   * Sums the histogram of rows[start, end) of the row index at `rowsAt` into the one at `at`.
   * Large nodes are summed in two halves of rows, the second into this learner's partial slot,
   * then added: a helper thread takes the second half when it is free, and the sums are the same
   * either way.
   */
  private buildHist(rowsAt: number, start: number, end: number, ghAt: number, at: number): void {
    const { nq, quads, histBytes } = this.layout;
    const { kernel } = this;
    const bufAt = this.place.buf;
    if (end - start < HALVES_MIN_ROWS) {
      kernel.hist(quads, nq, rowsAt, start, end, ghAt, at, 0, nq, bufAt);
      return;
    }
    const mid = (start + end) >>> 1;
    const helper = this.helper;
    helper?.offer(rowsAt, mid, end, ghAt, this.partial);
    kernel.hist(quads, nq, rowsAt, start, mid, ghAt, at, 0, nq, bufAt);
    if (!helper || helper.takeBack()) kernel.hist(quads, nq, rowsAt, mid, end, ghAt, this.partial, 0, nq, bufAt);
    kernel.add(at, this.partial, histBytes);
  }

  /** The best split of a node from its histogram at `histAt`; its doubles are left in `out`. */
  private findSplit(histAt: number, maskAt: number, g: number, h: number, c: number): Split | undefined {
    const p = this.limits;
    if (c < 2 * p.minDataInLeaf || h < 2 * p.minSumHessian) return undefined;
    const { layout, place } = this;
    // Histograms hold gradients and hessians only; counts are estimated from the hessian, as
    // LightGBM does (exact when hessians are constant, as for squared error).
    const found = this.kernel.bestSplit(
      histAt,
      layout.nFeatures,
      layout.nBins,
      maskAt,
      g,
      h,
      c / h,
      p.lambdaL2,
      p.minDataInLeaf - 0.5,
      p.minSumHessian,
      p.minGainToSplit > 0 ? p.minGainToSplit : 1e-12,
      place.out,
    );
    if (found === 0) return undefined;
    return splitAt(this.out, 0);
  }
}

/** A split's six doubles (see HistKernel.bestSplit) from `at`. */
function splitAt(a: Float64Array, at: number): Split {
  return {
    feature: a[at]!,
    bin: a[at + 1]!,
    missingLeft: a[at + 2] === 1,
    gain: a[at + 3]!,
    lg: a[at + 4]!,
    lh: a[at + 5]!,
  };
}

/**
 * Claims the next task of a learner's posted tasks; -1 when none is left. The claim word holds a
 * publication number (10 bits), the task count and the next task (11 bits each): a thread holding
 * a stale word cannot claim, as the compare-and-swap fails once the word has changed.
 */
function claimTask(header: Int32Array): number {
  for (;;) {
    const v = Atomics.load(header, CLAIM);
    const next = v & 0x7ff;
    if (next >= ((v >>> 11) & 0x7ff)) return -1;
    if (Atomics.compareExchange(header, CLAIM, v, v + 1) === v) return next;
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

/** Scales a grown tree's leaf values by the learning rate (in place). */
export function shrinkTree(tree: BinTree, learningRate: number): void {
  for (let i = 0; i < tree.leafValue.length; i++) if (tree.feature[i]! < 0) tree.leafValue[i]! *= learningRate;
}
