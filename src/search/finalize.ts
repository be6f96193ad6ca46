/**
 * An experiment's third stage: the pipeline's model. The search's winner is refit on all training
 * rows when the refit will likely fit in what is left of the budget (or when asked), else its
 * fold models are shipped (their average, as AutoGluon does; each validated on its own fold)
 * rather than a refit cut short.
 */
import type { FeaturePipelineNode } from '../artifact/format/features.js';
import type { ModelNode } from '../artifact/format/pipeline.js';
import type { Table } from '../data/table.js';
import { refit, refitSecondsFor, type SearchResult } from './automl.js';
import type { Budget } from './budget.js';
import { FINAL_MODELS, type FinalChoice, type FinalModel } from './final.js';
import type { CvTask } from './types.js';
import { clockNow } from '../util/clock.js';

/** A member of the pipeline's model: its feature steps and model, and its weight in the average. */
export interface FinalMember {
  weight: number;
  features: FeaturePipelineNode;
  model: ModelNode;
}

export interface FinalPipeline {
  /** The feature steps of the pipeline (the members share their input fields). */
  node: FeaturePipelineNode;
  members: FinalMember[];
  final: FinalModel;
  /** The refit model's importance per model column (null for fold models). */
  gain: Float64Array | null;
  seconds: number;
}

/**
 * Fits (or assembles) the pipeline's model from the search's winner.
 *
 * @example
 * const f = await finalPipeline(train, cvTask, result, 3, budget, 'auto', 42, console.log);
 * f.final; // 'refit'
 */
export async function finalPipeline(
  train: Table,
  task: CvTask,
  result: SearchResult,
  validation: number | 'holdout',
  budget: Budget,
  mode: FinalChoice,
  seed: number,
  log: (line: string) => void,
): Promise<FinalPipeline> {
  const started = clockNow();
  const best = result.best;
  const refitEstimate = refitSecondsFor(best.entry, validation);
  const timeLeft = budget.secondsLeft('refit');
  if (mode === 'refit' || (mode === 'auto' && refitEstimate <= timeLeft)) {
    // Past its deadline, the refit keeps the rounds it has.
    const fitted = await refit(train, task, best.candidate, best.cv, seed, budget.optionalDeadline('refit'));
    const node = fitted.features;
    const seconds = (clockNow() - started) / 1000;
    log(`refit ${best.entry.family} on ${train.nRows} rows in ${seconds.toFixed(1)} s`);
    return { node, members: [{ weight: 1, features: node, model: fitted.model.exportNode() }], final: FINAL_MODELS.refit, gain: fitted.model.importance().gain, seconds };
  }
  const folds = [...best.foldModels.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
  // Members share the pipeline's input fields; folds that saw different category levels cannot.
  const same = folds.every((m) => JSON.stringify(m.features.inputs) === JSON.stringify(folds[0]!.features.inputs));
  const used = same ? folds : folds.slice(0, 1);
  const why = mode === 'folds' ? 'as asked (--final folds)' : `no time for a refit on all rows (likely ${refitEstimate.toFixed(1)} s, ${Math.max(0, timeLeft).toFixed(1)} s left)`;
  log(`${why}: the pipeline is the average of the winner's ${used.length} fold model${used.length === 1 ? '' : 's'}${same ? '' : ' (the folds saw different category levels, so only the first is used)'}`);
  return {
    node: used[0]!.features,
    members: used.map((m) => ({ weight: 1 / used.length, features: m.features, model: m.model })),
    final: FINAL_MODELS.folds,
    gain: null,
    seconds: (clockNow() - started) / 1000,
  };
}
