/**
 * The search space: strong default candidates per model family, the feature steps a table's
 * columns call for, and seeded mutations of a candidate's parameters.
 */
import type { Table } from '../data/table.js';
import type { TransformRequest } from '../features/types.js';
import type { FeatureSpec } from '../features/pipeline.js';
import type { FamilyName } from '../models/registry.js';
import type { Rng } from '../util/random.js';
import type { Candidate } from './types.js';

/** Categorical columns with at most this many levels are one-hot encoded; others target encoded. */
export const ONE_HOT_MAX_LEVELS = 16;

/**
 * The baseline feature steps for a table: numeric columns as they are, categorical columns
 * one-hot (few levels) or target encoded out of fold (many), plus a frequency encoding.
 * With `interpretability` ≥ 8 only original features and monotone transforms are used.
 */
export function baselineFeatures(table: Table, features: readonly string[], interpretability = 5): FeatureSpec {
  const passthrough: string[] = [];
  const transforms: TransformRequest[] = [];
  for (const name of features) {
    const c = table.column(name);
    if (c.type === 'numeric') {
      passthrough.push(name);
      continue;
    }
    if (c.levels.length <= ONE_HOT_MAX_LEVELS || interpretability >= 8) transforms.push({ kind: 'one_hot', column: name, maxLevels: ONE_HOT_MAX_LEVELS });
    else transforms.push({ kind: 'target_encoding', column: name, folds: 5, smoothing: 10 });
    if (interpretability < 8) transforms.push({ kind: 'frequency', column: name });
  }
  return { passthrough, transforms };
}

/** Families tried, by the interpretability dial: at 8–10 one interpretable model family. */
export function familiesFor(interpretability: number): FamilyName[] {
  if (interpretability >= 8) return ['glm', 'gbdt'];
  // Strong and cheap first (a short budget still gets them), the neural net before the forests so
  // that, on two cores, its long fold jobs run beside the forests' rather than alone at the end.
  return ['gbdt', 'glm', 'mlp', 'random_forest', 'extra_trees'];
}

/** Trees of the forests' first candidates (their own default, 300, costs three times as much). */
export const SEARCH_FOREST_TREES = 100;

/**
 * The first candidates: each family with its strong defaults (and a few GLM penalties); forests
 * start at {@link SEARCH_FOREST_TREES} trees, and variations may grow them.
 */
export function defaultCandidates(families: readonly FamilyName[], features: FeatureSpec, nRows = 0): Candidate[] {
  const out: Candidate[] = [];
  for (const family of families) {
    if (family === 'glm') for (const lambda of [1, 0.01, 0.0001]) out.push({ family, params: { lambda }, features });
    else if (family === 'random_forest' || family === 'extra_trees') out.push({ family, params: { nTrees: SEARCH_FOREST_TREES }, features });
    else if (family === 'mlp' && mlpBatchSize(nRows) !== 64) out.push({ family, params: { batchSize: mlpBatchSize(nRows) }, features });
    else out.push({ family, params: {}, features });
  }
  return out;
}

/**
 * The neural net's mini-batch size for a table of `nRows` training rows: its default 64 up to
 * about 9,000 rows, then growing with the rows (a power of two, at most 1024) so that an epoch
 * stays about a hundred steps: each step has a fixed cost in TensorFlow.js.
 */
export function mlpBatchSize(nRows: number): number {
  return Math.max(64, Math.min(1024, 2 ** Math.round(Math.log2(Math.max(1, nRows) / 100))));
}

/** The operations interactions are made with. */
const INTERACTION_OPS = ['ratio', 'difference', 'product'] as const;
/** Interactions are made among this many of the strongest single features. */
const INTERACTION_POOL = 6;
/** At most this many interactions in one candidate. */
const MAX_INTERACTIONS = 4;

/** Families for which a monotone transform of the inputs changes the model (trees are blind to it). */
const SHAPE_SENSITIVE: readonly FamilyName[] = ['glm', 'mlp'];

/**
 * A seeded variation of a feature spec, or undefined when none applies: add or remove an
 * interaction (ratio, difference or product of two of the strongest numeric features, at
 * interpretability ≤ 7), or, for the GLM and the neural net, switch the numeric inputs to a
 * Yeo-Johnson transform and back (monotone, so allowed at any interpretability).
 */
