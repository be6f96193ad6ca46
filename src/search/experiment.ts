/**
 * An experiment: the whole of `automl run` below the command line, as a sequence of stages.
 *
 *   prepare.ts   table ──► drop (other labels, --drop, missing targets) ──► 75/25 split (or the
 *                given train/test) ──► test labels matched to the training classes
 *   checks/      leakage and shift (warnings, nothing dropped)
 *   automl.ts    search (out of fold, within the budget)
 *   finalize.ts  refit the best on all training rows (or, short of time, ship its fold models)
 *   measure.ts   test set scored once; validation metrics, binary decision thresholds and
 *                permutation importance, all out of fold
 *   export.ts    the pipeline file
 *   run-files.ts the experiment folder: experiment.json (running → finished / interrupted /
 *                failed), leaderboard.csv, test-predictions.csv, run.log
 *
 * Every stage keeps to its share of one time budget (budget.ts). Nothing half-written is left
 * behind: every file is written to a temporary name and renamed.
 */
import { join } from 'node:path';
import { isMissingAt, type Table } from '../data/table.js';
import type { TaskRequest } from '../data/infer.js';
import { columnKind, type DateFormats } from '../data/kinds.js';
import type { Task } from '../artifact/tasks.js';
import type { Calibration, DecisionThresholds } from '../artifact/format/pipeline.js';
import type { MetricName } from '../metrics/registry.js';
import { FAMILIES } from '../models/registry.js';
import { clockNow } from '../util/clock.js';
import { AutomlError } from '../util/errors.js';
import { Rng } from '../util/random.js';
import { search, validationFor, type LeaderboardEntry, type SearchResult } from './automl.js';
import { Budget, budgetSeconds } from './budget.js';
import { checkLeakage, checkShift, type LeakageReport, type ShiftReport } from './checks/index.js';
import { writePipeline } from './export.js';
import type { FinalChoice, FinalModel } from './final.js';
import { selectEnsemble } from './ensemble.js';
import { foldPlan, type FoldPlan } from './folds.js';
import { finalPipeline, pipelineModel } from './finalize.js';
import { measure, scoringSpeed, type FeatureImportanceEntry } from './measure.js';
import { prepareData, type ColumnChoices, type DroppedColumn } from './prepare.js';
import { dataFiles, deadlineCut, RunFiles } from './run-files.js';
import { sampleTraining, searchRowCap } from './sample.js';

/** `keepColumns` (`--keep-column`) and `idColumn` (`--id-column`): see prepare.ts. */
export interface ExperimentSettings extends ColumnChoices {
  name: string;
  target: string;
  task: TaskRequest;
  seed: number;
  /** The metric the search optimises; default logloss (classification) or rmse. */
  scorer?: MetricName;
  drop: readonly string[];
  /**
   * A numeric column of sample weights (`--weight`): not a feature; every fit, score, calibration
   * and the ensemble selection are weighted by it; rows of weight 0 are predicted but never trained on.
   */
  weightColumn?: string;
  /** A column of fold labels (`--fold`): not a feature; each value's rows are one validation fold. */
  foldColumn?: string;
  /**
   * A column ordering the rows in time (`--time-column`; numbers or ISO 8601 dates): not a
   * feature; the test part is the latest 25% and the folds chain forward in time.
   */
  timeColumn?: string;
  /** `--date-format`: how date columns are written (default: detected; src/data/kinds.ts). */
  dateFormats?: DateFormats;
  /** Driverless AI's dials, 1–10. */
  time: number;
  accuracy: number;
  interpretability: number;
  /** Overrides the budget the time dial gives. */
  maxRuntimeSeconds?: number;
  /** Instead of a budget: this many candidates (deterministic). */
  maxModels?: number;
  /** Where pipelines/ and experiments/runs/ go. */
  outDir: string;
  /** Worker threads of the search (default: one per core). */
  threads?: number;
  /**
   * The pipeline's model: 'refit' the winner on all training rows, ship its fold models ('folds':
   * their average), or 'auto' (default): refit unless it would not fit in what is left of the budget.
   */
  final?: FinalChoice;
  /**
   * The label columns of the data recipe the table came from (the caller, the CLI, finds them with
   * the recipe registry): when the target is one of them, the others are not used as features.
   * Not recorded in experiment.json or the pipeline's provenance (the drops are, with their reason).
   */
  labelColumns?: { recipe: string; columns: readonly string[] };
  /**
   * When the budget started, on the deadline clock (src/util/clock.ts; default: when runExperiment
   * is called). The command line passes the process's start, so reading the data counts too.
   */
  clockStart?: number;
}

