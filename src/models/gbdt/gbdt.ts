/**
 * Gradient-boosted decision trees on histograms, our own, in the manner of LightGBM.
 *
 *   raw features ──fitBins──► bounds ──binMatrix──► Uint8 bins (column-major, once)
 *        │                                              │
 *        │      per round: gradients, hessians ◄── raw scores
 *        │                       │                      ▲
 *        │                       ▼                      │ + learningRate × leaf value
 *        │             TreeLearner.grow (one tree per output)
 *        ▼
 *   exportNode(): trees with thresholds in raw units ──► TreeScorer (src/artifact) ──► predict
 */
import { predictionWidth } from '../../artifact/tasks.js';
import { availableParallelism } from 'node:os';
import type { TreeEnsembleNode } from '../../artifact/format/tree-ensemble.js';
import type { Rng } from '../../util/random.js';
import { roundsInfo, type FitData, type FitOptions, type FittedModel, type ModelFamily } from '../types.js';
import { binMatrix, fitBins, sampleRows } from '../trees/binning.js';
import { objectiveFor } from './objective.js';
import {
  addTreeOutput,
  binColumns,
  fillGradients,
  gbdtLayout,
  halfSummer,
  scoreArrays,
  shrinkTree,
  TreeLearner,
  kernelSorter,
  writeBins,
  type BinTree,
  type TreeParams,
} from './tree-learner.js';
import { kernelMemory, kernelOver, preferredKernel, type KernelKind } from './hist-kernel.js';
import { GbdtThread, MAX_WORKER_CLASSES } from './parallel.js';
import { checkFitData } from '../validate.js';
import { TreeModel } from '../trees/tree-model.js';
import { exportBinTree, treeImportance } from '../trees/tree.js';
import { isPast } from '../../util/clock.js';

export interface GbdtParams extends TreeParams {
  /** Boosting rounds (one tree per output per round). */
  nRounds: number;
  learningRate: number;
  /** Share of rows sampled (without replacement) for each round; 1 = all. */
  baggingFraction: number;
  /** Share of features sampled for each tree; 1 = all. */
  featureFraction: number;
  /** Value bins per feature, at most 255 (missing values have a bin of their own). */
  maxBins: number;
  /** Stop when the validation loss has not improved for this many rounds (needs a validation set); 0 = never. */
  earlyStoppingRounds: number;
  /** Threads for histograms on large data (results do not depend on it). */
  threads: number;
}

/**
 * Defaults in the manner of LightGBM's (leaf-wise, 31 leaves, 20 rows per leaf), with XGBoost's
 * L2 penalty of 1 and 80% of the features per tree, which calibrate probabilities better on
 * small tables such as the hydraulic one.
 */
export const GBDT_DEFAULTS: Readonly<GbdtParams> = {
  nRounds: 100,
  learningRate: 0.1,
  growth: 'leafwise',
  maxDepth: 0,
  numLeaves: 31,
  minDataInLeaf: 20,
  minSumHessian: 1e-3,
  lambdaL2: 1,
  minGainToSplit: 0,
  baggingFraction: 1,
  featureFraction: 0.8,
  maxBins: 255,
  earlyStoppingRounds: 20,
  threads: Math.min(2, availableParallelism()),
};

export interface GbdtInfo {
  /** Rounds kept in the model (the best iteration + 1 with early stopping). */
  rounds: number;
  /** Rounds trained. */
  roundsTrained: number;
  /** The fit's deadline stopped it before its rounds were done (early stopping is not this). */
  cutByDeadline: boolean;
  /** Validation loss after each round (logloss, or RMSE for regression), when a validation set was given. */
  validLoss: number[];
  trainLoss: number;
  /** Threads that built histograms (2 only on data large enough to gain from it). */
  threads: number;
  /**
   * Node tasks (a split's partition and histograms) one thread ran for the other; depth-wise
   * growth on two threads shares them, leaf-wise growth splits one node at a time.
   */
  tasksShared: number;
  /** The histogram kernels: WebAssembly, or TypeScript (see hist-kernel.ts). */
  kernel: KernelKind;
}

