import { readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import { readCsv } from '../data/csv.js';
import { recipeForColumns } from '../../recipes/index.js';
import { embeddedDataPath } from './embedded.js';
import type { TaskRequest } from '../data/infer.js';
import { METRIC_NAMES, type MetricName } from '../metrics/registry.js';
import { budgetSeconds } from '../search/budget.js';
import { runExperiment, type ExperimentResult, type ExperimentSettings } from '../search/experiment.js';
import { processStart } from '../util/clock.js';
import { FINAL_CHOICES_TEXT, isFinalChoice } from '../search/final.js';
import { dashboardLines } from '../report/dashboard.js';
import { displayWidth, PLAIN, terminalWidth, truncate } from '../report/text.js';
import { AutomlError } from '../util/errors.js';
import type { Output } from './output.js';

export interface RunArgs {
  config?: string;
  data?: string;
  train?: string;
  test?: string;
  target?: string;
  task?: string;
  drop?: string[];
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

const DIALS = ['time', 'accuracy', 'interpretability'] as const;

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
    'target',
    'task',
    'drop',
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
  const merged: RunArgs = { ...(file as RunArgs) };
  for (const [k, v] of Object.entries(args)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return merged;
}

export async function runCommand(rawArgs: RunArgs, out: Output): Promise<void> {
  const args = settingsFrom(rawArgs);
  if (!args.target)
    throw new AutomlError('BAD_OPTION', 'name the target column with --target (or in the experiment file)');
  for (const dial of DIALS) {
    const v = args[dial];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 10))
      throw new AutomlError('BAD_OPTION', `--${dial} must be a whole number from 1 to 10, got ${v}`);
  }
  if (args.scorer !== undefined && !(METRIC_NAMES as readonly string[]).includes(args.scorer)) {
    throw new AutomlError(
      'BAD_OPTION',
      `--scorer ${args.scorer} is not a metric; choose from ${METRIC_NAMES.join(', ')}`,
    );
  }
  if (args.maxModels !== undefined && !(Number.isInteger(args.maxModels) && args.maxModels >= 1))
    throw new AutomlError('BAD_OPTION', `--max-models must be a whole number >= 1`);
  if (args.final !== undefined && !isFinalChoice(args.final))
    throw new AutomlError('BAD_OPTION', `--final must be ${FINAL_CHOICES_TEXT}, got ${args.final}`);
  if (args.threads !== undefined && !(Number.isInteger(args.threads) && args.threads >= 1))
    throw new AutomlError('BAD_OPTION', `--threads must be a whole number >= 1, got ${args.threads}`);
  if (args.maxRuntime !== undefined && !(args.maxRuntime > 0))
    throw new AutomlError('BAD_OPTION', `--max-runtime must be a number of seconds > 0`);
  if (args.data && args.train)
    throw new AutomlError(
      'BAD_OPTION',
      'give --data (split 75/25 here) or --train (with an optional --test), not both',
    );
  if (args.test && !args.train) throw new AutomlError('BAD_OPTION', '--test needs --train');
  const seed = args.seed ?? 42;
  if (!Number.isSafeInteger(seed)) throw new AutomlError('BAD_OPTION', `--seed must be a whole number, got ${seed}`);

  const dataPath = args.train ?? args.data ?? embeddedDataPath();
  const shown = args.train ?? args.data ?? 'the embedded hydraulic data';
  const data = await readCsv(dataPath);
  const test = args.test ? await readCsv(args.test) : undefined;
  const name = args.name ?? `${args.target}-${basename(dataPath, extname(dataPath))}`;
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new AutomlError('BAD_OPTION', `--name '${name}' may hold only letters, digits, '.', '_' and '-'`);
  const settings: ExperimentSettings = {
    name,
    target: args.target,
    task: (args.task ?? 'auto') as TaskRequest,
    seed,
    ...(args.scorer ? { scorer: args.scorer as MetricName } : {}),
    drop: args.drop ?? [],
    time: args.time ?? 3,
    accuracy: args.accuracy ?? 5,
    interpretability: args.interpretability ?? 5,
    ...(args.maxRuntime !== undefined ? { maxRuntimeSeconds: args.maxRuntime } : {}),
    ...(args.maxModels !== undefined ? { maxModels: args.maxModels } : {}),
    ...(args.threads !== undefined ? { threads: args.threads } : {}),
    ...(args.final !== undefined ? { final: args.final } : {}),
    // A table made by a recipe (the embedded one included): an experiment on one of its labels
    // leaves the others out of the features.
    ...labelColumnsOf(data.names),
    // The budget counts from the process start: reading the data is part of it.
    clockStart: processStart(),
    outDir: resolve(args.outDir ?? '.'),
  };
  if (args.outDir) statSync(settings.outDir, { throwIfNoEntry: false });

  // Ctrl-C or SIGTERM: finish the best pipeline found so far; a second Ctrl-C quits at once.
  let stop = false;
  const onSignal = (): void => {
    if (stop) process.exit(130);
    stop = true;
    out.note('automl: stopping the search; the best pipeline so far is being finished (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  out.note(
    `automl run: ${shown}, target ${args.target}, ${settings.maxModels !== undefined ? `${settings.maxModels} model${settings.maxModels === 1 ? '' : 's'}` : `budget ${budgetSeconds(settings)} s`}`,
  );
  // On a terminal, a bar over the budget (or the model count), fitted to the terminal's width; a
  // line per improvement always.
  const total = settings.maxModels ?? Math.round(budgetSeconds(settings) ?? 0);
  const unit = settings.maxModels !== undefined ? 'models' : 's';
  const layout = progressLayout(total, unit, terminalWidth(process.stderr));
  const bars =
    out.interactive && args.progress !== false
      ? new MultiBar(
          {
            stream: process.stderr,
            format: layout.format,
            hideCursor: true,
            clearOnComplete: true,
            barsize: layout.barsize,
            fps: 4,
          },
          Presets.shades_classic,
        )
      : undefined;
  const bar = bars?.create(total, 0, { candidates: 0, best: '–' });
  const started = performance.now();
  let candidates = 0;
  let best = '–';
  const tick = (): void => {
    const value =
      settings.maxModels !== undefined ? candidates : Math.min(total, Math.round((performance.now() - started) / 1000));
    bar?.update(value, { candidates, best });
  };
  const timer = bars ? setInterval(tick, 500) : undefined;
  let result: ExperimentResult;
  try {
    result = await runExperiment(data, test, settings, {
      shouldStop: () => stop,
      onEntry: (e, isBest) => {
        candidates = e.id + 1;
        if (isBest) {
          best = truncate(`${e.score.toFixed(5)} (${e.family})`, PROGRESS_BEST_WIDTH);
          const line = `  ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  #${e.id} ${e.family.padEnd(13)} ${e.score.toFixed(5)}  (best so far)`;
          if (bars) bars.log(`${line}\n`);
          else out.note(line);
        }
        tick();
      },
    });
  } finally {
    if (timer) clearInterval(timer);
    bars?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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

/** The best-so-far text on the progress bar, at most (a long score or family name is cut). */
const PROGRESS_BEST_WIDTH = 24;

/**
 * The progress line's format and bar length (10 to 30 characters) so that the whole line, with the
 * largest counts and the longest best-so-far text, fits `width` columns; on a narrow terminal the
 * counts of candidates and the best so far are left out.
 */
export function progressLayout(total: number, unit: string, width: number): { format: string; barsize: number } {
  // Counting models, the count is the candidates tried: not said twice.
  const tried = unit === 's' ? ' · {candidates} tried' : '';
  const full = `search [{bar}] {value}/{total} ${unit}${tried} · best {best}`;
  const short = `search [{bar}] {value}/{total} ${unit}`;
  const widest = (format: string): number =>
    displayWidth(
      format
        .replace('{bar}', '')
        .replace(/\{value\}|\{total\}/g, String(total))
        .replace('{candidates}', String(Math.max(9999, total)))
        .replace('{best}', 'x'.repeat(PROGRESS_BEST_WIDTH)),
    );
  const room = width - 1 - widest(full);
  if (room >= 10) return { format: full, barsize: Math.min(30, room) };
  return { format: short, barsize: Math.max(5, Math.min(30, width - 1 - widest(short))) };
}
