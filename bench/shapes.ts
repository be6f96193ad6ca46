/**
 * Seeded synthetic data sets ("shapes") for `npm run bench -- peers`, written as CSV so that our
 * CLI and the Python peers read exactly the same files. Each shape is a function of its seed only
 * (the project's Rng, forked once per shape), and none is separable: the labels are drawn from
 * probabilities (or carry noise), so a good model's test logloss stays clearly above 0.
 *
 * - shape_missing  binary, 3,000 rows: 10 numeric features with 30% of their values missing
 *                  (MCAR) and a 50-level categorical (skewed frequencies) that carries a third of
 *                  the signal.
 * - shape_imbal    binary, 5,000 rows, 2% positives: 15 numeric features, a non-linear score.
 * - shape_regress  regression, 2,000 rows: Friedman's #1 function of 5 informative features plus
 *                  100 uniform noise features, Gaussian noise σ = 1.
 * - shape_3class   multiclass, 150 rows × 4: three Gaussian blobs, one apart, two overlapping
 *                  (iris-like).
 * - shape_10class  multiclass, 1,500 rows × 64 "pixels" in 0..16: per class a smooth random
 *                  prototype, per row a stroke-strength factor, a shift of the prototype and noise
 *                  (digits-like).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/util/random.js';

export type ShapeTask = 'binary' | 'multiclass' | 'regression';

export interface Shape {
  name: string;
  task: ShapeTask;
  target: string;
  /** Header then rows; '' is a missing value. */
  rows: string[][];
}

function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Short decimal text: six significant digits are plenty for a benchmark. */
function num(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function shapeMissing(rng: Rng): Shape {
  const n = 3000;
  const f = 10;
  const levels = 50;
  const effect = Array.from({ length: levels }, () => 1.2 * normal(rng));
  // Skewed level frequencies (weight ∝ 1 / (k + 4)): a few common levels, a tail of rare ones.
  const weights = Array.from({ length: levels }, (_, k) => 1 / (k + 4));
  const total = weights.reduce((a, b) => a + b, 0);
  const header = [...Array.from({ length: f }, (_, j) => `x${j}`), 'cat', 'y'];
  const rows = [header];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: f }, () => normal(rng));
    let u = rng.next() * total;
    let level = 0;
    while (level < levels - 1 && u >= weights[level]!) u -= weights[level++]!;
    const z =
      0.9 * x[0]! -
      0.7 * x[1]! +
      0.6 * x[2]! * x[3]! +
      0.8 * Math.sin(2 * x[4]!) +
      0.4 * Math.abs(x[5]!) -
      0.3 +
      effect[level]!;
    const y = rng.next() < sigmoid(z) ? 1 : 0;
    const cells = x.map((v) => (rng.next() < 0.3 ? '' : num(v)));
    rows.push([...cells, `L${String(level).padStart(2, '0')}`, String(y)]);
  }
  return { name: 'shape_missing', task: 'binary', target: 'y', rows };
}

function shapeImbalanced(rng: Rng): Shape {
  const n = 5000;
  const f = 15;
  const xs: number[][] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: f }, () => normal(rng));
    xs.push(x);
    scores.push(
      1.2 * x[0]! +
        0.9 * x[1]! -
        0.8 * x[2]! +
        0.9 * (x[3]! > 0.5 ? x[4]! : 0) +
        0.6 * x[5]! * x[6]! -
        0.5 * x[7]! * x[7]!,
    );
  }
  // The intercept that makes the mean probability 2% (bisection).
  let lo = -20;
  let hi = 5;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    const mean = scores.reduce((a, s) => a + sigmoid(s + mid), 0) / n;
    if (mean > 0.02) hi = mid;
    else lo = mid;
  }
  const header = [...Array.from({ length: f }, (_, j) => `x${j}`), 'y'];
  const rows = [header];
  for (let i = 0; i < n; i++) {
    const y = rng.next() < sigmoid(scores[i]! + lo) ? 1 : 0;
    rows.push([...xs[i]!.map(num), String(y)]);
  }
  return { name: 'shape_imbal', task: 'binary', target: 'y', rows };
}