function mutateFeatures(c: Candidate, rng: Rng, base: FeatureSpec, interpretability: number, ranking: readonly string[]): FeatureSpec | undefined {
  const numeric = base.passthrough ?? [];
  const pool = [...ranking.filter((f) => numeric.includes(f)), ...numeric.filter((f) => !ranking.includes(f))].slice(0, INTERACTION_POOL);
  const interactions = c.features.transforms.filter((t) => t.kind === 'interaction');
  const yeo = c.features.transforms.some((t) => t.kind === 'yeo_johnson');
  const moves: (() => FeatureSpec | undefined)[] = [];
  if (interpretability <= 7 && pool.length >= 2 && interactions.length < MAX_INTERACTIONS) {
    moves.push(() => {
      const i = rng.int(pool.length);
      let j = rng.int(pool.length - 1);
      if (j >= i) j++;
      const op = INTERACTION_OPS[rng.int(INTERACTION_OPS.length)]!;
      // A product is symmetric, and a difference the negative of its mirror: keep one order.
      const columns: [string, string] = op === 'ratio' || pool[i]! < pool[j]! ? [pool[i]!, pool[j]!] : [pool[j]!, pool[i]!];
      const exists = interactions.some((t) => t.kind === 'interaction' && t.op === op && t.columns[0] === columns[0] && t.columns[1] === columns[1]);
      return exists ? undefined : { ...c.features, transforms: [...c.features.transforms, { kind: 'interaction', op, columns }] };
    });
  }
  if (interactions.length > 0) {
    moves.push(() => {
      const drop = interactions[rng.int(interactions.length)];
      return { ...c.features, transforms: c.features.transforms.filter((t) => t !== drop) };
    });
  }
  if (SHAPE_SENSITIVE.includes(c.family) && numeric.length > 0) {
    moves.push(() =>
      yeo
        ? { passthrough: numeric, transforms: c.features.transforms.filter((t) => t.kind !== 'yeo_johnson') }
        : { passthrough: (c.features.passthrough ?? []).filter((f) => !numeric.includes(f)), transforms: [...numeric.map((column) => ({ kind: 'yeo_johnson' as const, column })), ...c.features.transforms] },
    );
  }
  if (moves.length === 0) return undefined;
  return moves[rng.int(moves.length)]!();
}

/** The values each family's variations draw from, per parameter. */
export const PARAM_SPACE: Readonly<Record<FamilyName, Readonly<Record<string, readonly unknown[]>>>> = {
  gbdt: {
    learningRate: [0.03, 0.05, 0.1, 0.2],
    numLeaves: [7, 15, 31, 63],
    minDataInLeaf: [5, 10, 20, 40],
    lambdaL2: [0, 0.1, 1, 5],
    featureFraction: [0.5, 0.7, 0.8, 1],
    baggingFraction: [0.7, 0.8, 1],
    nRounds: [100, 200, 400],
  },
  random_forest: { maxFeatures: ['sqrt', 'log2', 0.5, 0.8], minSamplesLeaf: [1, 2, 4, 8], nTrees: [100, 200, 300] },
  extra_trees: { maxFeatures: ['sqrt', 'log2', 0.5, 0.8], minSamplesLeaf: [1, 2, 4, 8], nTrees: [100, 200, 300] },
  // The GLM's penalty moves on a log scale instead (see mutateParams).
  glm: {},
  mlp: { hiddenLayers: [[32], [64, 32], [128, 64], [64, 64, 32]], dropout: [0, 0.1, 0.2], learningRate: [0.001, 0.003, 0.01] },
};

/** The GLM's penalty stays within [1e-5, 10]. */
const GLM_LOG_LAMBDA = [-5, 1] as const;

/**
 * A seeded variation of a candidate's parameters: one to three of them drawn anew (each to a
 * value other than its current one), the others kept, so that the search evolves the leader
 * rather than starting over; the GLM's penalty moves by up to a factor of 10 either way.
 */
function mutateParams(c: Candidate, rng: Rng): Record<string, unknown> {
  const p = { ...c.params };
  if (c.family === 'glm') {
    const current = typeof p['lambda'] === 'number' && p['lambda'] > 0 ? Math.log10(p['lambda']) : 0;
    p['lambda'] = 10 ** Math.min(GLM_LOG_LAMBDA[1], Math.max(GLM_LOG_LAMBDA[0], current + (2 * rng.next() - 1)));
    return p;
  }
  const space = PARAM_SPACE[c.family];
  const names = rng.shuffle(Object.keys(space));
  const k = 1 + rng.int(Math.min(3, names.length));
  for (const name of names.slice(0, k)) {
    const same = (v: unknown): boolean => JSON.stringify(v) === JSON.stringify(p[name]);
    const choices = space[name]!.filter((v) => !same(v));
    p[name] = choices[rng.int(choices.length)];
  }
  return p;
}

/**
 * A seeded variation of a candidate: its parameters (most often), its feature steps, or both.
 * `base` is the table's baseline spec; `ranking` orders features by single-feature strength
 * (strongest first; interactions are made among the strongest).
 */
export function mutate(c: Candidate, rng: Rng, base: FeatureSpec, interpretability: number, ranking: readonly string[] = []): Candidate {
  const u = rng.next();
  const features = u >= 0.6 ? mutateFeatures(c, rng.fork(1), base, interpretability, ranking) : undefined;
  const params = !features || u >= 0.85 ? mutateParams(c, rng.fork(2)) : c.params;
  return { family: c.family, params, features: features ?? c.features };
}
