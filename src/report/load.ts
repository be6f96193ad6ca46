/**
 * A run folder (experiments/runs/<name>/), read back for a report: experiment.json, leaderboard.csv,
 * test-predictions.csv and run.log, as `automl run` writes them (src/search/run-files.ts), into one
 * typed {@link RunReport}. Nothing here throws on a bad folder: what is missing or unreadable is
 * said in words in `problems`, and what exists is still reported. Older runs lack some members of
 * experiment.json; those are left undefined, and the numbers a report needs that can be derived
 * from the test predictions (confusion matrix, per-class precision / recall / F1, MCC, …) are
 * derived, with experiment.json's own numbers preferred where it has them.
 *
 * Reads only what the run wrote; imports from src/search are types only.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { AutomlError } from '../util/errors.js';
import type { Task } from '../artifact/tasks.js';
import type { Calibration, DecisionThresholds } from '../artifact/format/pipeline.js';
import { bestThreshold, classificationReport, regressionReport } from '../metrics/index.js';
import type { ClassReport } from '../metrics/index.js';
import type { LeaderboardEntry } from '../search/automl.js';
import type { LeakageReport, ShiftReport } from '../search/checks/index.js';
import type { ExperimentSettings } from '../search/experiment.js';
import type { FeatureImportanceEntry } from '../search/measure.js';
import type { DroppedColumn } from '../search/prepare.js';
import { LEADERBOARD_COLUMNS, LEADERBOARD_NEWER_COLUMNS, type DataFiles } from '../search/run-files.js';

/** The files of a run folder, as `automl run` names them. */
export const RUN_FILES = {
  experiment: 'experiment.json',
  leaderboard: 'leaderboard.csv',
  testPredictions: 'test-predictions.csv',
  log: 'run.log',
} as const;

/**
 * What a run folder is: a run `finished`, still `running` (or stopped without a word: killed),
 * `failed` with an error, `interrupted` (Ctrl-C; the best pipeline so far was finished), or
 * `damaged` (no readable experiment.json; also a folder that is not a run at all, see
 * {@link RunReport.isRun}).
 */
export type RunStatus = 'finished' | 'running' | 'failed' | 'interrupted' | 'damaged';

/** The statuses, defined once. */
export const RUN_STATUSES = [
  'finished',
  'running',
  'failed',
  'interrupted',
  'damaged',
] as const satisfies readonly RunStatus[];

/**
 * experiment.json as read back: the {@link ExperimentResult} of src/search/experiment.ts plus what
 * run-files.ts adds (tool, times, data files, error), every member optional: a run that failed or
 * is still running has only its settings, a run of an older version lacks newer members, and a
 * member of the wrong type is left out (and named in {@link RunReport.problems}).
 */
export interface RunExperiment {
  tool?: string;
  toolVersion?: string;
  status?: string;
  startedAt?: string;
  finishedAt?: string;
  /** When a failed or interrupted run ended. */
  endedAt?: string;
  /** A failed or interrupted run's error. */
  error?: { message: string; code?: string };
  data?: Partial<DataFiles>;
  settings?: Partial<ExperimentSettings>;
  task?: Task;
  classes?: string[] | null;
  /** Row counts; `zeroWeight`: training rows of weight 0 (`--weight`), predicted but not trained on. */
  rows?: { train: number; test: number; droppedMissingTarget?: number; zeroWeight?: number; searched?: number };
  dropped?: DroppedColumn[];
  features?: string[];
  budgetSeconds?: number | null;
  search?: {
    stoppedBy?: string;
    validation?: number | 'holdout';
    validationRows?: number;
    candidates?: number;
    halved?: number;
    failed?: number;
    threads?: number;
    best?: Partial<LeaderboardEntry> & { family: string };
  };
  checks?: { leakage?: LeakageReport; shift?: ShiftReport | null };
  /** Validation (out of fold) metrics: a {@link ClassificationMetrics} or {@link RegressionMetrics}. */
  validation?: Record<string, unknown>;
  /** Test metrics: a {@link ClassificationMetrics} or {@link RegressionMetrics}. */
  test?: Record<string, unknown>;
  thresholds?: DecisionThresholds | null;
  importance?: FeatureImportanceEntry[];
  final?: string;
  ensemble?: {
    kept: boolean;
    score: number;
    singleScore: number;
    members: {
      id: number;
      family: string;
      weight: number;
      calibration: Calibration | null;
      /** How it is shipped (runs before this member say nothing: fold models). */
      shipped?: 'folds' | 'refit';
    }[];
    /** Families' best candidates within the noise of the best, seeded into the selection. */
    seeded?: number[];
  };
  seconds?: { total: number; search?: number; refit?: number };
  peakRssBytes?: number;
  pipelinePath?: string;
  pipelineBytes?: number;
  featuresUsed?: { original: string[]; engineered: string[] };
  experimentDir?: string;
  testUnseenLevels?: Record<string, { rows: number; levels: string[] }>;
  scoreMicrosPerRow?: number;
}

