import { readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { parseEncoding, readCsv, type DecimalMark, type ReadCsvOptions } from '../data/csv.js';
import { recipeForColumns } from '../../recipes/index.js';
import { embeddedDataPath } from './embedded.js';
import type { TaskRequest } from '../data/infer.js';
import { parseDateFormats } from '../data/kinds.js';
import { METRIC_NAMES, type MetricName } from '../metrics/registry.js';
import { budgetSeconds } from '../search/budget.js';
import { searchProgress, type CandidateResult } from '../search/automl.js';
import { runExperiment, type ExperimentResult, type ExperimentSettings } from '../search/experiment.js';
import { processStart } from '../util/clock.js';
import { FINAL_CHOICES_TEXT, isFinalChoice, type FinalChoice } from '../search/final.js';
import { dashboardLines } from '../report/dashboard.js';
import { PLAIN, terminalWidth } from '../report/text.js';
import { AutomlError } from '../util/errors.js';
import { preferredKernel } from '../models/gbdt/hist-kernel.js';
import type { RunFiles } from '../search/run-files.js';
import { checkNumber, listOption, parseDelimiterOption, RUN_NUMBERS } from './args.js';
import { EXIT, Interrupts } from './exit.js';
import { LiveView } from './live-view.js';
import type { Output } from './output.js';

export interface RunArgs {
  config?: string;
  data?: string;
  train?: string;
  test?: string;
  delimiter?: string;
  encoding?: string;
  decimal?: string;
  target?: string;
  task?: string;
  drop?: string[];
  /** `--keep-column`: columns kept as features though they look like identifiers or constants. */
  keepColumn?: string[];
  /** `--id-column`: the column naming the rows of test-predictions.csv; never a feature. */
  idColumn?: string;
  /** Sample weights, user folds, time order: columns that are not features (README: automl run). */
  weight?: string;
  fold?: string;
  timeColumn?: string;
  /** `--date-format FORMAT` or `COL=FORMAT`, repeatable (src/data/kinds.ts). */
  dateFormat?: string[];
  name?: string;
  seed?: number;
  scorer?: string;
  time?: number;
  accuracy?: number;
  interpretability?: number;
  maxRuntime?: number;
  maxModels?: number;
  threads?: number;
  final?: string;
  outDir?: string;
  /** A progress bar on a terminal (default); false (--no-progress) hides it. */
  progress?: boolean;
}

/**
 * The longest experiment name: `pipelines/<name>.pipeline.json` and its temporary name
 * (`.<file>.<pid>.<8 hex>.tmp`) stay within the 255 bytes most file systems allow a file name.
 */
const MAX_NAME_LENGTH = 200;

/** Flags given on the command line override the experiment file. */
function settingsFrom(args: RunArgs): RunArgs {
  if (!args.config) return args;
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(readFileSync(args.config, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new AutomlError(
      'BAD_CONFIG',
      code === 'ENOENT'
        ? `${args.config}: no such experiment file`
        : `${args.config}: not a JSON experiment file (${(e as Error).message})`,
    );
  }
  const known = new Set([
    'data',
    'train',
    'test',
    'delimiter',
    'encoding',
    'decimal',
    'target',
    'task',
    'drop',
    'keepColumn',
    'idColumn',
    'weight',
    'fold',
    'timeColumn',
    'dateFormat',
    'name',
    'seed',
    'scorer',
    'time',
    'accuracy',
    'interpretability',
    'maxRuntime',
    'maxModels',
    'threads',
    'final',
    'description',
  ]);
  for (const k of Object.keys(file))
    if (!known.has(k))
      throw new AutomlError(
        'BAD_CONFIG',
        `${args.config}: unknown setting '${k}'; the settings are ${[...known].join(', ')}`,
      );
  // Numbers in the file are held to the same rules as the options (`"time": "abc"` is refused).
  for (const [k, spec] of Object.entries(RUN_NUMBERS))
    if (file[k] !== undefined) file[k] = checkNumber(`${args.config}: '${k}'`, file[k], spec);
  const merged: RunArgs = { ...(file as RunArgs) };
  for (const [k, v] of Object.entries(args)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return merged;
}

export async function runCommand(rawArgs: RunArgs, out: Output): Promise<void> {
  preferredKernel(); // AUTOML_GBDT_KERNEL, refused now rather than in every GBDT candidate
  const args = settingsFrom(rawArgs);
  if (!args.target)
    throw new AutomlError('BAD_OPTION', 'name the target column with --target (or in the experiment file)');
  // The options are checked as they are parsed, the experiment file's settings as it is read:
  // this is for callers of runCommand that pass numbers of their own.
  for (const [k, spec] of Object.entries(RUN_NUMBERS)) {
    const v = args[k as keyof typeof RUN_NUMBERS];
    if (v !== undefined) checkNumber(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, v, spec);
  }
  if (args.scorer !== undefined && !(METRIC_NAMES as readonly string[]).includes(args.scorer)) {
    throw new AutomlError(
      'BAD_OPTION',
      `--scorer ${args.scorer} is not a metric; choose from ${METRIC_NAMES.join(', ')}`,
    );
  }
  if (args.final !== undefined && !isFinalChoice(args.final))
    throw new AutomlError('BAD_OPTION', `--final must be ${FINAL_CHOICES_TEXT}, got ${args.final}`);
  if (args.data && args.train)
    throw new AutomlError(
      'BAD_OPTION',
      'give --data (split 75/25 here) or --train (with an optional --test), not both',
    );
  if (args.test && !args.train) throw new AutomlError('BAD_OPTION', '--test needs --train');
  if (args.fold !== undefined && args.timeColumn !== undefined)
    throw new AutomlError(
      'BAD_OPTION',
      `--fold ${args.fold} and --time-column ${args.timeColumn} both make the folds; give one of them`,
    );
  const seed = args.seed ?? 42;

  // SIGINT (Ctrl-C) or SIGTERM (`kill`), from here on (README, "Exit codes"). The first stops the
  // search and finishes the best pipeline so far; the second skips what is left of that, but
  // experiment.json still says 'interrupted' and run.log is written; the third quits at once,
  // writing those two synchronously first. The exit code is 130 (SIGINT first) or 143 (SIGTERM).
  let files: RunFiles | undefined;
  const interrupts = new Interrupts((signal, count) => {
    if (count === 1) {
      out.note(`automl: ${signal}: stopping the search and finishing the best pipeline so far`);
      out.note('        (a second interrupt skips that; a third quits at once)');
    } else if (count === 2) {
      out.note(`automl: ${signal} again: skipping what is left; writing the status and run.log`);
    } else {
      // The progress bar hid the cursor: show it again, as its stop() would have.
      if (process.stderr.isTTY) process.stderr.write('\u001b[?25h');
      process.stderr.write(`automl: ${signal} a third time: quitting now\n`);
      try {
        files?.interruptNow(`quit at once on a third interrupt (${signal})`, interrupts.signal ?? signal);
      } catch {
        // Quitting now: a file that cannot be written is not worth waiting for.
      }
      process.exit(interrupts.exitCode);
    }
  }).install();
  try {
    await runInterruptible({ ...args, target: args.target }, seed, out, interrupts, (f) => (files = f));
  } finally {
    // Once interrupted, the handler stays until the process exits: a later signal (while worker
    // threads close) is counted as before, so a third still quits with 130/143, never by the
    // signal's default.
    if (interrupts.count === 0) interrupts.uninstall();
  }
}

async function runInterruptible(
  args: RunArgs & { target: string },
  seed: number,
  out: Output,
  interrupts: Interrupts,
  onFiles: (files: RunFiles) => void,
): Promise<void> {
  const dataPath = args.train ?? args.data ?? embeddedDataPath();
  const shown = args.train ?? args.data ?? 'the embedded hydraulic data';
  // How the data files are read (README: Input files); a note on the decimal mark is said once.
  const notes = new Set<string>();
  const reading: ReadCsvOptions = {
    delimiter: parseDelimiterOption(args.delimiter),
    encoding: parseEncoding(args.encoding),
    decimal: args.decimal as DecimalMark | undefined,
    onNote: (note) => {
      if (!notes.has(note)) out.note(note);
      notes.add(note);
    },
  };
  const data = await readCsv(dataPath, reading);
  const test = args.test ? await readCsv(args.test, reading) : undefined;
  if (interrupts.signal)
    throw new AutomlError(
      'INTERRUPTED',
      `interrupted (${interrupts.signal}) while reading the data: nothing was started`,
    );
  const plainPath = /\.(gz|zip)$/i.test(dataPath) ? dataPath.slice(0, dataPath.lastIndexOf('.')) : dataPath;
  const name = args.name ?? `${args.target}-${basename(plainPath, extname(plainPath))}`;
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new AutomlError('BAD_OPTION', `--name '${name}' may hold only letters, digits, '.', '_' and '-'`);
  if (name.length > MAX_NAME_LENGTH)
    throw new AutomlError(
      'BAD_OPTION',
      `the experiment name is ${name.length} characters long (${args.name ? '--name' : 'from the target and the data file'}); give a --name of at most ${MAX_NAME_LENGTH}`,
    );
  const settings: ExperimentSettings = {
    name,
    target: args.target,
    task: (args.task ?? 'auto') as TaskRequest,
    seed,
    ...(args.scorer ? { scorer: args.scorer as MetricName } : {}),
    drop: args.drop ?? [],
    // Only when given: a run without them records the same settings as before.
    ...(args.keepColumn !== undefined && listOption(args.keepColumn).length > 0
      ? { keepColumns: listOption(args.keepColumn) }
      : {}),
    ...(args.idColumn !== undefined ? { idColumn: String(args.idColumn) } : {}),
    ...(args.weight !== undefined ? { weightColumn: args.weight } : {}),
    ...(args.fold !== undefined ? { foldColumn: args.fold } : {}),
    ...(args.timeColumn !== undefined ? { timeColumn: args.timeColumn } : {}),
    ...(args.dateFormat !== undefined ? { dateFormats: parseDateFormats([args.dateFormat].flat().map(String)) } : {}),
    time: args.time ?? 3,
    accuracy: args.accuracy ?? 5,
    interpretability: args.interpretability ?? 5,
    ...(args.maxRuntime !== undefined ? { maxRuntimeSeconds: args.maxRuntime } : {}),
    ...(args.maxModels !== undefined ? { maxModels: args.maxModels } : {}),
    ...(args.threads !== undefined ? { threads: args.threads } : {}),
    ...(args.final !== undefined ? { final: args.final as FinalChoice } : {}),
    // A table made by a recipe (the embedded one included): an experiment on one of its labels
    // leaves the others out of the features.
    ...labelColumnsOf(data.names),
    // The budget counts from the process start: reading the data is part of it.
    clockStart: processStart(),
    outDir: resolve(args.outDir ?? '.'),
  };
  if (args.outDir) statSync(settings.outDir, { throwIfNoEntry: false });

  out.note(
    `automl run: ${shown}, target ${args.target}, ${settings.maxModels !== undefined ? `${settings.maxModels} model${settings.maxModels === 1 ? '' : 's'}` : `budget ${budgetSeconds(settings)} s`}`,
  );
  // A line per candidate as soon as its outcome is known (the order they finish); on a terminal,
  // below them a bar over the budget (or the model count), redrawn every 250 ms.
  const view = new LiveView({
    bar: out.interactive && args.progress !== false,
    total: settings.maxModels ?? Math.round(budgetSeconds(settings) ?? 0),
    unit: settings.maxModels !== undefined ? 'models' : 's',
    width: terminalWidth(process.stderr),
    note: (line) => out.note(line),
  });
  let result: ExperimentResult;
  try {
    // The search reports to the view through searchProgress (runExperiment has no such hook).
    const progress = {
      onStart: () => view.searchStarted(),
      onResult: (r: CandidateResult) => view.result(r),
      onEnd: () => view.searchEnded(),
    };
    result = await searchProgress.run(progress, () =>
      runExperiment(data, test, settings, {
        shouldStop: () => interrupts.count >= 1,
        shouldAbandon: () => interrupts.count >= 2,
        interruptedBy: () => interrupts.signal,
        onFiles,
      }),
    );
  } finally {
    view.stop();
    // Its files are written: from here on a signal ends the process as it would any other.
    interrupts.uninstall();
  }
  // An interrupted run ends with 130 or 143 even though it wrote a pipeline: a script can tell it
  // from a finished one.
  if (result.status === 'interrupted') process.exitCode = interrupts.signal ? interrupts.exitCode : EXIT.sigint;
  out.result(result);
  // Bold only when stdout itself is a terminal (not `automl run … > file` from one).
  const style = process.stdout.isTTY ? out : PLAIN;
  for (const line of dashboardLines(result, { width: terminalWidth(process.stdout), style })) out.info(line);
}

/** The label columns of the recipe whose labels are all among a table's columns, if any. */
function labelColumnsOf(names: readonly string[]): Pick<ExperimentSettings, 'labelColumns'> {
  const recipe = recipeForColumns(names);
  return recipe ? { labelColumns: { recipe: recipe.name, columns: recipe.labels } } : {};
}

/** The progress line's layout (it lives with the live view). */
export { progressLayout } from './live-view.js';
