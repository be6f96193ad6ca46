/**
 * Real run folders for the report tests, made once per test file (each a few seconds): `automl
 * run`'s library entry (runExperiment) on the embedded hydraulic data (cool_cond_y, multiclass;
 * stable_y, binary), on a small seeded synthetic regression table, and one run interrupted after
 * its first candidate; plus run folders as they look after a failure, while running, damaged,
 * from an older version, and a folder that is not a run. Every run goes into one temporary working
 * folder ({@link fixtureRoot}; its experiments/runs/ holds them all), removed when the process
 * exits.
 *
 * @example
 * const run = await classificationRun();
 * const report = await loadRun(run.dir);
 * expect(report.test?.metrics.mcc).toBe(run.json.test.mcc);
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HYDRAULIC_LABELS } from '../../recipes/hydraulic/schema.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { readCsv } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import { runExperiment, type ExperimentResult, type ExperimentSettings } from '../../src/search/experiment.js';
import { RunFiles, dataFiles } from '../../src/search/run-files.js';
import { AutomlError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';

/** A run made by runExperiment: where it is, what it returned, and experiment.json as written. */
export interface FixtureRun {
  /** The working folder (pipelines/ and experiments/runs/ under it): {@link fixtureRoot}. */
  outDir: string;
  name: string;
  /** The run folder, experiments/runs/<name>. */
  dir: string;
  result: ExperimentResult;
  /** experiment.json, parsed. */
  json: ExperimentJson;
}

/** experiment.json as the tests read it. */
export type ExperimentJson = Record<string, unknown> & {
  status: string;
  test: Record<string, unknown>;
  validation: Record<string, unknown>;
  importance: { feature: string; importance: number | null; permutation: number | null; gain: number | null }[];
};

let root: string | undefined;