function shapeRegression(rng: Rng): Shape {
  const n = 2000;
  const f = 105;
  const header = [...Array.from({ length: f }, (_, j) => `x${j}`), 'y'];
  const rows = [header];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: f }, () => rng.next());
    const y = 10 * Math.sin(Math.PI * x[0]! * x[1]!) + 20 * (x[2]! - 0.5) ** 2 + 10 * x[3]! + 5 * x[4]! + normal(rng);
    rows.push([...x.map(num), num(y)]);
  }
  return { name: 'shape_regress', task: 'regression', target: 'y', rows };
}

function shape3Class(rng: Rng): Shape {
  const means = [
    [0, 0, 0, 0],
    [2.6, 1.4, 0.4, 0.9],
    [3.3, 2.0, 0.9, 1.4],
  ];
  const scales = [0.5, 0.8, 0.8, 0.6];
  const header = ['f0', 'f1', 'f2', 'f3', 'species'];
  const rows = [header];
  for (let i = 0; i < 150; i++) {
    const k = i % 3;
    const common = normal(rng); // a size factor shared by the features, as in real measurements
    const x = means[k]!.map((m, j) => m + scales[j]! * (0.6 * normal(rng) + 0.5 * common));
    rows.push([...x.map(num), `c${k}`]);
  }
  return { name: 'shape_3class', task: 'multiclass', target: 'species', rows };
}

function shape10Class(rng: Rng): Shape {
  const side = 8;
  const classes = 10;
  // Smooth prototypes: a few random Gaussian "strokes" per class, scaled to 0..16.
  const protos = Array.from({ length: classes }, () => {
    const p = new Float64Array(side * side);
    const strokes = 3 + rng.int(3);
    for (let s = 0; s < strokes; s++) {
      const cx = 1 + rng.next() * 6;
      const cy = 1 + rng.next() * 6;
      const w = 0.8 + rng.next() * 1.2;
      for (let r = 0; r < side; r++)
        for (let c = 0; c < side; c++) p[r * side + c]! += Math.exp(-((r - cy) ** 2 + (c - cx) ** 2) / (2 * w * w));
    }
    const max = Math.max(...p);
    return p.map((v) => (16 * v) / max);
  });
  const header = [...Array.from({ length: side * side }, (_, j) => `p${j}`), 'digit'];
  const rows = [header];
  for (let i = 0; i < 1500; i++) {
    const k = i % classes;
    const p = protos[k]!;
    const strength = 0.6 + 0.7 * rng.next();
    const dr = rng.int(3) - 1; // shift by up to one pixel
    const dc = rng.int(3) - 1;
    const x: string[] = [];
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const sr = Math.min(side - 1, Math.max(0, r + dr));
        const sc = Math.min(side - 1, Math.max(0, c + dc));
        const v = strength * p[sr * side + sc]! + 3.5 * normal(rng);
        x.push(String(Math.min(16, Math.max(0, Math.round(v)))));
      }
    }
    rows.push([...x, String(k)]);
  }
  return { name: 'shape_10class', task: 'multiclass', target: 'digit', rows };
}

const MAKERS = [shapeMissing, shapeImbalanced, shapeRegression, shape3Class, shape10Class];

/** The shapes' names, in bench order. */
export const SHAPE_NAMES = ['shape_missing', 'shape_imbal', 'shape_regress', 'shape_3class', 'shape_10class'];

/** Makes one shape from `seed` (each shape has its own fork of the stream). */
export function makeShape(name: string, seed: number): Shape {
  const i = SHAPE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`bench: no shape '${name}'; there are: ${SHAPE_NAMES.join(', ')}`);
  return MAKERS[i]!(new Rng(seed).fork(i + 1));
}

/** Writes the shape as a CSV file in `dir` and returns its path. */
export function writeShape(shape: Shape, dir: string): string {
  const path = join(dir, `${shape.name}.csv`);
  writeFileSync(path, shape.rows.map((r) => r.join(',')).join('\n') + '\n');
  return path;
}
