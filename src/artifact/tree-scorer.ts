/**
 * The standalone scorer of tree ensembles (gradient-boosted trees and forests). It imports
 * nothing from training: a deployed pipeline and a model being fitted both predict through it,
 * so what was validated is what is deployed. All trees are packed once, at load, into typed
 * arrays; scoring allocates nothing per row.
 */
import type { TreeEnsembleNode } from './format/tree-ensemble.js';
import { applyLink } from './link.js';

/** A tree ensemble packed for scoring. */
export class TreeScorer {
  /** Columns of the prediction: class probabilities (2 for binary), or 1 for regression. */
  readonly nPredictions: number;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly missingLeft: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Float64Array;
  /** Root node id of each tree in the packed arrays. */
  private readonly roots: Int32Array;

  constructor(readonly node: TreeEnsembleNode) {
    checkNode(node);
    const total = node.trees.reduce((s, t) => s + t.feature.length, 0);
    this.feature = new Int32Array(total);
    this.threshold = new Float64Array(total);
    this.missingLeft = new Uint8Array(total);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.value = new Float64Array(total * node.leafWidth);
    this.roots = new Int32Array(node.trees.length);
    let offset = 0;
    node.trees.forEach((t, ti) => {
      this.roots[ti] = offset;
      for (let i = 0; i < t.feature.length; i++) {
        const j = offset + i;
        this.feature[j] = t.feature[i]!;
        this.threshold[j] = t.threshold[i]!;
        this.missingLeft[j] = t.missingLeft[i]!;
        this.left[j] = t.left[i]! < 0 ? -1 : t.left[i]! + offset;
        this.right[j] = t.right[i]! < 0 ? -1 : t.right[i]! + offset;
      }
      for (let i = 0; i < t.value.length; i++) this.value[offset * node.leafWidth + i] = t.value[i]!;
      offset += t.feature.length;
    });
    this.nPredictions = node.link === 'sigmoid' ? 2 : node.nOutputs;
  }

  /**
   * Raw scores (before the link), row-major n × nOutputs, from column-major inputs.
   * `out` may be given to avoid allocating.
   */
  raw(columns: readonly Float64Array[], nRows: number, out = new Float64Array(nRows * this.node.nOutputs)): Float64Array {
    const { nOutputs, leafWidth, aggregation, baseScore } = this.node;
    if (columns.length < this.node.nFeatures) {
      throw new RangeError(`tree ensemble needs ${this.node.nFeatures} feature columns, got ${columns.length}`);
    }
    const feature = this.feature;
    const threshold = this.threshold;
    const missingLeft = this.missingLeft;
    const left = this.left;
    const right = this.right;
    const value = this.value;
    if (aggregation === 'sum') {
      for (let r = 0; r < nRows; r++) for (let k = 0; k < nOutputs; k++) out[r * nOutputs + k] = baseScore[k]!;
    } else out.fill(0, 0, nRows * nOutputs);
    const nTrees = this.roots.length;
    for (let t = 0; t < nTrees; t++) {
      const root = this.roots[t]!;
      const k0 = aggregation === 'sum' ? t % nOutputs : 0;
      for (let r = 0; r < nRows; r++) {
        let i = root;
        let f = feature[i]!;
        while (f >= 0) {
          const v = columns[f]![r]!;
          i = v <= threshold[i]! ? left[i]! : v !== v ? (missingLeft[i] === 1 ? left[i]! : right[i]!) : right[i]!;
          f = feature[i]!;
        }
        const base = r * nOutputs + k0;
        const leaf = i * leafWidth;
        for (let k = 0; k < leafWidth; k++) out[base + k]! += value[leaf + k]!;
      }
    }
    if (aggregation === 'mean' && nTrees > 0) {
      const inv = 1 / nTrees;
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
}

function checkNode(node: TreeEnsembleNode): void {
  if (node.kind !== 'tree_ensemble') throw new TypeError(`expected a tree_ensemble node, got ${String(node.kind)}`);
  if (node.baseScore.length !== node.nOutputs && node.aggregation === 'sum') {
    throw new TypeError(`tree_ensemble: baseScore has ${node.baseScore.length} entries for ${node.nOutputs} outputs`);
  }
  node.trees.forEach((t, ti) => {
    const n = t.feature.length;
    if (t.threshold.length !== n || t.missingLeft.length !== n || t.left.length !== n || t.right.length !== n || t.value.length !== n * node.leafWidth) {
      throw new TypeError(`tree_ensemble: tree ${ti} has arrays of different lengths`);
    }
    for (let i = 0; i < n; i++) {
      const f = t.feature[i]!;
      if (f >= node.nFeatures) throw new TypeError(`tree_ensemble: tree ${ti} node ${i} uses feature ${f} of ${node.nFeatures}`);
      if (f >= 0 && (t.left[i]! <= i || t.right[i]! <= i || t.left[i]! >= n || t.right[i]! >= n)) {
        throw new TypeError(`tree_ensemble: tree ${ti} node ${i} has children out of order or range`);
      }
    }
  });
}
