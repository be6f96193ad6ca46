import { basename, dirname, extname, join, resolve } from 'node:path';
import { CsvSource, readCsv, type DecimalMark, type Delimiter, type Encoding } from '../data/csv.js';
import type { Task } from '../artifact/tasks.js';
import { inferTarget, type TaskRequest } from '../data/infer.js';
import { AutomlError, inFile } from '../util/errors.js';
import { AtomicFileWriter } from '../util/fs.js';
import { holdoutSplit } from './holdout.js';
import { timeSplit, timeValues } from './time.js';

export interface SplitFileOptions {
  data: string;
  target: string;
  ratio?: number;
  seed?: number;
  stratify?: boolean;
  task?: TaskRequest;
  delimiter?: Delimiter | undefined;
  /** How the input is read (README: Input files); the parts are written as UTF-8, uncompressed. */
  encoding?: Encoding | undefined;
  decimal?: DecimalMark | undefined;
  onNote?: (note: string) => void;
  /**
   * A column ordering the rows in time (numbers or ISO 8601 dates): the test part is then the
   * latest rows, not a random or stratified draw.
   */
  timeColumn?: string | undefined;
  outTrain: string;
  outTest: string;
}

export interface SplitPart {
  path: string;
  rows: number;
  /** Rows per class (classification), in class order; missing targets under '(missing)'. */
  classes?: Record<string, number>;
}

export interface SplitSummary {
  data: string;
  target: string;
  task: Task;
  stratified: boolean;
  /** The column the split follows in time order (the test part is the latest rows), if any. */
  timeColumn?: string;
  ratio: number;
  seed: number;
  train: SplitPart;
  test: SplitPart;
}

/** `<name>.train.csv` and `<name>.test.csv` in `dir` (by default the input's own folder). */
export function defaultSplitPaths(data: string, dir?: string): { train: string; test: string } {
  // `data.csv.gz` and `data.zip` give data.train.csv and data.test.csv too.
  const plain = /\.(gz|zip)$/i.test(data) ? data.slice(0, data.lastIndexOf('.')) : data;
  const stem = basename(plain, extname(plain));
  const where = dir ?? dirname(data);
  return { train: join(where, `${stem}.train.csv`), test: join(where, `${stem}.test.csv`) };
}

/**
 * Splits a CSV file into train and test files, stratified by the target for classification.
 * Two streaming passes: the first reads only the target column, the second copies each row's
 * text exactly as it stands in the input, in its original order, to one of the two files.
 *
 * @example
 * await splitCsvFile({ data: 'h.csv', target: 'cool_cond_y', outTrain: 'h.train.csv', outTest: 'h.test.csv' });
 */
export async function splitCsvFile(opts: SplitFileOptions): Promise<SplitSummary> {
  const ratio = opts.ratio ?? 0.75;
  const seed = opts.seed ?? 42;
  if (!(ratio > 0 && ratio < 1))
    throw new AutomlError('BAD_OPTION', `--ratio must be between 0 and 1 (exclusive), got ${ratio}`);
  if (!Number.isSafeInteger(seed)) throw new AutomlError('BAD_OPTION', `--seed must be a whole number, got ${seed}`);
  const inPath = resolve(opts.data);
  for (const [flag, p] of [
    ['--out-train', opts.outTrain],
    ['--out-test', opts.outTest],
  ] as const) {
    if (resolve(p) === inPath)
      throw new AutomlError('BAD_OPTION', `${flag} ${p} is the input file itself; choose another name`);
  }
  if (resolve(opts.outTrain) === resolve(opts.outTest)) {
    throw new AutomlError(
      'BAD_OPTION',
      `--out-train and --out-test are the same file (${opts.outTrain}); choose two names`,
    );
  }

  const reading = { delimiter: opts.delimiter, encoding: opts.encoding, decimal: opts.decimal };
  const table = await readCsv(opts.data, {
    ...reading,
    columns:
      opts.timeColumn !== undefined && opts.timeColumn !== opts.target ? [opts.target, opts.timeColumn] : [opts.target],
    ...(opts.onNote ? { onNote: opts.onNote } : {}),
  });
  const target = inFile(opts.data, () => inferTarget(table.column(opts.target), opts.task ?? 'auto'));
  const n = table.nRows;
  const trainRows = Math.round(ratio * n);
  if (trainRows < 1 || trainRows > n - 1) {
    throw new AutomlError(
      'BAD_OPTION',
      `--ratio ${ratio} of ${n} rows leaves one part empty; choose a ratio that puts rows in both parts`,
    );
  }
  const classification = target.task !== 'regression';
  const timed = opts.timeColumn !== undefined;
  const stratified = !timed && classification && (opts.stratify ?? true);
  const isTrain = timed
    ? timeSplit(
        inFile(opts.data, () => timeValues(table, opts.timeColumn!)),
        ratio,
      )
    : holdoutSplit(n, { ratio, seed }, stratified ? target.y : undefined);

  const src = await CsvSource.open(opts.data, { ...reading, raw: true });
  const train = await AtomicFileWriter.open(opts.outTrain, '--out-train');
  let test: AtomicFileWriter;
  try {
    test = await AtomicFileWriter.open(opts.outTest, '--out-test');
  } catch (e) {
    await train.abort(); // no temporary train file is left behind
    throw e;
  }
  try {
    const head = src.headerRaw + src.newline;
    await train.write(head);
    await test.write(head);
    let i = 0;
    for await (const rec of src.records()) {
      if (i >= n) break;
      await (isTrain[i] === 1 ? train : test).write(rec.raw + src.newline);
      i++;
    }
    if (i !== n)
      throw new AutomlError(
        'FILE_CHANGED',
        `${opts.data} changed while it was being split (${n} rows, then ${i}); run the split again`,
      );
    await train.commit();
    await test.commit();
  } catch (e) {
    await train.abort();
    await test.abort();
    throw e;
  }

  const part = (path: string, flag: number): SplitPart => {
    let rows = 0;
    for (let i = 0; i < n; i++) if (isTrain[i] === flag) rows++;
    if (!classification) return { path, rows };
    const counts: Record<string, number> = {};
    for (const c of target.classes ?? []) counts[c] = 0;
    for (let i = 0; i < n; i++) {
      if (isTrain[i] !== flag) continue;
      const k = target.y[i]!;
      const key = k < 0 ? '(missing)' : target.classes![k]!;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return { path, rows, classes: counts };
  };
  return {
    data: opts.data,
    target: opts.target,
    task: target.task,
    stratified,
    ...(timed ? { timeColumn: opts.timeColumn! } : {}),
    ratio,
    seed,
    train: part(opts.outTrain, 1),
    test: part(opts.outTest, 0),
  };
}
