/**
 * An experiment's files, its last stage: the experiment folder (experiments/runs/<name>/) with
 * experiment.json (written 'running' once the input has been checked, then 'finished',
 * 'interrupted' or 'failed' with the error), leaderboard.csv, test-predictions.csv and run.log;
 * the pipeline file itself is written by export.ts. Every file is written to a temporary name and
 * renamed: nothing half-written is left behind.
 */
import { join } from 'node:path';
import type { Table } from '../data/table.js';
import { csvCell } from '../serve/batch-csv.js';
import { AutomlError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { packageVersion } from '../util/paths.js';
import type { LeaderboardEntry } from './automl.js';

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
   * After an error: when the run had started, experiment.json says 'failed' (or 'interrupted')
   * with the error, and run.log holds what happened until then.
   */
  async fail(e: unknown): Promise<void> {
    if (!this.started) return;
    const error = {
      message: e instanceof Error ? e.message : String(e),
      ...(e instanceof AutomlError ? { code: e.code } : {}),
    };
    const status = e instanceof AutomlError && e.code === 'INTERRUPTED' ? 'interrupted' : 'failed';
    await writeFileAtomic(
      join(this.dir, 'experiment.json'),
      `${JSON.stringify({ ...this.started, status, endedAt: new Date().toISOString(), error }, null, 2)}\n`,
    );
    await writeFileAtomic(
      join(this.dir, 'run.log'),
      `${[...this.logLines, `${status}: ${error.message}`].join('\n')}\n`,
    );
  }

  /** The finished run: experiment.json with the result, the leaderboard, the test predictions, the log. */
  async finish(
    result: Record<string, unknown>,
    data: DataFiles,
    leaderboard: readonly LeaderboardEntry[],
    predictions: { target: string; classes: readonly string[] | null; y: Float64Array; pred: Float64Array },
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
    await writeFileAtomic(join(this.dir, 'leaderboard.csv'), leaderboardCsv(leaderboard));
    await writeFileAtomic(
      join(this.dir, 'test-predictions.csv'),
      predictionsCsv(predictions.target, predictions.classes, predictions.y, predictions.pred),
    );
    await writeFileAtomic(join(this.dir, 'run.log'), `${this.logLines.join('\n')}\n`);
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
  'error',
] as const;

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
      e.error ?? '',
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

/** The actual label, then one column per class named `<target>.<class>`, as in the tutorial. */
function predictionsCsv(
  target: string,
  classes: readonly string[] | null,
  y: Float64Array,
  pred: Float64Array,
): string {
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
