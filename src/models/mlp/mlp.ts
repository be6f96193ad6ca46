/**
 * The neural-net family: a multi-layer perceptron trained with TensorFlow.js, loaded on first
 * fit (importing this module loads no TensorFlow.js).
 *
 *   x ──inputStats──► means, stds, missing indicators ──encodeRows──► float32 inputs (once)
 *                                                                          │
 *   per epoch: our seeded shuffle ─► batches ─► Adam step on weighted loss + L2, seeded dropout
 *                                                                          │
 *   after each epoch: weights ──► MlpNode ──► MlpScorer (float64) ──► validation loss
 *                                   │ best epoch kept (early stopping)
 *                                   ▼
 *   exportNode() ──► MlpScorer (src/artifact) ──► predict
 *
 * Deterministic for a seed on a given backend: initial weights, shuffling, dropout masks and the
 * internal validation split all come from the `Rng` of the fit options.
 */
import { predictionWidth } from '../../artifact/tasks.js';
import { MlpScorer } from '../../artifact/mlp-scorer.js';
import type { MlpNode } from '../../artifact/format/mlp.js';
import { Rng } from '../../util/random.js';
import {
  roundsInfo,
  type FeatureImportance,
  type FitData,
  type FitOptions,
  type FittedModel,
  type Matrix,
  type ModelFamily,
  type ProblemKind,
} from '../types.js';
import { checkFitData } from '../validate.js';
import { encodeRows, inputStats, inputWidth, type InputStats } from './inputs.js';
import {
  batchLoss,
  disposeNet,
  dropoutMask,
  exportLayers,
  forward,
  initNet,
  l2Penalty,
  type OutputActivation,
} from './network.js';
import { loadTf, type TfBackend } from './tf-loader.js';
import { isPast } from '../../util/clock.js';

export interface MlpParams {
  /** Widths of the hidden ReLU layers, 1 to 3 of them. */
  hiddenLayers: readonly number[];
  /** Share of each hidden layer's units dropped in training, in [0, 1). */
  dropout: number;
  /** Adam's step size. */
  learningRate: number;
  batchSize: number;
  /** Most passes over the training rows. */
  epochs: number;
  /** Stop when the validation loss has not improved for this many epochs; 0 = never. */
  patience: number;
  /** L2 penalty on the kernels (not the biases), added to the mean loss of each batch. */
  l2: number;
  /**
   * When no validation set is given: the share of the training rows (stratified by class) held
   * out for early stopping, and not trained on. 0 trains on all rows for all epochs.
   */
  validationFraction: number;
}

/**
 * Defaults that train well on small tables such as the hydraulic one (about 1,600 rows) in a few
 * seconds: two hidden layers, Adam at 0.003, batches of 64, up to 300 epochs with early stopping
 * after 15 epochs without improvement, a light L2 penalty and no dropout. On the hydraulic
 * targets (three seeds each) dropout 0.1 and batches of 32 were no better, and a step of 0.01 or
 * a halving of the step on plateaus worse; wider layers ([128, 64]) were as good but slower.
 * Patience 15 rather than 30 costs little (3-fold out-of-fold logloss on cool_cond_y 0.0084 at
 * both, valve_cond_y 0.096 against 0.091) and takes 20–40% less time (7.6 s against 9.6 s,
 * 12.7 s against 21.1 s, one thread).
 */
export const MLP_DEFAULTS: Readonly<MlpParams> = {
  hiddenLayers: [64, 32],
  dropout: 0,
  learningRate: 0.003,
  batchSize: 64,
  epochs: 300,
  patience: 15,
  l2: 1e-4,
  validationFraction: 0.1,
};

