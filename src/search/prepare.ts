/**
 * An experiment's first stage: the data it learns from and is tested on. The target and the
 * columns are checked against the settings (and the test file against the training file), the
 * columns that are not features are dropped with their reason (the recipe's other labels,
 * `--drop`, `--id-column`, `--weight`, `--fold`, `--time-column`, then identifiers and constants
 * found in the training data, unless `--keep-column` keeps them), rows without a target are set
 * aside, the table is split 75/25 (stratified, seeded; with `--time-column` the latest 25% is the
 * test part) unless a test file is given, and a test file's labels are matched to the
 * training classes. Each test row keeps what identifies it in test-predictions.csv: its line in
 * the file, or its `--id-column` value.
 */
import { predictionWidth, type Task } from '../artifact/tasks.js';
import { autoDrop, inferTarget } from '../data/infer.js';
import { cellText, type Table } from '../data/table.js';
import { METRIC_NAMES, METRICS, type MetricName } from '../metrics/registry.js';
import { holdoutSplit } from '../split/holdout.js';
import { foldColumn, sampleWeights } from '../split/roles.js';
import { timeSplit, timeValues } from '../split/time.js';
import { AutomlError } from '../util/errors.js';
import type { ExperimentSettings } from './experiment.js';
import type { CvTask } from './types.js';
import { gather } from '../util/gather.js';

export interface DroppedColumn {
  column: string;
  reason: string;
}

/** The settings that choose columns beyond `drop`: what the automatic drops leave alone, and the rows' identifier. */
export interface ColumnChoices {
  /** Columns kept as features though they look like identifiers or constants (`--keep-column`). */
  keepColumns?: readonly string[];
  /**
   * A column that identifies rows (`--id-column`): never a feature; test-predictions.csv names
   * its rows by it instead of by their line in the file.
   */
  idColumn?: string;
}

/** What identifies each test row in test-predictions.csv: a column's name and a value per row. */
export interface RowIds {
  /** `line`, or the `--id-column`'s name. */
  name: string;
  values: string[];
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
  /** Per test row: its line in its file (the header is line 1), or its `--id-column` value. */
  testIds: RowIds;
  /** The metric the search optimises. */
  scorer: MetricName;
  /** The test rows' sample weights (`--weight`; the training rows' are `cvTask.weights`). */
  testWeights?: Float64Array;
  /** Training rows of weight 0: predicted and reported, never trained on. */
  zeroWeightRows?: number;
  /** The user's folds of the training rows (`--fold`): a fold per row, and each fold's label. */
  userFolds?: { fold: Int32Array; labels: string[] };
  /** The training rows' times (`--time-column`: numbers, or ISO dates as ms since 1970). */
  trainTimes?: Float64Array;
}

/**
 * Prepares the data of an experiment: `data` alone (split 75/25 here) or with a test table.
 *
 * @example
 * const p = prepareData(table, undefined, settings);
 * p.train.nRows; // 1654 of the hydraulic table's 2205 rows
 */
