/**
 * The standalone scorer of neural nets (multi-layer perceptrons): the forward pass in float64
 * with plain loops, and the shared inverse links. It imports nothing from training and no package: a deployed pipeline and a
 * net being fitted both predict through it. The node is checked and its weights packed into
 * typed arrays once, at load; scoring allocates only its output and two layer buffers per call.
 */
import type { MlpActivation, MlpNode } from './format/mlp.js';
import { applyLink } from './link.js';

/** A neural net packed for scoring. */
export class MlpScorer {
  /** Columns of the prediction: class probabilities (2 for binary), or 1 for regression. */
  readonly nPredictions: number;
  private readonly means: Float64Array;
  private readonly invStds: Float64Array;
  private readonly indicators: Int32Array;
  private readonly weights: Float64Array[];
  private readonly biases: Float64Array[];
  private readonly widths: Int32Array;
  private readonly relu: Uint8Array;
  private readonly output: Exclude<MlpActivation, 'relu'>;
  private readonly maxWidth: number;

  /**
   * @example
   * const scorer = new MlpScorer(JSON.parse(text) as MlpNode);
   * const proba = scorer.predict(columns, nRows); // row-major n × scorer.nPredictions
   */
  constructor(readonly node: MlpNode) {
    checkNode(node);
    this.means = Float64Array.from(node.means);
    this.invStds = Float64Array.from(node.stds, (s) => 1 / s);
    this.indicators = Int32Array.from(node.missingIndicators);
    this.weights = node.layers.map((l) => Float64Array.from(l.weights));
    this.biases = node.layers.map((l) => Float64Array.from(l.bias));
    this.widths = Int32Array.from([node.layers[0]!.shape[0], ...node.layers.map((l) => l.shape[1])]);
    this.relu = Uint8Array.from(node.layers, (l) => (l.activation === 'relu' ? 1 : 0));
    this.output = node.layers[node.layers.length - 1]!.activation as Exclude<MlpActivation, 'relu'>;
    this.maxWidth = Math.max(...this.widths);
    const nOut = this.widths[this.widths.length - 1]!;
    this.nPredictions = this.output === 'sigmoid' ? 2 : nOut;
  }

  /**
   * The last layer's outputs before its activation (logits, or the standardised regression
   * value), row-major n × nOut, from column-major inputs.
   */
  raw(columns: readonly Float64Array[], nRows: number): Float64Array {
    const { nFeatures } = this.node;
    if (columns.length < nFeatures)
      throw new RangeError(`mlp needs ${nFeatures} feature columns, got ${columns.length}`);
    const nLayers = this.weights.length;
    const nOut = this.widths[nLayers]!;
    const out = new Float64Array(nRows * nOut);
    let a = new Float64Array(this.maxWidth);
    let b = new Float64Array(this.maxWidth);
    const means = this.means;
    const invStds = this.invStds;
    const indicators = this.indicators;
    const nInd = indicators.length;
    for (let r = 0; r < nRows; r++) {
      for (let j = 0; j < nFeatures; j++) {
        const v = columns[j]![r]!;
        a[j] = v !== v ? 0 : (v - means[j]!) * invStds[j]!;
      }
      for (let m = 0; m < nInd; m++) {
        const v = columns[indicators[m]!]![r]!;
        a[nFeatures + m] = v !== v ? 1 : 0;
      }
      for (let l = 0; l < nLayers; l++) {
        const nIn = this.widths[l]!;
        const width = this.widths[l + 1]!;
        const w = this.weights[l]!;
        b.set(this.biases[l]!);
        for (let i = 0; i < nIn; i++) {
          const ai = a[i]!;
          if (ai === 0) continue;
          const row = i * width;
          for (let o = 0; o < width; o++) b[o]! += ai * w[row + o]!;
        }
        if (this.relu[l] === 1) for (let o = 0; o < width; o++) if (!(b[o]! > 0)) b[o] = 0;
        const t = a;
        a = b;
        b = t;
      }
      const base = r * nOut;
      for (let k = 0; k < nOut; k++) out[base + k] = a[k]!;
    }
    return out;
  }

