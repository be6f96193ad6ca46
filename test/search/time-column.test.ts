/**
 * A time column (`automl run --time-column COL`): the test part is the latest 25% of the rows
 * (not stratified), and the folds chain forward in time (an expanding window): no training row
 * of any fold is later than any of its validation rows, the earliest block is never validated,
 * and the ensemble, the calibration and the validation metrics use only the rows that have
 * out-of-fold predictions.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LinearNode } from '../../src/artifact/format/linear.js';
import { readCsv } from '../../src/data/csv.js';
import { Table } from '../../src/data/table.js';
import { runExperiment, type ExperimentSettings } from '../../src/search/experiment.js';
import { foldRows, runFold } from '../../src/search/fold-job.js';
import { foldPlan, timeFolds } from '../../src/search/folds.js';
import { prepareData } from '../../src/search/prepare.js';
import { baselineFeatures } from '../../src/search/space.js';
import { isoTime, timeValues } from '../../src/split/time.js';
import { AutomlError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';
import { roleRows, writeRoleCsv } from './row-roles-data.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-time-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = (name: string, extra: Partial<ExperimentSettings> = {}): ExperimentSettings => ({
  name,
  target: 'y',
  task: 'auto',
  seed: 5,
  drop: ['site', 'w'],
  time: 1,
  accuracy: 4,
  interpretability: 5,
  maxModels: 3,
  threads: 1,
  outDir: join(dir, name),
  timeColumn: 'date',
  ...extra,
});

/** No training row of fold f is later than any of its validation rows, for every fold. */
function expectForward(fold: Int32Array, times: ArrayLike<number>, k: number): void {
  for (let f = 0; f < k; f++) {
    const { train, valid } = foldRows(fold, f, true);
    expect(valid.length, `fold ${f}`).toBeGreaterThan(0);
    expect(train.length, `fold ${f}`).toBeGreaterThan(0);
    const latestTrain = Math.max(...train.map((i) => times[i]!));
    const earliestValid = Math.min(...valid.map((i) => times[i]!));
    expect(latestTrain, `fold ${f}`).toBeLessThan(earliestValid);
  }
}

describe('timeFolds: forward chaining', () => {
  it('k + 1 blocks in time order; fold f validates block f + 1 and trains on the blocks before', () => {
    const times = new Rng(4).shuffle(Array.from({ length: 100 }, (_, i) => 1000 + 7 * i));
    const fold = timeFolds(times, 3);
    expect([...new Set(fold)].sort()).toEqual([-1, 0, 1, 2]);
    for (const f of [-1, 0, 1, 2]) expect(fold.filter((x) => x === f).length).toBe(25);
    expectForward(fold, times, 3);
    // The training rows of fold f are all the rows of the earlier blocks (an expanding window).
    expect(foldRows(fold, 2, true).train.length).toBe(75);
    const holdout = timeFolds(times, 'holdout');
    expect(holdout.filter((x) => x === 0).length).toBe(20);
    expectForward(holdout, times, 1);
  });

  it('rows of the same time stay in one block; too few distinct times are refused', () => {
    const times = Array.from({ length: 40 }, (_, i) => Math.floor(i / 4)); // 10 times, 4 rows each
    const fold = timeFolds(times, 3);
    for (let t = 0; t < 10; t++) expect(new Set(fold.filter((_, i) => times[i] === t)).size).toBe(1);
    for (let f = 0; f < 3; f++) {
      const { train, valid } = foldRows(fold, f, true);
      expect(Math.max(...train.map((i) => times[i]!))).toBeLessThan(Math.min(...valid.map((i) => times[i]!)));
    }
    expect(() =>
      foldPlan(5, { trainTimes: Float64Array.from({ length: 30 }, (_, i) => i % 3), timeColumn: 'd' }),
    ).toThrow(AutomlError);
  });
});