export interface MlpInfo {
  /** Epochs kept: the best epoch + 1 with early stopping, else all epochs trained. */
  rounds: number;
  /** Epochs trained. */
  roundsTrained: number;
  /** The fit's deadline stopped it before its epochs were done (early stopping is not this). */
  cutByDeadline: boolean;
  /** Validation loss after each epoch (logloss, or RMSE for regression), in float64 through the scorer. */
  validLoss: number[];
  /** Where the validation rows came from: the fit options, held out of the training rows, or none. */
  validation: 'given' | 'held-out' | 'none';
  /** Training loss of the kept model on the rows trained on. */
  trainLoss: number;
  /** The TensorFlow.js backend that trained. */
  backend: TfBackend;
  seconds: number;
}

export const mlp: ModelFamily<MlpParams> = {
  name: 'mlp',
  defaults: MLP_DEFAULTS,
  search: {
    first: (nRows) => [mlpBatchSize(nRows) === MLP_DEFAULTS.batchSize ? {} : { batchSize: mlpBatchSize(nRows) }],
    space: {
      hiddenLayers: [[32], [64, 32], [128, 64], [64, 64, 32]],
      dropout: [0, 0.1, 0.2],
      learningRate: [0.001, 0.003, 0.01],
    },
    shapeSensitive: true,
    interpretable: false,
    costly: true,
  },
  // A refit on all rows trains as many epochs as its folds kept, on every row (none held out).
  rounds: {
    unit: 'epochs',
    kept: roundsInfo('rounds'),
    refit: (params, rounds) => ({ ...params, epochs: rounds, validationFraction: 0 }),
  },
  fit: fitMlpAsync,
};

/**
 * The mini-batch size for a table of `nRows` training rows: the default 64 up to about 9,000
 * rows, then growing with the rows (a power of two, at most 1024) so that an epoch stays about a
 * hundred steps: each step has a fixed cost in TensorFlow.js.
 */
export function mlpBatchSize(nRows: number): number {
  return Math.max(64, Math.min(1024, 2 ** Math.round(Math.log2(Math.max(1, nRows) / 100))));
}

/**
 * Fits a neural net. Asynchronous because TensorFlow.js starts its backend asynchronously; the
 * event loop also gets a turn after every epoch.
 *
 * @example
 * const model = await fitMlpAsync({ x, y }, { kind: 'multiclass', nClasses: 3, rng: new Rng(42), valid });
 * const proba = model.predict(xTest); // row-major n × 3, through the standalone scorer
 */
