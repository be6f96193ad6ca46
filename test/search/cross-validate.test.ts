import { describe, expect, it } from 'vitest';
import { labelColumns } from '../../recipes/index.js';
import { readCsv } from '../../src/data/csv.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { inferTarget } from '../../src/data/infer.js';
import { Table, type Column } from '../../src/data/table.js';
import { logloss } from '../../src/metrics/index.js';
import { assembleCv, crossValidate } from '../../src/search/cross-validate.js';
import { deadlineCut } from '../../src/search/run-files.js';
import { runFold } from '../../src/search/fold-job.js';
import type { Candidate, FoldOutput } from '../../src/search/types.js';
import { clockNow } from '../../src/util/clock.js';
import { kFold } from '../../src/search/folds.js';
import { holdoutSplit } from '../../src/split/holdout.js';
import { Rng } from '../../src/util/random.js';
import { hydraulicSplit } from './hydraulic-split.js';

async function hydraulicTrain(
  target: string,
): Promise<{ table: Table; y: Float64Array; features: string[]; K: number }> {
  const d = await hydraulicSplit({ readCsv, embeddedDataPath, inferTarget, holdoutSplit, labelColumns }, target);
  return { table: d.train, y: d.task.y, features: d.features, K: d.task.nClasses };
}

describe('crossValidate', () => {
  it('scores a GBDT out of fold on the hydraulic cooler target, deterministically', async () => {
    const { table, y, features, K } = await hydraulicTrain('cool_cond_y');
    const fold = kFold(table.nRows, 5, 42, y);
    const candidate: Candidate = { family: 'gbdt', params: {}, features: { passthrough: features, transforms: [] } };
    const task = { kind: 'multiclass' as const, nClasses: K, y };
    const a = await crossValidate(table, task, candidate, fold, 'logloss', new Rng(42));
    expect(a.foldScores).toHaveLength(5);
    expect(a.rounds).toHaveLength(5);
    for (const r of a.rounds) expect(r).toBeLessThanOrEqual(100);
    expect(a.score).toBeLessThan(0.05);
    expect(a.logloss).toBe(a.score);
    // The score is the metric of the out-of-fold predictions.
    expect(logloss(y, a.oof)).toBeCloseTo(a.score, 12);
    const b = await crossValidate(table, task, candidate, fold, 'logloss', new Rng(42));
    expect(b.oof).toEqual(a.oof);
    const acc = await crossValidate(table, task, candidate, fold, 'accuracy', new Rng(42));
    expect(acc.score).toBeGreaterThan(0.98);
    expect(acc.logloss).toBeCloseTo(a.score, 12);
    expect(a.cutFolds).toBe(0);
  });

  it('counts the folds whose fit its deadline stopped short, and says so in words', async () => {
    const { table, y, features, K } = await hydraulicTrain('cool_cond_y');
    const fold = kFold(table.nRows, 3, 42, y);
    const candidate: Candidate = {
      family: 'random_forest',
      params: { nTrees: 30 },
      features: { passthrough: features, transforms: [] },
    };
    const task = { kind: 'multiclass' as const, nClasses: K, y };
    // Folds 0 and 2 with a deadline already past (a forest keeps its first tree), fold 1 with
    // one far off.
    const outputs = new Map<number, FoldOutput>();
    for (const f of [0, 1, 2]) {
      const deadline = f === 1 ? clockNow() + 600_000 : clockNow() - 1;
      outputs.set(f, await runFold(table, task, fold, { candidate, fold: f, seed: 7, deadline }));
    }
    expect([0, 1, 2].map((f) => outputs.get(f)!.cutByDeadline)).toEqual([true, false, true]);
    const cv = assembleCv(task, fold, outputs, 'logloss');
    expect(cv.rounds).toEqual([1, 30, 1]);
    expect(cv.cutFolds).toBe(2);
    expect(deadlineCut({ cutFolds: cv.cutFolds, folds: 3, rounds: cv.rounds }, 'trees')).toBe(
      'its deadline stopped 2 of 3 fits short (trees kept: 1, 30, 1)',
    );
    // A forest of one tree gives probabilities of 0 and 1: that is why the cut is said.
    const whole = await crossValidate(table, task, candidate, fold, 'logloss', new Rng(7));
    expect(whole.cutFolds).toBe(0);
    expect(cv.score).toBeGreaterThan(whole.score);
  });

  it('fits feature steps inside each fold, categorical and target encodings included', async () => {
    const rng = new Rng(9);
    const n = 600;
    const num = new Float64Array(n);
    const cat = new Int32Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      num[i] = rng.next() * 4 - 2;
      cat[i] = rng.int(5);
      y[i] = num[i]! + (cat[i]! >= 3 ? 1.5 : -0.5) + (rng.next() - 0.5) > 0 ? 1 : 0;
    }
    const columns: Column[] = [
      { name: 'num', type: 'numeric', values: num },
      { name: 'cat', type: 'categorical', codes: cat, levels: ['a', 'b', 'c', 'd', 'e'] },
    ];
    const table = new Table(columns, n);
    const fold = kFold(n, 4, 1, y);
    const task = { kind: 'binary' as const, nClasses: 2, y };
    const oneHot = await crossValidate(
      table,
      task,
      {
        family: 'glm',
        params: {},
        features: { passthrough: ['num'], transforms: [{ kind: 'one_hot', column: 'cat' }] },
      },
      fold,
      'auc',
      new Rng(1),
    );
    const te = await crossValidate(
      table,
      task,
      {
        family: 'glm',
        params: {},
        features: {
          passthrough: ['num'],
          transforms: [{ kind: 'target_encoding', column: 'cat', folds: 5, smoothing: 5 }],
        },
      },
      fold,
      'auc',
      new Rng(1),
    );
    const numOnly = await crossValidate(
      table,
      task,
      { family: 'glm', params: {}, features: { passthrough: ['num'], transforms: [] } },
      fold,
      'auc',
      new Rng(1),
    );
    expect(oneHot.score).toBeGreaterThan(numOnly.score + 0.02);
    expect(te.score).toBeGreaterThan(numOnly.score + 0.02);
    expect(oneHot.rounds).toEqual([]);
  });
});
