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
import { FINAL_CHOICES_TEXT, FINAL_MODELS, isFinalChoice } from '../search/final.js';
import { AutomlError } from '../util/errors.js';
import { formatTable, type Output } from './output.js';
import { fmt } from './describe.js';

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
  // On a terminal, a bar over the budget (or the model count); a line per improvement always.
  const total = settings.maxModels ?? Math.round(budgetSeconds(settings) ?? 0);
  const bars = out.interactive
    ? new MultiBar(
        {
          stream: process.stderr,
          format: `search [{bar}] {value}/{total} ${settings.maxModels !== undefined ? 'models' : 's'} | {candidates} candidates | best {best}`,
          hideCursor: true,
          clearOnComplete: true,
          barsize: 30,
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
          best = `${e.score.toFixed(5)} (${e.family})`;
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
  dashboard(result, out);
}

/** The label columns of the recipe whose labels are all among a table's columns, if any. */
function labelColumnsOf(names: readonly string[]): Pick<ExperimentSettings, 'labelColumns'> {
  const recipe = recipeForColumns(names);
  return recipe ? { labelColumns: { recipe: recipe.name, columns: recipe.labels } } : {};
}

function fmtBytes(b: number): string {
  return b < 1024 ? `${b} B` : b < 1048576 ? `${(b / 1024).toFixed(1)} kB` : `${(b / 1048576).toFixed(1)} MB`;
}

/** The tutorial's experiment dashboard, in the terminal. */
function dashboard(r: ExperimentResult, out: Output): void {
  const s = r.settings;
  out.info(out.bold(`Experiment ${s.name}: ${r.status.toUpperCase()}`));
  out.info(
    `  target ${s.target} (${r.task}${r.classes ? `: ${r.classes.join(', ')}` : ''}); ${r.rows.train} train rows, ${r.rows.test} test rows; ${r.features.length} features${r.dropped.length ? `, dropped ${r.dropped.map((d) => d.column).join(', ')}` : ''}`,
  );
  out.info(
    `  dials time ${s.time}, accuracy ${s.accuracy}, interpretability ${s.interpretability}; ${r.search.candidates} candidates (${r.search.halved} dropped early by successive halving${r.search.failed ? `, ${r.search.failed} failed: see run.log` : ''}) on ${r.search.threads} thread${r.search.threads === 1 ? '' : 's'}, stopped by ${r.search.stoppedBy}`,
  );
  out.info(`  ${r.checks.leakage.summary}`);
  if (r.checks.shift) out.info(`  ${r.checks.shift.summary}`);
  for (const [field, u] of Object.entries(r.testUnseenLevels))
    out.info(
      `  test rows: '${field}' has ${u.rows} row(s) with levels never seen in training (${u.levels.slice(0, 3).join(', ')}${u.levels.length > 3 ? ', …' : ''}), scored as missing`,
    );
  if (r.final === FINAL_MODELS.folds)
    out.info(
      `  ${s.final === 'folds' ? 'as asked' : 'no time was left to refit on all rows'}: the pipeline averages the winner's fold models (see run.log)`,
    );
  out.info(`  winner: ${r.search.best.family} ${JSON.stringify(r.search.best.params)}`);
  const e = r.ensemble;
  const metric = s.scorer ?? (r.task === 'regression' ? 'rmse' : 'logloss');
  if (e.kept) {
    out.info(
      `  ensemble of ${e.members.length} (${metric} out of fold ${fmt(e.score)}, the winner alone ${fmt(e.singleScore)}):`,
    );
    const shown = e.members.slice(0, 6).map((m) => `${m.family} #${m.id} ${m.weight.toFixed(3)}`);
    // Three to a line, so that a line stays under 80 columns.
    for (let i = 0; i < shown.length; i += 3)
      out.info(
        `    ${shown.slice(i, i + 3).join(', ')}${i + 3 >= shown.length && e.members.length > 6 ? `, and ${e.members.length - 6} more` : ''}`,
      );
  } else if (e.members.length > 0) {
    out.info(
      `  no ensemble: the winner alone (${metric} out of fold ${fmt(e.singleScore)}) beat one (${fmt(e.score)})`,
    );
  }
  const cal = e.members.filter((m) => m.calibration);
  if (cal.length > 0)
    out.info(
      `  calibrated out of fold: temperature ${cal
        .map((m) => m.calibration!.temperature.toFixed(2))
        .slice(0, 6)
        .join(', ')}`,
    );
  const eng = r.featuresUsed.engineered;
  out.info(
    `  features: ${r.featuresUsed.original.length} of ${r.features.length} columns used; ${eng.length} engineered${eng.length ? ` (${eng.slice(0, 4).join(', ')}${eng.length > 4 ? ', …' : ''})` : ''}`,
  );
  out.info();
  const v = r.validation as Record<string, unknown>;
  const t = r.test as Record<string, unknown>;
  const keys = r.task === 'regression' ? ['rmse', 'mae', 'r2'] : ['logloss', 'accuracy', 'mcc', 'auc'];
  const num = (x: unknown): string => (typeof x === 'number' ? fmt(x) : '');
  const rows = keys.map((k) => [k, num(v[k]), num(t[k])]);
  if (r.task !== 'regression') {
    const vm = v['macro'] as Record<string, number> | undefined;
    const tm = t['macro'] as Record<string, number> | undefined;
    for (const k of ['precision', 'recall', 'f1']) rows.push([`macro ${k}`, num(vm?.[k]), num(tm?.[k])]);
  }
  const scheme =
    r.search.validation === 'holdout'
      ? `holdout, ${r.search.validationRows} rows`
      : `${r.search.validation}-fold, out of fold`;
  out.info(formatTable(['scores', `validation (${scheme})`, 'test'], rows, [false, true, true]));
  const thresholds = r.thresholds;
  if (thresholds) {
    // One line under 80 characters: a long class label is shortened to fit.
    const th = (x: number): string => String(Number(x.toPrecision(4)));
    const line = (pos: string): string =>
      `  thresholds on p('${pos}'), out of fold: best F1 at ${th(thresholds.f1)}, best MCC at ${th(thresholds.mcc)}`;
    const room = 79 - line('').length;
    const pos = thresholds.positiveClass;
    out.info(line(pos.length <= room ? pos : `${pos.slice(0, Math.max(1, room - 1))}…`));
  }
  out.info();
  const metricName = s.scorer ?? (r.task === 'regression' ? 'rmse' : 'logloss');
  out.info(
    formatTable(
      ['variable importance (permutation, out of fold)', 'relative', `${metricName} worse by`, 'gain share'],
      r.importance
        .slice(0, 8)
        .map((i) => [
          i.feature,
          i.importance === null ? '–' : i.importance.toFixed(3),
          i.permutation === null ? 'not measured' : fmt(i.permutation),
          i.gain === null ? '–' : i.gain.toFixed(3),
        ]),
      [false, true, true, true],
    ),
  );
  out.info();
  out.info(
    `  scorer: ${r.scoreMicrosPerRow.toFixed(1)} µs per row; elapsed ${r.seconds.total.toFixed(1)} s (search ${r.seconds.search.toFixed(1)} s, refit ${r.seconds.refit.toFixed(1)} s); peak memory ${(r.peakRssBytes / 1048576).toFixed(0)} MB`,
  );
  out.info(`  pipeline   ${r.pipelinePath} (${fmtBytes(r.pipelineBytes)})`);
  out.info(`  experiment ${r.experimentDir}`);
}