export const gbdt: ModelFamily<GbdtParams> = {
  name: 'gbdt',
  defaults: GBDT_DEFAULTS,
  search: {
    first: () => [{}],
    // Slow and sampled; and small, strongly penalised trees.
    portfolio: () => [
      { learningRate: 0.03, nRounds: 400, featureFraction: 0.5, baggingFraction: 0.8, minDataInLeaf: 10 },
      { learningRate: 0.05, nRounds: 400, numLeaves: 7, lambdaL2: 5 },
    ],
    space: {
      learningRate: [0.03, 0.05, 0.1, 0.2],
      numLeaves: [7, 15, 31, 63],
      minDataInLeaf: [5, 10, 20, 40],
      lambdaL2: [0, 0.1, 1, 5],
      featureFraction: [0.5, 0.7, 0.8, 1],
      baggingFraction: [0.7, 0.8, 1],
      nRounds: [100, 200, 400],
    },
    shapeSensitive: false,
    interpretable: true,
  },
  // A refit on all rows boosts as many rounds as its folds kept (no rows are left to stop on).
  rounds: { unit: 'rounds', kept: roundsInfo('rounds'), refit: (params, rounds) => ({ ...params, nRounds: rounds }) },
  withThreads: (params, threads) => ({ ...params, threads }),
  fit: fitGbdt,
};

/**
 * Fits a GBDT.
 *
 * @example
 * const model = gbdt.fit({ x, y }, { kind: 'multiclass', nClasses: 3, rng: new Rng(42), params: { nRounds: 100 } });
 * const proba = model.predict(xTest); // row-major n × 3
 */
