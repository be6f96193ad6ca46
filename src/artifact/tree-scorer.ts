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
  /**
   * Boosted trees compiled to code (see {@link compileTrees}) once the scorer has scored
   * {@link COMPILE_AFTER_ROWS} rows (compiling costs a few milliseconds, which a one-off prediction
   * of a few hundred rows does not repay); until then, or when they cannot be compiled, the
   * arrays are walked. Both give the same doubles.
   */
  private compiled: CompiledTrees | null = null;
  private readonly compilable: boolean;
  private rowsScored = 0;

  /**
   * @param node the tree ensemble node
   * @param options `compile: false` walks the arrays even where the trees could be compiled (the
   *   two give the same doubles; tests compare them)
   */
  constructor(
    readonly node: TreeEnsembleNode,
    options: { compile?: boolean } = {},
  ) {
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
    // Trees of more nodes than a compiled part holds would make a function too large to optimise.
    const compilable =
      node.aggregation === 'sum' &&
      node.leafWidth === 1 &&
      total <= MAX_COMPILED_NODES &&
      node.trees.every((t) => t.feature.length <= NODES_PER_PART);
    this.compilable = options.compile !== false && compilable;
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
    if (this.compilable && this.compiled === null && (this.rowsScored += nRows) >= COMPILE_AFTER_ROWS)
      this.compiled = compileTrees(this.node);
    if (this.compiled) {
      for (const part of this.compiled) part(columns, nRows, out);
      return out;
    }
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

/** A compiled group of trees: adds its trees' leaf values to `out` (row-major n × nOutputs). */
type CompiledPart = (columns: readonly Float64Array[], nRows: number, out: Float64Array) => void;
type CompiledTrees = CompiledPart[];

/** Rows scored from which the trees are compiled. */
export const COMPILE_AFTER_ROWS = 2_000;

/** Ensembles up to this many nodes are compiled; larger ones (deep forests) walk the arrays. */
const MAX_COMPILED_NODES = 200_000;
/**
 * Nodes per compiled function: V8 optimises only functions of up to about 60 kB of bytecode, and
 * a function past that runs in the interpreter, some 30 times slower (measured: 354 trees of 7,512
 * nodes in parts of 4,000 nodes scored at 16 µs a row, in parts of 1,500 at 0.5 µs).
 */
const NODES_PER_PART = 1_500;

/** A double as JavaScript source that reads back as the very same double (-0 included). */
function literal(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * Boosted trees (one leaf value each, summed) as JavaScript functions: each tree becomes a nested
 * conditional expression with its thresholds and leaf values as literals, so that scoring a row
 * reads only the row's values. Per row and output the leaf values are added in tree order, exactly
 * as the array walk adds them, so both give the same doubles. Only numbers the file holds (as
 * numbers, written back by `String`, which round-trips) and integer indices enter the code.
 */
function compileTrees(node: TreeEnsembleNode): CompiledTrees {
  const parts: CompiledTrees = [];
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
