import { describe, expect, it } from 'vitest';
import { Table } from '../../src/data/table.js';
import { kFold } from '../../src/search/folds.js';
import { runFold } from '../../src/search/fold-job.js';
import { permutationImportance } from '../../src/search/importance.js';
import type { Candidate, CvTask } from '../../src/search/types.js';
import { Rng } from '../../src/util/random.js';

/** y depends on `signal` (strongly), `weak` (a little) and `colour` (a level shifts it); `noise` is noise. */
function data(n: number) {
  const rng = new Rng(3);
  const signal = Float64Array.from({ length: n }, () => rng.next() * 4 - 2);
  const weak = Float64Array.from({ length: n }, () => rng.next() * 4 - 2);
  const noise = Float64Array.from({ length: n }, () => rng.next());
  const colour = Int32Array.from({ length: n }, () => rng.int(3));
  const y = Float64Array.from({ length: n }, (_, i) =>
    signal[i]! * 2 + weak[i]! * 0.4 + (colour[i] === 2 ? 1.5 : 0) + (rng.next() - 0.5) > 0 ? 1 : 0,
  );
  const table = new Table(
    [
      { name: 'signal', type: 'numeric', values: signal },
      { name: 'weak', type: 'numeric', values: weak },
      { name: 'noise', type: 'numeric', values: noise },
      { name: 'colour', type: 'categorical', codes: colour, levels: ['red', 'green', 'blue'] },
    ],
    n,
  );
  return { table, task: { kind: 'binary', nClasses: 2, y } satisfies CvTask };
}

describe('permutationImportance', () => {
  it('ranks the features by how much shuffling them hurts, out of fold and through the feature steps', async () => {
    const { table, task } = data(1500);
    const fold = kFold(table.nRows, 3, 1, task.y);
    const candidate: Candidate = {
      family: 'glm',
      params: {},
      features: { passthrough: ['signal', 'weak', 'noise'], transforms: [{ kind: 'one_hot', column: 'colour' }] },
    };
    const models = new Map();
    for (const f of [0, 1, 2]) models.set(f, (await runFold(table, task, fold, { candidate, fold: f, seed: 9 })).nodes);
    const features = ['signal', 'weak', 'noise', 'colour'];
    const imp = permutationImportance(table, task, fold, models, features, 'logloss', new Rng(5));
    expect(imp.map((e) => e.feature)).toEqual(['signal', 'colour', 'weak', 'noise']);
    expect(imp[0]!.drop).toBeGreaterThan(0.5);
    expect(imp[1]!.drop).toBeGreaterThan(0.05);
    expect(Math.abs(imp[3]!.drop!)).toBeLessThan(0.01);
    // Deterministic for a seed; another seed shuffles differently but ranks the same.
    expect(permutationImportance(table, task, fold, models, features, 'logloss', new Rng(5))).toEqual(imp);
    const other = permutationImportance(table, task, fold, models, features, 'logloss', new Rng(6));
    expect(other.map((e) => e.feature).slice(0, 2)).toEqual(['signal', 'colour']);
    expect(other[0]!.drop).not.toBe(imp[0]!.drop);
    // A metric where greater is better: the worsening is still positive.
    const auc = permutationImportance(table, task, fold, models, features, 'auc', new Rng(5));
    expect(auc[0]!.feature).toBe('signal');
    expect(auc[0]!.drop).toBeGreaterThan(0.1);
  });

  it('scores at most the row cap, sampled per fold, and gives a feature the pipeline does not read zero', async () => {
    const { table, task } = data(900);
    const fold = kFold(table.nRows, 3, 1, task.y);
    const candidate: Candidate = {
      family: 'gbdt',
      params: { nRounds: 30 },
      features: { passthrough: ['signal', 'noise'], transforms: [] },
    };
    const models = new Map();
    for (const f of [0, 1, 2]) models.set(f, (await runFold(table, task, fold, { candidate, fold: f, seed: 9 })).nodes);
    const capped = permutationImportance(
      table,
      task,
      fold,
      models,
      ['signal', 'weak', 'noise'],
      'logloss',
      new Rng(5),
      300,
    );
    const full = permutationImportance(table, task, fold, models, ['signal', 'weak', 'noise'], 'logloss', new Rng(5));
    expect(capped.find((e) => e.feature === 'weak')!.drop).toBe(0);
    expect(capped[0]!.feature).toBe('signal');
    expect(capped[0]!.drop).not.toBe(full[0]!.drop);
    expect(capped[0]!.drop! / full[0]!.drop!).toBeGreaterThan(0.5);
    expect(capped[0]!.drop! / full[0]!.drop!).toBeLessThan(2);
  });
  it('past its deadline measures no more features than the first ten given, and leaves the rest null, listed last', async () => {
    const n = 600;
    const rng = new Rng(8);
    const names = Array.from({ length: 13 }, (_, j) => `f${String(j).padStart(2, '0')}`);
    const cols = names.map(() => Float64Array.from({ length: n }, () => rng.next()));
    const y = Float64Array.from({ length: n }, (_, i) => (cols[12]![i]! > 0.5 ? 1 : 0));
    const table = new Table(
      names.map((name, j) => ({ name, type: 'numeric' as const, values: cols[j]! })),
      n,
    );
    const task: CvTask = { kind: 'binary', nClasses: 2, y };
    const fold = kFold(n, 3, 1, y);
    const candidate: Candidate = { family: 'glm', params: {}, features: { passthrough: names, transforms: [] } };
    const models = new Map();
    for (const f of [0, 1, 2]) models.set(f, (await runFold(table, task, fold, { candidate, fold: f, seed: 9 })).nodes);
    // f12 (the signal) is given last: with a deadline already past, it is not reached.
    const late = permutationImportance(table, task, fold, models, names, 'logloss', new Rng(5), undefined, 0);
    expect(late.filter((e) => e.drop === null).map((e) => e.feature)).toEqual(['f10', 'f11', 'f12']);
    expect(late.slice(10).map((e) => e.drop)).toEqual([null, null, null]);
    expect(late.slice(0, 10).every((e) => typeof e.drop === 'number')).toBe(true);
    // Given first, it is measured, and leads.
    const first = permutationImportance(
      table,
      task,
      fold,
      models,
      [...names].reverse(),
      'logloss',
      new Rng(5),
      undefined,
      0,
    );
    expect(first[0]!.feature).toBe('f12');
    expect(first[0]!.drop).toBeGreaterThan(0.3);
    // Without a deadline all thirteen are measured, with the same values for those measured in both.
    const all = permutationImportance(table, task, fold, models, names, 'logloss', new Rng(5));
    expect(all.every((e) => e.drop !== null)).toBe(true);
    for (const e of late.slice(0, 10)) expect(all.find((a) => a.feature === e.feature)!.drop).toBe(e.drop);
  });
});