/** One line of leaderboard.csv, with its numbers parsed (null where the cell is empty). */
export interface LeaderboardRow {
  id: number;
  family: string;
  /** The feature steps, in words. */
  features: string;
  /** The hyper-parameters (the raw text when the cell is not JSON). */
  params: Record<string, unknown> | string;
  /** scored / halved / stopped / failed. */
  status: string;
  folds: number | null;
  plannedFolds: number | null;
  /** The search's metric over the folds scored; null for a failed candidate. */
  score: number | null;
  logloss: number | null;
  fitSeconds: number | null;
  /** Seconds since the search began when its first fold job started / its last ended. */
  startedSeconds: number | null;
  finishedSeconds: number | null;
  /** Rounds / trees / epochs each fold's model kept; empty for other families (or an older file). */
  rounds: number[];
  /** Folds whose fit the deadline stopped before its rounds were done (0 in an older file). */
  cutFolds: number;
  error: string | null;
}

/**
 * test-predictions.csv: what names the row (its line, or the `--id-column`; older runs have
 * none), the actual value, then a probability per class and the predicted class (or the predicted
 * value).
 */
export interface TestPredictions {
  target: string;
  /** The actual value of each test row, as written (a class label, or a number as text). */
  labels: string[];
  /** The prediction columns' headers: `<target>.<class>` per class, or `<target>.predicted`. */
  columns: string[];
  /** Classification: the classes, in the columns' order (from the headers); regression: null. */
  classes: string[] | null;
  /**
   * Classification: per row, one probability per class (in `classes` order). Regression: per row,
   * the one predicted value (`[predicted]`).
   */
  probabilities: number[][];
  /** Classification: each row's actual class index into `classes` (-1: a label not among them). */
  y: number[];
  /** Regression: the actual and predicted numbers; classification: null. */
  regression: { actual: number[]; predicted: number[] } | null;
}

/** Classification metrics, as experiment.json stores them (classificationReport in src/metrics). */
export interface ClassificationMetrics {
  logloss: number;
  accuracy: number;
  macro: { precision: number; recall: number; f1: number };
  perClass: ClassReport[];
  mcc: number;
  auc: number | null;
  /** K × K, `confusion[actual][predicted]`. */
  confusion: number[][];
}

/** Regression metrics, as experiment.json stores them. */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

/**
 * The test metrics a report shows: experiment.json's where it has them, each missing member
 * derived from test-predictions.csv (`derived` names those).
 */
export type TestMetrics =
  | { kind: 'classification'; metrics: Partial<ClassificationMetrics>; derived: string[] }
  | { kind: 'regression'; metrics: Partial<RegressionMetrics>; derived: string[] };

/** Binary targets: the test rows predicted at a decision threshold on the positive class. */
export interface ThresholdView {
  /** What the threshold maximises. */
  objective: 'f1' | 'mcc';
  threshold: number;
  /**
   * Where it was chosen: `out-of-fold` (experiment.json's `thresholds`, as the pipeline file carries
   * them) or `test` (an older run without them: the best on the test rows, which flatters).
   */
  chosenOn: 'out-of-fold' | 'test';
  positiveClass: string;
  precision: number;
  recall: number;
  f1: number;
  mcc: number;
  accuracy: number;
  /** 2 × 2, `[actual][predicted]`, class order as `classes` (negative first). */
  confusion: number[][];
}

/** One off-diagonal cell of a confusion matrix: rows of `actual` predicted as `predicted`. */
export interface ConfusionCell {
  actual: string;
  predicted: string;
  count: number;
  /** Share of the actual class's rows. */
  share: number;
}

/**
 * A run folder read back. `experiment` is undefined when experiment.json is missing or damaged;
 * every other part may be missing too: `problems` says what, in words, one sentence each.
 */
