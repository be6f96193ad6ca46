/**
 * An experiment's fourth stage: how good the pipeline is. The test rows are scored once, as the
 * pipeline file will score them; validation metrics and, for a binary target, decision
 * thresholds come from the winner's out-of-fold predictions (never from the test rows); the
 * original features' importance is measured out of fold by permutation, with the refit model's
 * gain mapped back through the feature steps.
 */
import type { FeaturePipelineNode, InputField } from '../artifact/format/features.js';
import type { DecisionThresholds } from '../artifact/format/pipeline.js';
import { loadPipeline, scoreMembers, scoringMembers } from '../artifact/scorer.js';
import { COMPILE_AFTER_ROWS } from '../artifact/tree-scorer.js';
import { predictionWidth } from '../artifact/tasks.js';
import type { Table } from '../data/table.js';
import { columnarInput } from '../features/columnar-input.js';
import { bestThreshold, classificationReport, regressionReport } from '../metrics/index.js';
import { Rng } from '../util/random.js';
import type { SearchResult } from './automl.js';
import type { Budget } from './budget.js';
import type { EnsembleSelection } from './ensemble.js';
import { pipelineModel, type FinalPipeline } from './finalize.js';
import { predictionRows } from './cross-validate.js';
import { permutationImportance } from './importance.js';
import type { PreparedData } from './prepare.js';
import { gather } from '../util/gather.js';

export interface FeatureImportanceEntry {
  feature: string;
  /** Out-of-fold permutation importance relative to the largest (0–1); null when not measured. */
  importance: number | null;
  /** The worsening of the search's metric when the feature is shuffled; null when not measured. */
  permutation: number | null;
  /** The refit model's share of gain mapped back to the feature; null for fold models. */
  gain: number | null;
}

export interface Measurements {
  /** The test rows' predictions (row-major, one column per class, or one value). */
  testPred: Float64Array;
  /** Per categorical input: test rows holding levels never seen in training (scored as missing). */
  unseen: Record<string, { rows: number; levels: string[] }>;
  validation: Record<string, unknown>;
  /** Training rows the validation metrics are computed on. */
  validationRows: number;
  test: Record<string, unknown>;
  thresholds: DecisionThresholds | null;
  importance: FeatureImportanceEntry[];
}

/**
 * Measures the pipeline: test and validation metrics, thresholds, importance.
 *
 * @example
 * const m = measure(prepared, result, fin, leakage.features.map((f) => f.feature), budget, 42, log);
 * m.test.logloss; // e.g. 0.0426
 */
export function measure(
  p: PreparedData,
  result: SearchResult,
  selection: EnsembleSelection,
  fin: FinalPipeline,
  strength: readonly string[],
  budget: Budget,
  seed: number,
  log: (line: string) => void,
): Measurements {
  const { classes, features } = p;
  const K = classes ? classes.length : 1;
  // The test rows scored as the pipeline file will score them.
  const testPred = scoreMembers(
    scoringMembers(fin.inputs, fin.node, pipelineModel(fin), K),
    columnarInput(p.test, fin),
    K,
  );
  const unseen = unseenLevels(p.test, fin.inputs);
  for (const [field, u] of Object.entries(unseen)) {
    log(
      `test rows: '${field}' has ${u.rows} row${u.rows === 1 ? '' : 's'} with levels never seen in training (${u.levels.slice(0, 5).join(', ')}${u.levels.length > 5 ? ', …' : ''}), scored as missing`,
    );
  }
  // Validation metrics over the rows validated (all training rows with k folds; a fifth with a
  // holdout), of what was chosen (the ensemble, or the winner; calibrated).
  const best = result.best;
  const yTrain = p.cvTask.y;
  const vRows = best.cv.scoredRows;
  const width = predictionWidth(p.task, K);
  const yValid = gather(yTrain, vRows);
  const pValid = predictionRows(selection.oof, vRows, width);
  // With sample weights (`--weight`) every metric is weighted (test metrics by the test rows' own).
  const trainWeights = p.cvTask.weights;
  const wValid = trainWeights ? gather(trainWeights, vRows) : undefined;
  const validation = classes
    ? classificationReport(yValid, pValid, classes, wValid)
    : regressionReport(yValid, pValid, wValid);
  // Binary: decision thresholds on the positive class's probability, chosen on the same out-of-fold
  // predictions, never on the test rows (their predictions serve the test metrics only).
  let thresholds: DecisionThresholds | null = null;
  if (p.task === 'binary' && classes && yValid.length > 0) {
    const pPositive = Float64Array.from({ length: vRows.length }, (_, i) => pValid[i * width + 1]!);
    const byF1 = bestThreshold(yValid, pPositive, 'f1', wValid);
    const byMcc = bestThreshold(yValid, pPositive, 'mcc', wValid);
    thresholds = { positiveClass: classes[1]!, f1: byF1.threshold, mcc: byMcc.threshold };
    log(
      `thresholds (out of fold, positive class '${thresholds.positiveClass}'): best F1 at ${fmtThreshold(byF1.threshold)} (F1 ${byF1.f1.toFixed(4)}), best MCC at ${fmtThreshold(byMcc.threshold)} (MCC ${byMcc.mcc.toFixed(4)})`,
    );
  }
  const yTest = p.yTest;
  const test =
    yTest.length > 0
      ? classes
        ? classificationReport(yTest, testPred, classes, p.testWeights)
        : regressionReport(yTest, testPred, p.testWeights)
      : {};

  // Importance on the original features: out-of-fold permutation importance of the winner's fold
  // models (relative to the largest), with the refit model's gain mapped back through the steps.
  // Measured in order of likely importance (the refit's gain, or the single-feature strength of the
  // leakage check), until the budget's importance deadline: on a very wide table the rest are left
  // unmeasured.
  const gain = fin.gain ? gainByFeature(fin.gain, fin.node, features) : null;
  const order = gain
    ? [...features].sort((a, b) => (gain.get(b) ?? 0) - (gain.get(a) ?? 0))
    : [...strength.filter((f) => features.includes(f)), ...features.filter((f) => !strength.includes(f))];
  const permuted = permutationImportance(
    p.train,
    p.cvTask,
    result.fold,
    best.foldModels,
    order,
    p.scorer,
    new Rng(seed).fork(88),
    undefined,
    budget.deadline('importance'),
    budget.deadline('importanceMinimum'),
  );
  const top = Math.max(0, ...permuted.map((e) => e.drop ?? 0));
  const importance = permuted.map((e) => ({
    feature: e.feature,
    importance: e.drop === null ? null : top > 0 ? Math.max(0, e.drop) / top : 0,
    permutation: e.drop,
    gain: gain ? (gain.get(e.feature) ?? 0) : null,
  }));
  const unmeasured = permuted.filter((e) => e.drop === null).length;
  log(
    `importance: ${importance
      .filter((i) => i.importance !== null)
      .slice(0, 5)
      .map((i) => `${i.feature} ${i.importance!.toFixed(3)}`)
      .join(', ')}${unmeasured ? `; ${unmeasured} features not measured (the budget ran out)` : ''}`,
  );
  return {
    testPred,
    unseen,
    validation: { ...validation },
    validationRows: vRows.length,
    test: { ...test },
    thresholds,
    importance,
  };
}

