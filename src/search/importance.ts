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
import type { ArtifactNode } from '../models/types.js';
import type { Rng } from '../util/random.js';
import type { CvTask } from './cross-validate.js';
import { foldRows } from './fold-job.js';

export interface PermutationEntry {
  feature: string;
  /** Mean worsening of the metric when the feature is shuffled (in the metric's units; ≥ 0 matters). */
  drop: number;
}

/** Rows scored per feature, at most, over all folds (a seeded sample of each fold). */
export const PERMUTATION_MAX_ROWS = 5_000;

/**
 * Permutation importance of `features` for the fold models of one candidate.
 *
 * @example
 * const imp = permutationImportance(train, task, fold, best.foldModels, features, 'logloss', new Rng(42));
 * imp[0]; // { feature: 'cool_eff_pct', drop: 0.84 }
 */
export function permutationImportance(
  table: Table,
  task: CvTask,
  fold: Int32Array,
  foldModels: ReadonlyMap<number, { features: FeaturePipelineNode; model: ArtifactNode }>,
  features: readonly string[],
  metric: MetricName,
  rng: Rng,
  maxRows = PERMUTATION_MAX_ROWS,
): PermutationEntry[] {
  const m = METRICS[metric];
  const sign = m.greaterIsBetter ? -1 : 1;
  const total = new Map<string, number>(features.map((f) => [f, 0]));
  const folds = [...foldModels.keys()].sort((a, b) => a - b);
  for (const f of folds) {
    const nodes = foldModels.get(f)!;
    const r = rng.fork(f);
    const valid = foldRows(fold, f).valid;
    const rows = valid.length <= maxRows / folds.length ? valid : r.shuffle([...valid]).slice(0, Math.floor(maxRows / folds.length)).sort((a, b) => a - b);
    const sub = table.take(rows);
    const y = Float64Array.from(rows, (i) => task.y[i]!);
    const steps = new FeatureScorer(nodes.features);
    const model = modelScorer(nodes.model as ModelNode);
    const input = columnarInput(sub, nodes.features);
    const score = (): number => m.compute(y, model.predict(steps.apply(input), rows.length));
    const base = score();
    for (const [j, field] of nodes.features.inputs.entries()) {
      if (!total.has(field.name)) continue;
      const cols = (field.type === 'numeric' ? input.numeric : input.categorical) as Record<string, Float64Array | Int32Array>;
      const original = cols[field.name]!;
      const shuffled = original.slice();
      const order = r.fork(1 + j).shuffle(Array.from({ length: rows.length }, (_, i) => i));
      order.forEach((from, i) => (shuffled[i] = original[from]!));
      cols[field.name] = shuffled;
      total.set(field.name, total.get(field.name)! + sign * (score() - base));
      cols[field.name] = original;
    }
  }
  return features.map((feature) => ({ feature, drop: total.get(feature)! / Math.max(1, folds.length) })).sort((a, b) => b.drop - a.drop || (a.feature < b.feature ? -1 : 1));
}