export interface RunReport {
  /** The run folder (absolute). */
  dir: string;
  /** The folder's name: the experiment's name. */
  name: string;
  status: RunStatus;
  /** False for a folder under experiments/runs/ that holds none of a run's files. */
  isRun: boolean;
  /** What is missing or unreadable, in words; empty for a complete finished run. */
  problems: string[];
  experiment?: RunExperiment;
  /** leaderboard.csv, in its order (by candidate id); empty when missing. */
  leaderboard: LeaderboardRow[];
  testPredictions?: TestPredictions;
  /** run.log's lines; undefined when missing. */
  log?: string[];
  /** The run's date: when it finished (or ended, or started), else the folder's modification time. */
  date: Date;
  /** The test metrics (experiment.json's, completed from the predictions); null without either. */
  test: TestMetrics | null;
}

/** Options of {@link loadRun} and {@link listRuns}. */
export interface LoadOptions {
  /** Read test-predictions.csv (default true); `automl list` needs only experiment.json and the leaderboard. */
  predictions?: boolean;
}

/** experiments/runs/ under a working folder: where `automl run` writes its run folders. */
export function runsDirOf(projectDir: string): string {
  return join(projectDir, 'experiments', 'runs');
}

/**
 * Reads one run folder. Never throws for what is in the folder (a missing folder is reported as a
 * damaged non-run).
 *
 * @example
 * const r = await loadRun('experiments/runs/cool_cond_y-hydraulic');
 * r.status;                      // 'finished'
 * r.experiment?.test?.['logloss']; // 0.0426…
 * r.test?.metrics;               // with confusion, perClass, mcc, …
 */
export async function loadRun(dir: string, opts: LoadOptions = {}): Promise<RunReport> {
  const abs = resolve(dir);
  const problems: string[] = [];
  const name = basename(abs);
  let entries: string[] = [];
  let mtime = new Date(0);
  try {
    const st = await stat(abs);
    mtime = st.mtime;
    if (!st.isDirectory()) {
      return emptyReport(abs, name, mtime, false, [`${abs} is a file, not a run folder`]);
    }
    entries = await readdir(abs);
  } catch (e) {
    return emptyReport(abs, name, mtime, false, [`${abs} cannot be read (${errText(e)})`]);
  }
  const has = (f: string): boolean => entries.includes(f);
  const isRun = Object.values(RUN_FILES).some(has);
  if (!isRun) {
    return emptyReport(abs, name, mtime, false, [`not a run: it holds none of ${Object.values(RUN_FILES).join(', ')}`]);
  }

  // experiment.json
  let experiment: RunExperiment | undefined;
  let status: RunStatus = 'damaged';
  if (!has(RUN_FILES.experiment)) {
    problems.push(`${RUN_FILES.experiment} is missing`);
  } else {
    const read = await readText(join(abs, RUN_FILES.experiment));
    if (read.error !== undefined) problems.push(`${RUN_FILES.experiment} cannot be read (${read.error})`);
    else {
      let raw: unknown;
      try {
        raw = JSON.parse(read.text);
      } catch (e) {
        problems.push(`${RUN_FILES.experiment} is damaged: not JSON (${errText(e)})`);
      }
      if (raw !== undefined) {
        if (!isObject(raw)) problems.push(`${RUN_FILES.experiment} is damaged: not a JSON object`);
        else {
          experiment = checkedExperiment(raw, problems);
          status = statusOf(experiment, problems);
        }
      }
    }
  }

  // A finished run, or one interrupted after its first candidate, has all its files; one that
  // failed, is still running or was interrupted before anything was scored has only some.
  const results =
    status === 'finished' ||
    (status === 'interrupted' && (experiment?.search !== undefined || experiment?.test !== undefined));

  // leaderboard.csv
  let leaderboard: LeaderboardRow[] = [];
  if (has(RUN_FILES.leaderboard)) {
    const read = await readText(join(abs, RUN_FILES.leaderboard));
    if (read.error !== undefined) problems.push(`${RUN_FILES.leaderboard} cannot be read (${read.error})`);
    else leaderboard = parseLeaderboard(read.text, problems);
  } else if (results || status === 'damaged') {
    problems.push(`${RUN_FILES.leaderboard} is missing`);
  }

  // test-predictions.csv
  let testPredictions: TestPredictions | undefined;
  if (opts.predictions !== false) {
    if (has(RUN_FILES.testPredictions)) {
      const read = await readText(join(abs, RUN_FILES.testPredictions));
      if (read.error !== undefined) problems.push(`${RUN_FILES.testPredictions} cannot be read (${read.error})`);
      else testPredictions = parsePredictions(read.text, experiment, problems);
    } else if ((results || status === 'damaged') && (experiment?.rows?.test ?? 1) > 0) {
      problems.push(`${RUN_FILES.testPredictions} is missing`);
    }
  }

  // run.log
  let log: string[] | undefined;
  if (has(RUN_FILES.log)) {
    const read = await readText(join(abs, RUN_FILES.log));
    if (read.error !== undefined) problems.push(`${RUN_FILES.log} cannot be read (${read.error})`);
    else log = read.text.replace(/\n$/, '').split('\n');
  } else if (status !== 'running') {
    problems.push(`${RUN_FILES.log} is missing`);
  }

  if (experiment && results) {
    const missing = (['test', 'importance', 'search', 'checks'] as const).filter((k) => experiment[k] === undefined);
    if (missing.length > 0)
      problems.push(
        `${RUN_FILES.experiment} has no ${missing.join(', ')} (written by ${experiment.toolVersion ? `automl ${experiment.toolVersion}` : 'an older version'})`,
      );
  }

  const date =
    parseDate(experiment?.finishedAt) ?? parseDate(experiment?.endedAt) ?? parseDate(experiment?.startedAt) ?? mtime;
  const report: RunReport = {
    dir: abs,
    name,
    status,
    isRun: true,
    problems,
    ...(experiment ? { experiment } : {}),
    leaderboard,
    ...(testPredictions ? { testPredictions } : {}),
    ...(log ? { log } : {}),
    date,
    test: null,
  };
  report.test = testMetrics(report);
  return report;
}

