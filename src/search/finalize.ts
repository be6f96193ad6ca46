/**
 * An experiment's third stage: the pipeline's model. With `--final auto` (the default) it is the
 * ensemble of the leaderboard (ensemble.ts) when the best single candidate does not beat it out
 * of fold: each member shipped as its fold models (bagged, as AutoGluon ships its models; the
 * out-of-fold record the ensemble and the calibrations were fitted on is theirs), but a large
 * forest refit on all rows when the budget allows (ensemble.ts `shipsRefit`: the same model on
 * more rows, a third of the size). Otherwise it is
 * the winner alone: refit on all training rows when the refit will likely fit in what is left of
 * the budget (or when asked), else its fold models (their average; each validated on its own
 * fold) rather than a refit cut short. Classifiers carry their calibration either way.
 */
import type { FeaturePipelineNode, InputField } from '../artifact/format/features.js';
import type { Calibration, EnsembleNode, ModelNode } from '../artifact/format/pipeline.js';
import type { Table } from '../data/table.js';
import { clockNow } from '../util/clock.js';
import { refit, refitSecondsFor, type ScoredCandidate, type SearchResult } from './automl.js';
import type { Budget } from './budget.js';
import { shipsRefit, type EnsembleSelection } from './ensemble.js';
import { FINAL_MODELS, type FinalChoice, type FinalModel } from './final.js';
import type { CvTask } from './types.js';

/** A member of the pipeline's model: its feature steps, model, calibration and weight in the average. */
export interface FinalMember {
  weight: number;
  features: FeaturePipelineNode;
  model: ModelNode;
  calibration?: Calibration;
}

export interface FinalPipeline {
  /** The pipeline's own feature steps (the first member's): the default of members without their own. */
  node: FeaturePipelineNode;
  /** The input fields of all members (categorical levels merged, the first member's order first). */
  inputs: InputField[];
  members: FinalMember[];
  final: FinalModel;
  /** The refit model's importance per model column (null for fold models and ensembles). */
  gain: Float64Array | null;
  /** The leaderboard ids of the candidates shipped refit on all rows (the others: as fold models). */
  refitIds: number[];
  seconds: number;
}

/**
 * Fits (or assembles) the pipeline's model from the selection (ensemble.ts) and the search's winner.
 *
 * @example
 * const f = await finalPipeline(train, cvTask, result, selection, 3, budget, 'auto', 42, console.log);
 * f.final; // 'ensemble'
 */
