/**
 * The standalone scorer of linear nodes (logistic, softmax and ridge regression). It imports
 * nothing from training: a deployed pipeline and a GLM being fitted both predict through it. The
 * node is checked and packed once, at load, into typed arrays; scoring allocates nothing per row.
 */
import type { LinearNode } from './format/linear.js';
import { applyLink } from './link.js';

const LINKS: readonly string[] = ['identity', 'sigmoid', 'softmax'];

/**
 * A linear node packed for scoring.
 *
 * @example
 * const scorer = new LinearScorer(node);          // node: LinearNode, e.g. from the pipeline file
 * const proba = scorer.predict(columns, nRows);   // binary: row-major n × 2, [1 − p, p]
 */
export class LinearScorer {
  /** Columns of the prediction: class probabilities (2 for binary), or 1 for regression. */
  readonly nPredictions: number;
  /** nOutputs × nFeatures, row-major. */
  private readonly coef: Float64Array;
  /** nOutputs × nFeatures, row-major: the indicator coefficient of each feature, 0 where it has none. */
  private readonly missingCoef: Float64Array;
  private readonly center: Float64Array;
  private readonly intercept: Float64Array;

  constructor(readonly node: LinearNode) {
    checkNode(node);
    const { nFeatures, nOutputs, indicators } = node;
    const width = nFeatures + indicators.length;
    this.coef = new Float64Array(nOutputs * nFeatures);
    this.missingCoef = new Float64Array(nOutputs * nFeatures);
    for (let k = 0; k < nOutputs; k++) {
      for (let j = 0; j < nFeatures; j++) this.coef[k * nFeatures + j] = node.weights[k * width + j]!;
      indicators.forEach((j, m) => (this.missingCoef[k * nFeatures + j] = node.weights[k * width + nFeatures + m]!));
    }
    this.center = Float64Array.from(node.center);
    this.intercept = Float64Array.from(node.intercept);
    this.nPredictions = node.link === 'sigmoid' ? 2 : nOutputs;
  }

  /**
   * Raw scores (before the link), row-major n × nOutputs, from column-major inputs; NaN is
   * missing. `out` may be given to avoid allocating.
   */
  raw(
    columns: readonly Float64Array[],
    nRows: number,
    out = new Float64Array(nRows * this.node.nOutputs),
  ): Float64Array {
    const { nFeatures, nOutputs } = this.node;
    if (columns.length < nFeatures) {
      throw new RangeError(`linear model needs ${nFeatures} feature columns, got ${columns.length}`);
    }
    for (let k = 0; k < nOutputs; k++) {
      const b = this.intercept[k]!;
      for (let r = 0; r < nRows; r++) out[r * nOutputs + k] = b;
    }
    for (let j = 0; j < nFeatures; j++) {
      const col = columns[j]!;
      if (col.length < nRows)
        throw new RangeError(`linear model: feature column ${j} has ${col.length} rows, expected ${nRows}`);
      const c = this.center[j]!;
      for (let k = 0; k < nOutputs; k++) {
        const w = this.coef[k * nFeatures + j]!;
        const wMissing = this.missingCoef[k * nFeatures + j]!;
        if (w === 0 && wMissing === 0) continue;
        for (let r = 0; r < nRows; r++) {
          const v = col[r]!;
          out[r * nOutputs + k]! += v === v ? w * (v - c) : wMissing;
        }
      }
    }
    return out;
  }

  /**
   * Predictions, row-major n × nPredictions: class probabilities (binary: [1 − p, p]) or
   * regression values.
   */
  predict(columns: readonly Float64Array[], nRows: number): Float64Array {
    return applyLink(this.node.link, this.raw(columns, nRows), nRows, this.node.nOutputs);
  }
}

function checkNode(node: LinearNode): void {
  if (node === null || typeof node !== 'object') throw new TypeError(`expected a linear node, got ${String(node)}`);
  if (node.kind !== 'linear') throw new TypeError(`expected a linear node, got ${String(node.kind)}`);
  if (!LINKS.includes(node.link))
    throw new TypeError(`linear: link must be one of ${LINKS.join(', ')}, got ${String(node.link)}`);
  const count = (name: 'nFeatures' | 'nOutputs', min: number): number => {
    const v = node[name];
    if (!(Number.isInteger(v) && v >= min))
      throw new TypeError(`linear: ${name} must be an integer >= ${min}, got ${String(v)}`);
    return v;
  };
  const nFeatures = count('nFeatures', 0);
  const nOutputs = count('nOutputs', 1);
  if (node.link === 'softmax' ? nOutputs < 2 : nOutputs !== 1) {
    throw new TypeError(
      `linear: a ${node.link} link needs ${node.link === 'softmax' ? 'nOutputs >= 2' : 'nOutputs = 1'}, got ${nOutputs}`,
    );
  }
  const numbers = (name: 'center' | 'indicators' | 'weights' | 'intercept', length?: number): number[] => {
    const a = node[name];
    if (!Array.isArray(a)) throw new TypeError(`linear: ${name} must be an array of numbers`);
    if (length !== undefined && a.length !== length)
      throw new TypeError(`linear: ${name} has ${a.length} entries, expected ${length}`);
    a.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new TypeError(`linear: ${name}[${i}] is ${String(v)}, expected a finite number`);
    });
    return a;
  };
  const indicators = numbers('indicators');
  indicators.forEach((j, m) => {
    if (!Number.isInteger(j) || j < 0 || j >= nFeatures || (m > 0 && j <= indicators[m - 1]!)) {
      throw new TypeError(`linear: indicators[${m}] is ${j}: expected feature indices in [0, ${nFeatures}), ascending`);
    }
  });
  numbers('center', nFeatures);
  numbers('weights', nOutputs * (nFeatures + indicators.length));
  numbers('intercept', nOutputs);
}
