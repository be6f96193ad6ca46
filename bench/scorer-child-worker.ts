// A worker thread of the scorer benchmark (bench/scorer-child.ts): loads the pipeline once, then
// scores each message's columns with `scoreColumns` and posts the predictions back (transferred).
import { parentPort, workerData } from 'node:worker_threads';
import { loadPipeline } from '../src/artifact/scorer.js';

const scorer = loadPipeline((workerData as { pipelineText: string }).pipelineText);
const names = scorer.fields.map((f) => f.name);

parentPort!.on('message', (m: { n: number; columns: Float64Array[] }) => {
  const numeric: Record<string, Float64Array> = {};
  names.forEach((name, j) => (numeric[name] = m.columns[j]!));
  const out = scorer.scoreColumns({ nRows: m.n, numeric, categorical: {} });
  parentPort!.postMessage({ out }, [out.buffer as ArrayBuffer]);
});
