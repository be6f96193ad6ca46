/**
 * The search's fold jobs in worker threads. The worker module exists only compiled, so this test
 * loads the built package from dist/ (`npm test` builds before it runs the tests): every module
 * here, the table and the folds included, comes from dist/, so that the main-thread reference
 * and the workers run the same code.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as TableModule from '../../src/data/table.js';
import type { Candidate, CvTask, FoldOutput } from '../../src/search/types.js';
import type * as FoldJobModule from '../../src/search/fold-job.js';
import type * as FoldsModule from '../../src/search/folds.js';
import type * as PoolModule from '../../src/search/pool.js';
import type * as RandomModule from '../../src/util/random.js';
import { distDataModules, hydraulicSplit, loadDist as load } from './hydraulic-split.js';

const root = join(import.meta.dirname, '..', '..', 'dist');
const poolUrl = pathToFileURL(join(root, 'src', 'search', 'pool.js')).href;

const { foldRunner, Cancelled } = await load<typeof PoolModule>('src/search/pool.js');
const { runFold } = await load<typeof FoldJobModule>('src/search/fold-job.js');
const { kFold } = await load<typeof FoldsModule>('src/search/folds.js');
const { Table } = await load<typeof TableModule>('src/data/table.js');
const { Rng } = await load<typeof RandomModule>('src/util/random.js');

/** The hydraulic training rows (our 75/25 split, seed 42) with one label as the target, and k folds. */
async function hydraulic(target: string, k: number) {
  const d = await hydraulicSplit(await distDataModules(), target);
  return { table: d.train, task: d.task, features: d.features, fold: kFold(d.train.nRows, k, 42, d.task.y) };
}

const valve = await hydraulic('valve_cond_y', 3);
const numericOnly = (family: Candidate['family'], params: Record<string, unknown> = {}): Candidate => ({
  family,
  params,
  features: { passthrough: valve.features, transforms: [] },
});

