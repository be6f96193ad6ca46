/**
 * The user's folds (`automl run --fold COL`): each distinct value of the column is one validation
 * fold (2 to 20 of them, whatever the accuracy dial), every fold job validates exactly one label's
 * rows and trains on the others, the column is not a feature, and the 75/25 test split is made as
 * without `--fold` (the folds come from the column within the train part).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/data/csv.js';
import { cellText } from '../../src/data/table.js';
import { search } from '../../src/search/automl.js';
import { runExperiment, type ExperimentSettings } from '../../src/search/experiment.js';
import { foldRows, runFold } from '../../src/search/fold-job.js';
import { foldPlan } from '../../src/search/folds.js';
import { prepareData } from '../../src/search/prepare.js';
import { baselineFeatures } from '../../src/search/space.js';
import { userFolds } from '../../src/split/roles.js';
import { AutomlError } from '../../src/util/errors.js';
import { roleRows, SITES, writeRoleCsv } from './row-roles-data.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-user-folds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = (name: string, extra: Partial<ExperimentSettings> = {}): ExperimentSettings => ({
  name,
  target: 'y',
  task: 'auto',
  seed: 5,
  drop: ['date', 'w'],
  time: 1,
  accuracy: 2,
  interpretability: 5,
  maxModels: 3,
  threads: 1,
  outDir: join(dir, name),
  foldColumn: 'site',
  ...extra,
});

describe('userFolds', () => {
  it('numbers the labels in sorted order (numbers by value)', () => {
    expect(userFolds(['b', 'a', 'b', 'c'])).toEqual({ fold: Int32Array.of(1, 0, 1, 2), labels: ['a', 'b', 'c'] });
    expect(userFolds([10, 9, 10, 100]).fold).toEqual(Int32Array.of(1, 0, 1, 2));
  });
});

describe('--fold', () => {
  it('every fold validates exactly one label’s rows and trains on all the others', async () => {
    const data = await readCsv(writeRoleCsv(dir, roleRows(300, 8), 'folds.csv'));
    const s = settings('folds');
    const p = prepareData(data, undefined, s);
    expect(p.dropped.find((d) => d.column === 'site')?.reason).toMatch(/--fold/);
    expect(p.features).not.toContain('site');
    expect(p.userFolds!.labels).toEqual([...SITES]);
    // The test split is the one made without --fold (the same seed and strata).
    const plain = prepareData(data, undefined, { ...s, foldColumn: undefined, drop: ['date', 'w', 'site'] });
    expect(p.trainRows).toEqual(plain.trainRows);

    const plan = foldPlan('holdout', { userFolds: p.userFolds!, foldColumn: 'site' });
    expect(plan.validation).toBe(4); // the dial's holdout gives way to the user's 4 folds
    const site = data.column('site');
    const labelOf = (trainRow: number): string => cellText(site, p.trainRows[trainRow]!);
    for (let f = 0; f < 4; f++) {
      const { train, valid } = foldRows(plan.folds!, f);
      expect(valid.length).toBeGreaterThan(0);
      expect(new Set(valid.map(labelOf))).toEqual(new Set([SITES[f]]));
      expect(train.every((i) => labelOf(i) !== SITES[f])).toBe(true);
      expect(train.length + valid.length).toBe(p.train.nRows);
    }

    // A fold job predicts exactly its label's rows; the search scores on the 4 folds.
    const candidate = { family: 'glm' as const, params: {}, features: baselineFeatures(p.train, p.features, 5) };
    const out = await runFold(p.train, p.cvTask, plan.folds!, { candidate, fold: 2, seed: 1 });
    expect(out.pred.length).toBe(2 * foldRows(plan.folds!, 2).valid.length);
    const r = await search(p.train, p.cvTask, p.features, {
      seed: 5,
      metric: 'logloss',
      validation: plan.validation,
      folds: plan.folds!,
      maxModels: 2,
      interpretability: 5,
      threads: 1,
    });
    expect(r.fold).toBe(plan.folds);
    expect(r.best.cv.foldScores.length).toBe(4);
    expect([...r.best.foldModels.keys()].sort()).toEqual([0, 1, 2, 3]);
  });

  it('a run: validation is the 4 folds of site (accuracy 2 would be a holdout); experiment.json and the pipeline say so', async () => {
    const data = await readCsv(writeRoleCsv(dir, roleRows(300, 8), 'run.csv'));
    const r = await runExperiment(data, undefined, settings('run'));
    expect(r.search.validation).toBe(4);
    expect(r.search.folds.scheme).toBe('user');
    expect(r.search.folds.description).toBe('4 folds of site (east, north, south, west)');
    expect(r.search.validationRows).toBe(r.rows.train);
    const run = JSON.parse(readFileSync(join(r.experimentDir, 'experiment.json'), 'utf8')) as {
      settings: { foldColumn: string };
      search: { folds: { scheme: string } };
    };
    expect(run.settings.foldColumn).toBe('site');
    expect(run.search.folds.scheme).toBe('user');
    const pipeline = JSON.parse(readFileSync(r.pipelinePath, 'utf8')) as { features: { inputs: { name: string }[] } };
    expect(pipeline.features.inputs.map((f) => f.name)).not.toContain('site');
  }, 120_000);

  it('refuses one label, more than 20, or a missing label (naming the line); and --fold with --time-column', async () => {
    const rows = roleRows(80, 2);
    const refused = async (name: string, edit: (r: (typeof rows)[number], i: number) => void): Promise<AutomlError> => {
      const copy = rows.map((r) => ({ ...r }));
      copy.forEach(edit);
      const data = await readCsv(writeRoleCsv(dir, copy, `${name}.csv`));
      try {
        prepareData(data, undefined, settings(name));
      } catch (e) {
        expect(e).toBeInstanceOf(AutomlError);
        expect((e as AutomlError).code).toBe('BAD_OPTION');
        return e as AutomlError;
      }
      throw new Error(`${name}: not refused`);
    };
    expect((await refused('one', (r) => (r.site = 'all'))).message).toMatch(
      /--fold site has 1 distinct value on the training rows; it needs 2 to 20/,
    );
    expect((await refused('many', (r, i) => (r.site = `s${i % 25}`))).message).toMatch(
      /--fold site has 25 distinct values .* it needs 2 to 20 .*group the values into fewer folds/,
    );
    const path = writeRoleCsv(dir, rows, 'gap.csv');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[9] = lines[9]!.replace(/,(east|north|south|west),/, ',,');
    writeFileSync(path, lines.join('\n'));
    const data = await readCsv(path);
    const gap = (() => {
      try {
        // Every row trains: the test file is another one.
        prepareData(data, data, settings('gap'));
      } catch (e) {
        return e as AutomlError;
      }
      throw new Error('gap: not refused');
    })();
    expect(gap.message).toMatch(/--fold site is missing on line 10; every training row needs a fold label/);
    expect(() => prepareData(data, undefined, settings('both', { timeColumn: 'date' }))).toThrow(
      /--fold site and --time-column date both make the folds; give one of them/,
    );
  });
});