/** Rows the scoring speed is measured on, at most; and the time its timed passes may take. */
export const SPEED_ROWS = 2_000;
export const SPEED_SECONDS = 0.5;

/**
 * The exported pipeline's scoring speed on (up to {@link SPEED_ROWS} of) the test rows, in
 * microseconds per row, through the file's text as a deployment loads it. Steady state, as a
 * server or a batch sees it: the first passes (until more than 2,000 rows are scored, when the
 * trees are compiled) are not timed. The timed passes stop after {@link SPEED_SECONDS} (a large ensemble
 * on a short budget must not spend it here).
 */
export function scoringSpeed(pipelineText: string, test: Table, node: Pick<FeaturePipelineNode, 'inputs'>): number {
  const deployed = loadPipeline(pipelineText);
  const timed = test.nRows > SPEED_ROWS ? test.take(Array.from({ length: SPEED_ROWS }, (_, i) => i)) : test;
  const input = columnarInput(timed, node);
  const n = Math.max(1, timed.nRows);
  // Warm up until the trees are compiled, within the same time limit as the timed passes.
  const tw = performance.now();
  for (let scored = 0; scored <= COMPILE_AFTER_ROWS && performance.now() - tw < 1000 * SPEED_SECONDS; scored += n)
    deployed.scoreColumns(input);
  const reps = Math.max(1, Math.ceil(SPEED_ROWS / n));
  const ts = performance.now();
  let r = 0;
  while (r < reps && (r === 0 || performance.now() - ts < 1000 * SPEED_SECONDS)) {
    deployed.scoreColumns(input);
    r++;
  }
  return ((performance.now() - ts) * 1000) / (r * n);
}

/** A threshold for the log: enough digits to tell it apart, without float noise. */
function fmtThreshold(t: number): string {
  return String(Number(t.toPrecision(4)));
}

/** Per categorical input field: the test rows whose level the pipeline never saw in training. */
function unseenLevels(table: Table, inputs: readonly InputField[]): Record<string, { rows: number; levels: string[] }> {
  const out: Record<string, { rows: number; levels: string[] }> = {};
  for (const field of inputs) {
    if (field.type !== 'categorical') continue;
    const col = table.column(field.name);
    if (col.type !== 'categorical') continue;
    const known = new Set(field.levels);
    const newLevels = new Set<number>();
    let rows = 0;
    for (const c of col.codes) {
      if (c >= 0 && !known.has(col.levels[c]!)) {
        rows++;
        newLevels.add(c);
      }
    }
    if (rows > 0) out[field.name] = { rows, levels: [...newLevels].map((c) => col.levels[c]!) };
  }
  return out;
}

/** The refit model's importance per original feature, as shares summing to 1. */
function gainByFeature(imp: Float64Array, node: FeaturePipelineNode, features: readonly string[]): Map<string, number> {
  const byFeature = new Map<string, number>();
  node.features.forEach((col, j) => {
    // An interaction's gain is shared by its two columns.
    const sources = originalsOf(col, node.steps, features);
    for (const source of sources) byFeature.set(source, (byFeature.get(source) ?? 0) + (imp[j] ?? 0) / sources.length);
  });
  const total = [...byFeature.values()].reduce((a, b) => a + b, 0) || 1;
  for (const [k, v] of byFeature) byFeature.set(k, v / total);
  return byFeature;
}

/** The original features a model column comes from (through the feature steps). */
function originalsOf(
  column: string,
  steps: readonly {
    kind: string;
    column?: string;
    columns?: string[];
    output?: string;
    outputs?: string[];
    indicator?: string;
  }[],
  features: readonly string[],
): string[] {
  if (features.includes(column)) return [column];
  for (const st of steps) {
    const outs = [st.output, st.indicator, ...(st.outputs ?? [])];
    if (outs.includes(column))
      return st.column
        ? originalsOf(st.column, steps, features)
        : [...new Set((st.columns ?? []).flatMap((c) => originalsOf(c, steps, features)))];
  }
  return [column];
}
