/**
 * An experiment's files, its last stage: the experiment folder (experiments/runs/<name>/) with
 * experiment.json (written 'running' once the input has been checked, then 'finished',
 * 'interrupted' or 'failed' with the error), leaderboard.csv, test-predictions.csv and run.log;
 * the pipeline file itself is written by export.ts. Every file is written to a temporary name and
 * renamed: nothing half-written is left behind.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Table } from '../data/table.js';
import { csvCell } from '../serve/batch-csv.js';
import { AutomlError } from '../util/errors.js';
import { tempPathFor, writeFileAtomic } from '../util/fs.js';
import { packageVersion } from '../util/paths.js';
import type { LeaderboardEntry } from './automl.js';
import type { RowIds } from './prepare.js';

/** Where the data came from: path and sha256 of each file (null for a table not read from a file). */
export interface DataFiles {
  train: { path: string; sha256: string } | null;
  test: { path: string; sha256: string } | null;
}

export function dataFiles(data: Table, test: Table | undefined): DataFiles {
  const of = (t: Table | undefined): { path: string; sha256: string } | null =>
    t?.source ? { path: t.source.path, sha256: t.source.sha256 } : null;
  return { train: of(data), test: of(test) };
}

export class RunFiles {
  /** The experiment folder. */
  readonly dir: string;
  readonly pipelinePath: string;
  /** The run's log, as run.log will hold it. */
  readonly logLines: string[] = [];
  /** experiment.json as written when the run started (null before). */
  private started: Record<string, unknown> | null = null;
  /** The search's leaderboard once it exists: written as leaderboard.csv even if the run then fails. */
  leaderboard: readonly LeaderboardEntry[] | null = null;
  /** The finished run's experiment.json once written, and whether every file of it is. */
  private written: Record<string, unknown> | null = null;
  private done = false;

  constructor(outDir: string, name: string) {
    this.dir = join(outDir, 'experiments', 'runs', name);
    this.pipelinePath = join(outDir, 'pipelines', `${name}.pipeline.json`);
  }

  /** experiment.json says 'running', with the settings and the data's files. */
  async start(settings: Record<string, unknown>, data: DataFiles): Promise<void> {
    const record = {
      tool: 'automl',
      toolVersion: packageVersion(),
      status: 'running',
      startedAt: new Date().toISOString(),
      settings,
      data,
    };
    await writeFileAtomic(join(this.dir, 'experiment.json'), `${JSON.stringify(record, null, 2)}\n`);
    this.started = record;
  }

  /**
   * After an error: when the run had started, experiment.json says 'failed' (or 'interrupted',
   * with the signal) with the error, leaderboard.csv holds the search's candidates if it got that
   * far, and run.log what happened until then (with the stack trace of an internal error).
   */
  async fail(e: unknown, interruptedBy: string | null = null): Promise<void> {
    if (!this.started) return;
    const error = {
      message: e instanceof Error ? e.message : String(e),
      ...(e instanceof AutomlError ? { code: e.code } : {}),
    };
    const interrupted = e instanceof AutomlError && e.code === 'INTERRUPTED';
    const status = interrupted ? 'interrupted' : 'failed';
    const record = {
      ...this.started,
      status,
      ...(interrupted && interruptedBy ? { interruptedBy } : {}),
      endedAt: new Date().toISOString(),
      error,
    };
    await writeFileAtomic(join(this.dir, 'experiment.json'), `${JSON.stringify(record, null, 2)}\n`);
    if (this.leaderboard) await writeFileAtomic(join(this.dir, 'leaderboard.csv'), leaderboardCsv(this.leaderboard));
    const stack = e instanceof Error && !(e instanceof AutomlError) && e.stack ? [e.stack] : [];
    await writeFileAtomic(
      join(this.dir, 'run.log'),
      `${[...this.logLines, `${status}: ${error.message}`, ...stack].join('\n')}\n`,
    );
  }

  /**
   * A last interrupt: the process exits right after this, so it writes synchronously (each file
   * to a temporary name, then renamed). experiment.json says 'interrupted' (keeping the results if
   * the finished run's had been written) and run.log holds the log. Nothing when the run had not
   * started or its files are all written.
   */
  interruptNow(message: string, interruptedBy: string): void {
    if (!this.started || this.done) return;
    const endedAt = new Date().toISOString();
    const record = this.written
      ? { ...this.written, status: 'interrupted', interruptedBy }
      : { ...this.started, status: 'interrupted', interruptedBy, endedAt, error: { message, code: 'INTERRUPTED' } };
    writeFileAtomicSync(join(this.dir, 'experiment.json'), `${JSON.stringify(record, null, 2)}\n`);
    writeFileAtomicSync(join(this.dir, 'run.log'), `${[...this.logLines, `interrupted: ${message}`].join('\n')}\n`);
  }

