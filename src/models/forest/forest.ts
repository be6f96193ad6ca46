/**
 * Random forests and extremely randomised trees, our own, on the binned features the tree
 * families share (src/models/trees/).
 *
 *   fitBins ──► Uint8 bins ──► per tree: bootstrap counts (or all rows) ──► ForestLearner.grow
 *                                            │                                   │
 *                                            └── out-of-bag rows ◄── bin-space ──┘ (OOB score)
 *   exportNode(): trees averaged (class distributions or means) ──► TreeScorer ──► predict
 *
 * Features are drawn at every split (√p for classification, all for regression by default, as
 * scikit-learn does); probabilities are averaged leaf class distributions, so they sum to 1.
 */
import type { TreeEnsembleNode } from '../../artifact/format/tree-ensemble.js';
import { TreeModel } from '../trees/tree-model.js';
import { binMatrix, fitBins } from '../trees/binning.js';
import { exportBinTree, leafOfRow, treeImportance } from '../trees/tree.js';
import { predictionWidth } from '../../artifact/tasks.js';
import {
  roundsInfo,
  type FamilyRounds,
  type FamilySearch,
  type FitData,
  type FitOptions,
  type FittedModel,
  type ModelFamily,
} from '../types.js';
import { checkFitData } from '../validate.js';
import { ForestLearner, type ForestTree } from './forest-learner.js';
import { isPast } from '../../util/clock.js';

export interface ForestParams {
  nTrees: number;
  /** Features drawn at each split: 'sqrt', 'log2', a share in (0, 1], or a count ≥ 1. */
  maxFeatures: 'sqrt' | 'log2' | number | 'auto';
  /** 0 = no limit. */
  maxDepth: number;
  minSamplesLeaf: number;
  /** Bootstrap samples (random forest); off for extremely randomised trees by default. */
  bootstrap: boolean;
  /** Extremely randomised trees: a random threshold per drawn feature. */
  extraTrees: boolean;
  maxBins: number;
}

export const FOREST_DEFAULTS: Readonly<ForestParams> = {
  nTrees: 300,
  maxFeatures: 'auto',
  maxDepth: 0,
  minSamplesLeaf: 1,
  bootstrap: true,
  extraTrees: false,
  maxBins: 255,
};

export interface ForestInfo {
  trees: number;
  /** The fit's deadline stopped it before it had grown the trees asked for. */
  cutByDeadline: boolean;
  /** Out-of-bag logloss (classification) or RMSE (regression); null without bootstrap. */
  oobLoss: number | null;
  /** Rows that were out of bag for at least one tree. */
  oobRows: number;
}

/** Trees of the forests' first candidates in the search (their own default, 300, costs three times as much). */
export const SEARCH_FOREST_TREES = 100;

/** What the search knows of both forests: they start smaller, and variations may grow them. */
const FOREST_SEARCH: FamilySearch<ForestParams> = {
  first: () => [{ nTrees: SEARCH_FOREST_TREES }],
  // Their own size, whose probabilities are smoother; and half the features at each split.
  portfolio: () => [{}, { maxFeatures: 0.5 }],
  space: { maxFeatures: ['sqrt', 'log2', 0.5, 0.8], minSamplesLeaf: [1, 2, 4, 8], nTrees: [100, 200, 300] },
  shapeSensitive: false,
  interpretable: false,
};

/** The trees a forest kept (fewer than asked when its deadline came); a refit grows as many as asked. */
const FOREST_ROUNDS: FamilyRounds<ForestParams> = { unit: 'trees', kept: roundsInfo('trees') };

export const randomForest: ModelFamily<ForestParams> = {
  name: 'random_forest',
  defaults: FOREST_DEFAULTS,
  search: FOREST_SEARCH,
  rounds: FOREST_ROUNDS,
  fit: (train, opts) => fitForest(train, opts, 'random_forest'),
};

export const extraTrees: ModelFamily<ForestParams> = {
  name: 'extra_trees',
  defaults: { ...FOREST_DEFAULTS, bootstrap: false, extraTrees: true },
  search: FOREST_SEARCH,
  rounds: FOREST_ROUNDS,
  fit: (train, opts) =>
    fitForest(train, { ...opts, params: { bootstrap: false, extraTrees: true, ...opts.params } }, 'extra_trees'),
};

/**
 * Fits a random forest (or extra trees with `extraTrees: true, bootstrap: false`).
 *
 * @example
 * const rf = fitForest({ x, y }, { kind: 'multiclass', nClasses: 3, rng: new Rng(42), params: { nTrees: 300 } });
 * rf.predict(xTest); // row-major n × 3 class probabilities
 */
