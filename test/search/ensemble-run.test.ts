/**
 * `automl run` (runExperiment) keeping an ensemble of the leaderboard, end to end on the embedded
 * hydraulic data: the pipeline file's model is an ensemble of the chosen candidates' fold models,
 * each carrying its candidate's calibration; experiment.json's `ensemble` agrees with the file;
 * the file scores the test rows exactly as test-predictions.csv says; it matches the schema.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { HYDRAULIC_LABELS } from '../../recipes/hydraulic/schema.js';
import type { Calibration } from '../../src/artifact/format/pipeline.js';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { readCsv } from '../../src/data/csv.js';
import { cellText } from '../../src/data/table.js';
import { LOGLOSS_TIE } from '../../src/search/ensemble.js';
import { runExperiment, type ExperimentSettings } from '../../src/search/experiment.js';
import { prepareData } from '../../src/search/prepare.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-ensemble-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LONG = 300_000;

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'pipelines', 'pipeline.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

interface FileMember {
  weight: number;
  features?: { inputs: { name: string }[] };
  model: { kind: string };
  calibration?: Calibration;
}
interface ExperimentMember {
  id: number;
  family: string;
  weight: number;
  calibration: Calibration | null;
  shipped: 'folds' | 'refit';
}

/** A CSV file's header and rows (no quoted cells in these files). */
function csv(path: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',')) };
}

describe('automl run: an ensemble of the leaderboard, calibrated, in the pipeline file', () => {
  it(
    "valve_cond_y, 8 candidates: the file is the chosen candidates' fold models, weighted and calibrated as experiment.json says, and scores the test rows as reported",
    async () => {
      const data = await readCsv(embeddedDataPath());
      const s: ExperimentSettings = {
        name: 'valve',
        target: 'valve_cond_y',
        task: 'auto',
        seed: 7,
        drop: [],
        time: 1,
        accuracy: 5,
        interpretability: 5,
        maxModels: 8,
        outDir: join(dir, 'valve'),
        labelColumns: { recipe: 'hydraulic', columns: HYDRAULIC_LABELS },
      };
      const r = await runExperiment(data, undefined, s);
      expect(r.task).toBe('multiclass');
      expect(r.search.validation).toBe(3);
      const k = r.search.validation as number;

      // The ensemble was kept: the best single candidate did not beat it out of fold beyond a tie
      // (logloss: lower is better).
      expect(r.final).toBe('ensemble');
      expect(r.ensemble.kept).toBe(true);
      expect(r.ensemble.members.length).toBeGreaterThan(1);
      expect(r.ensemble.score).toBeLessThan(r.ensemble.singleScore + LOGLOSS_TIE);

      const runDir = r.experimentDir;
      const experiment = JSON.parse(readFileSync(join(runDir, 'experiment.json'), 'utf8')) as {
        final: string;
        ensemble: {
          kept: boolean;
          score: number;
          singleScore: number;
          members: ExperimentMember[];
          seeded: number[];
        };
      };
      expect(experiment.final).toBe('ensemble');
      expect(experiment.ensemble).toEqual(r.ensemble);
      const chosen = experiment.ensemble.members;
      expect(chosen.reduce((a, m) => a + m.weight, 0)).toBeCloseTo(1, 12);
      for (const m of chosen) {
        expect(m.weight).toBeGreaterThan(0);
        // Selection counts over 8 bootstrap bags of 20 rounds (accuracy 5), after one vote for each
        // seeded family: multiples of 1/(8 × (20 + seeded)).
        const votes = 8 * (20 + experiment.ensemble.seeded.length);
        expect(Math.abs(m.weight * votes - Math.round(m.weight * votes))).toBeLessThan(1e-9);
        // Only large forests are refit on all rows; the GBDT, the GLM and the net ship their fold models.
        if (!['random_forest', 'extra_trees'].includes(m.family)) expect(m.shipped).toBe('folds');
        expect(m.calibration).not.toBeNull();
        expect(m.calibration!.kind).toBe('temperature');
        expect(m.calibration!.temperature).toBeGreaterThan(0);
        expect(m.calibration!.floor * 3).toBeLessThan(1);
      }
      // The members are leaderboard candidates, each once, of the family the leaderboard says.
      const lb = csv(join(runDir, 'leaderboard.csv'));
      const familyOf = new Map(
        lb.rows.map((row) => [Number(row[lb.header.indexOf('id')]), row[lb.header.indexOf('family')]]),
      );
      expect(new Set(chosen.map((m) => m.id)).size).toBe(chosen.length);
      for (const m of chosen) expect(familyOf.get(m.id)).toBe(m.family);

      // The file: per chosen candidate, in the same order, its k fold models sharing its weight
      // equally, or its refit, each carrying its candidate's calibration.
      const text = readFileSync(r.pipelinePath, 'utf8');
      const file = JSON.parse(text) as {
        formatVersion: string;
        model: { kind: string; members: FileMember[] };
        classes: string[];
      };
      expect(file.formatVersion).toBe('2.1');
      expect(file.model.kind).toBe('ensemble');
      const members = file.model.members;
      const sizes = chosen.map((c) => (c.shipped === 'refit' ? 1 : k));
      expect(members).toHaveLength(sizes.reduce((a, b) => a + b, 0));
      chosen.forEach((c, g) => {
        const at = sizes.slice(0, g).reduce((a, b) => a + b, 0);
        const group = members.slice(at, at + sizes[g]!);
        for (const m of group) {
          expect(m.weight).toBe(c.weight / sizes[g]!);
          expect(m.calibration).toEqual(c.calibration);
          expect(m.model.kind).not.toBe('ensemble');
        }
        expect(group.reduce((a, m) => a + m.weight, 0)).toBeCloseTo(c.weight, 14);
      });
      expect(members.reduce((a, m) => a + m.weight, 0)).toBeCloseTo(1, 12);
      // The first member's feature steps are the pipeline's own; the other fold models carry theirs.
      expect(members[0]!.features).toBeUndefined();
      expect(members.slice(1).every((m) => m.features !== undefined)).toBe(true);
      expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);

      // The round trip: the loaded file scores the test rows (the experiment's own 75/25 split, as
      // text) exactly as test-predictions.csv reports them.
      const p = prepareData(data, undefined, s);
      expect(p.test.nRows).toBe(r.rows.test);
      const scorer = loadPipeline(r.pipelinePath);
      const rows = Array.from({ length: p.test.nRows }, (_, i) =>
        Object.fromEntries(scorer.fields.map((f) => [f.name, cellText(p.test.column(f.name), i)])),
      );
      const scored = scorer.scoreBatch(rows);
      const width = file.classes.length;
      expect(width).toBe(4);
      const preds = csv(join(runDir, 'test-predictions.csv'));
      expect(preds.header).toEqual([
        'line',
        'valve_cond_y',
        ...file.classes.map((c) => `valve_cond_y.${c}`),
        'valve_cond_y.predicted',
      ]);
      expect(preds.rows).toHaveLength(p.test.nRows);
      preds.rows.forEach((row, i) => {
        expect(row[1]).toBe(file.classes[p.yTest[i]!]);
        row.slice(2, 2 + width).forEach((v, c) => expect(Number(v)).toBe(scored[i * width + c]));
      });
      // Calibrated: no class of any test row below the smallest floor.
      const least = Math.min(...chosen.map((c) => c.calibration!.floor));
      for (const v of scored) expect(v).toBeGreaterThanOrEqual(least * (1 - 1e-12));
    },
    LONG,
  );
});