  /** The finished run: experiment.json with the result, the leaderboard, the test predictions, the log. */
  async finish(
    result: Record<string, unknown>,
    data: DataFiles,
    leaderboard: readonly LeaderboardEntry[],
    predictions: TestPredictions,
  ): Promise<void> {
    const record = {
      tool: 'automl',
      toolVersion: packageVersion(),
      startedAt: this.started?.['startedAt'],
      finishedAt: new Date().toISOString(),
      data,
      ...result,
    };
    await writeFileAtomic(join(this.dir, 'experiment.json'), `${JSON.stringify(record, null, 2)}\n`);
    this.written = record;
    await writeFileAtomic(join(this.dir, 'leaderboard.csv'), leaderboardCsv(leaderboard));
    await writeFileAtomic(join(this.dir, 'test-predictions.csv'), predictionsCsv(predictions));
    await writeFileAtomic(join(this.dir, 'run.log'), `${this.logLines.join('\n')}\n`);
    this.done = true;
  }
}

/** writeFileAtomic, synchronously: for the moment before the process exits. */
function writeFileAtomicSync(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** leaderboard.csv's columns, in order. */
export const LEADERBOARD_COLUMNS = [
  'id',
  'family',
  'features',
  'params',
  'status',
  'folds',
  'score',
  'logloss',
  'fit_seconds',
  'started_seconds',
  'finished_seconds',
  'rounds',
  'cut_folds',
  'error',
] as const;

/**
 * Columns a leaderboard.csv written before them lacks (read as empty, not as damage): the
 * rounds / trees / epochs each fold's model kept, space-separated, and the folds whose fit the
 * deadline stopped before its rounds were done.
 */
export const LEADERBOARD_NEWER_COLUMNS: readonly (typeof LEADERBOARD_COLUMNS)[number][] = ['rounds', 'cut_folds'];

/**
 * A candidate whose fits its deadline stopped before their rounds were done, in words, for
 * run.log and the report: a fit cut short scores worse than its family would with its time (a
 * forest of a few trees gives probabilities near 0 and 1). `unit`: what a round is ('trees').
 *
 * @example
 * deadlineCut({ cutFolds: 1, folds: 3, rounds: [9, 100, 100] }, 'trees');
 * // 'its deadline stopped 1 of 3 fits short (trees kept: 9, 100, 100)'
 */
export function deadlineCut(e: { cutFolds: number; folds: number; rounds: readonly number[] }, unit?: string): string {
  const kept = e.rounds.length > 0 ? ` (${unit ? `${unit} ` : ''}kept: ${e.rounds.join(', ')})` : '';
  return `its deadline stopped ${e.cutFolds} of ${e.folds} fit${e.folds === 1 ? '' : 's'} short${kept}`;
}

function leaderboardCsv(entries: readonly LeaderboardEntry[]): string {
  const head = LEADERBOARD_COLUMNS;
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
      e.rounds.join(' '),
      String(e.cutFolds),
      e.error ?? '',
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

/** The test rows' predictions, as test-predictions.csv holds them. */
export interface TestPredictions {
  target: string;
  /** The classes, in the order of the probabilities; null for regression. */
  classes: readonly string[] | null;
  /** Per test row: the actual class index, or value. */
  y: Float64Array;
  /** Row-major: a probability per class, or the value. */
  pred: Float64Array;
  /** What identifies each row (its line in the input file, or the `--id-column`); left out when absent. */
  ids?: RowIds;
}

/**
 * test-predictions.csv: the row's line in the input file (or its `--id-column` value), the actual
 * label, then (classification) one probability column per class named `<target>.<class>` and
 * `<target>.predicted`, the most probable class (ties: the first; for a binary target too, as
 * `automl score` predicts by default: the out-of-fold best-F1 threshold is in experiment.json and
 * `automl score --threshold best-f1` applies it), or (regression) `<target>.predicted`, the value.
 */
export function predictionsCsv(p: TestPredictions): string {
  const { target, classes, y, pred, ids } = p;
  const head = [
    ...(ids ? [ids.name] : []),
    target,
    ...(classes ? classes.map((c) => `${target}.${c}`) : []),
    `${target}.predicted`,
  ];
  const width = classes ? classes.length : 1;
  const out = [head.map(csvCell).join(',')];
  for (let i = 0; i < y.length; i++) {
    const actual = classes ? classes[y[i]!]! : String(y[i]);
    const cells = ids ? [csvCell(ids.values[i]!), csvCell(actual)] : [csvCell(actual)];
    const o = i * width;
    for (let k = 0; k < width; k++) cells.push(String(pred[o + k]));
    if (classes) {
      let best = 0;
      for (let k = 1; k < width; k++) if (pred[o + k]! > pred[o + best]!) best = k;
      cells.push(csvCell(classes[best]!));
    }
    out.push(cells.join(','));
  }
  return `${out.join('\n')}\n`;
}
