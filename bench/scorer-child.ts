/**
 * Child process of the scorer benchmark (bench/scorer.ts). Two modes:
 *
 *   fit DATA.f64 N_TRAIN OUT.json   fits our GBDT (100 rounds, depth-wise to depth 6, the gbdt
 *                                   bench's settings) on the first N_TRAIN rows and writes it as
 *                                   a pipeline file (inputs f00…f19, no feature steps)
 *   measure PIPELINE SOURCE ROWS_JSON
 *                                   SOURCE is `synth:DATA.f64` (the file's first 100,000 rows)
 *                                   or `hydraulic` (the embedded table's 2205 rows, repeated to
 *                                   100,000); measures the public `automl/scorer` API and writes
 *                                   2,000 rows with our outputs to ROWS_JSON for the Python runtime
 *
 * `measure` prints one JSON line: single-row latency of `scorer.score(row)` (each call timed
 * alone with process.hrtime.bigint: p50, p99 over 20,000 calls after 5,000 of warm-up), batch
 * rows/s of `scoreColumns` (typed columns, the fastest public batch API) and of `scoreBatch`
 * (row objects) on one thread, and of `scoreColumns` on two threads: this one scoring the first
 * half while a worker (bench/scorer-child-worker.ts) scores the second (counted: copying the
 * second half's columns, posting them, scoring, posting the predictions back and copying both
 * parts into one array; after three batches of warm-up). Best of
 * several repetitions. It also checks
 * that one row at a time, the one-thread batch and the two-thread batch give the same doubles.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadPipeline, type ColumnarInput, type PipelineScorer } from '../src/artifact/scorer.js';
import type { FeaturePipelineNode, InputField } from '../src/artifact/format/features.js';
import { readClassification, xgboostLikeParams } from './synth.js';

const BATCH_ROWS = 100_000;
const LATENCY_CALLS = 20_000;
const WARMUP_CALLS = 5_000;
const RUNTIME_ROWS = 2_000;
const REPEATS = 5;

async function fit(dataPath: string, nTrain: number, out: string): Promise<void> {
  // Training code is imported here only: the measuring mode loads nothing but the scorer.
  const { fitGbdt } = await import('../src/models/gbdt/gbdt.js');
  const { Rng } = await import('../src/util/random.js');
  const { pipelineText } = await import('../src/search/export.js');
  const d = await readClassification(dataPath);
  const train = { nRows: nTrain, columns: d.columns.map((c) => c.subarray(0, nTrain)) };
  const model = fitGbdt(
    { x: train, y: d.y.subarray(0, nTrain) },
    {
      kind: 'multiclass',
      nClasses: d.nClasses,
      rng: new Rng(1),
      // The gbdt bench's settings, XGBoost's in bench/peers/scorer_peer.py.
      params: xgboostLikeParams(100, 2),
    },
  );
  const names = d.columns.map((_, j) => `f${String(j).padStart(2, '0')}`);
  const inputs: InputField[] = names.map((name) => ({ name, type: 'numeric' }));
  const features: FeaturePipelineNode = { kind: 'feature_pipeline', inputs, steps: [], features: names };
  const text = pipelineText({
    name: 'synth-gbdt-300',
    target: 'y',
    task: 'multiclass',
    classes: Array.from({ length: d.nClasses }, (_, k) => String(k)),
    inputs,
    features,
    model: model.exportNode(),
    seed: 1,
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(`${out}.tmp`, text);
  await rename(`${out}.tmp`, out);
  process.stdout.write(`${JSON.stringify({ trees: model.exportNode().trees.length })}\n`);
}

/** The benchmark's rows as columns named after the pipeline's inputs. */
async function columnsFor(scorer: PipelineScorer, source: string): Promise<Record<string, Float64Array>> {
  const names = scorer.fields.map((f) => {
    if (f.type !== 'numeric') throw new Error(`bench: input field '${f.name}' is not numeric`);
    return f.name;
  });
  const out: Record<string, Float64Array> = {};
  if (source.startsWith('synth:')) {
    const d = await readClassification(source.slice('synth:'.length));
    names.forEach((name, j) => (out[name] = d.columns[j]!.slice(0, BATCH_ROWS)));
    return out;
  }
  if (source !== 'hydraulic') throw new Error(`bench: unknown data source '${source}'`);
  const { readCsv } = await import('../src/data/csv.js');
  const { embeddedDataPath } = await import('../src/cli/embedded.js');
  const table = await readCsv(embeddedDataPath());
  for (const name of names) {
    const v = table.numeric(name).values;
    out[name] = Float64Array.from({ length: BATCH_ROWS }, (_, i) => v[i % v.length]!);
  }
  return out;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function best(f: () => number, repeats = REPEATS): number {
  let min = Infinity;
  for (let i = 0; i < repeats; i++) min = Math.min(min, f());
  return min;
}

function sameDoubles(a: Float64Array, b: Float64Array, offset = 0): boolean {
  for (let i = 0; i < b.length; i++) if (!Object.is(a[offset + i], b[i])) return false;
  return true;
}

interface WorkerReply {
  out: Float64Array;
}

/**
 * Scores the columns on two threads: this one and `worker` (which holds the pipeline), as
 * XGBoost's `nthread` 2 runs on the calling thread and one more. The worker gets a copy of the
 * second half's columns (transferred) and sends its predictions back (transferred); this thread
 * scores the first half meanwhile, then both parts are copied into one array.
 */
async function scoreOnTwoThreads(
  scorer: PipelineScorer,
  worker: Worker,
  names: readonly string[],
  columns: Record<string, Float64Array>,
  n: number,
  width: number,
): Promise<Float64Array> {
  const share = Math.ceil(n / 2);
  const cols = names.map((name) => columns[name]!.slice(share, n));
  const theirs = new Promise<Float64Array>((resolve, reject) => {
    worker.once('message', (r: WorkerReply) => resolve(r.out));
    worker.once('error', reject);
  });
  worker.postMessage(
    { n: n - share, columns: cols },
    cols.map((c) => c.buffer as ArrayBuffer),
  );
  const numeric: Record<string, Float64Array> = {};
  for (const name of names) numeric[name] = columns[name]!.subarray(0, share);
  const ours = scorer.scoreColumns({ nRows: share, numeric, categorical: {} });
  const out = new Float64Array(n * width);
  out.set(ours, 0);
  out.set(await theirs, share * width);
  return out;
}

async function measure(pipelinePath: string, source: string, rowsOut: string): Promise<void> {
  const scorer = loadPipeline(pipelinePath);
  const width = scorer.outputNames.length;
  const columns = await columnsFor(scorer, source);
  const names = scorer.fields.map((f) => f.name);
  const n = BATCH_ROWS;
  const rows: Record<string, number>[] = Array.from({ length: n }, (_, i) => {
    const row: Record<string, number> = {};
    for (const name of names) row[name] = columns[name]![i]!;
    return row;
  });
  const input: ColumnarInput = { nRows: n, numeric: columns, categorical: {} };

  // Single rows: warm-up, then each call timed alone.
  for (let i = 0; i < WARMUP_CALLS; i++) scorer.score(rows[i % n]!);
  const lat = new Float64Array(LATENCY_CALLS);
  let sink = 0;
  for (let i = 0; i < LATENCY_CALLS; i++) {
    const row = rows[(i * 7919) % n]!;
    const t0 = process.hrtime.bigint();
    const p = scorer.score(row);
    const t1 = process.hrtime.bigint();
    sink += p[0]!;
    lat[i] = Number(t1 - t0) / 1000;
  }
  lat.sort();

  // Batch, one thread.
  let ref = scorer.scoreColumns(input);
  const columnsSeconds = best(() => {
    const t0 = performance.now();
    ref = scorer.scoreColumns(input);
    return (performance.now() - t0) / 1000;
  });
  let fromRows = scorer.scoreBatch(rows);
  const rowsSeconds = best(() => {
    const t0 = performance.now();
    fromRows = scorer.scoreBatch(rows);
    return (performance.now() - t0) / 1000;
  }, 3);

  // Batch, two threads: this one and a worker with the pipeline loaded (and warmed up) beforehand.
  const url = new URL('./scorer-child-worker.js', import.meta.url);
  const text = await readFile(pipelinePath, 'utf8');
  const worker = new Worker(url, { workerData: { pipelineText: text } });
  // Warm-up: the worker's code is optimised over its first few batches.
  let two = await scoreOnTwoThreads(scorer, worker, names, columns, n, width);
  for (let i = 0; i < 2; i++) two = await scoreOnTwoThreads(scorer, worker, names, columns, n, width);
  let twoSeconds = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    two = await scoreOnTwoThreads(scorer, worker, names, columns, n, width);
    twoSeconds = Math.min(twoSeconds, (performance.now() - t0) / 1000);
  }
  await worker.terminate();

  // The same doubles every way: one row at a time (on a sample), rows, columns, two threads.
  let identical = sameDoubles(ref, fromRows) && sameDoubles(ref, two);
  for (let i = 0; i < n && identical; i += 37)
    identical = sameDoubles(ref, Float64Array.from(scorer.score(rows[i]!)), i * width);

  const sample = rows.slice(0, RUNTIME_ROWS);
  await writeFile(
    rowsOut,
    JSON.stringify({ rows: sample, outputs: Array.from(ref.subarray(0, RUNTIME_ROWS * width)), width }),
  );
  process.stdout.write(
    `${JSON.stringify({
      p50: percentile(lat, 0.5),
      p99: percentile(lat, 0.99),
      columnsRowsPerSecond: n / columnsSeconds,
      rowsRowsPerSecond: n / rowsSeconds,
      twoThreadsRowsPerSecond: n / twoSeconds,
      identical,
      sink: Number.isFinite(sink),
    })}\n`,
  );
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'fit' && args.length === 3) await fit(args[0]!, Number(args[1]), args[2]!);
else if (mode === 'measure' && args.length === 3) await measure(args[0]!, args[1]!, args[2]!);
else {
  const self = join(dirname(fileURLToPath(import.meta.url)), 'scorer-child.js');
  throw new Error(`usage: node ${self} fit DATA N_TRAIN OUT | measure PIPELINE SOURCE ROWS_JSON`);
}