export function fitForest(
  train: FitData,
  opts: FitOptions<ForestParams>,
  family = 'random_forest',
): FittedModel<TreeEnsembleNode> {
  const p: ForestParams = { ...FOREST_DEFAULTS, ...opts.params };
  checkParams(p);
  const classification = opts.kind !== 'regression';
  const K = predictionWidth(opts.kind, opts.nClasses);
  checkFitData(train, opts.kind, K, 'training');
  const { x, y, weights } = train;
  const n = x.nRows;
  const nf = x.columns.length;
  const mapper = fitBins(x, p.maxBins, opts.rng);
  const bins = binMatrix(x, mapper);
  const learner = new ForestLearner(bins, y, K, classification, n);
  const tp = {
    featuresPerSplit: featuresPerSplit(p.maxFeatures, nf, classification),
    maxDepth: p.maxDepth,
    minSamplesLeaf: p.minSamplesLeaf,
    extra: p.extraTrees,
  };

  const mult = new Float64Array(n);
  const oob = p.bootstrap ? new Float64Array(n * K) : undefined;
  const oobCount = p.bootstrap ? new Float64Array(n) : undefined;
  const trees: ForestTree[] = [];
  let cutByDeadline = false;
  for (let t = 0; t < p.nTrees; t++) {
    if (t > 0 && isPast(opts.deadline)) {
      cutByDeadline = true;
      break;
    }
    const rng = opts.rng.fork(t);
    if (p.bootstrap) {
      mult.fill(0);
      for (let i = 0; i < n; i++) mult[rng.int(n)]!++;
    } else mult.fill(1);
    const tree = learner.grow(mult, weights, tp, rng);
    trees.push(tree);
    if (oob && oobCount) addOutOfBag(tree, bins, mult, K, oob, oobCount);
  }

  let oobLoss: number | null = null;
  let oobRows = 0;
  if (oob && oobCount) {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < n; i++) {
      if (oobCount[i] === 0) continue;
      oobRows++;
      const wi = weights ? weights[i]! : 1;
      if (classification) s -= wi * Math.log(Math.min(Math.max(oob[i * K + y[i]!]! / oobCount[i]!, 1e-15), 1 - 1e-15));
      else s += wi * (oob[i]! / oobCount[i]! - y[i]!) ** 2;
      sw += wi;
    }
    oobLoss = sw > 0 ? (classification ? s / sw : Math.sqrt(s / sw)) : null;
  }

  const node: TreeEnsembleNode = {
    kind: 'tree_ensemble',
    nFeatures: nf,
    nOutputs: K,
    aggregation: 'mean',
    link: 'identity',
    leafWidth: K,
    baseScore: [],
    trees: trees.map((t) => exportBinTree(t, mapper, K, (i, k) => t.value[i * K + k]!)),
  };
  const info: ForestInfo = { trees: trees.length, cutByDeadline, oobLoss, oobRows };
  return new TreeModel(
    family,
    opts.kind,
    K,
    node,
    treeImportance(trees, nf),
    info as unknown as Record<string, unknown>,
  );
}

function featuresPerSplit(m: ForestParams['maxFeatures'], nf: number, classification: boolean): number {
  if (m === 'auto') return classification ? Math.max(1, Math.floor(Math.sqrt(nf))) : nf;
  if (m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nf)));
  if (m === 'log2') return Math.max(1, Math.floor(Math.log2(nf)));
  if (m <= 1) return Math.max(1, Math.floor(m * nf));
  return Math.min(nf, Math.floor(m));
}

/** Adds a tree's predictions for the rows it did not see (multiplicity 0). */
function addOutOfBag(
  tree: ForestTree,
  bins: readonly Uint8Array[],
  mult: Float64Array,
  K: number,
  oob: Float64Array,
  count: Float64Array,
): void {
  for (let r = 0; r < mult.length; r++) {
    if (mult[r]! > 0) continue;
    const i = leafOfRow(tree, bins, r);
    for (let k = 0; k < K; k++) oob[r * K + k]! += tree.value[i * K + k]!;
    count[r]!++;
  }
}

function checkParams(p: ForestParams): void {
  const bad = (name: keyof ForestParams, why: string): never => {
    throw new RangeError(`forest: ${name} ${why}, got ${String(p[name])}`);
  };
  if (!(Number.isInteger(p.nTrees) && p.nTrees >= 1)) bad('nTrees', 'must be a whole number >= 1');
  const m = p.maxFeatures;
  if (!(m === 'auto' || m === 'sqrt' || m === 'log2' || (typeof m === 'number' && m > 0)))
    bad('maxFeatures', "must be 'auto', 'sqrt', 'log2', a share in (0, 1] or a count");
  if (!(Number.isInteger(p.maxDepth) && p.maxDepth >= 0)) bad('maxDepth', 'must be a whole number >= 0');
  if (!(p.minSamplesLeaf >= 1)) bad('minSamplesLeaf', 'must be >= 1');
  if (!(Number.isInteger(p.maxBins) && p.maxBins >= 2 && p.maxBins <= 255))
    bad('maxBins', 'must be a whole number in [2, 255]');
}
