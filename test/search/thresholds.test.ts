/**
 * Out-of-fold decision thresholds: `automl run` on a binary target stores the F1- and MCC-best
 * thresholds of the positive class (the second class) in the pipeline file and in experiment.json.
 * The model selection is wrapped here so that the test sees the chosen model's own out-of-fold
 * predictions (the ensemble's, or the calibrated winner's) and recomputes the thresholds from
 * them; multiclass and regression pipelines have no thresholds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CvTask } from '../../src/search/types.js';
import type { ScoredCandidate } from '../../src/search/automl.js';
import { HYDRAULIC_LABELS } from '../../recipes/hydraulic/schema.js';

/** What each model selection of a run saw and chose: the task (the training labels), the winner, the chosen out-of-fold predictions. */
const seen = vi.hoisted(() => [] as { task: CvTask; best: ScoredCandidate; oof: Float64Array }[]);

vi.mock('../../src/search/ensemble.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/search/ensemble.js')>();
  const selectEnsemble: typeof m.selectEnsemble = (...args) => {
    const r = m.selectEnsemble(...args);
    seen.push({ task: args[2], best: args[1], oof: r.oof });
    return r;
  };
  return { ...m, selectEnsemble };
});

// Imported after the mock, so that the experiment runs the wrapped search.
const { loadPipeline } = await import('../../src/artifact/scorer.js');
const { readCsv } = await import('../../src/data/csv.js');
const { embeddedDataPath } = await import('../../src/cli/embedded.js');
const { bestThreshold } = await import('../../src/metrics/best-threshold.js');
const { runExperiment } = await import('../../src/search/experiment.js');
type Settings = import('../../src/search/experiment.js').ExperimentSettings;

const dir = mkdtempSync(join(tmpdir(), 'automl-thresholds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  seen.length = 0;
});
const LONG = 120_000;

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'pipelines', 'pipeline.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

function settings(name: string, target: string, extra: Partial<Settings> = {}): Settings {
  // On a hydraulic label, the other labels are left out of the features, as `automl run` does.
  const labels = HYDRAULIC_LABELS.includes(target)
    ? { labelColumns: { recipe: 'hydraulic', columns: HYDRAULIC_LABELS } }
    : {};
  return {
    name,
    target,
    task: 'auto',
    seed: 7,
    drop: [],
    time: 1,
    accuracy: 5,
    interpretability: 5,
    maxModels: 3,
    outDir: join(dir, name),
    ...labels,
    ...extra,
  };
}

interface Written {
  file: Record<string, unknown>;
  experiment: Record<string, unknown>;
  log: string;
}

function written(outDir: string, name: string): Written {
  const file = JSON.parse(readFileSync(join(outDir, 'pipelines', `${name}.pipeline.json`), 'utf8')) as Record<
    string,
    unknown
  >;
  const experiment = JSON.parse(
    readFileSync(join(outDir, 'experiments', 'runs', name, 'experiment.json'), 'utf8'),
  ) as Record<string, unknown>;
  const log = readFileSync(join(outDir, 'experiments', 'runs', name, 'run.log'), 'utf8');
  return { file, experiment, log };
}

/** The chosen model's out-of-fold labels and positive-class probabilities over the validated rows. */
function outOfFold(): { y: Float64Array; p: Float64Array } {
  expect(seen).toHaveLength(1);
  const { task, best, oof } = seen[0]!;
  expect(task.kind).toBe('binary');
  const rows = best.cv.scoredRows;
  return {
    y: Float64Array.from(rows, (i) => task.y[i]!),
    p: Float64Array.from(rows, (i) => oof[i * task.nClasses + 1]!),
  };
}

/** F1 and MCC of "positive when p >= t", counted directly. */
function confusionScores(y: Float64Array, p: Float64Array, t: number): { f1: number; mcc: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < y.length; i++) {
    const predicted = p[i]! >= t;
    if (y[i] === 1 && predicted) tp++;
    else if (y[i] === 1) fn++;
    else if (predicted) fp++;
    else tn++;
  }
  const f1 = (2 * tp) / (2 * tp + fp + fn);
  const d = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  return { f1, mcc: d === 0 ? 0 : (tp * tn - fp * fn) / d };
}

