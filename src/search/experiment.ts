/**
 * An experiment: the whole of `automl run` below the command line.
 *
 *   table ──► drop (other labels, --drop, missing targets) ──► 75/25 split (or given train/test)
 *        ──► leakage and shift checks ──► search (out of fold, within the budget)
 *        ──► refit the best on all training rows (or, short of time, its fold models)
 *        ──► test set scored once ──► permutation importance (out of fold)
 *        ──► binary: F1- and MCC-best decision thresholds (out of fold)
 *        ──► pipeline file + experiment folder (experiment.json: running → finished / interrupted
 *            / failed; leaderboard.csv, test-predictions.csv, run.log)
 *
 * Nothing half-written is left behind: every file is written to a temporary name and renamed.
 */
import { dirname, join } from 'node:path';
import { FeatureScorer } from '../artifact/feature-scorer.js';
import { writePipeline } from './export.js';
import type { DecisionThresholds, ModelNode } from '../artifact/format/pipeline.js';
import { modelScorer, scoreMembers } from '../artifact/scorer.js';
import type { FeaturePipelineNode, InputField } from '../artifact/format/features.js';
import { predictionWidth, type Task } from '../artifact/tasks.js';
import { inferTarget, type TaskRequest } from '../data/infer.js';
import type { Table } from '../data/table.js';
import { columnarInput } from '../features/columnar-input.js';
import { bestThreshold, classificationReport, regressionReport } from '../metrics/index.js';
import { METRIC_NAMES, METRICS, type MetricName } from '../metrics/registry.js';
import { holdoutSplit } from '../split/holdout.js';
import { AutomlError } from '../util/errors.js';
import { csvCell } from '../serve/batch-csv.js';
import { writeFileAtomic } from '../util/fs.js';
import { packageVersion } from '../util/paths.js';
import { refit, refitSecondsFor, search, validationFor, type LeaderboardEntry, type SearchResult } from './automl.js';
import { checkLeakage, checkShift, type LeakageReport, type ShiftReport } from './checks/index.js';
import { FINAL_MODELS, type FinalChoice, type FinalModel } from './final.js';
import { permutationImportance } from './importance.js';
import { Rng } from '../util/random.js';

export interface ExperimentSettings {
  name: string;
  target: string;
  task: TaskRequest;
  seed: number;
  /** The metric the search optimises; default logloss (classification) or rmse. */
  scorer?: MetricName;
  drop: readonly string[];
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
   * When the budget's clock started (a `performance.now()` value; default: when runExperiment is
   * called). The command line passes 0, the process start, so reading the data counts too.
   */
  clockStart?: number;
}

export interface DroppedColumn {
  column: string;
  reason: string;
}