/**
 * Every folder under a runs folder (experiments/runs/, see {@link runsDirOf}), newest first. A
 * folder that is not a run, or whose experiment.json is damaged, is listed as such (status
 * `damaged`), never an error; a runs folder that does not exist lists nothing. Plain files and
 * hidden entries are skipped.
 *
 * @example
 * for (const r of await listRuns(runsDirOf('.'))) console.log(r.name, r.status);
 */
export async function listRuns(dir: string, opts: LoadOptions = {}): Promise<RunReport[]> {
  let names: string[];
  try {
    const dirents = await readdir(dir, { withFileTypes: true });
    names = dirents.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new AutomlError('FILE_UNREADABLE', `${dir} cannot be read (${code ?? errText(e)}); check its permissions`);
  }
  const reports: RunReport[] = [];
  for (const n of names) reports.push(await loadRun(join(dir, n), opts));
  return reports.sort((a, b) => b.date.getTime() - a.date.getTime() || a.name.localeCompare(b.name));
}

/**
 * The test metrics of a run: experiment.json's `test` where it has them (its numbers are
 * preferred), each missing member derived from test-predictions.csv; null with neither.
 */
export function testMetrics(r: Pick<RunReport, 'experiment' | 'testPredictions'>): TestMetrics | null {
  const stored = r.experiment?.test;
  const p = r.testPredictions;
  const task =
    r.experiment?.task ??
    (p ? (p.classes ? (p.classes.length === 2 ? 'binary' : 'multiclass') : 'regression') : undefined);
  if (task === undefined) return null;
  const hasStored = stored !== undefined && Object.keys(stored).length > 0;
  if (task === 'regression') {
    const keys = ['rmse', 'mae', 'r2'] as const;
    const metrics: Partial<RegressionMetrics> = {};
    for (const k of keys) if (typeof stored?.[k] === 'number') metrics[k] = stored[k];
    const derived: string[] = [];
    const missing = keys.filter((k) => metrics[k] === undefined);
    if (
      missing.length > 0 &&
      p?.regression &&
      p.regression.actual.length > 0 &&
      p.regression.actual.every(Number.isFinite)
    ) {
      const d = regressionReport(Float64Array.from(p.regression.actual), Float64Array.from(p.regression.predicted));
      for (const k of missing) {
        metrics[k] = d[k];
        derived.push(k);
      }
    }
    return hasStored || derived.length > 0 ? { kind: 'regression', metrics, derived } : null;
  }
  const metrics: Partial<ClassificationMetrics> = {};
  if (stored) {
    if (typeof stored['logloss'] === 'number') metrics.logloss = stored['logloss'];
    if (typeof stored['accuracy'] === 'number') metrics.accuracy = stored['accuracy'];
    if (typeof stored['mcc'] === 'number') metrics.mcc = stored['mcc'];
    if (typeof stored['auc'] === 'number' || stored['auc'] === null) metrics.auc = stored['auc'];
    const macro = stored['macro'];
    if (isObject(macro) && ['precision', 'recall', 'f1'].every((k) => typeof macro[k] === 'number'))
      metrics.macro = macro as ClassificationMetrics['macro'];
    const perClass = stored['perClass'];
    if (Array.isArray(perClass) && perClass.every(isClassReport)) metrics.perClass = perClass;
    const confusion = stored['confusion'];
    if (isMatrix(confusion)) metrics.confusion = confusion;
  }
  const keys = ['logloss', 'accuracy', 'macro', 'perClass', 'mcc', 'auc', 'confusion'] as const;
  const missing = keys.filter((k) => metrics[k] === undefined);
  const derived: string[] = [];
  const y = p ? Int32Array.from(p.y) : undefined;
  if (missing.length > 0 && p?.classes && y && y.length > 0 && !y.some((c) => c < 0)) {
    const d = classificationReport(y, Float64Array.from(p.probabilities.flat()), p.classes);
    const full: ClassificationMetrics = {
      logloss: d.logloss,
      accuracy: d.accuracy,
      macro: { ...d.macro },
      perClass: [...d.perClass],
      mcc: d.mcc,
      auc: d.auc,
      confusion: d.confusion,
    };
    for (const k of missing) {
      (metrics as Record<string, unknown>)[k] = full[k];
      derived.push(k);
    }
  }
  return hasStored || derived.length > 0 ? { kind: 'classification', metrics, derived } : null;
}