export async function fitMlpAsync(train: FitData, opts: FitOptions<MlpParams>): Promise<FittedModel<MlpNode>> {
  const started = performance.now();
  const p: MlpParams = { ...MLP_DEFAULTS, ...opts.params };
  checkParams(p);
  const K = predictionWidth(opts.kind, opts.nClasses);
  checkFitData(train, opts.kind, K, 'training');
  const nFeatures = train.x.columns.length;
  if (nFeatures < 1) throw new RangeError('training data has no features');
  if (opts.valid) checkFitData(opts.valid, opts.kind, K, 'validation', nFeatures);

  const rng = opts.rng;
  const initRng = new Rng(rng.nextUint32());
  const shuffleRng = new Rng(rng.nextUint32());
  const dropoutRng = new Rng(rng.nextUint32());
  const splitRng = new Rng(rng.nextUint32());

  const n = train.x.nRows;
  // Over all the training rows, those held out for early stopping included: only their
  // features count here, not their labels.
  const stats = inputStats(train.x, train.weights);
  let fitRows: Int32Array = Int32Array.from({ length: n }, (_, i) => i);
  let valid: FitData | undefined = opts.valid;
  let validation: MlpInfo['validation'] = valid ? 'given' : 'none';
  if (!valid && p.validationFraction > 0) {
    const held = holdOut(train, opts.kind, p.validationFraction, splitRng);
    if (held) {
      fitRows = held.fit;
      valid = subset(train, held.valid);
      validation = 'held-out';
    }
  }

  const output: OutputActivation =
    opts.kind === 'multiclass' ? 'softmax' : opts.kind === 'binary' ? 'sigmoid' : 'linear';
  const nOut = opts.kind === 'multiclass' ? K : 1;
  const width = inputWidth(stats);
  const widths = [width, ...p.hiddenLayers, nOut];
  const target = targetScale(train, fitRows, opts.kind);
  const { x: xData, y: yData, w: wData } = trainingArrays(train, fitRows, stats, opts.kind, nOut, target);
  const outputBias = priorBias(train, fitRows, opts.kind, K);

  const { tf, backend } = await loadTf();
  const m = fitRows.length;
  const xAll = tf.tensor2d(xData, [m, width]);
  const yAll = tf.tensor2d(yData, [m, nOut]);
  const wAll = tf.tensor2d(wData, [m, 1]);
  const net = initNet(tf, widths, output, initRng, outputBias);
  const optimizer = tf.train.adam(p.learningRate);
  const vars = [...net.kernels, ...net.biases];
  const toNode = (): MlpNode => ({
    kind: 'mlp',
    nFeatures,
    means: stats.means.slice(),
    stds: stats.stds.slice(),
    missingIndicators: stats.missingIndicators.slice(),
    layers: exportLayers(net),
    targetMean: target.mean,
    targetStd: target.std,
  });

  const validLoss: number[] = [];
  let best: { loss: number; epoch: number; node: MlpNode } | undefined;
  const order = Int32Array.from({ length: m }, (_, i) => i);
  let epoch = 0;
  let cutByDeadline = false;
  try {
    for (; epoch < p.epochs; epoch++) {
      if (epoch > 0 && isPast(opts.deadline)) {
        cutByDeadline = true;
        break;
      }
      shuffleRng.shuffle(order);
      for (let start = 0; start < m; start += p.batchSize) {
        const rows = order.subarray(start, Math.min(m, start + p.batchSize));
        const b = rows.length;
        tf.tidy(() => {
          const idx = tf.tensor1d(rows, 'int32');
          const xb = tf.gather(xAll, idx);
          const yb = tf.gather(yAll, idx);
          const wb = tf.gather(wAll, idx);
          const masks =
            p.dropout > 0 ? p.hiddenLayers.map((h) => dropoutMask(tf, b, h, p.dropout, dropoutRng)) : undefined;
          optimizer.minimize(
            () => {
              const loss = batchLoss(tf, output, forward(tf, net.kernels, net.biases, xb, masks), yb, wb);
              return p.l2 > 0 ? tf.add(loss, l2Penalty(tf, net.kernels, p.l2)) : loss;
            },
            false,
            vars,
          );
        });
      }
      if (valid) {
        const node = toNode();
        const loss = meanLoss(opts.kind, new MlpScorer(node).predict(valid.x.columns, valid.x.nRows), valid, K);
        validLoss.push(loss);
        if (!best || loss < best.loss) best = { loss, epoch, node };
        else if (p.patience > 0 && epoch - best.epoch >= p.patience) {
          epoch++;
          break;
        }
      }
      // Lets timers and I/O run between epochs (progress output, signals).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const node = best ? best.node : toNode();
    if (!isFiniteNode(node)) {
      throw new RangeError(`mlp: training diverged (weights are not finite); lower learningRate (${p.learningRate})`);
    }
    const fitData = validation === 'held-out' ? subset(train, fitRows) : train;
    const trainLoss = meanLoss(opts.kind, new MlpScorer(node).predict(fitData.x.columns, fitData.x.nRows), fitData, K);
    const info: MlpInfo = {
      rounds: best ? best.epoch + 1 : epoch,
      roundsTrained: epoch,
      cutByDeadline,
      validLoss,
      validation,
      trainLoss,
      backend,
      seconds: (performance.now() - started) / 1000,
    };
    return new MlpModel(opts.kind, K, node, info);
  } finally {
    disposeNet(net);
    optimizer.dispose();
    xAll.dispose();
    yAll.dispose();
    wAll.dispose();
  }
}

/** A fitted neural net that predicts through the standalone scorer of its exported node. */
export class MlpModel implements FittedModel<MlpNode> {
  readonly family = 'mlp';
  readonly info: Readonly<Record<string, unknown>>;
  private scorer: MlpScorer | undefined;

  constructor(
    readonly kind: ProblemKind,
    readonly nClasses: number,
    private readonly node: MlpNode,
    info: MlpInfo,
  ) {
    this.info = info as unknown as Record<string, unknown>;
  }

  exportNode(): MlpNode {
    return structuredClone(this.node);
  }

  predict(x: Matrix): Float64Array {
    this.scorer ??= new MlpScorer(JSON.parse(JSON.stringify(this.node)) as MlpNode);
    return this.scorer.predict(x.columns, x.nRows);
  }

  /**
   * `gain`: per feature, the sum of the absolute first-layer weights of its standardised input
   * and of its missing indicator (inputs are on one scale, so this compares features; it is not
   * a loss reduction). `splits` is 0: a net has none.
   */
  importance(): FeatureImportance {
    const { nFeatures, missingIndicators, layers } = this.node;
    const first = layers[0]!;
    const width = first.shape[1];
    const gain = new Float64Array(nFeatures);
    const rowSum = (i: number): number => {
      let s = 0;
      for (let o = 0; o < width; o++) s += Math.abs(first.weights[i * width + o]!);
      return s;
    };
    for (let j = 0; j < nFeatures; j++) gain[j] = rowSum(j);
    missingIndicators.forEach((j, k) => (gain[j]! += rowSum(nFeatures + k)));
    return { gain, splits: new Float64Array(nFeatures) };
  }
}

/** Logloss (classification) or RMSE (regression) of predictions, weighted when the data has weights. */
function meanLoss(kind: ProblemKind, pred: Float64Array, d: FitData, K: number): number {
  const n = d.x.nRows;
  const w = d.weights;
  let s = 0;
  let sw = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    const y = d.y[i]!;
    s += wi * (kind === 'regression' ? (pred[i]! - y) ** 2 : -Math.log(Math.max(pred[i * K + y]!, 1e-15)));
    sw += wi;
  }
  return kind === 'regression' ? Math.sqrt(s / sw) : s / sw;
}

