/**
 * `npm run bench -- scorer [--fresh] [--rounds 2]`: the standalone scorer's speed against XGBoost's
 * `inplace_predict` (Debian's python3-xgboost 1.7) in the same run, on two pipelines:
 *
 * - gbdt300: our GBDT of 100 rounds, depth-wise to depth 6, 3 classes (300 trees), fitted on the
 *   gbdt bench's synthetic 100,000 × 20 training rows; scored on those 100,000 rows. XGBoost:
 *   the same rounds, depth and classes on the same rows (bench/peers/scorer_peer.py).
 * - cool_cond_y: the pipeline of `automl run --target cool_cond_y --time 5 --seed 42` (as it
 *   comes: it may be an ensemble of several families); scored on the embedded hydraulic table's
 *   2205 rows repeated to 100,000. XGBoost: 100 rounds, depth 6, 3 classes on our 75/25 split.
 *
 * Single-row latency (p50, p99 in µs; each call timed alone): ours `scorer.score(row)` on one
 * thread, XGBoost `inplace_predict` of one row with nthread 1. Batch rows/s on 100,000 rows: ours
 * `scoreColumns` (typed columns; `scoreBatch` of row objects is printed below the table) on one
 * thread, and on two threads (this one and a worker, counting the hand-over of the worker's
 * half of the rows and of its predictions); XGBoost
 * `inplace_predict` with nthread 1 and 2. Best of several repetitions. The Python runtime's
 * rows/s (pipelines/runtimes/python, `score_batch` of 2,000 row dicts) when it exists.
 *
 * Ours and XGBoost are measured in turn `--rounds` times (default 2), keeping the best figures.
 * Both pipelines are made once and kept under the temp folder (`--fresh` makes them again).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../src/util/paths.js';
import { hydraulicFile } from './hydraulic-data.js';
import { PYTHON, requirePython, runNode, runPython } from './peer.js';
import { timedNode, withChildren } from './proc.js';
import { cachedClassification } from './synth.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'scorer-child.js');
const PEER = join(packageRoot(), 'bench', 'peers', 'scorer_peer.py');
const RUNTIME_SCRIPT = join(packageRoot(), 'bench', 'peers', 'scorer_runtime.py');
const RUNTIME_DIR = join(packageRoot(), 'pipelines', 'runtimes', 'python');
const MAIN = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const DIR = join(tmpdir(), 'automl-bench', 'scorer');

interface Ours {
  p50: number;
  p99: number;
  columnsRowsPerSecond: number;
  rowsRowsPerSecond: number;
  twoThreadsRowsPerSecond: number;
  identical: boolean;
}
interface Peer {
  p50: number;
  p99: number;
  rowsPerSecond1: number;
  rowsPerSecond2: number;
  trees: number;
}
interface Runtime {
  rowsPerSecond: number;
  rows: number;
  maxAbsDiff: number;
}

async function gbdtPipeline(synth: string, fresh: boolean): Promise<string> {
  const path = join(DIR, 'synth-gbdt-300.pipeline.json');
  if (fresh || !existsSync(path)) {
    process.stdout.write('fitting our GBDT (100 rounds × 3 classes, depth 6)…\n');
    await runNode(CHILD, ['fit', synth, '100000', path]);
  }
  return path;
}

async function coolPipeline(fresh: boolean): Promise<string> {
  const path = join(DIR, 'cool_cond_y.pipeline.json');
  if (!fresh && existsSync(path)) return path;
  if (!existsSync(MAIN)) throw new Error(`bench: ${MAIN} is missing; run npm run build`);
  process.stdout.write('automl run --target cool_cond_y --time 5 --seed 42…\n');
  const work = await mkdtemp(join(tmpdir(), 'automl-bench-scorer-'));
  try {
    const args = ['run', '--target', 'cool_cond_y', '--time', '5', '--seed', '42', '--no-progress', '--out-dir', work];
    const r = await timedNode(MAIN, args, join(work, 'rss'));
    const made = join(work, 'pipelines', 'cool_cond_y-hydraulic.pipeline.json');
    if (!existsSync(made))
      throw new Error(`bench: automl ${args.join(' ')} wrote no ${made}; it printed: ${r.stdout.slice(0, 500)}`);
    await copyFile(made, `${path}.tmp`);
    await rename(`${path}.tmp`, path);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return path;
}

/** The pipeline's model as a short description: its family, or an ensemble's members. */
async function describeModel(path: string): Promise<string> {
  type Model = { kind: string; aggregation?: string; trees?: { feature: number[] }[]; members?: { model: Model }[] };
  const file = JSON.parse(await readFile(path, 'utf8')) as { model: Model };
  const one = (m: Model): string =>
    m.kind === 'tree_ensemble'
      ? `${m.aggregation === 'sum' ? 'boosted' : 'forest'} ${m.trees!.length} trees / ${m.trees!.reduce((s, t) => s + t.feature.length, 0)} nodes`
      : m.kind;
  const m = file.model;
  if (m.kind !== 'ensemble') return one(m);
  const counts = new Map<string, number>();
  for (const x of m.members!) {
    const kind = x.model.kind === 'tree_ensemble' ? (x.model.aggregation === 'sum' ? 'GBDT' : 'forest') : x.model.kind;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return `ensemble of ${m.members!.length}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`;
}

const us = (x: number): string => `${x.toFixed(1)} µs`;
const rps = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(0)}k` : x.toFixed(0);
const row = (c: string, a: string, b: string, r: string): string =>
  `${c.padEnd(30)}${a.padStart(12)}${b.padStart(12)}${r.padStart(10)}`;

const bestOurs = (a: Ours, b: Ours): Ours => ({
  p50: Math.min(a.p50, b.p50),
  p99: Math.min(a.p99, b.p99),
  columnsRowsPerSecond: Math.max(a.columnsRowsPerSecond, b.columnsRowsPerSecond),
  rowsRowsPerSecond: Math.max(a.rowsRowsPerSecond, b.rowsRowsPerSecond),
  twoThreadsRowsPerSecond: Math.max(a.twoThreadsRowsPerSecond, b.twoThreadsRowsPerSecond),
  identical: a.identical && b.identical,
});
const bestPeer = (a: Peer, b: Peer): Peer => ({
  p50: Math.min(a.p50, b.p50),
  p99: Math.min(a.p99, b.p99),
  rowsPerSecond1: Math.max(a.rowsPerSecond1, b.rowsPerSecond1),
  rowsPerSecond2: Math.max(a.rowsPerSecond2, b.rowsPerSecond2),
  trees: a.trees,
});
const ratio = (x: number): string => `${x < 0.1 ? x.toFixed(3) : x.toFixed(2)}×`;

async function compare(
  label: string,
  pipeline: string,
  source: string,
  peerData: string,
  nTrain: number,
  rounds: number,
): Promise<void> {
  const rowsJson = join(DIR, `${label}.rows.json`);
  // Ours and XGBoost in turn, `rounds` times, keeping the best of each figure: on a shared
  // machine the load changes between one process and the next.
  let ours: Ours | null = null;
  let xgb: Peer | null = null;
  for (let i = 0; i < rounds; i++) {
    const o = (await runNode(CHILD, ['measure', pipeline, source, rowsJson])) as unknown as Ours;
    const x = (await runPython(PEER, [peerData, String(nTrain)])) as unknown as Peer;
    ours = ours ? bestOurs(ours, o) : o;
    xgb = xgb ? bestPeer(xgb, x) : x;
  }
  if (!ours || !xgb) throw new Error('bench: --rounds must be at least 1');
  const out = [
    `${label}: ${await describeModel(pipeline)}; XGBoost ${xgb.trees} trees`,
    row('case', 'ours', 'xgboost', 'ratio'),
    row('  1 row p50 (1 thread)', us(ours.p50), us(xgb.p50), ratio(ours.p50 / xgb.p50)),
    row('  1 row p99 (1 thread)', us(ours.p99), us(xgb.p99), ratio(ours.p99 / xgb.p99)),
    row(
      '  100,000 rows/s, 1 thread',
      rps(ours.columnsRowsPerSecond),
      rps(xgb.rowsPerSecond1),
      ratio(ours.columnsRowsPerSecond / xgb.rowsPerSecond1),
    ),
    row(
      '  100,000 rows/s, 2 threads',
      rps(ours.twoThreadsRowsPerSecond),
      rps(xgb.rowsPerSecond2),
      ratio(ours.twoThreadsRowsPerSecond / xgb.rowsPerSecond2),
    ),
    `  ours, scoreBatch of row objects, 1 thread: ${rps(ours.rowsRowsPerSecond)} rows/s`,
    `  one row at a time, batch, 2 threads: ${ours.identical ? 'the same doubles' : 'DIFFERENT DOUBLES'}`,
  ];
  if (existsSync(join(RUNTIME_DIR, 'automl_scorer.py'))) {
    try {
      const py = (await runPython(RUNTIME_SCRIPT, [RUNTIME_DIR, pipeline, rowsJson])) as unknown as Runtime;
      out.push(
        `  Python runtime, score_batch of ${py.rows} rows: ${rps(py.rowsPerSecond)} rows/s ` +
          `(${ratio(py.rowsPerSecond / ours.columnsRowsPerSecond)} ours); max |diff| ${py.maxAbsDiff.toExponential(1)}`,
      );
    } catch (e) {
      out.push(`  Python runtime: failed (${(e as Error).message})`);
    }
  } else out.push('  Python runtime: absent (pipelines/runtimes/python/automl_scorer.py)');
  process.stdout.write(`${out.join('\n')}\n`);
  if (!ours.identical) throw new Error(`bench: ${label}: the scorer's batch and single-row results differ`);
}

export async function run(args: string[]): Promise<void> {
  requirePython(['numpy', 'xgboost']);
  const fresh = args.includes('--fresh');
  const r = args.indexOf('--rounds');
  const rounds = r >= 0 ? Number(args[r + 1]) : 2;
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`bench: --rounds must be a whole number >= 1`);
  await mkdir(DIR, { recursive: true });
  await withChildren(async () => {
    const synth = join(tmpdir(), 'automl-bench', 'synth-125000x20x3.f64');
    await cachedClassification(synth, 125_000, 20, 3, 7);
    const gbdt = await gbdtPipeline(synth, fresh);
    const cool = await coolPipeline(fresh);
    process.stdout.write(
      `ratio = ours / XGBoost (latency: lower is better; rows/s: higher); ${PYTHON}; best of runs\n`,
    );
    await compare('gbdt300', gbdt, `synth:${synth}`, synth, 100_000, rounds);
    const h = await hydraulicFile('cool_cond_y');
    await compare('cool_cond_y', cool, 'hydraulic', h.path, h.nTrain, rounds);
  });
}
