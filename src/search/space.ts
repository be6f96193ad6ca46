/**
 * The search space: strong default candidates per model family, the feature steps a table's
 * columns call for, and seeded mutations of a candidate's parameters.
 */
import type { Table } from '../data/table.js';
import type { TransformRequest } from '../features/types.js';
import type { FeatureSpec } from '../features/pipeline.js';
import { FAMILIES, FAMILY_NAMES, type FamilyName } from '../models/registry.js';
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
    if (c.levels.length <= ONE_HOT_MAX_LEVELS || interpretability >= 8)
      transforms.push({ kind: 'one_hot', column: name, maxLevels: ONE_HOT_MAX_LEVELS });
    else transforms.push({ kind: 'target_encoding', column: name, folds: 5, smoothing: 10 });
    if (interpretability < 8) transforms.push({ kind: 'frequency', column: name });
  }
  return { passthrough, transforms };
}

/**
 * Families tried, by the interpretability dial: at 8–10 those a person can read (the GLM, and
 * the GBDT split by split), the GLM first; otherwise all, in the registry's order.
 */
export function familiesFor(interpretability: number): FamilyName[] {
  if (interpretability >= 8) {
    const readable = FAMILY_NAMES.filter((f) => FAMILIES[f].search.interpretable);
    // The most readable first: a family without a shape of its own to learn (linear) before trees.
    return [
      ...readable.filter((f) => FAMILIES[f].search.shapeSensitive),
      ...readable.filter((f) => !FAMILIES[f].search.shapeSensitive),
    ];
  }
  return [...FAMILY_NAMES];
}

/** The first candidates: each family's own (its defaults, or a few starting points). */
export function defaultCandidates(families: readonly FamilyName[], features: FeatureSpec, nRows = 0): Candidate[] {
  return families.flatMap((family) =>
    FAMILIES[family].search.first(nRows).map((params) => ({ family, params, features })),
  );
}

/** The families' portfolio candidates (see `FamilySearch.portfolio`), in the families' order. */
export function portfolioCandidates(families: readonly FamilyName[], features: FeatureSpec, nRows = 0): Candidate[] {
  return families.flatMap((family) =>
    (FAMILIES[family].search.portfolio?.(nRows) ?? []).map((params) => ({ family, params, features })),
  );
}

/** The operations interactions are made with. */
const INTERACTION_OPS = ['ratio', 'difference', 'product'] as const;
/** Interactions are made among this many of the strongest single features. */
const INTERACTION_POOL = 6;
/** At most this many interactions in one candidate. */
const MAX_INTERACTIONS = 4;

/**
 * A seeded variation of a feature spec, or undefined when none applies: add or remove an
 * interaction (ratio, difference or product of two of the strongest numeric features, at
 * interpretability ≤ 7), or, for the GLM and the neural net, switch the numeric inputs to a
 * Yeo-Johnson transform and back (monotone, so allowed at any interpretability).
 */
function mutateFeatures(
  c: Candidate,
  rng: Rng,
  base: FeatureSpec,
  interpretability: number,
  ranking: readonly string[],
): FeatureSpec | undefined {
  const numeric = base.passthrough ?? [];
  const pool = [...ranking.filter((f) => numeric.includes(f)), ...numeric.filter((f) => !ranking.includes(f))].slice(
    0,
    INTERACTION_POOL,
  );
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
      const columns: [string, string] =
        op === 'ratio' || pool[i]! < pool[j]! ? [pool[i]!, pool[j]!] : [pool[j]!, pool[i]!];
      const exists = interactions.some(
        (t) => t.kind === 'interaction' && t.op === op && t.columns[0] === columns[0] && t.columns[1] === columns[1],
      );
      return exists
        ? undefined
        : { ...c.features, transforms: [...c.features.transforms, { kind: 'interaction', op, columns }] };
    });
  }
  if (interactions.length > 0) {
    moves.push(() => {
      const drop = interactions[rng.int(interactions.length)];
      return { ...c.features, transforms: c.features.transforms.filter((t) => t !== drop) };
    });
  }
  if (FAMILIES[c.family].search.shapeSensitive && numeric.length > 0) {
    moves.push(() =>
      yeo
        ? { passthrough: numeric, transforms: c.features.transforms.filter((t) => t.kind !== 'yeo_johnson') }
        : {
            passthrough: (c.features.passthrough ?? []).filter((f) => !numeric.includes(f)),
            transforms: [
              ...numeric.map((column) => ({ kind: 'yeo_johnson' as const, column })),
              ...c.features.transforms,
            ],
          },
    );
  }
  if (moves.length === 0) return undefined;
  return moves[rng.int(moves.length)]!();
}

/**
 * A seeded variation of a candidate's parameters: one to three of them drawn anew (each to a
 * value other than its current one), the others kept, so that the search evolves the leader
 * rather than starting over. A family may vary its own way instead (the GLM moves its penalty on
 * a log scale).
 */
function mutateParams(c: Candidate, rng: Rng): Record<string, unknown> {
  const p = { ...c.params };
  const { search } = FAMILIES[c.family];
  if (search.vary) return search.vary(p, rng);
  const space = search.space;
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
export function mutate(
  c: Candidate,
  rng: Rng,
  base: FeatureSpec,
  interpretability: number,
  ranking: readonly string[] = [],
): Candidate {
  const u = rng.next();
  const features = u >= 0.6 ? mutateFeatures(c, rng.fork(1), base, interpretability, ranking) : undefined;
  const params = !features || u >= 0.85 ? mutateParams(c, rng.fork(2)) : c.params;
  return { family: c.family, params, features: features ?? c.features };
}
