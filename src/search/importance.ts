/**
 * Permutation importance of the original features, out of fold: for each fold of the winning
 * candidate, its fitted steps and model score the fold's own rows (never seen in its fit) with one
 * input column shuffled at a time; a feature's importance is how much the search's metric gets
 * worse, averaged over the folds. It goes through every feature step, so it is measured on the
 * columns a user knows, and means the same for every family.
 */
import { FeatureScorer } from '../artifact/feature-scorer.js';
import type { FeaturePipelineNode } from '../artifact/format/features.js';
import type { ModelNode } from '../artifact/format/pipeline.js';
import { modelScorer } from '../artifact/scorer.js';
import type { Table } from '../data/table.js';
import { columnarInput } from '../features/columnar-input.js';
import { METRICS, type MetricName } from '../metrics/registry.js';
import { clockNow } from '../util/clock.js';
import type { Rng } from '../util/random.js';
import type { CvTask } from './types.js';
import { foldRows } from './fold-job.js';
import { gather } from '../util/gather.js';

export interface PermutationEntry {
  feature: string;
  /**
   * Mean worsening of the metric when the feature is shuffled (in the metric's units; ≥ 0 matters),
   * or null when the time ran out before the feature's turn.
   */
  drop: number | null;
}

/** Rows scored per feature, at most, over all folds (a seeded sample of each fold). */
export const PERMUTATION_MAX_ROWS = 5_000;

/** Features measured whatever the (soft) deadline, until the hard one. */
export const PERMUTATION_MIN_FEATURES = 10;

/**
 * Permutation importance of `features` for the fold models of one candidate. Features are
 * measured in the order given (put the likely important first); past `deadline` (on the deadline
 * clock, src/util/clock.ts), once at least {@link PERMUTATION_MIN_FEATURES} are measured, the rest
 * get null, and past `hardDeadline` all the rest do.
 *
 * @example
 * const imp = permutationImportance(train, task, fold, best.foldModels, features, 'logloss', new Rng(42));
 * imp[0]; // { feature: 'cool_eff_pct', drop: 0.84 }
 */
export function permutationImportance(
  table: Table,
  task: CvTask,
  fold: Int32Array,
  foldModels: ReadonlyMap<number, { features: FeaturePipelineNode; model: ModelNode }>,
  features: readonly string[],
  metric: MetricName,
  rng: Rng,
  maxRows = PERMUTATION_MAX_ROWS,
  deadline = Infinity,
  hardDeadline = Infinity,
): PermutationEntry[] {
  const m = METRICS[metric];
  const sign = m.greaterIsBetter ? -1 : 1;
  const folds = [...foldModels.keys()].sort((a, b) => a - b);
  // Each fold's rows (a seeded sample), steps, model, inputs and unshuffled score, once.
  const prepared = folds.map((f) => {
    const nodes = foldModels.get(f)!;
    const r = rng.fork(f);
    const valid = foldRows(fold, f).valid;
    const rows =
      valid.length <= maxRows / folds.length
        ? valid
        : r
            .shuffle([...valid])
            .slice(0, Math.floor(maxRows / folds.length))
            .sort((a, b) => a - b);
    const y = gather(task.y, rows);
    const steps = new FeatureScorer(nodes.features);
    const model = modelScorer(nodes.model);
    const input = columnarInput(table.take(rows), nodes.features);
    const score = (): number => m.compute(y, model.predict(steps.apply(input), rows.length));
    return { nodes, r, rows, input, score, base: score() };
  });
  const drops = new Map<string, number | null>();
  for (const feature of features) {
    const now = clockNow();
    if ((drops.size >= PERMUTATION_MIN_FEATURES && now > deadline) || now > hardDeadline) {
      drops.set(feature, null);
      continue;
    }
    let total = 0;
    for (const fp of prepared) {
      const j = fp.nodes.features.inputs.findIndex((field) => field.name === feature);
      if (j < 0) continue; // a column this fold's pipeline does not read
      const field = fp.nodes.features.inputs[j]!;
      const cols = (
        field.type === 'numeric' ? fp.input.numeric : field.type === 'text' ? fp.input.text : fp.input.categorical
      ) as Record<string, Float64Array | Int32Array | (string | null)[]>;
      const original = cols[field.name]!;
      const shuffled = original.slice();
      const order = fp.r.fork(1 + j).shuffle(Array.from({ length: fp.rows.length }, (_, i) => i));
      order.forEach((from, i) => (shuffled[i] = original[from]!));
      cols[field.name] = shuffled;
      total += sign * (fp.score() - fp.base);
      cols[field.name] = original;
    }
    drops.set(feature, total / Math.max(1, folds.length));
  }
  return features
    .map((feature) => ({ feature, drop: drops.get(feature) ?? null }))
    .sort((a, b) =>
      a.drop === null
        ? b.drop === null
          ? a.feature < b.feature
            ? -1
            : 1
          : 1
        : b.drop === null
          ? -1
          : b.drop - a.drop || (a.feature < b.feature ? -1 : 1),
    );
}