describe('automl run: out-of-fold decision thresholds', () => {
  it(
    "binary (stable_y, 3-fold): the pipeline file holds the F1- and MCC-best thresholds of the winner's out-of-fold predictions",
    async () => {
      const data = await readCsv(embeddedDataPath());
      const s = settings('stable', 'stable_y', { seed: 42 });
      const r = await runExperiment(data, undefined, s);
      expect(r.task).toBe('binary');
      expect(r.classes).toEqual(['0', '1']);
      expect(r.search.validation).toBe(3);

      const { y, p } = outOfFold();
      expect(y).toHaveLength(r.rows.train); // k folds: every training row, none of the test rows
      expect(y).toHaveLength(r.search.validationRows);
      const f1 = bestThreshold(y, p, 'f1');
      const mcc = bestThreshold(y, p, 'mcc');
      const want = { positiveClass: '1', f1: f1.threshold, mcc: mcc.threshold };
      expect(want.f1).not.toBe(want.mcc); // this run tells the two objectives apart (0.495 and 0.5347)

      const w = written(s.outDir, 'stable');
      expect(w.file['formatVersion']).toBe('2.1');
      expect(w.file['thresholds']).toEqual(want);
      expect((w.file['thresholds'] as { positiveClass: string }).positiveClass).toBe(
        (w.file['classes'] as string[])[1],
      );
      const keys = Object.keys(w.file);
      expect(keys.slice(keys.indexOf('importance'))).toEqual(['importance', 'thresholds', 'provenance', 'checksum']);
      expect(r.thresholds).toEqual(want);
      expect(w.experiment['thresholds']).toEqual(want);
      expect(validate(w.file), JSON.stringify(validate.errors)).toBe(true);
      expect(loadPipeline(r.pipelinePath).thresholds).toEqual(want);

      // Sound on their own: probabilities the winner gave some training row out of fold, no
      // threshold on those predictions scores better, and the stored F1 and MCC are what they give.
      for (const t of [want.f1, want.mcc]) {
        expect(t).toBeGreaterThan(0);
        expect(t).toBeLessThan(1);
        expect(p).toContain(t);
      }
      const atF1 = confusionScores(y, p, want.f1);
      const atMcc = confusionScores(y, p, want.mcc);
      expect(atF1.f1).toBeCloseTo(f1.f1, 12);
      expect(atMcc.mcc).toBeCloseTo(mcc.mcc, 12);
      for (const t of new Set([0.5, ...p])) {
        const c = confusionScores(y, p, t);
        expect(c.f1).toBeLessThanOrEqual(atF1.f1 + 1e-12);
        expect(c.mcc).toBeLessThanOrEqual(atMcc.mcc + 1e-12);
      }
      expect(atF1.f1).toBeGreaterThan(0.9); // stable_y is well predicted on the hydraulic data

      const line = w.log.split('\n').find((l) => l.includes('thresholds (out of fold'));
      expect(line).toContain(
        `thresholds (out of fold, positive class '1'): best F1 at ${Number(want.f1.toPrecision(4))} (F1 ${f1.f1.toFixed(4)}), best MCC at ${Number(want.mcc.toPrecision(4))} (MCC ${mcc.mcc.toFixed(4)})`,
      );
    },
    LONG,
  );

  it(
    'binary with a holdout (accuracy 1): the thresholds come from the validated fifth of the training rows only',
    async () => {
      const data = await readCsv(embeddedDataPath());
      const s = settings('stable-holdout', 'stable_y', { accuracy: 1, maxModels: 2 });
      const r = await runExperiment(data, undefined, s);
      expect(r.search.validation).toBe('holdout');
      const { y, p } = outOfFold();
      expect(y.length).toBe(r.search.validationRows);
      expect(y.length).toBeLessThan(r.rows.train / 3);
      const want = {
        positiveClass: '1',
        f1: bestThreshold(y, p, 'f1').threshold,
        mcc: bestThreshold(y, p, 'mcc').threshold,
      };
      expect(r.thresholds).toEqual(want);
      expect(loadPipeline(r.pipelinePath).thresholds).toEqual(want);
      expect(written(s.outDir, 'stable-holdout').file['thresholds']).toEqual(want);
    },
    LONG,
  );

  it(
    'multiclass (cool_cond_y): no thresholds member, null in experiment.json and in the scorer',
    async () => {
      const data = await readCsv(embeddedDataPath());
      const s = settings('cool', 'cool_cond_y', { maxModels: 2 });
      const r = await runExperiment(data, undefined, s);
      expect(r.task).toBe('multiclass');
      expect(r.thresholds).toBeNull();
      const w = written(s.outDir, 'cool');
      expect(w.file['formatVersion']).toBe('2.1');
      expect(Object.keys(w.file)).not.toContain('thresholds');
      expect(w.experiment['thresholds']).toBeNull();
      expect(w.log).not.toContain('thresholds (out of fold');
      expect(validate(w.file), JSON.stringify(validate.errors)).toBe(true);
      expect(loadPipeline(r.pipelinePath).thresholds).toBeNull();
    },
    LONG,
  );

  it(
    'regression: no thresholds member',
    async () => {
      const rows = Array.from(
        { length: 240 },
        (_, i) => `${i % 17},${(i * 7) % 11},${2 * (i % 17) - ((i * 7) % 11) + (i % 3) / 10}`,
      );
      const path = join(dir, 'reg.csv');
      writeFileSync(path, `a,b,y\n${rows.join('\n')}\n`);
      const s = settings('reg', 'y', { maxModels: 2 });
      const r = await runExperiment(await readCsv(path), undefined, s);
      expect(r.task).toBe('regression');
      expect(r.thresholds).toBeNull();
      const w = written(s.outDir, 'reg');
      expect(Object.keys(w.file)).not.toContain('thresholds');
      expect(validate(w.file), JSON.stringify(validate.errors)).toBe(true);
      expect(loadPipeline(r.pipelinePath).thresholds).toBeNull();
    },
    LONG,
  );
});