export interface ExperimentResult {
  status: 'finished' | 'interrupted';
  /** The signal that interrupted the run (SIGINT or SIGTERM), when it was. */
  interruptedBy?: string;
  settings: ExperimentSettings;
  task: Task;
  classes: string[] | null;
  /** `droppedMissingTarget`: rows left out because the target is missing (both files with --test). */
  /** `searched`: the training rows the search learnt from, when it sampled them (sample.ts). */
  rows: { train: number; test: number; droppedMissingTarget: number; zeroWeight?: number; searched?: number };
  dropped: DroppedColumn[];
  features: string[];
  budgetSeconds: number | null;
  search: {
    stoppedBy: SearchResult['stoppedBy'];
    /** k folds, or 'holdout' (a fifth of the training rows). */
    validation: number | 'holdout';
    /** How the folds were made: seeded stratified, the user's (`--fold`), or forward in time (`--time-column`). */
    folds: { scheme: FoldPlan['scheme']; description: string };
    /** Training rows the validation scores are computed on. */
    validationRows: number;
    candidates: number;
    halved: number;
    failed: number;
    threads: number;
    best: LeaderboardEntry;
  };
  checks: { leakage: LeakageReport; shift: ShiftReport | null };
  validation: Record<string, unknown>;
  test: Record<string, unknown>;
  /**
   * Binary targets: the thresholds on the positive class's (the second class's) probability that
   * maximise F1 and MCC over the winner's out-of-fold predictions (never the test rows), as written
   * into the pipeline file; null for multiclass and regression targets.
   */
  thresholds: DecisionThresholds | null;
  /**
   * Per original feature, most important first: `importance` is the out-of-fold permutation
   * importance relative to the largest (0–1), `permutation` the worsening of the search's metric
   * when the feature is shuffled (both null when the budget ran out before its turn), `gain` the refit model's share of gain (or |coefficient| for the
   * GLM, first-layer weight for the net) mapped back through the feature steps.
   */
  importance: FeatureImportanceEntry[];
  /**
   * The pipeline's model: an ensemble of the leaderboard (each member its fold models or refit on
   * all rows), the winner refit on all training rows, or (no time left) the winner's fold models.
   */
  final: FinalModel;
  /**
   * The ensemble selection: its out-of-fold score and the best single candidate's (both
   * calibrated), and its members with their weights and calibrations; `kept` when the pipeline is
   * the ensemble (else `members` is the winner alone), each shipped as its fold models or refit
   * on all rows; `seeded`: the ids of the families' best candidates within the noise of the best,
   * which started every bag of the selection with a vote.
   */
  ensemble: {
    kept: boolean;
    score: number;
    singleScore: number;
    members: {
      id: number;
      family: string;
      weight: number;
      calibration: Calibration | null;
      shipped: 'folds' | 'refit';
    }[];
    seeded: number[];
  };
  seconds: { total: number; search: number; refit: number };
  peakRssBytes: number;
  pipelinePath: string;
  /** The pipeline file's size in bytes. */
  pipelineBytes: number;
  /** Features the pipeline reads (original columns) and the model columns its steps make. */
  featuresUsed: { original: string[]; engineered: string[] };
  experimentDir: string;
  /** Per categorical input: test rows holding levels never seen in training (scored as missing). */
  testUnseenLevels: Record<string, { rows: number; levels: string[] }>;
  /** Scoring speed of the exported pipeline on the test rows, microseconds per row. */
  scoreMicrosPerRow: number;
}

/**
 * Runs an experiment on a table (split 75/25) or on given train and test tables.
 *
 * @example
 * const r = await runExperiment(await readCsv('recipes/hydraulic/hydraulic.csv'), undefined, { name: 'cool', target: 'cool_cond_y', … });
 */
export async function runExperiment(
  data: Table,
  testTable: Table | undefined,
  s: ExperimentSettings,
  hooks: ExperimentHooks = {},
): Promise<ExperimentResult> {
  const files = new RunFiles(s.outDir, s.name);
  hooks.onFiles?.(files);
  try {
    return await experiment(data, testTable, s, hooks, files);
  } catch (e) {
    // Once the input has been checked, experiment.json says 'running'; if the run then fails, it
    // says 'failed' (or 'interrupted') with the error, and run.log holds what happened until then.
    await files.fail(e, hooks.interruptedBy?.() ?? null);
    throw e;
  }
}

