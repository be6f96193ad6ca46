/**
 * Grows one tree of a random forest (or of extremely randomised trees) over binned features.
 *
 * Classification trees minimise Gini impurity and regression trees squared error; both are the
 * same computation over per-bin sums: with channel sums S_c and weight W on each side, a split
 * gains Σ_c (S_cL² / W_L + S_cR² / W_R − S_c² / W) (for classes, S_c is the weight of class c;
 * for regression, the one channel is Σ w·y). A leaf holds S_c / W: the class distribution, or
 * the mean.
 *
 * Unlike boosting, forests sample features anew at every split and grow deep trees with small
 * leaves, so a node's histogram is built over the bins its rows actually touch (a short list,
 * sorted), not over all 256: small nodes cost what their rows cost.
 */
import type { Rng } from '../../util/random.js';
import { MISSING_BIN } from '../trees/binning.js';
import { partitionRows } from '../trees/tree.js';

export interface ForestTreeParams {
  /** Features drawn at each split. */
  featuresPerSplit: number;
  /** Depth limit; 0 = none. */
  maxDepth: number;
  /** Rows (with bootstrap multiplicity) each leaf must keep. */
  minSamplesLeaf: number;
  /** Extremely randomised trees: one random threshold per drawn feature. */
  extra: boolean;
}

/** A grown tree in bin space; nodes in creation order (children after their parent). */
export interface ForestTree {
  feature: number[];
  splitBin: number[];
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Per node, `channels` values: on leaves the class distribution or the mean (0 elsewhere). */
  value: number[];
  /** Impurity decrease of each split, weighted by the node's weight (0 on leaves). */
  gain: number[];
}

/**
 * The learner's buffers for one data set. `target` is per row: the class index (classification)
 * or the value (regression); `channels` is the class count, or 1 for regression.
 */
export class ForestLearner {
  private readonly nf: number;
  private readonly rows: Int32Array;
  private readonly scratch: Int32Array;
  // Per-bin sums of the feature being scanned: channel sums, weight, count.
  private readonly sum: Float64Array;
  private readonly wsum: Float64Array;
  private readonly cnt: Float64Array;
  private readonly touched = new Int32Array(256);
  private readonly mark = new Uint8Array(256);
  private readonly featureOrder: Int32Array;
  private readonly side = new Uint8Array(256);
  private readonly totals: Float64Array;
  private readonly leftSums: Float64Array;

  constructor(
    private readonly bins: readonly Uint8Array[],
    private readonly target: Float64Array,
    private readonly channels: number,
    private readonly classification: boolean,
    nRows: number,
  ) {
    this.nf = bins.length;
    this.rows = new Int32Array(nRows);
    this.scratch = new Int32Array(nRows);
    this.sum = new Float64Array(256 * channels);
    this.wsum = new Float64Array(256);
    this.cnt = new Float64Array(256);
    this.featureOrder = Int32Array.from({ length: this.nf }, (_, i) => i);
    this.totals = new Float64Array(channels);
    this.leftSums = new Float64Array(channels);
  }

  /**
   * Grows a tree on the rows with a positive multiplicity `mult` (bootstrap counts, or 1),
   * weighted by `mult × weight`.
   */
  grow(mult: Float64Array, weight: Float64Array | undefined, p: ForestTreeParams, rng: Rng): ForestTree {
    const C = this.channels;
    const tree: ForestTree = { feature: [], splitBin: [], missingLeft: [], left: [], right: [], value: [], gain: [] };
    let count = 0;
    for (let r = 0; r < mult.length; r++) if (mult[r]! > 0) this.rows[count++] = r;
    const root = this.addNode(tree);
    // Depth-first, with an explicit stack of [node, start, end, depth].
    const stack: number[] = [root, 0, count, 0];
    const total = this.totals;
    while (stack.length > 0) {
      const depth = stack.pop()!;
      const end = stack.pop()!;
      const start = stack.pop()!;
      const node = stack.pop()!;
      // Node totals.
      total.fill(0);
      let W = 0;
      let N = 0;
      for (let i = start; i < end; i++) {
        const r = this.rows[i]!;
        const w = mult[r]! * (weight ? weight[r]! : 1);
        W += w;
        N += mult[r]!;
        if (this.classification) total[this.target[r]!]! += w;
        else total[0]! += w * this.target[r]!;
      }
      const canSplit =
        (p.maxDepth === 0 || depth < p.maxDepth) && N >= 2 * p.minSamplesLeaf && W > 0 && !this.pure(total, W);
      const split = canSplit ? this.bestSplit(start, end, mult, weight, W, N, p, rng) : undefined;
      if (!split) {
        for (let c = 0; c < C; c++) tree.value[node * C + c] = W > 0 ? total[c]! / W : 0;
        continue;
      }
      const mid = this.partition(start, end, split.feature, split.bin, split.missingLeft);
      const ln = this.addNode(tree);
      const rn = this.addNode(tree);
      tree.feature[node] = split.feature;
      tree.splitBin[node] = split.bin;
      tree.missingLeft[node] = split.missingLeft ? 1 : 0;
      tree.left[node] = ln;
      tree.right[node] = rn;
      tree.gain[node] = split.gain;
      stack.push(rn, mid, end, depth + 1, ln, start, mid, depth + 1);
    }
    return tree;
  }