export async function finalPipeline(
  train: Table,
  task: CvTask,
  result: SearchResult,
  selection: EnsembleSelection,
  validation: number | 'holdout',
  budget: Budget,
  mode: FinalChoice,
  seed: number,
  log: (line: string) => void,
): Promise<FinalPipeline> {
  const started = clockNow();
  const best = result.best;
  const bestCalibration = selection.calibrations.get(best) ?? null;
  const withCalibration = (m: Omit<FinalMember, 'calibration'>, c: Calibration | null): FinalMember =>
    c ? { ...m, calibration: c } : m;
  const done = (
    members: FinalMember[],
    final: FinalModel,
    gain: Float64Array | null,
    refitIds: number[] = [],
  ): FinalPipeline => ({
    node: members[0]!.features,
    refitIds,
    inputs: mergedInputs(members.map((m) => m.features)),
    members,
    final,
    gain,
    seconds: (clockNow() - started) / 1000,
  });
  if (mode === 'auto' && selection.ensembled) {
    // Large forests are refit on all rows (a third of the size of their fold models), while the
    // budget allows; the other members ship their fold models.
    const refitSeconds = selection.members
      .filter((m) => shipsRefit(m.candidate))
      .reduce((s, m) => s + refitSecondsFor(m.candidate.entry, validation), 0);
    const refitting = refitSeconds <= budget.secondsLeft('refit');
    const members: FinalMember[] = [];
    const shipped: string[] = [];
    const refitIds: number[] = [];
    for (const m of selection.members) {
      const label = `${m.candidate.entry.family} #${m.candidate.entry.id} ${m.weight.toFixed(3)}`;
      if (refitting && shipsRefit(m.candidate)) {
        const fitted = await refit(
          train,
          task,
          m.candidate.candidate,
          m.candidate.cv,
          seed,
          budget.optionalDeadline('refit'),
        );
        members.push(
          withCalibration(
            { weight: m.weight, features: fitted.features, model: fitted.model.exportNode() },
            m.calibration,
          ),
        );
        shipped.push(`${label} (refit)`);
        refitIds.push(m.candidate.entry.id);
        continue;
      }
      const folds = foldModels(m.candidate);
      for (const f of folds)
        members.push(
          withCalibration({ weight: m.weight / folds.length, features: f.features, model: f.model }, m.calibration),
        );
      shipped.push(label);
    }
    log(
      `ensemble of ${selection.members.length} candidates (out of fold ${selection.ensembleScore.toFixed(5)} against ${selection.singleScore.toFixed(5)} for the best alone): ${shipped.join(', ')}; each shipped as its fold models, or refit on all rows where marked${selection.seeded.length > 0 ? `; within the noise of the best, so seeded into every bag: ${selection.seeded.map((c) => `${c.entry.family} #${c.entry.id}`).join(', ')}` : ''}`,
    );
    return done(members, FINAL_MODELS.ensemble, null, refitIds);
  }
  const refitEstimate = refitSecondsFor(best.entry, validation);
  const timeLeft = budget.secondsLeft('refit');
  if (mode === 'refit' || (mode === 'auto' && refitEstimate <= timeLeft)) {
    // Past its deadline, the refit keeps the rounds it has.
    const fitted = await refit(train, task, best.candidate, best.cv, seed, budget.optionalDeadline('refit'));
    log(`refit ${best.entry.family} on ${train.nRows} rows in ${((clockNow() - started) / 1000).toFixed(1)} s`);
    return done(
      [withCalibration({ weight: 1, features: fitted.features, model: fitted.model.exportNode() }, bestCalibration)],
      FINAL_MODELS.refit,
      fitted.model.importance().gain,
      [best.entry.id],
    );
  }
  const used = foldModels(best);
  const why =
    mode === 'folds'
      ? 'as asked (--final folds)'
      : `no time for a refit on all rows (likely ${refitEstimate.toFixed(1)} s, ${Math.max(0, timeLeft).toFixed(1)} s left)`;
  log(`${why}: the pipeline is the average of the winner's ${used.length} fold model${used.length === 1 ? '' : 's'}`);
  return done(
    used.map((m) =>
      withCalibration({ weight: 1 / used.length, features: m.features, model: m.model }, bestCalibration),
    ),
    FINAL_MODELS.folds,
    null,
  );
}

/**
 * The pipeline file's model: a single model as it is, else an ensemble node (one member too when
 * it carries a calibration); a member's features are written when they are not the pipeline's.
 */
export function pipelineModel(fin: FinalPipeline): ModelNode | EnsembleNode {
  const only = fin.members[0]!;
  if (fin.members.length === 1 && !only.calibration && only.features === fin.node) return only.model;
  return {
    kind: 'ensemble',
    members: fin.members.map((m) => ({
      weight: m.weight,
      ...(m.features === fin.node ? {} : { features: m.features }),
      model: m.model,
      ...(m.calibration ? { calibration: m.calibration } : {}),
    })),
  };
}

/** A candidate's fold models, in fold order. */
function foldModels(c: ScoredCandidate): { features: FeaturePipelineNode; model: ModelNode }[] {
  return [...c.foldModels.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
}

/**
 * The input fields of several feature pipelines: each field once, in order of first appearance;
 * a categorical field's levels merged (the first pipeline's order, then levels only others saw).
 */
export function mergedInputs(nodes: readonly FeaturePipelineNode[]): InputField[] {
  const out = new Map<string, InputField>();
  for (const node of nodes) {
    for (const f of node.inputs) {
      const seen = out.get(f.name);
      if (!seen) out.set(f.name, f.type === 'categorical' ? { ...f, levels: [...f.levels] } : { ...f });
      else if (seen.type === 'categorical' && f.type === 'categorical') {
        const have = new Set(seen.levels);
        for (const l of f.levels) if (!have.has(l)) seen.levels.push(l);
      } else if (seen.type !== f.type)
        throw new Error(`mergedInputs: field '${f.name}' is ${seen.type} in one member and ${f.type} in another`);
    }
  }
  return [...out.values()];
}