export interface ExperimentResult {
  status: 'finished' | 'interrupted';
  settings: ExperimentSettings;
  task: Task;
  classes: string[] | null;
  rows: { train: number; test: number; droppedMissingTarget: number };
  dropped: DroppedColumn[];
  features: string[];
  budgetSeconds: number | null;
  search: {
    stoppedBy: SearchResult['stoppedBy'];
    /** k folds, or 'holdout' (a fifth of the training rows). */
    validation: number | 'holdout';
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
  importance: { feature: string; importance: number | null; permutation: number | null; gain: number | null }[];
  /** The pipeline's model: the winner refit on all training rows, or (no time left) its fold models. */
  final: FinalModel;
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

/** Time dial → budget: 10 s × 2^(time − 1) (time 1 = 10 s, 5 = 160 s, 10 ≈ 85 min). */
export function budgetForTime(time: number): number {
  return 10 * 2 ** (time - 1);
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
  // Once the input has been checked, experiment.json says 'running'; if the run then fails, it
  // says 'failed' with the error, and run.log holds what happened until then.
  const ctx: RunContext = { logLines: [] };
  try {
    return await experiment(data, testTable, s, hooks, ctx);
  } catch (e) {
    if (ctx.started) {
      const error = { message: e instanceof Error ? e.message : String(e), ...(e instanceof AutomlError ? { code: e.code } : {}) };
      const status = e instanceof AutomlError && e.code === 'INTERRUPTED' ? 'interrupted' : 'failed';
      await writeFileAtomic(ctx.started.path, `${JSON.stringify({ ...ctx.started.record, status, endedAt: new Date().toISOString(), error }, null, 2)}\n`);
      await writeFileAtomic(join(dirname(ctx.started.path), 'run.log'), `${[...ctx.logLines, `${status}: ${error.message}`].join('\n')}\n`);
    }
    throw e;
  }
}

export interface ExperimentHooks {
  log?: (line: string) => void;
  onEntry?: (e: LeaderboardEntry, isBest: boolean) => void;
  shouldStop?: () => boolean;
}

interface RunContext {
  logLines: string[];
  /** Set once experiment.json says 'running'. */
  started?: { path: string; record: Record<string, unknown> };
}

/** Where the data came from: path and sha256 of each file (null for a table not read from a file). */
function dataFiles(data: Table, test: Table | undefined): { train: { path: string; sha256: string } | null; test: { path: string; sha256: string } | null } {
  const of = (t: Table | undefined): { path: string; sha256: string } | null => (t?.source ? { path: t.source.path, sha256: t.source.sha256 } : null);
  return { train: of(data), test: of(test) };
}

async function experiment(data: Table, testTable: Table | undefined, s: ExperimentSettings, hooks: ExperimentHooks, ctx: RunContext): Promise<ExperimentResult> {
  const t0 = performance.now();
  const logLines = ctx.logLines;
  const log = (line: string): void => {
    logLines.push(`${((performance.now() - t0) / 1000).toFixed(1).padStart(7)}s  ${line}`);
    hooks.log?.(line);
  };
  if (!data.has(s.target)) data.column(s.target); // throws the unknown-column error with the list
  if (testTable) {
    const missing = data.names.filter((n) => !testTable.has(n));
    if (missing.length > 0) throw new AutomlError('TEST_COLUMNS', `the test file lacks columns of the training file: ${missing.join(', ')}; give both files the same columns`);
    for (const n of data.names) {
      if (testTable.column(n).type !== data.column(n).type) {
        throw new AutomlError('TEST_COLUMNS', typeMismatch(n, data, testTable));
      }
    }
  }

  // Columns that are not features, and why.
  const dropped: DroppedColumn[] = [];
  const labels = s.labelColumns;
  if (labels?.columns.includes(s.target)) {
    for (const l of labels.columns) if (l !== s.target) dropped.push({ column: l, reason: `another label of the ${labels.recipe} recipe` });
  }
  for (const d of s.drop) {
    data.column(d);
    if (d === s.target) throw new AutomlError('BAD_OPTION', `--drop ${d} names the target itself`);
    if (!dropped.some((x) => x.column === d)) dropped.push({ column: d, reason: 'dropped with --drop' });
  }
  const features = data.names.filter((n) => n !== s.target && !dropped.some((d) => d.column === n));
  if (features.length === 0) throw new AutomlError('NO_FEATURES', `no features are left after dropping ${dropped.map((d) => d.column).join(', ')}; keep at least one column besides the target`);

  // Train and test rows; rows without a target cannot be used.
  const info = inferTarget(data.column(s.target), s.task);
  const trainRows: number[] = [];
  let testRows: number[] = [];
  let missingTarget = 0;
  const present = (i: number): boolean => (info.task === 'regression' ? !Number.isNaN(info.y[i]) : info.y[i]! >= 0);
  if (!testTable) {
    const usable: number[] = [];
    for (let i = 0; i < data.nRows; i++) {
      if (present(i)) usable.push(i);
      else missingTarget++;
    }
    const strata = info.task === 'regression' ? undefined : Float64Array.from(usable, (i) => info.y[i]!);
    const isTrain = holdoutSplit(usable.length, { ratio: 0.75, seed: s.seed }, strata);
    usable.forEach((row, j) => (isTrain[j] ? trainRows : testRows).push(row));
  } else {
    for (let i = 0; i < data.nRows; i++) {
      if (present(i)) trainRows.push(i);
      else missingTarget++;
    }
  }
  const train = data.select(features).take(trainRows);
  const yTrain = Float64Array.from(trainRows, (i) => info.y[i]!);
  let test: Table;
  let yTest: Float64Array;
  if (testTable) {
    // The test file's labels are matched to the training classes by their text (by value for a
    // numeric target), not inferred anew: a test part may hold one class, or fewer than the training.
    const col = testTable.column(s.target);
    const keep: number[] = [];
    const y: number[] = [];
    const classIndex = new Map((info.classes ?? []).map((c, k) => [c, k]));
    const classByValue = new Map((info.classes ?? []).map((c, k) => [Number(c), k]));
    for (let i = 0; i < testTable.nRows; i++) {
      if (col.type === 'numeric') {
        const v = col.values[i]!;
        if (Number.isNaN(v)) continue;
        if (!info.classes) y.push(v);
        else {
          const k = classByValue.get(v) ?? classIndex.get(col.texts?.get(v) ?? String(v));
          if (k === undefined) throw new AutomlError('TEST_CLASSES', `${testTable.source?.path ?? 'the test file'}: the target has the class '${col.texts?.get(v) ?? String(v)}' (data row ${i + 1}), which the training file never has; the classes are ${info.classes.join(', ')}`);
          y.push(k);
        }
      } else {
        const code = col.codes[i]!;
        if (code < 0) continue;
        const label = col.levels[code]!;
        const k = classIndex.get(label);
        if (k === undefined) throw new AutomlError('TEST_CLASSES', `${testTable.source?.path ?? 'the test file'}: the target has the class '${label}' (data row ${i + 1}), which the training file never has; the classes are ${info.classes!.join(', ')}`);
        y.push(k);
      }
      keep.push(i);
    }
    test = testTable.select(features).take(keep);
    yTest = Float64Array.from(y);
    testRows = keep;
  } else {
    test = data.select(features).take(testRows);
    yTest = Float64Array.from(testRows, (i) => info.y[i]!);
  }
  if (s.scorer !== undefined) {
    const need = info.task === 'regression' ? 'regression' : 'classification';
    if (METRICS[s.scorer].task !== need) {
      const fits = METRIC_NAMES.filter((m) => METRICS[m].task === need);
      throw new AutomlError('BAD_OPTION', `--scorer ${s.scorer} is a ${METRICS[s.scorer].task} metric, but ${s.target} is a ${info.task} target; choose from ${fits.join(', ')}`);
    }
  }
  const classes = info.classes ? [...info.classes] : null;
  const K = classes ? classes.length : 1;
  const task = { kind: info.task, nClasses: predictionWidth(info.task, K), y: yTrain };
  log(`target ${s.target}: ${info.task}${classes ? ` (${classes.join(', ')})` : ''}; ${trainRows.length} train rows, ${yTest.length} test rows, ${features.length} features`);
  for (const d of dropped) log(`dropped ${d.column}: ${d.reason}`);
  const experimentPath = join(s.outDir, 'experiments', 'runs', s.name, 'experiment.json');
  const record = { tool: 'automl', toolVersion: packageVersion(), status: 'running', startedAt: new Date().toISOString(), settings: { ...s, outDir: undefined, clockStart: undefined, labelColumns: undefined }, data: dataFiles(data, testTable) };
  await writeFileAtomic(experimentPath, `${JSON.stringify(record, null, 2)}\n`);
  ctx.started = { path: experimentPath, record };

  // Leakage (each feature alone against the target) and shift (train against test); warnings to
  // look at, not verdicts: nothing is dropped because of them.
  const checkRng = new Rng(s.seed).fork(77);
  // Each check probes features one by one for at most a tenth of the budget: on a very wide table
  // the features past that are not probed alone (and the reports say how many).
  const budget = s.maxModels !== undefined ? null : (s.maxRuntimeSeconds ?? budgetForTime(s.time));
  const checkDeadline = (): { deadline?: number } => (budget !== null ? { deadline: performance.now() + 100 * budget } : {});
  const leakage = checkLeakage(data.select([...features, s.target]).take(trainRows), s.target, features, { rng: checkRng.fork(0), task: info.task, ...checkDeadline() });
  const shift = yTest.length > 0 ? checkShift(train, test, features, { rng: checkRng.fork(1), ...checkDeadline() }) : null;
  log(leakage.summary);
  if (shift) log(shift.summary);

  // Search, within the budget (leaving a share for the refit and the export).
  const scorer = s.scorer ?? (info.task === 'regression' ? 'rmse' : 'logloss');
  const clock0 = s.clockStart ?? t0;
  const validation = validationFor(s.accuracy, train.nRows);
  const tSearch = performance.now();
  const result = await search(
    train,
    task,
    features,
    {
      seed: s.seed,
      metric: scorer,
      validation,
      interpretability: s.interpretability,
      // The search and the refit end by 92% of the budget, counted from the clock's start (the
      // search keeps back the time the refit will likely take); the rest is for the export.
      ...(budget !== null ? { budgetSeconds: Math.max(0, (clock0 + budget * 920 - performance.now()) / 1000) } : {}),
      ...(s.maxModels !== undefined ? { maxModels: s.maxModels } : {}),
      ...(s.threads !== undefined ? { threads: s.threads } : {}),
      ranking: leakage.features.map((f) => f.feature),
    },
    {
      shouldStop: hooks.shouldStop,
      onEntry: (e, isBest) => {
        const what = `candidate ${e.id}: ${e.family} ${JSON.stringify(e.params)} [${e.features}]`;
        if (e.status === 'failed') log(`${what} failed: ${e.error}`);
        else log(`${what} ${scorer} ${e.score.toFixed(5)} on ${e.folds} of ${e.plannedFolds} folds${e.status === 'scored' ? '' : ` (${e.status})`} in ${e.seconds.toFixed(1)} s${isBest ? '  (best so far)' : ''}`);
        hooks.onEntry?.(e, isBest);
      },
    },
  );
  const searchSeconds = (performance.now() - tSearch) / 1000;

  // The best, refit on all training rows; the test set is scored once, here.
  const tRefit = performance.now();
  const best = result.best;
  // The refit keeps to the budget too: past 95% of it, it keeps the rounds it has. When it would
  // likely not fit in the time left, the winner's fold models are shipped instead (their average,
  // as AutoGluon does; each validated on its own fold), rather than a refit cut short.
  const refitDeadline = budget !== null ? clock0 + budget * 950 : undefined;
  const refitEstimate = refitSecondsFor(best.entry, validation);
  const timeLeft = refitDeadline !== undefined ? (refitDeadline - performance.now()) / 1000 : Infinity;
  let node: FeaturePipelineNode;
  let members: { weight: number; features: FeaturePipelineNode; model: ModelNode }[];
  let gain: Map<string, number> | null = null;
  let final: FinalModel;
  const mode = s.final ?? 'auto';
  if (mode === 'refit' || (mode === 'auto' && refitEstimate <= timeLeft)) {
    const fitted = await refit(train, task, best.candidate, best.cv, s.seed, refitDeadline);
    node = fitted.features;
    members = [{ weight: 1, features: node, model: fitted.model.exportNode() as ModelNode }];
    gain = gainByFeature(fitted.model.importance().gain, node, features);
    final = FINAL_MODELS.refit;
    log(`refit ${best.entry.family} on ${train.nRows} rows in ${((performance.now() - tRefit) / 1000).toFixed(1)} s`);
  } else {
    const folds = [...best.foldModels.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
    // Members share the pipeline's input fields; folds that saw different category levels cannot.
    const same = folds.every((m) => JSON.stringify(m.features.inputs) === JSON.stringify(folds[0]!.features.inputs));
    const used = same ? folds : folds.slice(0, 1);
    node = used[0]!.features;
    members = used.map((m) => ({ weight: 1 / used.length, features: m.features, model: m.model as ModelNode }));
    final = FINAL_MODELS.folds;
    const why = mode === 'folds' ? 'as asked (--final folds)' : `no time for a refit on all rows (likely ${refitEstimate.toFixed(1)} s, ${Math.max(0, timeLeft).toFixed(1)} s left)`;
    log(`${why}: the pipeline is the average of the winner's ${used.length} fold model${used.length === 1 ? '' : 's'}${same ? '' : ' (the folds saw different category levels, so only the first is used)'}`);
  }
  const refitSeconds = (performance.now() - tRefit) / 1000;
  // The test rows scored as the pipeline file will score them (the members share input fields).
  const testPred = scoreMembers(
    members.map((m) => ({ weight: m.weight, features: new FeatureScorer(m.features), model: modelScorer(m.model) })),
    columnarInput(test, node),
    classes ? K : 1,
  );
  const unseen = unseenLevels(test, node);
  for (const [field, u] of Object.entries(unseen)) {
    log(`test rows: '${field}' has ${u.rows} row${u.rows === 1 ? '' : 's'} with levels never seen in training (${u.levels.slice(0, 5).join(', ')}${u.levels.length > 5 ? ', …' : ''}), scored as missing`);
  }
  // Validation metrics over the rows validated (all training rows with k folds; a fifth with a holdout).
  const vRows = best.cv.scoredRows;
  const width = predictionWidth(info.task, K);
  const yValid = Float64Array.from(vRows, (i) => yTrain[i]!);
  const pValid = Float64Array.from({ length: vRows.length * width }, (_, j) => best.cv.oof[vRows[Math.floor(j / width)]! * width + (j % width)]!);
  const validationMetrics = classes ? classificationReport(yValid, pValid, classes) : regressionReport(yValid, pValid);
  // Binary: decision thresholds on the positive class's probability, chosen on the same out-of-fold
  // predictions, never on the test rows (their predictions serve the test metrics only).
  let thresholds: DecisionThresholds | null = null;
  if (info.task === 'binary' && classes && yValid.length > 0) {
    const pPositive = Float64Array.from({ length: vRows.length }, (_, i) => pValid[i * width + 1]!);
    const byF1 = bestThreshold(yValid, pPositive, 'f1');
    const byMcc = bestThreshold(yValid, pPositive, 'mcc');
    thresholds = { positiveClass: classes[1]!, f1: byF1.threshold, mcc: byMcc.threshold };
    log(`thresholds (out of fold, positive class '${thresholds.positiveClass}'): best F1 at ${fmtThreshold(byF1.threshold)} (F1 ${byF1.f1.toFixed(4)}), best MCC at ${fmtThreshold(byMcc.threshold)} (MCC ${byMcc.mcc.toFixed(4)})`);
  }
  const testMetrics = yTest.length > 0 ? (classes ? classificationReport(yTest, testPred, classes) : regressionReport(yTest, testPred)) : {};

  // Importance on the original features: out-of-fold permutation importance of the winner's fold
  // models (relative to the largest), with the refit model's gain mapped back through the steps.
  // Measured in order of likely importance (the refit's gain, or the single-feature strength of the
  // leakage check), until 97% of the budget: on a very wide table the rest are left unmeasured.
  const strength = leakage.features.map((f) => f.feature);
  const order = gain ? [...features].sort((a, b) => (gain.get(b) ?? 0) - (gain.get(a) ?? 0)) : [...strength.filter((f) => features.includes(f)), ...features.filter((f) => !strength.includes(f))];
  const importanceDeadline = budget !== null ? clock0 + budget * 970 : Infinity;
  const permuted = permutationImportance(train, task, result.fold, best.foldModels, order, scorer, new Rng(s.seed).fork(88), undefined, importanceDeadline);
  const top = Math.max(0, ...permuted.map((p) => p.drop ?? 0));
  const importance = permuted.map((p) => ({
    feature: p.feature,
    importance: p.drop === null ? null : top > 0 ? Math.max(0, p.drop) / top : 0,
    permutation: p.drop,
    gain: gain ? (gain.get(p.feature) ?? 0) : null,
  }));
  const unmeasured = permuted.filter((p) => p.drop === null).length;
  log(`importance: ${importance.slice(0, 5).map((i) => `${i.feature} ${i.importance?.toFixed(3)}`).join(', ')}${unmeasured ? `; ${unmeasured} features not measured (the budget ran out)` : ''}`);

  // Files: the pipeline, then the experiment folder.
  const pipelinePath = join(s.outDir, 'pipelines', `${s.name}.pipeline.json`);
  const experimentDir = join(s.outDir, 'experiments', 'runs', s.name);
  const status = result.stoppedBy === 'interrupted' ? 'interrupted' : 'finished';
  const inputs: InputField[] = node.inputs;
  const text = await writePipeline(pipelinePath, {
    name: s.name,
    target: s.target,
    task: info.task,
    classes,
    inputs,
    features: node,
    model: (members.length === 1 ? members[0]!.model : { kind: 'ensemble', members }) as never,
    metrics: { validation: validationMetrics, test: testMetrics, scorer },
    importance: importance.flatMap((i) => (i.importance === null ? [] : [{ feature: i.feature, importance: i.importance }])),
    ...(thresholds ? { thresholds } : {}),
    seed: s.seed,
    settings: { ...s, outDir: undefined, clockStart: undefined, labelColumns: undefined, status },
    dataSha256: data.source?.sha256 ?? null,
  });
  // The scorer's speed on the test rows, through the exported file.
  const { loadPipeline } = await import('../artifact/scorer.js');
  const deployed = loadPipeline(text);
  const timed = test.nRows > 20000 ? test.take(Array.from({ length: 20000 }, (_, i) => i)) : test;
  const input = columnarInput(timed, node);
  const reps = Math.max(1, Math.ceil(20000 / Math.max(1, timed.nRows)));
  // Steady-state speed, as a server or a batch sees it: the first passes (the trees compiled after
  // 2,000 rows, the compiled code warming up) are not timed.
  for (let r = 0; r < reps; r++) deployed.scoreColumns(input);
  const ts = performance.now();
  for (let r = 0; r < reps; r++) deployed.scoreColumns(input);
  const scoreMicrosPerRow = ((performance.now() - ts) * 1000) / (reps * Math.max(1, timed.nRows));

  // The result reports the settings as experiment.json records them: without the label columns.
  const { labelColumns: _labels, ...reported } = s;
  const res: ExperimentResult = {
    status,
    settings: reported,
    task: info.task,
    classes,
    rows: { train: trainRows.length, test: yTest.length, droppedMissingTarget: missingTarget },
    dropped,
    features,
    budgetSeconds: budget,
    search: {
      stoppedBy: result.stoppedBy,
      validation,
      validationRows: vRows.length,
      candidates: result.leaderboard.length,
      halved: result.leaderboard.filter((e) => e.status === 'halved').length,
      failed: result.leaderboard.filter((e) => e.status === 'failed').length,
      threads: result.threads,
      best: best.entry,
    },
    checks: { leakage, shift },
    validation: { ...validationMetrics } as Record<string, unknown>,
    test: { ...testMetrics } as Record<string, unknown>,
    thresholds,
    importance,
    final,
    seconds: { total: (performance.now() - t0) / 1000, search: searchSeconds, refit: refitSeconds },
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    pipelinePath,
    pipelineBytes: Buffer.byteLength(text),
    featuresUsed: { original: node.inputs.map((f) => f.name), engineered: node.features.filter((f) => !features.includes(f)) },
    experimentDir,
    scoreMicrosPerRow,
    testUnseenLevels: unseen,
  };
  log(`best: ${best.entry.family} (${scorer} ${best.entry.score.toFixed(5)} out of fold); pipeline ${pipelinePath}`);
  await writeFileAtomic(join(experimentDir, 'experiment.json'), `${JSON.stringify({ tool: 'automl', toolVersion: packageVersion(), startedAt: ctx.started.record['startedAt'], finishedAt: new Date().toISOString(), data: dataFiles(data, testTable), ...res }, null, 2)}\n`);
  await writeFileAtomic(join(experimentDir, 'leaderboard.csv'), leaderboardCsv(result.leaderboard));
  await writeFileAtomic(join(experimentDir, 'test-predictions.csv'), predictionsCsv(s.target, classes, yTest, testPred));
  await writeFileAtomic(join(experimentDir, 'run.log'), `${logLines.join('\n')}\n`);
  return res;
}

/** A threshold for the log: enough digits to tell it apart, without float noise. */
function fmtThreshold(t: number): string {
  return String(Number(t.toPrecision(4)));
}

/** Why a column cannot be read the same way in both files: its kind, and the first value that differs. */
function typeMismatch(name: string, train: Table, test: Table): string {
  const a = train.column(name);
  const b = test.column(name);
  const where = test.source?.path ?? 'the test file';
  if (a.type === 'numeric' && b.type === 'categorical') {
    const bad = b.levels.findIndex((l) => !Number.isFinite(Number(l)));
    const row = bad >= 0 ? b.codes.indexOf(bad) : -1;
    const at = row >= 0 ? ` ('${b.levels[bad]}' in data row ${row + 1})` : '';
    return `${where}: column '${name}' holds numbers in the training file but text in the test file${at}; give it numbers in both (or mark missing values as empty)`;
  }
  return `${where}: column '${name}' is categorical in the training file but holds only numbers in the test file; declare it with the same kind of values in both files`;
}

/** Per categorical input field: the test rows whose level the pipeline never saw in training. */
function unseenLevels(table: Table, node: FeaturePipelineNode): Record<string, { rows: number; levels: string[] }> {
  const out: Record<string, { rows: number; levels: string[] }> = {};
  for (const field of node.inputs) {
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
function originalsOf(column: string, steps: readonly { kind: string; column?: string; columns?: string[]; output?: string; outputs?: string[]; indicator?: string }[], features: readonly string[]): string[] {
  if (features.includes(column)) return [column];
  for (const st of steps) {
    const outs = [st.output, st.indicator, ...(st.outputs ?? [])];
    if (outs.includes(column)) return st.column ? originalsOf(st.column, steps, features) : [...new Set((st.columns ?? []).flatMap((c) => originalsOf(c, steps, features)))];
  }
  return [column];
}

function leaderboardCsv(entries: readonly LeaderboardEntry[]): string {
  const head = ['id', 'family', 'features', 'params', 'status', 'folds', 'score', 'logloss', 'fit_seconds', 'started_seconds', 'finished_seconds', 'error'];
  const rows = entries.map((e) =>
    [
      String(e.id),
      e.family,
      e.features,
      JSON.stringify(e.params),
      e.status,
      `${e.folds}/${e.plannedFolds}`,
      Number.isNaN(e.score) ? '' : String(e.score),
      e.logloss === null ? '' : String(e.logloss),
      e.seconds.toFixed(3),
      e.started.toFixed(3),
      e.finished.toFixed(3),
      e.error ?? '',
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

/** The actual label, then one column per class named `<target>.<class>`, as in the tutorial. */
function predictionsCsv(target: string, classes: readonly string[] | null, y: Float64Array, pred: Float64Array): string {
  const head = classes ? [target, ...classes.map((c) => `${target}.${c}`)] : [target, `${target}.predicted`];
  const width = classes ? classes.length : 1;
  const out = [head.map(csvCell).join(',')];
  for (let i = 0; i < y.length; i++) {
    const actual = classes ? classes[y[i]!]! : String(y[i]);
    const cells = [csvCell(actual)];
    for (let k = 0; k < width; k++) cells.push(String(pred[i * width + k]));
    out.push(cells.join(','));
  }
  return `${out.join('\n')}\n`;
}