export interface ExperimentHooks {
  log?: (line: string) => void;
  onEntry?: (e: LeaderboardEntry, isBest: boolean) => void;
  /** Stop the search (an interrupt): the best pipeline so far is finished and written. */
  shouldStop?: () => boolean;
  /**
   * Skip what is left (a second interrupt): checked between the stages that finish the pipeline;
   * the run then ends with an INTERRUPTED error, experiment.json says 'interrupted' and run.log
   * is written, but no pipeline.
   */
  shouldAbandon?: () => boolean;
  /** The signal that interrupted the run, recorded in experiment.json (null: none). */
  interruptedBy?: () => string | null;
  /** The experiment folder's files, as soon as they exist (to write the status on a last interrupt). */
  onFiles?: (files: RunFiles) => void;
}

/** The settings as experiment.json and the pipeline's provenance record them. */
function recordedSettings(s: ExperimentSettings): Record<string, unknown> {
  return { ...s, outDir: undefined, clockStart: undefined, labelColumns: undefined };
}

async function experiment(
  data: Table,
  testTable: Table | undefined,
  s: ExperimentSettings,
  hooks: ExperimentHooks,
  files: RunFiles,
): Promise<ExperimentResult> {
  const t0 = clockNow();
  const budget = new Budget(budgetSeconds(s), s.clockStart ?? t0);
  const log = (line: string): void => {
    files.logLines.push(`${((clockNow() - t0) / 1000).toFixed(1).padStart(7)}s  ${line}`);
    hooks.log?.(line);
  };

  // 1. The data.
  const p = prepareData(data, testTable, s);
  const { classes, features, scorer } = p;
  // Rows without a target are left out of training (and of the test scores): the count is in
  // experiment.json, on the dashboard and here in run.log, with the first rows' numbers.
  const testMissingTarget = testTable ? testTable.nRows - p.yTest.length : 0;
  const droppedMissingTarget = p.missingTarget + testMissingTarget;
  log(
    `target ${s.target}: ${p.task}${classes ? ` (${classes.join(', ')})` : ''}; ${p.trainRows.length} train rows, ${p.yTest.length} test rows, ${features.length} features`,
  );
  if (p.missingTarget > 0) log(missingTargetLine(data, s.target, testTable ? 'training ' : ''));
  if (testMissingTarget > 0) log(missingTargetLine(testTable!, s.target, 'test '));
  for (const d of p.dropped) log(`dropped ${d.column}: ${d.reason}`);
  for (const f of features) {
    const { kind, note } = columnKind(p.train.column(f), s.dateFormats);
    if (kind)
      log(
        `${f}: ${kind.kind === 'date' ? `dates (${kind.format}), expanded by a date step` : 'free text, a text step'}`,
      );
    if (note) log(note);
  }
  await files.start(recordedSettings(s), dataFiles(data, testTable));

  // 2. Leakage (each feature alone against the target) and shift (train against test); warnings to
  // look at, not verdicts: nothing is dropped because of them. Each probes features one by one
  // until its deadline: on a very wide table the features past it are not probed alone (and the
  // reports say how many).
  const checkRng = new Rng(s.seed).fork(77);
  const leakage = checkLeakage(data.select([...features, s.target]), s.target, features, {
    rows: p.trainRows,
    rng: checkRng.fork(0),
    task: p.task,
    deadline: budget.optionalDeadline('leakage'),
  });
  const shift =
    p.yTest.length > 0
      ? checkShift(p.train, p.test, features, { rng: checkRng.fork(1), deadline: budget.optionalDeadline('shift') })
      : null;
  log(leakage.summary);
  if (shift) log(shift.summary);

  // 3. The search, within the budget (keeping back the time the refit will likely take), on a
  // seeded sample of a training part too large for the budget (sample.ts); the test part is whole.
  const q = sampleTraining(p, searchRowCap(budget.seconds, features.length), s.seed);
  if (q !== p)
    log(
      `search sample: ${q.train.nRows} of the ${p.train.nRows} training rows (seeded, stratified), as ${budget.seconds} s allow for ${features.length} features; the test part is whole`,
    );
  // The folds: the dial's seeded stratified ones, the user's (--fold), or forward in time (--time-column).
  const plan = foldPlan(validationFor(s.accuracy, q.train.nRows), {
    ...(q.userFolds ? { userFolds: q.userFolds, foldColumn: s.foldColumn } : {}),
    ...(q.trainTimes ? { trainTimes: q.trainTimes, timeColumn: s.timeColumn } : {}),
    ...(q.cvTask.weights ? { weights: q.cvTask.weights } : {}),
  });
  const validation = plan.validation;
  if (plan.forward) q.cvTask.forward = true;
  if (plan.scheme !== 'stratified') log(`validation: ${plan.description}`);
  if (p.zeroWeightRows)
    log(`--weight ${s.weightColumn}: ${p.zeroWeightRows} training rows of weight 0, predicted but not trained on`);
  const tSearch = clockNow();
  const result = await search(
    q.train,
    q.cvTask,
    features,
    {
      seed: s.seed,
      metric: scorer,
      validation,
      ...(plan.folds ? { folds: plan.folds } : {}),
      interpretability: s.interpretability,
      ...(s.dateFormats ? { dateFormats: s.dateFormats } : {}),
      budget,
      ...(s.maxModels !== undefined ? { maxModels: s.maxModels } : {}),
      ...(s.threads !== undefined ? { threads: s.threads } : {}),
      ...(s.final !== undefined ? { final: s.final } : {}),
      ranking: leakage.features.map((f) => f.feature),
    },
    {
      shouldStop: hooks.shouldStop,
      onEntry: (e, isBest) => {
        const what = `candidate ${e.id}: ${e.family} ${JSON.stringify(e.params)} [${e.features}]`;
        if (e.status === 'failed') log(`${what} failed: ${e.error}`);
        else
          log(
            `${what} ${scorer} ${e.score.toFixed(5)} on ${e.folds} of ${e.plannedFolds} folds${e.status === 'scored' ? '' : ` (${e.status})`} in ${e.seconds.toFixed(1)} s${e.cutFolds > 0 ? `; ${deadlineCut(e, FAMILIES[e.family].rounds?.unit)}` : ''}${isBest ? '  (best so far)' : ''}`,
          );
        hooks.onEntry?.(e, isBest);
      },
    },
  );
  const searchSeconds = (clockNow() - tSearch) / 1000;
  files.leaderboard = result.leaderboard;
  // A second interrupt skips the stages that finish the pipeline, between any two of them. The
  // stages compute on this thread: a turn of the event loop first lets a signal that came in
  // meanwhile be handled.
  const checkpoint = async (stage: string): Promise<void> => {
    if (!hooks.shouldAbandon) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!hooks.shouldAbandon()) return;
    const signal = hooks.interruptedBy?.() ?? 'a signal';
    log(`interrupted again (${signal}) before ${stage}: skipped the rest`);
    throw new AutomlError(
      'INTERRUPTED',
      `interrupted again (${signal}) before ${stage}: no pipeline was written; the leaderboard so far is in ${join(files.dir, 'leaderboard.csv')}`,
    );
  };
  await checkpoint('the ensemble selection');

  // 4. The pipeline's model: an ensemble of the leaderboard or the winner, calibrated; then 5. how
  // good it is.
  const selection = selectEnsemble(result.pool, result.best, q.cvTask, scorer, s.accuracy, new Rng(s.seed).fork(55));
  await checkpoint('the refit');
  const fin = await finalPipeline(
    q.train,
    q.cvTask,
    result,
    selection,
    validation,
    budget,
    s.final ?? 'auto',
    s.seed,
    log,
  );
  await checkpoint('the validation and test scores');
  const m = measure(
    q,
    result,
    selection,
    fin,
    leakage.features.map((f) => f.feature),
    budget,
    s.seed,
    log,
  );

  // 6. The files: the pipeline, then the experiment folder. A run interrupted after its search
  // ended (while the pipeline was finished) is 'interrupted' too: its exit code says so.
  const interruptedBy = (): string | null =>
    result.stoppedBy === 'interrupted' || hooks.shouldStop?.() ? (hooks.interruptedBy?.() ?? 'a signal') : null;
  const status = (): 'interrupted' | 'finished' => (interruptedBy() !== null ? 'interrupted' : 'finished');
  const { members, node } = fin;
  const text = await writePipeline(files.pipelinePath, {
    name: s.name,
    target: s.target,
    task: p.task,
    classes,
    inputs: fin.inputs,
    features: node,
    model: pipelineModel(fin),
    metrics: { validation: m.validation, test: m.test, scorer },
    importance: m.importance.flatMap((i) =>
      i.importance === null ? [] : [{ feature: i.feature, importance: i.importance }],
    ),
    ...(m.thresholds ? { thresholds: m.thresholds } : {}),
    seed: s.seed,
    settings: { ...recordedSettings(s), status: status() },
    dataSha256: data.source?.sha256 ?? null,
  });
  // The scorer's speed on the test rows, through the exported file.
  const scoreMicrosPerRow = scoringSpeed(text, p.test, fin);

  // The result reports the settings as experiment.json records them: without the label columns.
  const { labelColumns: _labels, ...reported } = s;
  const best = result.best;
  const res: ExperimentResult = {
    status: status(),
    ...(interruptedBy() !== null ? { interruptedBy: interruptedBy()! } : {}),
    settings: reported,
    task: p.task,
    classes,
    rows: {
      train: p.trainRows.length,
      test: p.yTest.length,
      droppedMissingTarget,
      ...(p.zeroWeightRows !== undefined ? { zeroWeight: p.zeroWeightRows } : {}),
      ...(q !== p ? { searched: q.train.nRows } : {}),
    },
    dropped: p.dropped,
    features,
    budgetSeconds: budget.seconds,
    search: {
      stoppedBy: result.stoppedBy,
      validation,
      folds: { scheme: plan.scheme, description: plan.description },
      validationRows: m.validationRows,
      candidates: result.leaderboard.length,
      halved: result.leaderboard.filter((e) => e.status === 'halved').length,
      failed: result.leaderboard.filter((e) => e.status === 'failed').length,
      threads: result.threads,
      best: best.entry,
    },
    checks: { leakage, shift },
    validation: m.validation,
    test: m.test,
    thresholds: m.thresholds,
    importance: m.importance,
    final: fin.final,
    ensemble: {
      kept: fin.final === 'ensemble',
      score: selection.ensembleScore,
      singleScore: selection.singleScore,
      members: selection.members.map((x) => ({
        id: x.candidate.entry.id,
        family: x.candidate.entry.family,
        weight: x.weight,
        calibration: x.calibration,
        shipped: fin.refitIds.includes(x.candidate.entry.id) ? ('refit' as const) : ('folds' as const),
      })),
      seeded: selection.seeded.map((c) => c.entry.id),
    },
    seconds: { total: (clockNow() - t0) / 1000, search: searchSeconds, refit: fin.seconds },
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    pipelinePath: files.pipelinePath,
    pipelineBytes: Buffer.byteLength(text),
    featuresUsed: {
      original: fin.inputs.map((f) => f.name),
      engineered: [...new Set(members.flatMap((x) => x.features.features))].filter((f) => !features.includes(f)),
    },
    experimentDir: files.dir,
    scoreMicrosPerRow,
    testUnseenLevels: m.unseen,
  };
  if (res.interruptedBy !== undefined)
    log(
      `interrupted (${res.interruptedBy}): ${result.stoppedBy === 'interrupted' ? 'the search stopped early; ' : ''}the pipeline is the best found by then`,
    );
  log(
    `best: ${best.entry.family} (${scorer} ${best.entry.score.toFixed(5)} out of fold); pipeline ${files.pipelinePath}`,
  );
  await files.finish({ ...res }, dataFiles(data, testTable), result.leaderboard, {
    target: s.target,
    classes,
    y: p.yTest,
    pred: m.testPred,
    ids: p.testIds,
  });
  return res;
}

/** run.log's line for the rows of a file without a value of the target: their count and the first ones. */
function missingTargetLine(t: Table, target: string, which: string): string {
  const col = t.column(target);
  const rows: number[] = [];
  for (let i = 0; i < t.nRows; i++) if (isMissingAt(col, i)) rows.push(i + 1);
  const shown = rows.slice(0, 10).join(', ');
  const file = t.source?.path ? ` of ${t.source.path}` : '';
  return `left out ${rows.length} ${which}row${rows.length === 1 ? '' : 's'} without a value of ${target}: data row${rows.length === 1 ? '' : 's'} ${shown}${rows.length > 10 ? ', …' : ''}${file}`;
}