/** The temporary working folder every fixture run is written under (made on first use). */
export function fixtureRoot(): string {
  if (!root) {
    const made = mkdtempSync(join(tmpdir(), 'automl-report-'));
    root = made;
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return root;
}

/** experiments/runs/ of the fixture's working folder. */
export function fixtureRunsDir(): string {
  return join(fixtureRoot(), 'experiments', 'runs');
}

const cache = new Map<string, Promise<FixtureRun>>();

function cached(key: string, make: () => Promise<FixtureRun>): Promise<FixtureRun> {
  let p = cache.get(key);
  if (!p) {
    p = make();
    cache.set(key, p);
  }
  return p;
}

let hydraulic: Promise<Table> | undefined;
function hydraulicTable(): Promise<Table> {
  hydraulic ??= readCsv(embeddedDataPath());
  return hydraulic;
}

function settings(name: string, target: string, extra: Partial<ExperimentSettings> = {}): ExperimentSettings {
  const labels = HYDRAULIC_LABELS.includes(target)
    ? { labelColumns: { recipe: 'hydraulic', columns: HYDRAULIC_LABELS } }
    : {};
  return {
    name,
    target,
    task: 'auto',
    seed: 42,
    drop: [],
    time: 3,
    accuracy: 5,
    interpretability: 5,
    maxModels: 4,
    outDir: fixtureRoot(),
    ...labels,
    ...extra,
  };
}

async function run(
  data: Table,
  s: ExperimentSettings,
  hooks: Parameters<typeof runExperiment>[3] = {},
): Promise<FixtureRun> {
  const result = await runExperiment(data, undefined, s, hooks);
  const dir = join(s.outDir, 'experiments', 'runs', s.name);
  const json = JSON.parse(readFileSync(join(dir, 'experiment.json'), 'utf8')) as ExperimentJson;
  return { outDir: s.outDir, name: s.name, dir, result, json };
}

/** The tutorial's target, cool_cond_y (3 classes), on the embedded data: 4 candidates, seed 42. */
export function classificationRun(): Promise<FixtureRun> {
  return cached('cool', async () => run(await hydraulicTable(), settings('cool-report', 'cool_cond_y')));
}

/** A binary target, stable_y, on the embedded data: 3 candidates, seed 42 (with decision thresholds). */
export function binaryRun(): Promise<FixtureRun> {
  return cached('stable', async () =>
    run(await hydraulicTable(), settings('stable-report', 'stable_y', { maxModels: 3 })),
  );
}

/**
 * cool_cond_y again, stopped as Ctrl-C stops it once the first candidate is scored: the best so
 * far is finished and the run is marked interrupted.
 */
export function interruptedRun(): Promise<FixtureRun> {
  return cached('interrupted', async () => {
    let scored = 0;
    return run(await hydraulicTable(), settings('cool-interrupted', 'cool_cond_y', { maxModels: 8 }), {
      onEntry: () => {
        scored++;
      },
      shouldStop: () => scored >= 1,
    });
  });
}

/** The columns of the synthetic regression table. */
export const REGRESSION_COLUMNS = ['x1', 'x2', 'x3', 'noise', 'kind', 'y'] as const;

/**
 * A seeded synthetic regression table (400 rows): y = 3·x1 − 2·x2² + x3·(kind = b) + noise; a
 * categorical `kind` with 3 levels, a feature of pure noise.
 */
export function regressionCsv(path: string, rows = 400, seed = 5): string {
  const rng = new Rng(seed);
  const kinds = ['a', 'b', 'c'];
  const lines = [REGRESSION_COLUMNS.join(',')];
  for (let i = 0; i < rows; i++) {
    const x1 = rng.next() * 4 - 2;
    const x2 = rng.next() * 2 - 1;
    const x3 = rng.next() * 10;
    const noise = rng.next();
    const kind = kinds[Math.floor(rng.next() * 3)]!;
    const y = 3 * x1 - 2 * x2 * x2 + (kind === 'b' ? x3 : 0) + (rng.next() - 0.5) * 0.5;
    lines.push([x1, x2, x3, noise, kind, y].map((v) => (typeof v === 'number' ? v.toFixed(4) : v)).join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A regression run on {@link regressionCsv}: 3 candidates, seed 42. */
export function regressionRun(): Promise<FixtureRun> {
  return cached('regression', async () => {
    const path = regressionCsv(join(fixtureRoot(), 'synthetic-regression.csv'));
    return run(await readCsv(path), settings('synth-regression', 'y', { maxModels: 3 }));
  });
}

/**
 * A run folder as a run that failed after its start leaves it (written by the run's own
 * RunFiles): experiment.json says 'failed' with the error; run.log; nothing else.
 */
export async function failedRun(
  name = 'failed-run',
  message = 'out of memory while fitting candidate 3',
): Promise<string> {
  const data = await hydraulicTable();
  const files = new RunFiles(fixtureRoot(), name);
  await files.start(
    { ...settings(name, 'cool_cond_y'), outDir: undefined, labelColumns: undefined },
    dataFiles(data, undefined),
  );
  files.logLines.push('    0.0s  target cool_cond_y: multiclass (3, 20, 100)');
  await files.fail(new Error(message));
  return files.dir;
}

/** A run folder interrupted before any candidate was scored: nothing was finished. */
export async function interruptedEarlyRun(name = 'interrupted-early'): Promise<string> {
  const data = await hydraulicTable();
  const files = new RunFiles(fixtureRoot(), name);
  await files.start(
    { ...settings(name, 'cool_cond_y'), outDir: undefined, labelColumns: undefined },
    dataFiles(data, undefined),
  );
  await files.fail(new AutomlError('INTERRUPTED', 'interrupted before any candidate was scored; nothing to finish'));
  return files.dir;
}

/** A run folder while its run is still going (or was killed): experiment.json says 'running'. */
export async function runningRun(name = 'running-run'): Promise<string> {
  const data = await hydraulicTable();
  const files = new RunFiles(fixtureRoot(), name);
  await files.start(
    { ...settings(name, 'cool_cond_y'), outDir: undefined, labelColumns: undefined },
    dataFiles(data, undefined),
  );
  return files.dir;
}

/** A copy of a run whose experiment.json is cut off half way (not JSON), the rest intact. */
export function damagedRun(from: FixtureRun, name = 'damaged-run'): string {
  const dir = join(fixtureRunsDir(), name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(from.dir, dir, { recursive: true });
  const text = readFileSync(join(dir, 'experiment.json'), 'utf8');
  writeFileSync(join(dir, 'experiment.json'), text.slice(0, Math.floor(text.length / 2)));
  return dir;
}

/** A folder under experiments/runs/ that is not a run: it holds none of a run's files. */
export function notARunDir(name = 'notes'): string {
  const dir = join(fixtureRunsDir(), name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'README.txt'), 'scratch notes, not a run\n');
  return dir;
}

/** What {@link olderRun} removes from experiment.json's test metrics. */
export const OLDER_TEST_MEMBERS_REMOVED = ['confusion', 'perClass', 'mcc', 'macro', 'auc'] as const;

/**
 * A copy of a run as an older version of the tool would have written it: experiment.json without
 * the ensemble, the checks, the thresholds, the pipeline's speed and features, the importance's
 * gain and raw worsening, and the test metrics other than logloss and accuracy; leaderboard.csv
 * without its logloss, start and finish columns.
 */
export function olderRun(from: FixtureRun, name = 'older-run'): string {
  const dir = join(fixtureRunsDir(), name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(from.dir, dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(dir, 'experiment.json'), 'utf8')) as Record<string, unknown>;
  for (const k of [
    'ensemble',
    'final',
    'checks',
    'thresholds',
    'scoreMicrosPerRow',
    'featuresUsed',
    'testUnseenLevels',
  ])
    delete json[k];
  json['toolVersion'] = '0.0.1';
  const test = json['test'] as Record<string, unknown>;
  for (const k of OLDER_TEST_MEMBERS_REMOVED) delete test[k];
  json['importance'] = (json['importance'] as { feature: string; importance: number | null }[]).map((i) => ({
    feature: i.feature,
    importance: i.importance,
  }));
  writeFileSync(join(dir, 'experiment.json'), `${JSON.stringify(json, null, 2)}\n`);
  const lb = readFileSync(join(dir, 'leaderboard.csv'), 'utf8').trimEnd().split('\n');
  // The params cell holds commas inside quotes: keep the first columns through 'score' only.
  const kept = lb.map((line) => {
    const cells = splitCsvLine(line);
    return [...cells.slice(0, 7), cells[8]!].join(',');
  });
  writeFileSync(join(dir, 'leaderboard.csv'), `${kept.join('\n')}\n`);
  return dir;
}

/** Splits a CSV line into its raw cells (quotes kept), for rewriting a file's columns. */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}
