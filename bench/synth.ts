/**
 * Seeded synthetic classification data for the benchmarks: features from N(0, 1) with some
 * correlated pairs and a few missing-free heavy tails; classes from noisy non-linear scores.
 * Written as raw float64 (features column-major, then labels) so that the Python peers read
 * exactly the same numbers with numpy.fromfile.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Rng } from '../src/util/random.js';

export interface SynthData {
  nRows: number;
  nFeatures: number;
  nClasses: number;
  columns: Float64Array[];
  y: Float64Array;
}

function normal(rng: Rng): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function makeClassification(nRows: number, nFeatures: number, nClasses: number, seed: number): SynthData {
  const rng = new Rng(seed);
  const columns = Array.from({ length: nFeatures }, () => new Float64Array(nRows));
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < nFeatures; j++) {
      let v = normal(rng);
      if (j % 5 === 1) v = 0.7 * columns[j - 1]![i]! + 0.3 * v; // correlated pairs
      if (j % 7 === 3) v = v * v * Math.sign(v); // heavy tails
      columns[j]![i] = v;
    }
  }
  // Class scores: a few informative features, interactions and thresholds, plus noise.
  const weights = Array.from({ length: nClasses }, () =>
    Array.from({ length: nFeatures }, (_, j) => (j < 10 ? normal(rng) : 0)),
  );
  const y = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    let best = -Infinity;
    let cls = 0;
    for (let k = 0; k < nClasses; k++) {
      const w = weights[k]!;
      let s = 0;
      for (let j = 0; j < nFeatures; j++) s += w[j]! * columns[j]![i]!;
      s += (k === 0 ? 1.5 : -0.5) * (columns[2]![i]! > 0.5 ? 1 : 0) * columns[3]![i]!;
      s += (k === 1 ? 1 : 0) * Math.sin(2 * columns[4]![i]!) * 1.5;
      s += (k === 2 ? 1 : 0) * columns[5]![i]! * columns[6]![i]!;
      s += normal(rng) * 0.8;
      if (s > best) {
        best = s;
        cls = k;
      }
    }
    y[i] = cls;
  }
  return { nRows, nFeatures, nClasses, columns, y };
}

/** Writes the data set once (header of three float64s: rows, features, classes) and reuses it. */
export async function cachedClassification(
  path: string,
  nRows: number,
  nFeatures: number,
  nClasses: number,
  seed: number,
): Promise<void> {
  if (existsSync(path)) return;
  const d = makeClassification(nRows, nFeatures, nClasses, seed);
  const buf = new Float64Array(3 + nRows * nFeatures + nRows);
  buf[0] = nRows;
  buf[1] = nFeatures;
  buf[2] = nClasses;
  d.columns.forEach((c, j) => buf.set(c, 3 + j * nRows));
  buf.set(d.y, 3 + nFeatures * nRows);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, buf);
  await rename(`${path}.tmp`, path);
}

export async function readClassification(path: string): Promise<SynthData> {
  const bytes = await readFile(path);
  const all = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  const nRows = all[0]!;
  const nFeatures = all[1]!;
  const nClasses = all[2]!;
  // Views of the file's bytes, not copies: a 1,000,000 × 50 file read twice over would make the
  // reading, not the fit, the peak of the process's memory (the Python peers read theirs once).
  const columns = Array.from({ length: nFeatures }, (_, j) => all.subarray(3 + j * nRows, 3 + (j + 1) * nRows));
  const y = all.subarray(3 + nFeatures * nRows, 3 + nFeatures * nRows + nRows);
  return { nRows, nFeatures, nClasses, columns, y };
}

/**
 * Our GBDT's settings for the benchmarks against XGBoost (bench/peers/gbdt_peer.py and
 * scorer_peer.py use the same): depth-wise to depth 6, learning rate 0.1, L2 1, 255 bins, no
 * sampling.
 */
export function xgboostLikeParams(nRounds: number, threads: number) {
  return {
    nRounds,
    growth: 'depthwise' as const,
    maxDepth: 6,
    learningRate: 0.1,
    lambdaL2: 1,
    minSumHessian: 1,
    minDataInLeaf: 1,
    maxBins: 255,
    baggingFraction: 1,
    featureFraction: 1,
    threads,
  };
}