/**
 * Splits off a validation share of the rows, stratified by class for classification (a class
 * keeps at least one training row). Undefined when the data is too small to spare any.
 */
function holdOut(
  train: FitData,
  kind: ProblemKind,
  fraction: number,
  rng: Rng,
): { fit: Int32Array; valid: Int32Array } | undefined {
  const n = train.x.nRows;
  if (n < 20) return undefined;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = kind === 'regression' ? 0 : train.y[i]!;
    let rows = groups.get(g);
    if (!rows) groups.set(g, (rows = []));
    rows.push(i);
  }
  const isValid = new Uint8Array(n);
  for (const g of [...groups.keys()].sort((a, b) => a - b)) {
    const rows = rng.shuffle(groups.get(g)!);
    const take = Math.min(rows.length - 1, Math.round(fraction * rows.length));
    for (let r = 0; r < take; r++) isValid[rows[r]!] = 1;
  }
  const valid: number[] = [];
  const fit: number[] = [];
  for (let i = 0; i < n; i++) (isValid[i] ? valid : fit).push(i);
  if (valid.length === 0) return undefined;
  if (
    train.weights &&
    !(valid.reduce((s, i) => s + train.weights![i]!, 0) > 0 && fit.reduce((s, i) => s + train.weights![i]!, 0) > 0)
  )
    return undefined;
  return { fit: Int32Array.from(fit), valid: Int32Array.from(valid) };
}

function subset(d: FitData, rows: Int32Array): FitData {
  const take = (a: Float64Array): Float64Array => Float64Array.from(rows, (i) => a[i]!);
  return {
    x: { nRows: rows.length, columns: d.x.columns.map(take) },
    y: take(d.y),
    ...(d.weights ? { weights: take(d.weights) } : {}),
  };
}