export function prepareData(
  data: Table,
  testTable: Table | undefined,
  s: ExperimentSettings & ColumnChoices,
): PreparedData {
  if (!data.has(s.target)) data.column(s.target); // throws the unknown-column error with the list
  const dropped = droppedColumns(data, s);
  if (testTable) checkTestColumns(data, testTable, new Set(dropped.map((d) => d.column)));
  // The target first: a target that cannot be learnt is the mistake to report, whatever the columns.
  const info = inferTarget(data.column(s.target), s.task);
  const features = data.names.filter((n) => n !== s.target && !dropped.some((d) => d.column === n));
  if (features.length === 0) {
    const auto = dropped.filter((d) => d.reason.endsWith(KEEP_HINT));
    const why = auto.map((d) => `${d.column}: ${d.reason.slice(0, -KEEP_HINT.length)}`).join('; ');
    throw new AutomlError(
      'NO_FEATURES',
      `no features are left after dropping ${dropped.map((d) => d.column).join(', ')}; keep at least one column besides the target${auto.length > 0 ? `: --keep-column keeps one dropped automatically (${why})` : ''}`,
    );
  }

  // Train and test rows; rows without a target cannot be used.
  const allTimes = s.timeColumn !== undefined ? timeValues(data, s.timeColumn) : undefined;
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
    const strata = info.task === 'regression' ? undefined : gather(info.y, usable);
    // With a time column the test part is the latest 25% (not stratified: it is the future).
    const isTrain =
      s.timeColumn !== undefined
        ? timeSplit(gather(allTimes!, usable), 0.75)
        : holdoutSplit(usable.length, { ratio: 0.75, seed: s.seed }, strata);
    usable.forEach((row, j) => (isTrain[j] ? trainRows : testRows).push(row));
  } else {
    for (let i = 0; i < data.nRows; i++) {
      if (present(i)) trainRows.push(i);
      else missingTarget++;
    }
  }
  const train = data.select(features).take(trainRows);
  const yTrain = gather(info.y, trainRows);
  let test: Table;
  let yTest: Float64Array;
  if (testTable) {
    const labelled = testLabels(testTable, s.target, info.classes ?? null);
    test = testTable.select(features).take(labelled.rows);
    yTest = labelled.y;
    testRows = labelled.rows;
  } else {
    test = data.select(features).take(testRows);
    yTest = gather(info.y, testRows);
  }
  const scorer = s.scorer ?? (info.task === 'regression' ? 'rmse' : 'logloss');
  checkScorer(scorer, s.target, info.task);
  const classes = info.classes ? [...info.classes] : null;
  const cvTask = { kind: info.task, nClasses: predictionWidth(info.task, classes ? classes.length : 1), y: yTrain };
  const testIds = rowIds(testTable ?? data, testRows, s.idColumn, s.target);
  const roles = rowRoles(data, testTable, s, trainRows, testRows);
  if (roles.weights) Object.assign(cvTask, { weights: roles.weights });
  return {
    ...roles.prepared,
    task: info.task,
    classes,
    cvTask,
    features,
    dropped,
    trainRows,
    train,
    test,
    yTest,
    missingTarget,
    testIds,
    scorer,
  };
}

/**
 * A table as the CSV reader may leave it: with the line each row starts on in its file (rows
 * and lines differ after empty lines and quoted line breaks).
 */
type WithLines = Table & { readonly lines?: ArrayLike<number> };

/**
 * What identifies these rows of a table: the `--id-column`'s values (as written), or their line
 * in the file, the header being line 1 (the reader's record of it, else the row number + 2: one
 * line per row after the header). The name `line` gives way to `input_line` if the target has it.
 */
export function rowIds(table: Table, rows: readonly number[], idColumn: string | undefined, target: string): RowIds {
  if (idColumn !== undefined) {
    const col = table.column(idColumn);
    return { name: idColumn, values: rows.map((r) => cellText(col, r)) };
  }
  const lines = (table as WithLines).lines;
  return {
    name: target === 'line' ? 'input_line' : 'line',
    values: rows.map((r) => String(lines?.[r] ?? r + 2)),
  };
}

/**
 * The test file has every column of the training file, each with the same kind of values (but
 * for columns that are not features: an identifier may be numbers in one file and codes in the
 * other).
 */
function checkTestColumns(data: Table, testTable: Table, dropped: ReadonlySet<string>): void {
  const missing = data.names.filter((n) => !testTable.has(n));
  if (missing.length > 0)
    throw new AutomlError(
      'TEST_COLUMNS',
      `the test file lacks columns of the training file: ${missing.join(', ')}; give both files the same columns`,
    );
  for (const n of data.names) {
    if (dropped.has(n)) continue;
    if (testTable.column(n).type !== data.column(n).type)
      throw new AutomlError('TEST_COLUMNS', typeMismatch(n, data, testTable));
  }
}

/** Ends the reason of a column dropped automatically. */
const KEEP_HINT = '; --keep-column keeps it';

/**
 * Columns that are not features, and why: the recipe's other labels, `--drop`, `--id-column`,
 * then identifiers and constants (see `autoDrop`), in the table's order. `--keep-column` keeps a
 * column the automatic drops (the recipe's labels, identifiers, constants) would leave out.
 */