describe('time values', () => {
  it('reads numbers and ISO 8601 dates; refuses other text and missing times naming the line', () => {
    expect(isoTime('2024-03-01')).toBe(Date.UTC(2024, 2, 1));
    expect(isoTime('2024-03-01T12:30:15')).toBe(Date.UTC(2024, 2, 1, 12, 30, 15));
    expect(isoTime('2024-03-01 12:30:15.250Z')).toBe(Date.UTC(2024, 2, 1, 12, 30, 15, 250));
    expect(isoTime('2024-03-01T12:00:00+01:00')).toBe(Date.UTC(2024, 2, 1, 11));
    expect(isoTime('2024-02-30')).toBeNaN();
    expect(isoTime('01/03/2024')).toBeNaN();
    const t = new Table(
      [
        { name: 'd', type: 'categorical', codes: Int32Array.of(0, 1, -1), levels: ['2024-01-02', '2023-12-31'] },
        { name: 'n', type: 'numeric', values: Float64Array.of(3, 1, 2) },
        { name: 'bad', type: 'categorical', codes: Int32Array.of(0, 1, 0), levels: ['2024-01-02', 'soon'] },
      ],
      3,
    );
    expect([...timeValues(t, 'n')]).toEqual([3, 1, 2]);
    expect(() => timeValues(t, 'd')).toThrow(/--time-column d is missing on line 4/);
    expect(() => timeValues(t, 'bad')).toThrow(
      /--time-column bad holds 'soon' on line 3: not a number nor an ISO 8601 date/,
    );
  });
});

describe('--time-column in a run', () => {
  it('the test split is the latest 25%, not stratified; the date is not a feature', async () => {
    const rows = roleRows(400, 6);
    const data = await readCsv(writeRoleCsv(dir, rows, 'split.csv'));
    const p = prepareData(data, undefined, settings('split'));
    expect(p.features).not.toContain('date');
    expect(p.dropped.find((d) => d.column === 'date')?.reason).toMatch(/--time-column/);
    expect(p.yTest.length).toBe(100);
    const dayOf = (row: number): number => rows[row]!.day;
    const testRows = p.testIds.values.map((line) => Number(line) - 2);
    const latestTrain = Math.max(...p.trainRows.map(dayOf));
    const earliestTest = Math.min(...testRows.map(dayOf));
    expect(latestTrain).toBeLessThan(earliestTest);
    expect(earliestTest).toBe(300); // exactly the latest quarter of the days
  });

  it('the folds chain forward; a fold model never saw a later row; OOF-only rows feed the ensemble and the metrics', async () => {
    // The day itself is a feature too (+ 0.5: not a row counter, which would be dropped as an
    // identifier): a fold's GLM centres it on the rows it trained on.
    const rows = roleRows(400, 6);
    const path = writeRoleCsv(dir, rows, 'run.csv');
    const text = readFileSync(path, 'utf8').trimEnd().split('\n');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      path,
      `${[`${text[0]},day`, ...text.slice(1).map((l, i) => `${l},${rows[i]!.day + 0.5}`)].join('\n')}\n`,
    );
    const data = await readCsv(path);
    const s = settings('run');
    const p = prepareData(data, undefined, s);
    const plan = foldPlan(3, { trainTimes: p.trainTimes!, timeColumn: 'date' });
    expect(plan.forward).toBe(true);
    expectForward(plan.folds!, p.trainTimes!, 3);
    const day = Float64Array.from(p.trainRows, (r) => rows[r]!.day + 0.5);
    const task = { ...p.cvTask, forward: true };
    const candidate = { family: 'glm' as const, params: {}, features: baselineFeatures(p.train, p.features, 10) };
    for (let f = 0; f < 3; f++) {
      const out = await runFold(p.train, task, plan.folds!, { candidate, fold: f, seed: 3 });
      const node = out.nodes.model as LinearNode;
      const j = out.nodes.features.features.indexOf('day');
      expect(j).toBeGreaterThanOrEqual(0);
      const firstValid = Math.min(...foldRows(plan.folds!, f).valid.map((i) => day[i]!));
      // Its mean of the day over the rows it trained on is below the first day it validates,
      // and close to the mean of the earlier days (a fit on all rows would be near 150).
      expect(node.center[j]!).toBeLessThan(firstValid);
      expect(node.center[j]!).toBeCloseTo((firstValid - 0.5) / 2 + 0.5, -1);
    }

    const r = await runExperiment(data, undefined, s);
    expect(r.search.validation).toBe(3);
    expect(r.search.folds.scheme).toBe('time');
    // Out-of-fold predictions exist for the 3 later blocks only: 3/4 of the training rows.
    expect(r.search.validationRows).toBe(plan.folds!.filter((x) => x >= 0).length);
    expect(r.search.validationRows).toBe(225);
    expect(r.validation['logloss']).toBeGreaterThan(0);
    const run = JSON.parse(readFileSync(join(r.experimentDir, 'experiment.json'), 'utf8')) as {
      settings: { timeColumn: string };
    };
    expect(run.settings.timeColumn).toBe('date');
    const log = readFileSync(join(r.experimentDir, 'run.log'), 'utf8');
    expect(log).toMatch(/validation: 3 folds forward in date order: 4 blocks/);
  }, 120_000);
});
