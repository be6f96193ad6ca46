/**
 * The search space: strong default candidates per model family, the feature steps a table's
 * columns call for, and seeded mutations of a candidate's parameters.
 */
import { columnKind, type DateFormats } from '../data/kinds.js';
import type { Table } from '../data/table.js';
import type { TransformRequest } from '../features/types.js';
import type { FeatureSpec } from '../features/pipeline.js';
import { FAMILIES, FAMILY_NAMES, type FamilyName } from '../models/registry.js';
import type { Rng } from '../util/random.js';
import type { Candidate } from './types.js';

/** Categorical columns with at most this many levels are one-hot encoded; others target encoded. */
export const ONE_HOT_MAX_LEVELS = 16;

/**
 * The baseline feature steps for a table: numeric columns as they are, date columns expanded by
 * a date step, free-text columns by a text step (see src/data/kinds.ts), other categorical
 * columns one-hot (few levels) or target encoded out of fold (many), plus a frequency encoding.
 * With `interpretability` ≥ 8 only original features and monotone transforms are used (the date
 * and text steps are kept: their outputs are readable). `dateFormats` is what `--date-format` said.
 */
export function baselineFeatures(
  table: Table,
  features: readonly string[],
  interpretability = 5,
  dateFormats: DateFormats = {},
): FeatureSpec {
  const passthrough: string[] = [];
  const transforms: TransformRequest[] = [];
  for (const name of features) {
    const c = table.column(name);
    if (c.type === 'numeric') {
      passthrough.push(name);
      continue;
    }
    const { kind } = columnKind(c, dateFormats);
    if (kind?.kind === 'date') {
      transforms.push({ kind: 'date', column: name, format: kind.format });
      continue;
    }
    if (kind?.kind === 'text') {
      transforms.push({ kind: 'text', column: name, maxFeatures: TEXT_VARIANTS[0]!.maxFeatures });
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

/** The text step's settings the search tries: the first is the baseline's. */
const TEXT_VARIANTS: readonly { maxFeatures: number; wordNgrams?: number; charNgrams?: number }[] = [
  { maxFeatures: 256 },
  { maxFeatures: 64 },
  { maxFeatures: 512, wordNgrams: 2 },
  { maxFeatures: 512, charNgrams: 3 },
];

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
  const texts = c.features.transforms.filter((t) => t.kind === 'text');
  if (texts.length > 0) {
    // Another bucket count or n-gram setting for one text column.
    moves.push(() => {
      const t = texts[rng.int(texts.length)]!;
      const same = (v: (typeof TEXT_VARIANTS)[number]): boolean =>
        (t.maxFeatures ?? 256) === v.maxFeatures &&
        (t.wordNgrams ?? 1) === (v.wordNgrams ?? 1) &&
        (t.charNgrams ?? 0) === (v.charNgrams ?? 0);
      const others = TEXT_VARIANTS.filter((v) => !same(v));
      const v = others[rng.int(others.length)]!;
      const next: TransformRequest = { kind: 'text', column: t.column, ...v };
      return { ...c.features, transforms: c.features.transforms.map((x) => (x === t ? next : x)) };
    });
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

/**
 * A candidate's identity: its family, its parameters with the family's defaults filled in (so
 * `{}` and the defaults written out are one configuration), and its feature steps as a set (the
 * same interactions added in another order are the same features). Two candidates with the same
 * key fit the same model; the search scores each key at most once.
 *
 * @example
 * candidateKey({ family: 'glm', params: {}, features }) === candidateKey({ family: 'glm', params: { lambda: 1 }, features }); // true
 */
export function candidateKey(c: Candidate): string {
  const params = { ...(FAMILIES[c.family].defaults as Record<string, unknown>), ...c.params };
  const passthrough = [...(c.features.passthrough ?? [])].sort();
  const transforms = c.features.transforms.map(stableText).sort();
  return `${c.family}|${stableText(params)}|${passthrough.map((p) => JSON.stringify(p)).join(',')}|${transforms.join(',')}`;
}

/** JSON-like text with object keys sorted, and non-finite numbers spelled out (not null). */
function stableText(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return typeof v === 'number' ? String(v) : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableText).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableText(o[k])}`).join(',')}}`;
}

/** Fresh draws tried for one variation before its slot is given up (see {@link freshVariation}). */
export const MAX_REDRAWS = 24;

/**
 * A seeded variation of `c` whose key is not in `tried`: the first draw is `mutate(c, rng, …)`
 * itself (so a search whose draws never repeat is unchanged), each redraw uses its own fork of
 * `rng`; undefined when {@link MAX_REDRAWS} redraws all repeat a configuration already tried
 * (the leader's neighbourhood is exhausted).
 */
export function freshVariation(
  c: Candidate,
  rng: Rng,
  base: FeatureSpec,
  interpretability: number,
  ranking: readonly string[],
  tried: ReadonlySet<string>,
): Candidate | undefined {
  for (let attempt = 0; attempt <= MAX_REDRAWS; attempt++) {
    const draw = mutate(c, attempt === 0 ? rng : rng.fork(100 + attempt), base, interpretability, ranking);
    if (!tried.has(candidateKey(draw))) return draw;
  }
  return undefined;
}

/** Candidates with their repeats left out (the first of each key kept), in order. */
export function distinctCandidates(
  candidates: readonly Candidate[],
  tried: ReadonlySet<string> = new Set(),
): Candidate[] {
  const seen = new Set(tried);
  return candidates.filter((c) => {
    const key = candidateKey(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
