import type { TaskRequest } from '../data/infer.js';
import { embeddedDataPath } from './embedded.js';
import { defaultSplitPaths, splitCsvFile } from '../split/split-file.js';
import { parseDelimiterOption } from './args.js';
import { parseEncoding, type DecimalMark } from '../data/csv.js';
import { formatTable, type Output } from './output.js';

export interface SplitArgs {
  data?: string;
  target: string;
  ratio: number;
  seed: number;
  stratify: boolean;
  task: TaskRequest;
  delimiter?: string;
  encoding?: string;
  decimal?: string;
  timeColumn?: string;
  outTrain?: string;
  outTest?: string;
  outDir?: string;
}

export async function splitCommand(args: SplitArgs, out: Output): Promise<void> {
  const data = args.data ?? embeddedDataPath();
  // The embedded data lives inside the package: its parts go to the working folder.
  const defaults = defaultSplitPaths(data, args.outDir ?? (args.data === undefined ? '.' : undefined));
  const summary = await splitCsvFile({
    data,
    target: args.target,
    ratio: args.ratio,
    seed: args.seed,
    stratify: args.stratify,
    task: args.task,
    delimiter: parseDelimiterOption(args.delimiter),
    encoding: parseEncoding(args.encoding),
    decimal: args.decimal as DecimalMark | undefined,
    onNote: (note) => out.note(note),
    timeColumn: args.timeColumn,
    outTrain: args.outTrain ?? defaults.train,
    outTest: args.outTest ?? defaults.test,
  });
  out.result(summary);
  const how =
    summary.timeColumn !== undefined
      ? `in ${summary.timeColumn} order: the latest rows test`
      : summary.stratified
        ? 'stratified'
        : 'random';
  out.info(
    `split ${args.data ?? 'the embedded hydraulic data'} by ${summary.target} (${summary.task}, ${how}, ratio ${summary.ratio}, seed ${summary.seed})`,
  );
  out.info(`  train  ${String(summary.train.rows).padStart(7)} rows  ${summary.train.path}`);
  out.info(`  test   ${String(summary.test.rows).padStart(7)} rows  ${summary.test.path}`);
  const trainClasses = summary.train.classes;
  const testClasses = summary.test.classes;
  if (trainClasses && testClasses) {
    out.info();
    const rows = Object.keys(trainClasses).map((k) => {
      const tr = trainClasses[k] ?? 0;
      const te = testClasses[k] ?? 0;
      return [k, String(tr), String(te), (tr / (tr + te)).toFixed(3)];
    });
    out.info(formatTable(['class', 'train', 'test', 'train share'], rows, [false, true, true, true]));
  }
}