export function fitGbdt(train: FitData, opts: FitOptions<GbdtParams>): FittedModel<TreeEnsembleNode> {
  const p: GbdtParams = { ...GBDT_DEFAULTS, ...opts.params };
  checkParams(p);
  const { x, y, weights: w } = train;
  const n = x.nRows;
  const K = predictionWidth(opts.kind, opts.nClasses);
  checkFitData(train, opts.kind, K, 'training');
  if (opts.valid) checkFitData(opts.valid, opts.kind, K, 'validation', x.columns.length);

  const obj = objectiveFor(opts.kind, K);
  const nOut = obj.nOutputs;
  const base = obj.initScore(y, w);
  const nFeatures = x.columns.length;
  const slots = histogramSlots(p, n);
  // A second thread on data large enough to gain from it: it grows the trees of the upper classes
  // of each round (the larger half: this thread has the round's other work), and the two sum
  // halves of each other's large nodes.
  const kMain = nOut === 1 ? 1 : Math.floor(nOut / 2);
  const workerClasses = nOut - kMain;
  const wantThread = p.threads > 1 && n * nFeatures >= PARALLEL_MIN_CELLS && workerClasses <= MAX_WORKER_CLASSES;
  // One shared buffer for the bins, the gradient pairs and the learners' rows and histograms.
  const layout = gbdtLayout(n, nFeatures, nOut, slots, wantThread ? 2 : 1, w !== undefined);
  const memory = kernelMemory(layout.bytes, preferredKernel());
  const work = { layout, ...kernelOver(memory) };
  const mapper = fitBins(x, p.maxBins, opts.rng, kernelSorter(work));
  writeBins(x, mapper, work);
  const bins = binColumns(work);
  const learner = new TreeLearner(work, 0, p);
  // In the shared buffer, so that the second thread reads and writes them too.
  const { raw, y: ys, w: ws } = scoreArrays(work);
  raw.forEach((col, k) => col.fill(base[k]!));
  ys.set(y);
  if (w && ws) ws.set(w);
  const thread = wantThread
    ? GbdtThread.create(
        {
          nRows: n,
          memory,
          layout,
          kind: opts.kind,
          nClasses: K,
          params: {
            growth: p.growth,
            maxDepth: p.maxDepth,
            numLeaves: p.numLeaves,
            minDataInLeaf: p.minDataInLeaf,
            minSumHessian: p.minSumHessian,
            lambdaL2: p.lambdaL2,
            minGainToSplit: p.minGainToSplit,
            learningRate: p.learningRate,
          },
        },
        nOut,
        { sumHalf: halfSummer(work, 0), helpWorker: () => learner.helpWith(1) },
      )
    : undefined;
  learner.helper = thread?.mainSlot;
  learner.betweenNodes = thread ? () => void thread.serveWorker() : undefined;
  const threads = thread ? 2 : 1;

  const valid = opts.valid;
  const vbins = valid ? binMatrix(valid.x, mapper) : undefined;
  const vraw = valid ? new Float64Array(valid.x.nRows * nOut) : undefined;
  if (valid && vraw)
    for (let i = 0; i < valid.x.nRows; i++) for (let k = 0; k < nOut; k++) vraw[i * nOut + k] = base[k]!;

  const rows = learner.rows;
  const allRows = new Int32Array(n);
  for (let i = 0; i < n; i++) allRows[i] = i;
  const masks = Array.from({ length: nOut }, () => new Uint8Array(nFeatures));
  const rng = opts.rng;
  const trees: BinTree[] = [];
  const validLoss: number[] = [];
  let best = { loss: Infinity, round: -1 };

  let round = 0;
  let cutByDeadline = false;
  try {
    for (; round < p.nRounds; round++) {
      if (round > 0 && isPast(opts.deadline)) {
        cutByDeadline = true;
        break;
      }
      if (thread) {
        const mid = n >>> 1;
        thread.startGradients(mid, n);
        fillGradients(work, opts.kind, 0, mid, 0);
        thread.wait();
      } else fillGradients(work, opts.kind, 0, n, 0);
      const sample =
        p.baggingFraction < 1 ? sampleRows(n, Math.max(1, Math.round(p.baggingFraction * n)), rng) : allRows;
      const whole = sample === allRows;
      // Feature masks in class order: the random draws do not depend on who grows which tree.
      for (let k = 0; k < nOut; k++) sampleFeatures(masks[k]!, p.featureFraction, rng);
      const roundTrees = new Array<BinTree>(nOut);
      const parallel = thread !== undefined && workerClasses > 0;
      if (parallel) {
        for (let j = 0; j < workerClasses; j++) thread.masks.set(masks[kMain + j]!, (kMain + j) * nFeatures);
        thread.sample.set(sample);
        thread.startGrow(
          Array.from({ length: workerClasses }, (_, j) => kMain + j),
          sample.length,
          whole,
        );
      }
      for (let k = 0; k < (parallel ? kMain : nOut); k++) {
        rows.set(sample);
        const tree = learner.grow(sample.length, masks[k]!, p, k);
        shrinkTree(tree, p.learningRate);
        learner.addToRaw(tree, whole, bins, k);
        roundTrees[k] = tree;
      }
      if (parallel) {
        // The second thread has added its trees to their columns of the raw scores.
        for (const { k, tree } of thread.finishGrow()) roundTrees[k] = tree;
      }
      for (let k = 0; k < nOut; k++) {
        const tree = roundTrees[k]!;
        trees.push(tree);
        if (valid && vbins && vraw) addTreeOutput(tree, vbins, valid.x.nRows, 1, vraw, nOut, k);
      }
      if (valid && vraw) {
        const loss = obj.loss(vraw, valid.y, valid.weights);
        validLoss.push(loss);
        if (loss < best.loss - 1e-12) best = { loss, round };
        else if (p.earlyStoppingRounds > 0 && round - best.round >= p.earlyStoppingRounds) {
          round++;
          break;
        }
      }
    }
  } finally {
    void thread?.close();
  }
  const roundsTrained = round;
  const kept = valid && best.round >= 0 ? best.round + 1 : roundsTrained;
  trees.length = kept * nOut;
  // The loss reads raw scores row-major.
  const rowMajor = new Float64Array(n * nOut);
  raw.forEach((col, k) => col.forEach((v, i) => (rowMajor[i * nOut + k] = v)));
  const trainLoss = obj.loss(rowMajor, ys, ws);

  const node: TreeEnsembleNode = {
    kind: 'tree_ensemble',
    nFeatures,
    nOutputs: nOut,
    aggregation: 'sum',
    link: obj.link,
    leafWidth: 1,
    baseScore: base,
    trees: trees.map((t) => exportBinTree(t, mapper, 1, (i) => t.leafValue[i]!)),
  };
  const importance = treeImportance(trees, nFeatures);
  const info: GbdtInfo = {
    rounds: kept,
    roundsTrained,
    cutByDeadline,
    validLoss,
    trainLoss,
    threads,
    tasksShared: learner.tasksShared,
    kernel: work.kernel.kind,
  };
  return new TreeModel('gbdt', opts.kind, K, node, importance, info as unknown as Record<string, unknown>);
}

