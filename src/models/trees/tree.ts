/**
 * What the tree learners share (gradient boosting and forests): routing a binned row to its
 * leaf, the stable partition of a node's rows, export to the scorer's node form with raw-unit
 * thresholds, and split importance.
 */
import type { TreeSerialization } from '../../artifact/format/tree-ensemble.js';
import { MISSING_BIN, splitThreshold, type BinMapper } from './binning.js';
import type { FeatureImportance } from '../types.js';

/** The splits of a tree in bin space; nodes in creation order, leaves have feature −1. */
export interface BinSplits {
  feature: number[];
  /** Bins <= splitBin go left. */
  splitBin: number[];
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Loss reduction of each split (0 on leaves). */
  gain: number[];
}

/** The leaf a binned row reaches. */
export function leafOfRow(tree: BinSplits, bins: readonly Uint8Array[], r: number): number {
  const { feature, splitBin, missingLeft, left, right } = tree;
  let i = 0;
  let f = feature[0]!;
  while (f >= 0) {
    const b = bins[f]![r]!;
    i = (b === MISSING_BIN ? missingLeft[i] === 1 : b <= splitBin[i]!) ? left[i]! : right[i]!;
    f = feature[i]!;
  }
  return i;
}

/**
 * Stable partition of rows[start, end) by a split: rows whose bin goes left first. Branch-free
 * (the side of a row is unpredictable): every row is written to both places and only the index
 * of its side moves on. `side` (256 entries) and `scratch` are the caller's buffers. Returns the
 * end of the left part.
 */
export function partitionRows(
  rows: Int32Array,
  scratch: Int32Array,
  side: Uint8Array,
  col: Uint8Array,
  start: number,
  end: number,
  bin: number,
  missingLeft: boolean,
): number {
  for (let b = 0; b < 256; b++) side[b] = b <= bin ? 1 : 0;
  side[MISSING_BIN] = missingLeft ? 1 : 0;
  let li = start;
  let ri = 0;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const goLeft = side[col[r]!]!;
    rows[li] = r;
    scratch[ri] = r;
    li += goLeft;
    ri += 1 - goLeft;
  }
  rows.set(scratch.subarray(0, ri), li);
  return li;
}

/** A bin-space tree in the scorer's form: raw-unit thresholds, `width` leaf values per node. */
export function exportBinTree(
  t: BinSplits,
  mapper: BinMapper,
  width: number,
  leafValue: (node: number, k: number) => number,
): TreeSerialization {
  const out: TreeSerialization = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
  for (let i = 0; i < t.feature.length; i++) {
    const f = t.feature[i]!;
    out.feature.push(f);
    out.threshold.push(f >= 0 ? splitThreshold(mapper, f, t.splitBin[i]!) : 0);
    out.missingLeft.push(f >= 0 ? t.missingLeft[i]! : 0);
    out.left.push(t.left[i]!);
    out.right.push(t.right[i]!);
    for (let k = 0; k < width; k++) out.value.push(f >= 0 ? 0 : leafValue(i, k));
  }
  return out;
}

/** Per feature: the summed gain of its splits, and how many splits use it. */
export function treeImportance(trees: readonly BinSplits[], nFeatures: number): FeatureImportance {
  const gain = new Float64Array(nFeatures);
  const splits = new Float64Array(nFeatures);
  for (const t of trees) {
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i]!;
      if (f < 0) continue;
      gain[f]! += t.gain[i]!;
      splits[f]!++;
    }
  }
  return { gain, splits };
}
