import { describe, expect, it } from 'vitest';
import { labelColumns } from '../../recipes/index.js';
import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import { readCsv } from '../../src/data/csv.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { inferTarget } from '../../src/data/infer.js';
import { columnarInput } from '../../src/features/columnar-input.js';
import { logloss } from '../../src/metrics/index.js';
import { refit, search, validationFor, type SearchSettings } from '../../src/search/automl.js';
import { Budget } from '../../src/search/budget.js';
import { holdoutSplit } from '../../src/split/holdout.js';
import { hydraulicSplit } from './hydraulic-split.js';

const cooler = () =>
  hydraulicSplit({ readCsv, embeddedDataPath, inferTarget, holdoutSplit, labelColumns }, 'cool_cond_y');

describe('search: the AutoML loop', () => {
  it('maps the accuracy dial to validation', () => {
    expect([1, 3, 4, 6, 7, 10].map(validationFor)).toEqual(['holdout', 'holdout', 3, 3, 5, 5]);
  });

  it('with maxModels: the same candidates in the same order, the best by out-of-fold score, a refit that generalises', async () => {
    const d = await cooler();
    const settings: SearchSettings = {
      seed: 42,
      metric: 'logloss',
      validation: 3,
      maxModels: 6,
      interpretability: 5,
      families: ['gbdt', 'random_forest', 'glm'],
    };
    const seen: number[] = [];
    const a = await search(d.train, d.task, d.features, settings, { onEntry: (e) => seen.push(e.id) });
    const b = await search(d.train, d.task, d.features, settings);
    expect(a.leaderboard.map((e) => [e.family, e.score])).toEqual(b.leaderboard.map((e) => [e.family, e.score]));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.stoppedBy).toBe('max-models');
    expect(a.leaderboard.map((e) => e.family).slice(0, 5)).toEqual(['gbdt', 'random_forest', 'glm', 'glm', 'glm']);
    expect(a.best.entry.score).toBe(Math.min(...a.leaderboard.map((e) => e.score)));
    // The sixth is a variation of the best so far.
    expect(a.leaderboard[5]!.family).toBe(
      a.leaderboard.slice(0, 5).reduce((x, y) => (y.score < x.score ? y : x)).family,
    );
    for (const e of a.leaderboard) {
      expect(e.finished).toBeGreaterThanOrEqual(e.started);
      expect(e.logloss).toBe(e.score);
    }
    const { features, model } = await refit(d.train, d.task, a.best.candidate, a.best.cv, 42);
    const p = model.predict({
      nRows: d.test.nRows,
      columns: new FeatureScorer(features).apply(columnarInput(d.test, features)),
    });
    expect(logloss(d.yTest, p)).toBeLessThan(0.05);
  });

  it('stops on its time budget, and validates on a holdout at low accuracy', async () => {
    const d = await cooler();
    const r = await search(d.train, d.task, d.features, {
      seed: 1,
      metric: 'accuracy',
      validation: 'holdout',
      budget: new Budget(0.001),
      interpretability: 9,
    });
    expect(r.stoppedBy).toBe('budget');
    expect(r.leaderboard).toHaveLength(1);
    expect(r.leaderboard[0]!.family).toBe('glm');
    expect(r.best.entry.score).toBeGreaterThan(0.9);
  });

  it('interrupted before any candidate is scored: a clear error, not a pipeline', async () => {
    const d = await cooler();
    const run = search(
      d.train,
      d.task,
      d.features,
      { seed: 1, metric: 'logloss', validation: 3, maxModels: 5, interpretability: 5 },
      { shouldStop: () => true },
    );
    await expect(run).rejects.toMatchObject({
      code: 'INTERRUPTED',
      message: 'interrupted before any candidate was scored on all its folds: there is no pipeline to write',
    });
  });
});
