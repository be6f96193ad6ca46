/**
 * An experiment's first stage: the data it learns from and is tested on. The target and the
 * columns are checked against the settings (and the test file against the training file), the
 * columns that are not features are dropped with their reason, rows without a target are set
 * aside, the table is split 75/25 (stratified, seeded) unless a test file is given, and a test
 * file's labels are matched to the training classes.
 */
import { predictionWidth, type Task } from '../artifact/tasks.js';
import { inferTarget } from '../data/infer.js';
import type { Table } from '../data/table.js';
import { METRIC_NAMES, METRICS, type MetricName } from '../metrics/registry.js';
import { holdoutSplit } from '../split/holdout.js';
import { AutomlError } from '../util/errors.js';
import type { ExperimentSettings } from './experiment.js';
import type { CvTask } from './types.js';

export interface DroppedColumn {
  column: string;
  reason: string;
}

/** The data of an experiment, ready for the checks and the search. */
export interface PreparedData {
  task: Task;
  /** The classes, in the order of the predictions' columns; null for regression. */
  classes: string[] | null;
  /** The task as the search sees it: its kind, its prediction width and the training labels. */
  cvTask: CvTask;
  /** The feature columns (original names), in the table's order. */
  features: string[];
  dropped: DroppedColumn[];
  /** Training rows of `data` (row numbers), and their features. */
  trainRows: number[];
  train: Table;
  /** The test rows' features and labels (class index, or value). */
  test: Table;
  yTest: Float64Array;
  /** Rows left out because their target was missing. */
  missingTarget: number;
  /** The metric the search optimises. */
  scorer: MetricName;
}

/**
 * Prepares the data of an experiment: `data` alone (split 75/25 here) or with a test table.
 *
 * @example
 * const p = prepareData(table, undefined, settings);
 * p.train.nRows; // 1654 of the hydraulic table's 2205 rows
 */
export function prepareData(data: Table, testTable: Table | undefined, s: ExperimentSettings): PreparedData {
  if (!data.has(s.target)) data.column(s.target); // throws the unknown-column error with the list
  if (testTable) checkTestColumns(data, testTable);
  const dropped = droppedColumns(data, s);
  const features = data.names.filter((n) => n !== s.target && !dropped.some((d) => d.column === n));
  if (features.length === 0)
    throw new AutomlError(
      'NO_FEATURES',
      `no features are left after dropping ${dropped.map((d) => d.column).join(', ')}; keep at least one column besides the target`,
    );

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
    const labelled = testLabels(testTable, s.target, info.classes ?? null);
    test = testTable.select(features).take(labelled.rows);
    yTest = labelled.y;
    testRows = labelled.rows;
  } else {
    test = data.select(features).take(testRows);
    yTest = Float64Array.from(testRows, (i) => info.y[i]!);
  }
  const scorer = s.scorer ?? (info.task === 'regression' ? 'rmse' : 'logloss');
  checkScorer(scorer, s.target, info.task);
  const classes = info.classes ? [...info.classes] : null;
  const cvTask = { kind: info.task, nClasses: predictionWidth(info.task, classes ? classes.length : 1), y: yTrain };
  return { task: info.task, classes, cvTask, features, dropped, trainRows, train, test, yTest, missingTarget, scorer };
}

/** The test file has every column of the training file, each with the same kind of values. */
function checkTestColumns(data: Table, testTable: Table): void {
  const missing = data.names.filter((n) => !testTable.has(n));
  if (missing.length > 0)
    throw new AutomlError(
      'TEST_COLUMNS',
      `the test file lacks columns of the training file: ${missing.join(', ')}; give both files the same columns`,
    );
  for (const n of data.names) {
    if (testTable.column(n).type !== data.column(n).type)
      throw new AutomlError('TEST_COLUMNS', typeMismatch(n, data, testTable));
  }
}

/** Columns that are not features, and why: the recipe's other labels, then `--drop`. */
function droppedColumns(data: Table, s: ExperimentSettings): DroppedColumn[] {
  const dropped: DroppedColumn[] = [];
  const labels = s.labelColumns;
  if (labels?.columns.includes(s.target)) {
    for (const l of labels.columns)
      if (l !== s.target) dropped.push({ column: l, reason: `another label of the ${labels.recipe} recipe` });
  }
  for (const d of s.drop) {
    data.column(d);
    if (d === s.target) throw new AutomlError('BAD_OPTION', `--drop ${d} names the target itself`);
    if (!dropped.some((x) => x.column === d)) dropped.push({ column: d, reason: 'dropped with --drop' });
  }
  return dropped;
}

/**
 * The test file's labels, matched to the training classes by their text (by value for a numeric
 * target), not inferred anew: a test part may hold one class, or fewer than the training. Rows
 * without a target are left out.
 */
function testLabels(
  testTable: Table,
  target: string,
  classes: readonly string[] | null,
): { rows: number[]; y: Float64Array } {
  const col = testTable.column(target);
  const rows: number[] = [];
  const y: number[] = [];
  const classIndex = new Map((classes ?? []).map((c, k) => [c, k]));
  const classByValue = new Map((classes ?? []).map((c, k) => [Number(c), k]));
  const unknown = (label: string, i: number): AutomlError =>
    new AutomlError(
      'TEST_CLASSES',
      `${testTable.source?.path ?? 'the test file'}: the target has the class '${label}' (data row ${i + 1}), which the training file never has; the classes are ${classes!.join(', ')}`,
    );
  for (let i = 0; i < testTable.nRows; i++) {
    if (col.type === 'numeric') {
      const v = col.values[i]!;
      if (Number.isNaN(v)) continue;
      if (!classes) y.push(v);
      else {
        const k = classByValue.get(v) ?? classIndex.get(col.texts?.get(v) ?? String(v));
        if (k === undefined) throw unknown(col.texts?.get(v) ?? String(v), i);
        y.push(k);
      }
    } else {
      const code = col.codes[i]!;
      if (code < 0) continue;
      const label = col.levels[code]!;
      const k = classIndex.get(label);
      if (k === undefined) throw unknown(label, i);
      y.push(k);
    }
    rows.push(i);
  }
  return { rows, y: Float64Array.from(y) };
}

/** The search's metric fits the target's task. */
function checkScorer(scorer: MetricName, target: string, task: Task): void {
  const need = task === 'regression' ? 'regression' : 'classification';
  if (METRICS[scorer].task !== need) {
    const fits = METRIC_NAMES.filter((m) => METRICS[m].task === need);
    throw new AutomlError(
      'BAD_OPTION',
      `--scorer ${scorer} is a ${METRICS[scorer].task} metric, but ${target} is a ${task} target; choose from ${fits.join(', ')}`,
    );
  }
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