/**
 * Binary targets: the test rows predicted at the thresholds chosen out of fold (experiment.json's
 * `thresholds`), by F1 and by MCC; for an older run without them, the best thresholds on the test
 * rows themselves (marked `chosenOn: 'test'`). Empty for other tasks or without test predictions.
 */
export function thresholdViews(r: Pick<RunReport, 'experiment' | 'testPredictions'>): ThresholdView[] {
  const p = r.testPredictions;
  if (!p?.classes || p.classes.length !== 2 || p.y.length === 0 || p.y.some((c) => c < 0)) return [];
  const y = Int32Array.from(p.y);
  const pPos = Float64Array.from(p.probabilities, (row) => row[1] ?? 0);
  const positiveClass = p.classes[1]!;
  const stored = r.experiment?.thresholds;
  return (['f1', 'mcc'] as const).map((objective) => {
    const threshold = stored ? stored[objective] : bestThreshold(y, pPos, objective).threshold;
    return { objective, positiveClass, chosenOn: stored ? 'out-of-fold' : 'test', ...atThreshold(y, pPos, threshold) };
  });
}

/** Binary metrics of predicting the positive class when its probability is >= threshold. */
export function atThreshold(
  y: ArrayLike<number>,
  pPositive: ArrayLike<number>,
  threshold: number,
): Pick<ThresholdView, 'threshold' | 'precision' | 'recall' | 'f1' | 'mcc' | 'accuracy' | 'confusion'> {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < y.length; i++) {
    const pos = (pPositive[i] as number) >= threshold;
    if (y[i] === 1) {
      if (pos) tp++;
      else fn++;
    } else if (pos) fp++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const denom = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  const mcc = denom === 0 ? 0 : (tp * tn - fp * fn) / denom;
  return {
    threshold,
    precision,
    recall,
    f1,
    mcc,
    accuracy: (tp + tn) / Math.max(1, y.length),
    confusion: [
      [tn, fp],
      [fn, tp],
    ],
  };
}

/**
 * The largest off-diagonal cells of a confusion matrix, largest first (ties: by actual, then
 * predicted class order): what a report shows when the matrix is too wide to print.
 */
export function largestConfusions(confusion: number[][], classes: readonly string[], n = 10): ConfusionCell[] {
  const cells: ConfusionCell[] = [];
  confusion.forEach((row, a) => {
    const total = row.reduce((s, x) => s + x, 0);
    row.forEach((count, p) => {
      if (a !== p && count > 0)
        cells.push({
          actual: classes[a] ?? String(a),
          predicted: classes[p] ?? String(p),
          count,
          share: count / total,
        });
    });
  });
  return cells.sort((x, y) => y.count - x.count).slice(0, n);
}

/**
 * The winner in a few words: the family of the best candidate, or `ensemble of N` when the
 * pipeline is an ensemble; null when experiment.json does not say.
 */
export function winnerText(e: RunExperiment | undefined): string | null {
  if (!e) return null;
  if (e.ensemble?.kept) return `ensemble of ${e.ensemble.members.length}`;
  return e.search?.best?.family ?? null;
}

