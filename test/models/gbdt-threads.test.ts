/**
 * The GBDT's second thread runs compiled code (a worker module), so this test loads the built
 * package from dist/ (`npm test` builds before it runs the tests).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { fitGbdt as FitGbdt } from '../../src/models/gbdt/gbdt.js';
import type { Task } from '../../src/artifact/tasks.js';
import type { Rng as RngClass } from '../../src/util/random.js';
import { makeData } from './contract.js';

const dist = join(import.meta.dirname, '..', '..', 'dist', 'src');
const { fitGbdt } = (await import(pathToFileURL(join(dist, 'models', 'gbdt', 'gbdt.js')).href)) as {
  fitGbdt: typeof FitGbdt;
};
const { Rng } = (await import(pathToFileURL(join(dist, 'util', 'random.js')).href)) as { Rng: typeof RngClass };

/** Eight features: the data set's four and four more derived from them. */
function wide(kind: Task, n: number) {
  const d = makeData(kind, n, 3);
  const extra = d.x.columns.map((c) => Float64Array.from(c, (v) => v * 0.5 + 1));
  return { ...d, x: { nRows: n, columns: [...d.x.columns, ...extra] } };
}

describe('gbdt on two threads (compiled)', () => {
  for (const [kind, K] of [
    ['multiclass', 3],
    ['binary', 2],
    ['regression', 1],
  ] as const) {
    it(`${kind}: the same model on one thread and on two`, () => {
      const data = wide(kind, 60_000);
      const params = { nRounds: 6, baggingFraction: 0.8, featureFraction: 0.7 };
      const one = fitGbdt(data, { kind, nClasses: K, rng: new Rng(1), params: { ...params, threads: 1 } });
      const two = fitGbdt(data, { kind, nClasses: K, rng: new Rng(1), params: { ...params, threads: 2 } });
      expect((one.info as { threads: number }).threads).toBe(1);
      expect((two.info as { threads: number }).threads).toBe(2);
      expect(JSON.stringify(two.exportNode())).toBe(JSON.stringify(one.exportNode()));
    });
  }

  // Depth-wise growth posts each level's splits as node tasks that the idle thread takes: the
  // worker takes the main thread's (binary: one tree a round, grown by the main thread), the main
  // thread the worker's (4 classes: two trees each; 3: the worker grows two).
  for (const [kind, K] of [
    ['binary', 2],
    ['multiclass', 3],
    ['multiclass', 4],
  ] as const) {
    it(`${kind}${K > 2 ? ` (${K} classes)` : ''}, depth-wise: node tasks shared, the same model`, () => {
      const d = makeData(kind, 50_000, 5);
      const extra = d.x.columns.map((c) => Float64Array.from(c, (v) => v * v));
      // A fourth class: class 2's rows with the fourth feature above 0.5.
      const fourth = d.x.columns[3]!;
      const y = K === 4 ? d.y.map((v, i) => (v === 2 && fourth[i]! > 0.5 ? 3 : v)) : d.y;
      const data = { ...d, y, x: { nRows: d.x.nRows, columns: [...d.x.columns, ...extra] } };
      const params = { nRounds: 8, growth: 'depthwise', maxDepth: 6, minDataInLeaf: 5 } as const;
      const fit = (threads: number) =>
        fitGbdt(data, { kind, nClasses: K, rng: new Rng(4), params: { ...params, threads } });
      const one = fit(1);
      const two = fit(2);
      const info = (m: ReturnType<typeof fit>) => m.info as { threads: number; tasksShared: number };
      expect(info(two).threads).toBe(2);
      expect(info(one).tasksShared).toBe(0);
      expect(info(two).tasksShared).toBeGreaterThan(0);
      expect(JSON.stringify(two.exportNode())).toBe(JSON.stringify(one.exportNode()));
    });
  }
});