describe('foldRunner (compiled worker pool)', () => {
  it('runs as many jobs at once as it has threads: 2 workers, or this thread for 1', async () => {
    const two = foldRunner(valve.table, valve.task, valve.fold, 2);
    const one = foldRunner(valve.table, valve.task, valve.fold, 1);
    try {
      expect(two.parallel).toBe(2);
      expect(one.parallel).toBe(1);
    } finally {
      await Promise.all([two.close(), one.close()]);
    }
  });

  it('gives the same predictions and rounds in the workers as runFold in this thread, for every fold of gbdt, glm, random_forest and extra_trees', async () => {
    expect(valve.task.nClasses).toBe(4);
    const candidates = [
      numericOnly('gbdt', { nRounds: 60, learningRate: 0.2 }),
      numericOnly('glm', { lambda: 0.01 }),
      numericOnly('random_forest', { nTrees: 60 }),
      numericOnly('extra_trees', { nTrees: 60 }),
    ];
    const jobs = candidates.flatMap((candidate, c) =>
      [0, 1, 2].map((fold) => ({ candidate, fold, seed: 1000 + c, threads: 1 })),
    );
    const pool = foldRunner(valve.table, valve.task, valve.fold, 2);
    let inWorkers: FoldOutput[];
    try {
      // All submitted at once: two run, the rest queue.
      inWorkers = await Promise.all(jobs.map((job) => pool.run(job)));
    } finally {
      await pool.close();
    }
    const sizes = [0, 1, 2].map((f) => valve.fold.filter((v) => v === f).length);
    for (const [i, job] of jobs.entries()) {
      const here = await runFold(valve.table, valve.task, valve.fold, job);
      const there = inWorkers[i]!;
      expect(there.pred).toBeInstanceOf(Float64Array);
      expect(there.pred.length).toBe(sizes[job.fold]! * 4);
      expect(Array.from(there.pred)).toEqual(Array.from(here.pred));
      expect(there.rounds).toBe(here.rounds);
      expect(there.seconds).toBeGreaterThan(0);
      // Rows of probabilities.
      for (let r = 0; r < 3; r++)
        expect(
          there.pred[4 * r]! + there.pred[4 * r + 1]! + there.pred[4 * r + 2]! + there.pred[4 * r + 3]!,
        ).toBeCloseTo(1, 9);
    }
    // The families that report rounds do; the GLM does not.
    const roundsOf = (family: string): (number | null)[] =>
      jobs.flatMap((j, i) => (j.candidate.family === family ? [inWorkers[i]!.rounds] : []));
    for (const r of roundsOf('gbdt')) {
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(60);
    }
    expect(roundsOf('random_forest')).toEqual([60, 60, 60]);
    expect(roundsOf('extra_trees')).toEqual([60, 60, 60]);
    expect(roundsOf('glm')).toEqual([null, null, null]);
    // A job's output depends on its seed: another seed, other predictions (bagged trees).
    const pool2 = foldRunner(valve.table, valve.task, valve.fold, 2);
    try {
      const other = await pool2.run({ ...jobs[6]!, seed: 5 });
      expect(Array.from(other.pred)).not.toEqual(Array.from(inWorkers[6]!.pred));
    } finally {
      await pool2.close();
    }
  });

  it('gives the same MLP predictions in a worker as in this thread (tfjs in a worker thread)', async () => {
    const n = 600;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const z = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.37));
    const y = Float64Array.from(x, (v, i) => (v + z[i]! > 0 ? 1 : 0));
    const fold = Int32Array.from({ length: n }, (_, i) => i % 3);
    const table = new Table(
      [
        { name: 'x', type: 'numeric', values: x },
        { name: 'z', type: 'numeric', values: z },
      ],
      n,
    );
    const task: CvTask = { kind: 'binary', nClasses: 2, y };
    const job = {
      candidate: {
        family: 'mlp' as const,
        params: { epochs: 20 },
        features: { passthrough: ['x', 'z'], transforms: [] },
      },
      fold: 1,
      seed: 1,
      threads: 1,
    };
    const pool = foldRunner(table, task, fold, 2);
    let there: FoldOutput[];
    try {
      there = await Promise.all([pool.run(job), pool.run({ ...job, fold: 2 })]);
    } finally {
      await pool.close();
    }
    for (const [i, f] of [1, 2].entries()) {
      const here = await runFold(table, task, fold, { ...job, fold: f });
      expect(there[i]!.pred.length).toBe(400);
      expect(Array.from(there[i]!.pred)).toEqual(Array.from(here.pred));
      expect(there[i]!.rounds).toBe(here.rounds);
      expect(there[i]!.rounds).toBeLessThanOrEqual(20);
    }
    // It learned the boundary: most held-out rows on the right side.
    const valid = Array.from({ length: n }, (_, r) => r).filter((r) => fold[r] === 1);
    const right = valid.filter((r, j) => (there[0]!.pred[2 * j + 1]! > 0.5 ? 1 : 0) === y[r]).length;
    expect(right / valid.length).toBeGreaterThan(0.8);
  });

  it('rejects a job with bad parameters with an error naming the parameter, and keeps serving', async () => {
    const pool = foldRunner(valve.table, valve.task, valve.fold, 2);
    try {
      const bad = pool.run({ candidate: numericOnly('gbdt', { nRounds: -1 }), fold: 0, seed: 1, threads: 1 });
      await expect(bad).rejects.toBeInstanceOf(Error);
      await expect(bad).rejects.toThrow(/nRounds/);
      await expect(bad).rejects.toThrow('gbdt: nRounds must be a whole number >= 1, got -1');
      // An AutomlError keeps its code across the thread boundary.
      const unknown = pool.run({
        candidate: { family: 'glm', params: {}, features: { passthrough: ['no_such_column'], transforms: [] } },
        fold: 1,
        seed: 1,
      });
      await expect(unknown).rejects.toMatchObject({
        code: 'UNKNOWN_COLUMN',
        message: expect.stringContaining('no_such_column') as unknown,
      });
      // Both workers still answer, side by side.
      const good = { candidate: numericOnly('gbdt', { nRounds: 20 }), fold: 2, seed: 3, threads: 1 };
      const [a, b] = await Promise.all([pool.run(good), pool.run({ ...good, fold: 1 })]);
      expect(Array.from(a.pred)).toEqual(Array.from((await runFold(valve.table, valve.task, valve.fold, good)).pred));
      expect(b.pred.length).toBe(valve.fold.filter((v) => v === 1).length * 4);
      expect(a.rounds).toBeLessThanOrEqual(20);
    } finally {
      await pool.close();
    }
  });

  it('cancel() rejects the running and the queued jobs with Cancelled, and later ones too', async () => {
    const pool = foldRunner(valve.table, valve.task, valve.fold, 2);
    const job = {
      candidate: numericOnly('gbdt', { nRounds: 20000, earlyStoppingRounds: 0 }),
      fold: 0,
      seed: 1,
      threads: 1,
    };
    const settled = [0, 1, 2, 0, 1].map((fold) =>
      pool.run({ ...job, fold }).then(
        () => 'resolved',
        (e: unknown) => e,
      ),
    );
    // Long enough for the workers to start and be mid-fit (20,000 rounds take minutes): a job
    // waited for would resolve, an abandoned one rejects.
    await new Promise((r) => setTimeout(r, 400));
    pool.cancel();
    const outcomes = await Promise.all(settled);
    for (const e of outcomes) {
      expect(e).toBeInstanceOf(Cancelled);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toBe('fold job cancelled');
    }
    await expect(pool.run(job)).rejects.toBeInstanceOf(Cancelled);
    await pool.close();
  });

  it('in this thread (1 thread), cancel() rejects the jobs not yet started with Cancelled', async () => {
    const runner = foldRunner(valve.table, valve.task, valve.fold, 1);
    expect(runner.parallel).toBe(1);
    const job = { candidate: numericOnly('glm', { lambda: 0.01 }), fold: 0, seed: 1 };
    const done = await runner.run(job);
    expect(Array.from(done.pred)).toEqual(Array.from((await runFold(valve.table, valve.task, valve.fold, job)).pred));
    // Jobs run one after another, each after the one before; none of these has started.
    const queued = [runner.run(job), runner.run({ ...job, fold: 1 })];
    runner.cancel();
    for (const r of await Promise.allSettled(queued)) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(Cancelled);
    }
    await expect(runner.run(job)).rejects.toBeInstanceOf(Cancelled);
    await runner.close();
  });

  it('close() ends the workers: a process that used the pool exits by itself', async () => {
    const script = `
      import { foldRunner, Cancelled } from ${JSON.stringify(poolUrl)};
      import { Table } from ${JSON.stringify(pathToFileURL(join(root, 'src', 'data', 'table.js')).href)};
      const n = 300;
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
      const y = Float64Array.from(x, (v) => (v > 0 ? 1 : 0));
      const fold = Int32Array.from({ length: n }, (_, i) => i % 3);
      const pool = foldRunner(new Table([{ name: 'x', type: 'numeric', values: x }], n), { kind: 'binary', nClasses: 2, y }, fold, 2);
      const out = await pool.run({ candidate: { family: 'glm', params: {}, features: { passthrough: ['x'], transforms: [] } }, fold: 1, seed: 1 });
      await pool.close();
      let after = 'resolved';
      await pool.run({ candidate: { family: 'glm', params: {}, features: { passthrough: ['x'], transforms: [] } }, fold: 1, seed: 1 }).catch((e) => (after = e instanceof Cancelled ? 'cancelled' : String(e)));
      console.log(JSON.stringify({ parallel: pool.parallel, n: out.pred.length, after }));
    `;
    // A module file, not `node --input-type=module -e`: workers inherit the parent's execArgv, and
    // with --input-type they cannot load their module.
    const dir = mkdtempSync(join(tmpdir(), 'automl-pool-'));
    const file = join(dir, 'close.mjs');
    writeFileSync(file, script);
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null | 'hung'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('hung');
      }, 20_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    rmSync(dir, { recursive: true, force: true });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toEqual({ parallel: 2, n: 200, after: 'cancelled' });
  });

  it('shares tables with categorical columns (and missing values) with the workers: the same results', async () => {
    const rng = new Rng(9);
    const n = 900;
    const num = new Float64Array(n);
    const other = new Float64Array(n);
    const cat = new Int32Array(n);
    const many = new Int32Array(n);
    const y = new Float64Array(n);
    const levels = Array.from({ length: 30 }, (_, i) => `L${i}`);
    for (let i = 0; i < n; i++) {
      num[i] = rng.next() * 4 - 2;
      other[i] = rng.next() < 0.05 ? Number.NaN : rng.next();
      cat[i] = rng.next() < 0.05 ? -1 : rng.int(5);
      many[i] = rng.int(30);
      y[i] = num[i]! + (cat[i]! >= 3 ? 1.5 : -0.5) + (many[i]! % 2 === 0 ? 0.7 : -0.7) + (rng.next() - 0.5) > 0 ? 1 : 0;
    }
    const table = new Table(
      [
        { name: 'num', type: 'numeric', values: num },
        { name: 'cat', type: 'categorical', codes: cat, levels: ['a', 'b', 'c', 'd', 'e'] },
        { name: 'other', type: 'numeric', values: other },
        { name: 'many', type: 'categorical', codes: many, levels },
      ],
      n,
    );
    const task: CvTask = { kind: 'binary', nClasses: 2, y };
    const fold = kFold(n, 3, 7, y);
    const features = {
      passthrough: ['num', 'other'],
      transforms: [
        { kind: 'one_hot' as const, column: 'cat', maxLevels: 16 },
        { kind: 'frequency' as const, column: 'cat' },
        { kind: 'target_encoding' as const, column: 'many', folds: 5, smoothing: 10 },
        { kind: 'missing' as const, column: 'other' },
      ],
    };
    const jobs = [
      { candidate: { family: 'gbdt' as const, params: { nRounds: 40 }, features }, fold: 0, seed: 11, threads: 1 },
      { candidate: { family: 'gbdt' as const, params: { nRounds: 40 }, features }, fold: 2, seed: 11, threads: 1 },
      {
        candidate: {
          family: 'glm' as const,
          params: { lambda: 0.01 },
          features: { ...features, passthrough: ['num'] },
        },
        fold: 1,
        seed: 12,
      },
      { candidate: { family: 'random_forest' as const, params: { nTrees: 30 }, features }, fold: 1, seed: 13 },
    ];
    const pool = foldRunner(table, task, fold, 2);
    let there: FoldOutput[];
    try {
      there = await Promise.all(jobs.map((j) => pool.run(j)));
    } finally {
      await pool.close();
    }
    for (const [i, job] of jobs.entries()) {
      const here = await runFold(table, task, fold, job);
      expect(there[i]!.pred.length).toBe(fold.filter((v) => v === job.fold).length * 2);
      expect(Array.from(there[i]!.pred)).toEqual(Array.from(here.pred));
      expect(there[i]!.rounds).toBe(here.rounds);
    }
    // The categorical signal is learned: the GBDT's out-of-fold accuracy is well above chance.
    const valid = Array.from({ length: n }, (_, r) => r).filter((r) => fold[r] === 0);
    const correct = valid.filter((r, j) => (there[0]!.pred[2 * j + 1]! > 0.5 ? 1 : 0) === y[r]).length;
    expect(correct / valid.length).toBeGreaterThan(0.75);
    // The table given to the pool is left as it was (the workers got copies in shared memory).
    expect(table.column('cat').type).toBe('categorical');
    expect((table.column('cat') as TableModule.CategoricalColumn).codes.buffer).toBeInstanceOf(ArrayBuffer);
  });
  it('goes on with the workers left when one dies, and rejects the queue with the reason when none is left', async () => {
    const pool = foldRunner(valve.table, valve.task, valve.fold, 2);
    const job = { candidate: numericOnly('glm', { lambda: 0.01 }), fold: 1, seed: 3 };
    const reference = await runFold(valve.table, valve.task, valve.fold, job);
    // Reach into the pool to kill a worker, as an out-of-memory crash would.
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    try {
      await slots[0]!.worker.terminate();
      await new Promise((r) => setTimeout(r, 50));
      const outs = await Promise.all([pool.run(job), pool.run(job), pool.run(job)]);
      for (const o of outs) expect(Array.from(o.pred)).toEqual(Array.from(reference.pred));
      await slots[1]!.worker.terminate();
      await new Promise((r) => setTimeout(r, 50));
      await expect(pool.run(job)).rejects.toThrow(
        /^every search worker has stopped \(a search worker stopped \(exit code \d+\)\)$/,
      );
    } finally {
      await pool.close();
    }
  });
});