/** The metric the search ranked by: the run's `--scorer`, else logloss or rmse by task. */
export function scorerOf(e: RunExperiment | undefined): string {
  const s = e?.settings?.scorer;
  if (typeof s === 'string') return s;
  return e?.task === 'regression' ? 'rmse' : 'logloss';
}

// ---------------------------------------------------------------------------------------------

function emptyReport(dir: string, name: string, date: Date, isRun: boolean, problems: string[]): RunReport {
  return { dir, name, status: 'damaged', isRun, problems, leaderboard: [], date, test: null };
}

async function readText(
  path: string,
): Promise<{ text: string; error?: undefined } | { text?: undefined; error: string }> {
  try {
    return { text: await readFile(path, 'utf8') };
  } catch (e) {
    return { error: errText(e) };
  }
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}` : e instanceof Error ? e.message : String(e);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isNum = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

function isMatrix(v: unknown): v is number[][] {
  return Array.isArray(v) && v.every((row) => Array.isArray(row) && row.every(isNum));
}

function isClassReport(v: unknown): v is ClassReport {
  return (
    isObject(v) &&
    isStr(v['label']) &&
    isNum(v['precision']) &&
    isNum(v['recall']) &&
    isNum(v['f1']) &&
    isNum(v['support'])
  );
}

function parseDate(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * The members of experiment.json a report reads, each checked for its type (lightly: the shape a
 * renderer relies on). A member of the wrong type is left out and named in `problems`.
 */
const MEMBER_CHECKS: Record<string, [string, (v: unknown) => boolean]> = {
  tool: ['text', isStr],
  toolVersion: ['text', isStr],
  status: ['text', isStr],
  startedAt: ['text', isStr],
  finishedAt: ['text', isStr],
  endedAt: ['text', isStr],
  error: ['an object with a message', (v) => isObject(v) && isStr(v['message'])],
  data: ['an object', isObject],
  settings: ['an object', isObject],
  task: ['binary, multiclass or regression', (v) => v === 'binary' || v === 'multiclass' || v === 'regression'],
  classes: ['a list of labels or null', (v) => v === null || isStrArray(v)],
  rows: [
    'an object of row counts',
    (v) =>
      isObject(v) &&
      isNum(v['train']) &&
      isNum(v['test']) &&
      (v['droppedMissingTarget'] === undefined || isNum(v['droppedMissingTarget'])) &&
      (v['zeroWeight'] === undefined || isNum(v['zeroWeight'])) &&
      (v['searched'] === undefined || isNum(v['searched'])),
  ],
  dropped: [
    'a list of {column, reason}',
    (v) => Array.isArray(v) && v.every((d) => isObject(d) && isStr(d['column']) && isStr(d['reason'])),
  ],
  features: ['a list of names', isStrArray],
  budgetSeconds: ['a number or null', (v) => v === null || isNum(v)],
  search: [
    'an object',
    (v) => isObject(v) && (v['best'] === undefined || (isObject(v['best']) && isStr(v['best']['family']))),
  ],
  checks: [
    'an object',
    (v) =>
      isObject(v) &&
      (v['leakage'] === undefined || (isObject(v['leakage']) && isStr(v['leakage']['summary']))) &&
      (v['shift'] === undefined || v['shift'] === null || (isObject(v['shift']) && isStr(v['shift']['summary']))),
  ],
  validation: ['an object of metrics', isObject],
  test: ['an object of metrics', isObject],
  thresholds: [
    'an object or null',
    (v) => v === null || (isObject(v) && isNum(v['f1']) && isNum(v['mcc']) && isStr(v['positiveClass'])),
  ],
  importance: [
    'a list of {feature, importance, permutation, gain}',
    (v) =>
      Array.isArray(v) &&
      v.every(
        (i) =>
          isObject(i) &&
          isStr(i['feature']) &&
          ['importance', 'permutation', 'gain'].every((k) => i[k] === null || i[k] === undefined || isNum(i[k])),
      ),
  ],
  final: ['text', isStr],
  ensemble: [
    'an object with members',
    (v) =>
      isObject(v) &&
      typeof v['kept'] === 'boolean' &&
      Array.isArray(v['members']) &&
      v['members'].every((m) => isObject(m) && isStr(m['family']) && isNum(m['weight'])),
  ],
  seconds: ['an object with total', (v) => isObject(v) && isNum(v['total'])],
  peakRssBytes: ['a number', isNum],
  pipelinePath: ['text', isStr],
  pipelineBytes: ['a number', isNum],
  featuresUsed: [
    'an object with original and engineered',
    (v) => isObject(v) && isStrArray(v['original']) && isStrArray(v['engineered']),
  ],
  experimentDir: ['text', isStr],
  testUnseenLevels: ['an object', isObject],
  scoreMicrosPerRow: ['a number', isNum],
};

function checkedExperiment(raw: Record<string, unknown>, problems: string[]): RunExperiment {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const check = MEMBER_CHECKS[k];
    if (!check) {
      out[k] = v; // a member this version does not read: kept as it is
      continue;
    }
    if (v === undefined) continue;
    if (check[1](v)) out[k] = v;
    else problems.push(`${RUN_FILES.experiment}: '${k}' is not ${check[0]}; left out`);
  }
  // Older runs' importance entries may lack members: null is "not measured".
  if (Array.isArray(out['importance']))
    out['importance'] = (out['importance'] as Record<string, unknown>[]).map((i) => ({
      feature: i['feature'],
      importance: i['importance'] ?? null,
      permutation: i['permutation'] ?? null,
      gain: i['gain'] ?? null,
    }));
  return out as RunExperiment;
}

function statusOf(e: RunExperiment, problems: string[]): RunStatus {
  const s = e.status;
  if (s === 'finished' || s === 'running' || s === 'failed' || s === 'interrupted') return s;
  if (s === undefined) {
    // An older version wrote no status: a run with test metrics finished.
    if (e.test !== undefined || e.finishedAt !== undefined) {
      problems.push(`${RUN_FILES.experiment} has no status; taken as finished (it has a finish time or test metrics)`);
      return 'finished';
    }
    problems.push(`${RUN_FILES.experiment} has no status and no results`);
    return 'damaged';
  }
  problems.push(`${RUN_FILES.experiment}: unknown status '${s}'`);
  return 'damaged';
}

function parseCsv(text: string): string[][] {
  return parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
}

function num(cell: string | undefined): number | null {
  if (cell === undefined || cell.trim() === '') return null;
  const x = Number(cell);
  return Number.isNaN(x) ? null : x;
}

function parseLeaderboard(text: string, problems: string[]): LeaderboardRow[] {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (e) {
    problems.push(`${RUN_FILES.leaderboard} is damaged (${errText(e)})`);
    return [];
  }
  const [head, ...rows] = records;
  if (!head) {
    problems.push(`${RUN_FILES.leaderboard} is empty`);
    return [];
  }
  const at = new Map(head.map((h, i) => [h, i]));
  const absent = ['id', 'family', 'score'].filter((c) => !at.has(c));
  if (absent.length > 0) {
    problems.push(`${RUN_FILES.leaderboard} lacks the column${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`);
    return [];
  }
  const older = LEADERBOARD_COLUMNS.filter((c) => !at.has(c) && !LEADERBOARD_NEWER_COLUMNS.includes(c));
  if (older.length > 0) problems.push(`${RUN_FILES.leaderboard} has no ${older.join(', ')} (an older version)`);
  const cell = (r: string[], c: (typeof LEADERBOARD_COLUMNS)[number]): string | undefined => {
    const i = at.get(c);
    return i === undefined ? undefined : r[i];
  };
  const out: LeaderboardRow[] = [];
  let bad = 0;
  for (const r of rows) {
    const id = num(cell(r, 'id'));
    if (id === null) {
      bad++;
      continue;
    }
    const paramsText = cell(r, 'params') ?? '';
    let params: Record<string, unknown> | string = paramsText;
    try {
      const v: unknown = paramsText === '' ? {} : JSON.parse(paramsText);
      if (isObject(v)) params = v;
    } catch {
      // kept as text
    }
    const folds = /^(\d+)\/(\d+)$/.exec(cell(r, 'folds') ?? '');
    out.push({
      id,
      family: cell(r, 'family') ?? '',
      features: cell(r, 'features') ?? '',
      params,
      status: cell(r, 'status') ?? '',
      folds: folds ? Number(folds[1]) : null,
      plannedFolds: folds ? Number(folds[2]) : null,
      score: num(cell(r, 'score')),
      logloss: num(cell(r, 'logloss')),
      fitSeconds: num(cell(r, 'fit_seconds')),
      startedSeconds: num(cell(r, 'started_seconds')),
      finishedSeconds: num(cell(r, 'finished_seconds')),
      rounds: (cell(r, 'rounds') ?? '')
        .split(' ')
        .filter((x) => x !== '')
        .map(Number)
        .filter(Number.isFinite),
      cutFolds: num(cell(r, 'cut_folds')) ?? 0,
      error: cell(r, 'error') || null,
    });
  }
  if (bad > 0)
    problems.push(`${RUN_FILES.leaderboard}: ${bad} line${bad > 1 ? 's' : ''} without a candidate id left out`);
  return out;
}

function parsePredictions(text: string, e: RunExperiment | undefined, problems: string[]): TestPredictions | undefined {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (err) {
    problems.push(`${RUN_FILES.testPredictions} is damaged (${errText(err)})`);
    return undefined;
  }
  const [head, ...rows] = records;
  if (!head || head.length < 2) {
    problems.push(`${RUN_FILES.testPredictions} has no prediction columns`);
    return undefined;
  }
  // The target's column: after the row's line (or --id-column) in newer runs, first in older ones.
  const named = e?.settings?.target !== undefined ? head.indexOf(e.settings.target) : -1;
  const at = named >= 0 ? named : head.length > 2 && head[2]!.startsWith(`${head[1]}.`) ? 1 : 0;
  const target = head[at]!;
  const after = head.slice(at + 1);
  const regression =
    e?.task === 'regression' || (e?.task === undefined && after.length === 1 && after[0] === `${target}.predicted`);
  // Classification: the probabilities, without the predicted class that newer runs write last.
  const k = e?.classes?.length;
  const predictedLast =
    !regression &&
    after[after.length - 1] === `${target}.predicted` &&
    (k === undefined ? after.length > 1 : after.length === k + 1);
  const columns = predictedLast ? after.slice(0, -1) : after;
  const prefix = `${target}.`;
  const classes = regression ? null : columns.map((c) => (c.startsWith(prefix) ? c.slice(prefix.length) : c));
  if (classes && e?.classes && e.classes.join('\u0000') !== classes.join('\u0000'))
    problems.push(
      `${RUN_FILES.testPredictions}: its classes (${classes.join(', ')}) differ from experiment.json's (${e.classes.join(', ')})`,
    );
  const labels: string[] = [];
  const probabilities: number[][] = [];
  let bad = 0;
  for (const r of rows) {
    const values = columns.map((_, k) => num(r[at + 1 + k]));
    if (r.length !== head.length || values.some((v) => v === null)) {
      bad++;
      continue;
    }
    labels.push(r[at]!);
    probabilities.push(values as number[]);
  }
  if (bad > 0)
    problems.push(
      `${RUN_FILES.testPredictions}: ${bad} row${bad > 1 ? 's' : ''} with a missing or non-numeric cell left out`,
    );
  if (classes) {
    const index = new Map(classes.map((c, k) => [c, k]));
    const y = labels.map((l) => index.get(l) ?? -1);
    const unknown = new Set(labels.filter((l) => !index.has(l)));
    if (unknown.size > 0)
      problems.push(
        `${RUN_FILES.testPredictions}: actual label${unknown.size > 1 ? 's' : ''} ${[...unknown].slice(0, 3).join(', ')} not among the classes; metrics are not derived from it`,
      );
    return { target, labels, columns, classes, probabilities, y, regression: null };
  }
  const actual = labels.map(Number);
  if (actual.some((x) => !Number.isFinite(x))) {
    problems.push(`${RUN_FILES.testPredictions}: an actual value is not a number`);
  }
  return {
    target,
    labels,
    columns,
    classes: null,
    probabilities,
    y: [],
    regression: { actual, predicted: probabilities.map((row) => row[0]!) },
  };
}

/**
 * The leaderboard, best first: candidates scored on all their folds by score, then those halved or
 * stopped (scored on fewer folds) by score, then those without a score.
 */
export function rankLeaderboard(rows: readonly LeaderboardRow[], greaterIsBetter: boolean): LeaderboardRow[] {
  const sign = greaterIsBetter ? -1 : 1;
  return [...rows].sort((a, b) => {
    if (a.score === null || b.score === null)
      return (a.score === null ? 1 : 0) - (b.score === null ? 1 : 0) || a.id - b.id;
    // A candidate scored on all its folds ranks before one halved on a single fold.
    const full = (c: LeaderboardRow): number => (c.status === 'scored' ? 0 : 1);
    return full(a) - full(b) || sign * (a.score - b.score) || a.id - b.id;
  });
}