  private pure(total: Float64Array, W: number): boolean {
    if (!this.classification) return false;
    for (let c = 0; c < this.channels; c++) if (total[c]! > 0 && total[c]! < W) return false;
    return true;
  }

  private addNode(tree: ForestTree): number {
    tree.feature.push(-1);
    tree.splitBin.push(0);
    tree.missingLeft.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.gain.push(0);
    for (let c = 0; c < this.channels; c++) tree.value.push(0);
    return tree.feature.length - 1;
  }

  private partition(start: number, end: number, feature: number, bin: number, missingLeft: boolean): number {
    return partitionRows(this.rows, this.scratch, this.side, this.bins[feature]!, start, end, bin, missingLeft);
  }

  /** The best split over `featuresPerSplit` features drawn without replacement. */
  private bestSplit(
    start: number,
    end: number,
    mult: Float64Array,
    weight: Float64Array | undefined,
    W: number,
    N: number,
    p: ForestTreeParams,
    rng: Rng,
  ): { feature: number; bin: number; missingLeft: boolean; gain: number } | undefined {
    const C = this.channels;
    const { sum, wsum, cnt, touched, mark, featureOrder, totals, leftSums } = this;
    const rows = this.rows;
    let parentScore = 0;
    for (let c = 0; c < C; c++) parentScore += (totals[c]! * totals[c]!) / W;
    let best: { feature: number; bin: number; missingLeft: boolean; gain: number } | undefined;
    let bestGain = 1e-12 * W;
    // Draw features one at a time (partial Fisher–Yates); like scikit-learn, keep drawing past
    // constant features until enough usable ones were seen or all were tried.
    let usable = 0;
    for (let k = 0; k < this.nf && usable < p.featuresPerSplit; k++) {
      const j = k + rng.int(this.nf - k);
      const f = featureOrder[j]!;
      featureOrder[j] = featureOrder[k]!;
      featureOrder[k] = f;

      // Per-bin sums over the bins this node's rows touch.
      const col = this.bins[f]!;
      let nt = 0;
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        const b = col[r]!;
        if (mark[b] === 0) {
          mark[b] = 1;
          touched[nt++] = b;
        }
        const w = mult[r]! * (weight ? weight[r]! : 1);
        wsum[b]! += w;
        cnt[b]! += mult[r]!;
        if (this.classification) sum[b * C + this.target[r]!]! += w;
        else sum[b * C]! += w * this.target[r]!;
      }
      const sorted = touched.subarray(0, nt).sort();
      const hasMissing = sorted[nt - 1] === MISSING_BIN;
      const nValues = hasMissing ? nt - 1 : nt;
      if (nValues >= 2) {
        usable++;
        // Missing values' sums, tried on either side.
        const mw = hasMissing ? wsum[MISSING_BIN]! : 0;
        const mc = hasMissing ? cnt[MISSING_BIN]! : 0;
        // Candidate split positions: after value bin sorted[t], t in [0, nValues − 1).
        let tFrom = 0;
        let tTo = nValues - 1;
        if (p.extra) {
          // One threshold drawn uniformly between the node's smallest and largest bin.
          const lo = sorted[0]!;
          const hi = sorted[nValues - 1]!;
          const cut = lo + rng.int(hi - lo);
          let t = 0;
          while (sorted[t + 1]! <= cut) t++;
          tFrom = t;
          tTo = t + 1;
        }
        leftSums.fill(0);
        let lw = 0;
        let lc = 0;
        let t = 0;
        for (; t < tFrom; t++) {
          const b = sorted[t]!;
          lw += wsum[b]!;
          lc += cnt[b]!;
          for (let c = 0; c < C; c++) leftSums[c]! += sum[b * C + c]!;
        }
        for (; t < tTo; t++) {
          const b = sorted[t]!;
          lw += wsum[b]!;
          lc += cnt[b]!;
          for (let c = 0; c < C; c++) leftSums[c]! += sum[b * C + c]!;
          for (let side = 0; side < (hasMissing ? 2 : 1); side++) {
            const missLeft = side === 1;
            const xw = missLeft ? lw + mw : lw;
            const xc = missLeft ? lc + mc : lc;
            const rw = W - xw;
            const rc = N - xc;
            if (xc < p.minSamplesLeaf || rc < p.minSamplesLeaf || xw <= 0 || rw <= 0) continue;
            let score = 0;
            for (let c = 0; c < C; c++) {
              const l = leftSums[c]! + (missLeft ? sum[MISSING_BIN * C + c]! : 0);
              const rr = totals[c]! - l;
              score += (l * l) / xw + (rr * rr) / rw;
            }
            const gain = score - parentScore;
            if (gain > bestGain) {
              bestGain = gain;
              // The threshold halfway between this bin and the next one present in the node (as
              // scikit-learn splits halfway between values), so that unseen values in between
              // go to the nearer side. Without missing values in the node, unseen missing values
              // go to the heavier side.
              const cut = (b + sorted[t + 1]!) >>> 1;
              best = { feature: f, bin: cut, missingLeft: hasMissing ? missLeft : xw >= rw, gain };
            }
          }
        }
      }
      for (let q = 0; q < nt; q++) {
        const b = touched[q]!;
        mark[b] = 0;
        wsum[b] = 0;
        cnt[b] = 0;
        for (let c = 0; c < C; c++) sum[b * C + c] = 0;
      }
    }
    return best;
  }
}
