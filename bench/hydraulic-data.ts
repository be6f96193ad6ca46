/**
 * A hydraulic target as a benchmark data file (the format of synth.ts): our stratified 75/25
 * split, train rows first, then test rows; the other labels dropped.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelColumns } from '../recipes/index.js';
import { readCsv } from '../src/data/csv.js';
import { embeddedDataPath } from '../src/cli/embedded.js';
import { inferTarget } from '../src/data/infer.js';
import { holdoutSplit } from '../src/split/holdout.js';

export async function hydraulicFile(target: string, seed = 42): Promise<{ path: string; nTrain: number }> {
  const table = await readCsv(embeddedDataPath());
  const labels: readonly string[] = labelColumns('hydraulic');
  const features = table.names.filter((n) => !labels.includes(n));
  const t = inferTarget(table.column(target));
  const isTrain = holdoutSplit(table.nRows, { ratio: 0.75, seed }, t.y);
  const order: number[] = [];
  for (const flag of [1, 0]) isTrain.forEach((v, i) => v === flag && order.push(i));
  const n = table.nRows;
  const buf = new Float64Array(3 + n * features.length + n);
  buf.set([n, features.length, t.classes!.length]);
  features.forEach((name, j) => {
    const col = table.numeric(name).values;
    order.forEach((row, i) => (buf[3 + j * n + i] = col[row]!));
  });
  order.forEach((row, i) => (buf[3 + features.length * n + i] = t.y[row]!));
  const dir = join(tmpdir(), 'automl-bench');
  const path = join(dir, `hydraulic-${target}-${seed}.f64`);
  await mkdir(dir, { recursive: true });
  await writeFile(`${path}.tmp`, buf);
  await rename(`${path}.tmp`, path);
  return { path, nTrain: isTrain.reduce((s, v) => s + v, 0) };
}