  /**
   * Predictions, row-major n × nPredictions: class probabilities (binary: [1 − p, p]) or
   * regression values in target units.
   */
  predict(columns: readonly Float64Array[], nRows: number): Float64Array {
    const raw = this.raw(columns, nRows);
    if (this.output === 'linear') {
      const { targetMean, targetStd } = this.node;
      for (let r = 0; r < nRows; r++) raw[r] = raw[r]! * targetStd + targetMean;
      return raw;
    }
    return applyLink(this.output, raw, nRows, this.widths[this.widths.length - 1]!);
  }
}

const HIDDEN_ACTIVATIONS: readonly string[] = ['relu', 'linear'];
const OUTPUT_ACTIVATIONS: readonly string[] = ['linear', 'sigmoid', 'softmax'];

function checkNode(node: MlpNode): void {
  const fail = (what: string): never => {
    throw new TypeError(`mlp: ${what}`);
  };
  if (node.kind !== 'mlp') throw new TypeError(`expected an mlp node, got ${String(node.kind)}`);
  const d = node.nFeatures;
  if (!(Number.isInteger(d) && d >= 1)) fail(`nFeatures must be a whole number >= 1, got ${String(d)}`);
  const numbers = (name: string, a: unknown, length: number): void => {
    if (!Array.isArray(a)) fail(`${name} must be an array`);
    const arr = a as unknown[];
    if (arr.length !== length) fail(`${name} has ${arr.length} entries, expected ${length}`);
    arr.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${name}[${i}] is ${String(v)}, expected a finite number`);
    });
  };
  numbers('means', node.means, d);
  numbers('stds', node.stds, d);
  node.stds.forEach((s, j) => {
    if (!(s > 0)) fail(`stds[${j}] is ${s}, expected > 0`);
  });
  if (!Array.isArray(node.missingIndicators)) fail('missingIndicators must be an array');
  node.missingIndicators.forEach((f, m) => {
    if (!(Number.isInteger(f) && f >= 0 && f < d))
      fail(`missingIndicators[${m}] is ${String(f)}, expected a feature index in [0, ${d})`);
    if (m > 0 && !(f > node.missingIndicators[m - 1]!)) fail('missingIndicators must be ascending without repeats');
  });
  numbers('targetMean', [node.targetMean], 1);
  numbers('targetStd', [node.targetStd], 1);
  if (!Array.isArray(node.layers) || node.layers.length === 0) fail('layers must be a non-empty array');
  let width = d + node.missingIndicators.length;
  node.layers.forEach((l, li) => {
    const last = li === node.layers.length - 1;
    if (!Array.isArray(l.shape) || l.shape.length !== 2) fail(`layer ${li}: shape must be [nIn, nOut]`);
    const [nIn, nOut] = l.shape;
    if (nIn !== width) fail(`layer ${li} has ${String(nIn)} inputs, expected ${width}`);
    if (!(Number.isInteger(nOut) && nOut >= 1))
      fail(`layer ${li}: nOut must be a whole number >= 1, got ${String(nOut)}`);
    numbers(`layer ${li} weights`, l.weights, nIn * nOut);
    numbers(`layer ${li} bias`, l.bias, nOut);
    const allowed = last ? OUTPUT_ACTIVATIONS : HIDDEN_ACTIVATIONS;
    if (!allowed.includes(l.activation))
      fail(`layer ${li} activation '${String(l.activation)}' is not one of ${allowed.join(', ')}`);
    if (last && l.activation !== 'softmax' && nOut !== 1)
      fail(`a ${l.activation} output layer has 1 output, got ${nOut}`);
    if (last && l.activation === 'softmax' && nOut < 2)
      fail(`a softmax output layer has at least 2 outputs, got ${nOut}`);
    width = nOut;
  });
}