/** The regression target's weighted mean and standard deviation (training is on the standardised target). */
function targetScale(train: FitData, rows: Int32Array, kind: ProblemKind): { mean: number; std: number } {
  if (kind !== 'regression') return { mean: 0, std: 1 };
  const w = train.weights;
  let sw = 0;
  let sy = 0;
  for (const i of rows) {
    const wi = w ? w[i]! : 1;
    sw += wi;
    sy += wi * train.y[i]!;
  }
  const mean = sy / sw;
  let ss = 0;
  for (const i of rows) ss += (w ? w[i]! : 1) * (train.y[i]! - mean) ** 2;
  const std = Math.sqrt(ss / sw);
  return { mean, std: std > 1e-12 * Math.max(1, Math.abs(mean)) ? std : 1 };
}

/** The rows trained on as float32: inputs, targets (one-hot, 0/1, or standardised), weights scaled to mean 1. */
function trainingArrays(
  train: FitData,
  rows: Int32Array,
  stats: InputStats,
  kind: ProblemKind,
  nOut: number,
  target: { mean: number; std: number },
): { x: Float32Array; y: Float32Array; w: Float32Array } {
  const m = rows.length;
  const x = encodeRows(train.x, stats, rows);
  const y = new Float32Array(m * nOut);
  const w = new Float32Array(m).fill(1);
  for (let r = 0; r < m; r++) {
    const v = train.y[rows[r]!]!;
    if (kind === 'multiclass') y[r * nOut + v] = 1;
    else y[r] = kind === 'binary' ? v : (v - target.mean) / target.std;
  }
  if (train.weights) {
    let sw = 0;
    for (const i of rows) sw += train.weights[i]!;
    const scale = m / sw;
    for (let r = 0; r < m; r++) w[r] = train.weights[rows[r]!]! * scale;
  }
  return { x, y, w };
}

/** The output bias of the constant model: log class shares (softmax), the positive share's logit (sigmoid), or 0. */
function priorBias(train: FitData, rows: Int32Array, kind: ProblemKind, K: number): Float64Array {
  if (kind === 'regression') return new Float64Array(1);
  const share = new Float64Array(K);
  let total = 0;
  for (const i of rows) {
    const wi = train.weights ? train.weights[i]! : 1;
    share[train.y[i]!]! += wi;
    total += wi;
  }
  // Shares clipped away from 0 and 1, so that an absent class does not start at −∞.
  const clip = (s: number): number => Math.min(1 - 1e-4, Math.max(1e-4, s / total));
  if (kind === 'binary') {
    const q = clip(share[1]!);
    return Float64Array.of(Math.log(q / (1 - q)));
  }
  return share.map((s) => Math.log(clip(s)));
}

function isFiniteNode(node: MlpNode): boolean {
  return node.layers.every((l) => l.weights.every(Number.isFinite) && l.bias.every(Number.isFinite));
}

function checkParams(p: MlpParams): void {
  const bad = (name: keyof MlpParams, why: string): never => {
    throw new RangeError(`mlp: ${name} ${why}, got ${JSON.stringify(p[name])}`);
  };
  const h = p.hiddenLayers;
  if (!Array.isArray(h) || h.length < 1 || h.length > 3 || !h.every((u) => Number.isInteger(u) && u >= 1)) {
    bad('hiddenLayers', 'must be 1 to 3 layer widths, whole numbers >= 1');
  }
  if (!(p.dropout >= 0 && p.dropout < 1)) bad('dropout', 'must be in [0, 1)');
  if (!(p.learningRate > 0 && Number.isFinite(p.learningRate))) bad('learningRate', 'must be > 0');
  if (!(Number.isInteger(p.batchSize) && p.batchSize >= 1)) bad('batchSize', 'must be a whole number >= 1');
  if (!(Number.isInteger(p.epochs) && p.epochs >= 1)) bad('epochs', 'must be a whole number >= 1');
  if (!(Number.isInteger(p.patience) && p.patience >= 0)) bad('patience', 'must be a whole number >= 0');
  if (!(p.l2 >= 0 && Number.isFinite(p.l2))) bad('l2', 'must be >= 0');
  if (!(p.validationFraction >= 0 && p.validationFraction < 1)) bad('validationFraction', 'must be in [0, 1)');
}