/** Below this many rows × features a second thread costs more than it saves. */
const PARALLEL_MIN_CELLS = 400_000;

/** Histogram slots the learner may hold at once: open leaves plus the one being split. */
function histogramSlots(p: GbdtParams, n: number): number {
  const byRows = Math.ceil(n / Math.max(1, p.minDataInLeaf)) + 2;
  const byShape = p.growth === 'depthwise' ? 2 ** Math.min(p.maxDepth, 20) + 2 : p.numLeaves + 2;
  return Math.max(2, Math.min(byRows, byShape, 1024));
}

function sampleFeatures(mask: Uint8Array, fraction: number, rng: Rng): void {
  const n = mask.length;
  if (fraction >= 1) {
    mask.fill(1);
    return;
  }
  const m = Math.max(1, Math.round(fraction * n));
  mask.fill(0);
  let chosen = 0;
  for (let i = 0; i < n && chosen < m; i++) {
    if ((n - i) * rng.next() < m - chosen) {
      mask[i] = 1;
      chosen++;
    }
  }
}

function checkParams(p: GbdtParams): void {
  const bad = (name: string, why: string): never => {
    throw new RangeError(`gbdt: ${name} ${why}, got ${String(p[name as keyof GbdtParams])}`);
  };
  if (!(Number.isInteger(p.nRounds) && p.nRounds >= 1)) bad('nRounds', 'must be a whole number >= 1');
  if (!(p.learningRate > 0)) bad('learningRate', 'must be > 0');
  if (p.growth !== 'depthwise' && p.growth !== 'leafwise') bad('growth', "must be 'depthwise' or 'leafwise'");
  if (p.growth === 'depthwise' && !(p.maxDepth >= 1)) bad('maxDepth', 'must be >= 1 for depth-wise growth');
  if (!(Number.isInteger(p.numLeaves) && p.numLeaves >= 2)) bad('numLeaves', 'must be a whole number >= 2');
  if (!(p.minDataInLeaf >= 1)) bad('minDataInLeaf', 'must be >= 1');
  if (!(p.minSumHessian >= 0)) bad('minSumHessian', 'must be >= 0');
  if (!(p.lambdaL2 >= 0)) bad('lambdaL2', 'must be >= 0');
  if (!(p.baggingFraction > 0 && p.baggingFraction <= 1)) bad('baggingFraction', 'must be in (0, 1]');
  if (!(p.featureFraction > 0 && p.featureFraction <= 1)) bad('featureFraction', 'must be in (0, 1]');
  if (!(Number.isInteger(p.maxBins) && p.maxBins >= 2 && p.maxBins <= 255))
    bad('maxBins', 'must be a whole number in [2, 255]');
  if (!(Number.isInteger(p.earlyStoppingRounds) && p.earlyStoppingRounds >= 0))
    bad('earlyStoppingRounds', 'must be a whole number >= 0');
  if (!(Number.isInteger(p.threads) && p.threads >= 1)) bad('threads', 'must be a whole number >= 1');
}