export function droppedColumns(data: Table, s: ExperimentSettings & ColumnChoices): DroppedColumn[] {
  const keep = new Set(s.keepColumns ?? []);
  for (const k of keep) {
    data.column(k);
    if (k === s.target)
      throw new AutomlError('BAD_OPTION', `--keep-column ${k} names the target itself; the target is never a feature`);
    if (s.drop.includes(k))
      throw new AutomlError('BAD_OPTION', `--keep-column ${k} and --drop ${k} contradict each other; give one of them`);
    if (k === s.idColumn)
      throw new AutomlError(
        'BAD_OPTION',
        `--keep-column ${k} and --id-column ${k} contradict each other: the row identifier is never a feature`,
      );
  }
  const dropped: DroppedColumn[] = [];
  const add = (column: string, reason: string): void => {
    if (!dropped.some((x) => x.column === column)) dropped.push({ column, reason });
  };
  const labels = s.labelColumns;
  if (labels?.columns.includes(s.target)) {
    for (const l of labels.columns)
      if (l !== s.target && !keep.has(l)) add(l, `another label of the ${labels.recipe} recipe`);
  }
  for (const d of s.drop) {
    data.column(d);
    if (d === s.target) throw new AutomlError('BAD_OPTION', `--drop ${d} names the target itself`);
    add(d, 'dropped with --drop');
  }
  for (const [flag, column, reason] of [
    ['--weight', s.weightColumn, 'the --weight column: sample weights'],
    ['--fold', s.foldColumn, 'the --fold column: the validation folds'],
    ['--time-column', s.timeColumn, 'the --time-column: it orders the rows in time'],
  ] as const) {
    if (column === undefined) continue;
    data.column(column);
    if (column === s.target) throw new AutomlError('BAD_OPTION', `${flag} ${column} names the target itself`);
    if (keep.has(column))
      throw new AutomlError(
        'BAD_OPTION',
        `--keep-column ${column} and ${flag} ${column} contradict each other: the ${flag} column is never a feature`,
      );
    if (dropped.some((x) => x.column === column && x.reason.startsWith('the --')))
      throw new AutomlError('BAD_OPTION', `${flag} ${column} names a column already given another role`);
    add(column, reason);
  }
  if (s.idColumn !== undefined) {
    data.column(s.idColumn);
    if (s.idColumn === s.target)
      throw new AutomlError('BAD_OPTION', `--id-column ${s.idColumn} names the target itself`);
    if (dropped.some((x) => x.column === s.idColumn && x.reason.startsWith('the --')))
      throw new AutomlError('BAD_OPTION', `--id-column ${s.idColumn} names a column already given another role`);
    add(s.idColumn, 'the --id-column: it names the rows of test-predictions.csv');
  }
  for (const c of data.columns) {
    if (c.name === s.target || keep.has(c.name) || dropped.some((x) => x.column === c.name)) continue;
    const auto = autoDrop(c);
    if (auto) add(c.name, `${auto.reason}${KEEP_HINT}`);
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

/**
 * The rows' roles beyond features and target: sample weights (`--weight`) of the training and test
 * rows, the user's folds (`--fold`) and the times (`--time-column`) of the training rows.
 */
function rowRoles(
  data: Table,
  testTable: Table | undefined,
  s: ExperimentSettings,
  trainRows: readonly number[],
  testRows: readonly number[],
): { weights?: Float64Array; prepared: Partial<PreparedData> } {
  const prepared: Partial<PreparedData> = {};
  if (s.foldColumn !== undefined && s.timeColumn !== undefined)
    throw new AutomlError(
      'BAD_OPTION',
      `--fold ${s.foldColumn} and --time-column ${s.timeColumn} both make the folds; give one of them`,
    );
  let weights: Float64Array | undefined;
  if (s.weightColumn !== undefined) {
    weights = sampleWeights(data, s.weightColumn, trainRows, 'the training rows');
    prepared.zeroWeightRows = weights.reduce((n, w) => n + (w === 0 ? 1 : 0), 0);
    prepared.testWeights = sampleWeights(testTable ?? data, s.weightColumn, testRows, 'the test rows');
  }
  if (s.foldColumn !== undefined) prepared.userFolds = foldColumn(data, s.foldColumn, trainRows);
  if (s.timeColumn !== undefined) {
    const times = timeValues(data, s.timeColumn);
    prepared.trainTimes = gather(times, trainRows);
  }
  return { ...(weights ? { weights } : {}), prepared };
}
