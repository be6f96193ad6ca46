/**
 * `npm run bench -- gbdt [--rounds 100] [--scale]`: our GBDT against XGBoost (Debian's
 * python3-xgboost 1.7, tree_method=hist) with the same settings: 100 rounds, depth-wise growth,
 * max depth 6, learning rate 0.1, L2 1, min child hessian 1, 255 bins, no sub-sampling.
 *
 * Data: a seeded synthetic 3-class set of 125,000 rows × 20 features (100,000 train, 25,000
 * test), and the hydraulic cycle means (cool_cond_y, our 75/25 split with seed 42). Each side runs
 * in its own process; we print fit time, the ratio ours / XGBoost, test loglosses, peak memory
 * and training rows/s. `--scale` also fits 1,000,000 rows × 50 features once (ours only).
 *
 * `--defaults`: instead, the GBDT with its defaults on the five hydraulic labels, each split by our
 * splitter with seeds 42, 1, 2, 3, 4, against scikit-learn's HistGradientBoostingClassifier and
 * XGBoost with theirs: test logloss on the seed-42 split and the mean over the five.
 */
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { cachedClassification } from './synth.js';
import { hydraulicFile } from './hydraulic-data.js';
import { fmtRatio, requirePython, runNode, runPython } from './peer.js';

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'gbdt-child.js');
const peer = join(here, '..', '..', 'bench', 'peers', 'gbdt_peer.py');
const dir = join(tmpdir(), 'automl-bench');
const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;

interface Result {
  seconds: number;
  logloss: number;
  maxRssBytes: number;
  threads?: number;
}

async function compare(label: string, path: string, nTrain: number, rounds: number): Promise<void> {
  const ours = (await runNode(child, [path, String(nTrain), String(rounds), '2'])) as unknown as Result;
  const ours1 = (await runNode(child, [path, String(nTrain), String(rounds), '1'])) as unknown as Result;
  const xgb = (await runPython(peer, [path, String(nTrain), String(rounds), '2'])) as unknown as Result;
  const xgb1 = (await runPython(peer, [path, String(nTrain), String(rounds), '1'])) as unknown as Result;
  const lines = [
    `${label} (${nTrain} train rows, ${rounds} rounds)`,
    `  ours     2 threads ${ours.seconds.toFixed(2).padStart(7)} s  ${((nTrain * rounds) / ours.seconds / 1e6).toFixed(2)} M row-rounds/s  test logloss ${ours.logloss.toFixed(4)}  peak RSS ${mb(ours.maxRssBytes)}  (threads used: ${ours.threads})`,
    `  ours     1 thread  ${ours1.seconds.toFixed(2).padStart(7)} s`,
    `  XGBoost  2 threads ${xgb.seconds.toFixed(2).padStart(7)} s  ${((nTrain * rounds) / xgb.seconds / 1e6).toFixed(2)} M row-rounds/s  test logloss ${xgb.logloss.toFixed(4)}  peak RSS ${mb(xgb.maxRssBytes)}`,
    `  XGBoost  1 thread  ${xgb1.seconds.toFixed(2).padStart(7)} s`,
    `  ratio ours / XGBoost: ${fmtRatio(ours.seconds, xgb.seconds)} on 2 threads, ${fmtRatio(ours1.seconds, xgb1.seconds)} on 1; logloss ${(((ours.logloss - xgb.logloss) / xgb.logloss) * 100).toFixed(1)}% vs XGBoost's`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const LABELS = ['cool_cond_y', 'valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y'];
const SEEDS = [42, 1, 2, 3, 4];

async function defaults(): Promise<void> {
  requirePython(['numpy', 'sklearn', 'xgboost']);
  const defaultsPeer = join(here, '..', '..', 'bench', 'peers', 'defaults_peer.py');
  process.stdout.write('test logloss with defaults: seed-42 split / mean over split seeds 42, 1, 2, 3, 4\n');
  process.stdout.write('label             ours              HGB               XGBoost\n');
  for (const label of LABELS) {
    const ours: number[] = [];
    const hgb: number[] = [];
    const xgb: number[] = [];
    for (const seed of SEEDS) {
      const h = await hydraulicFile(label, seed);
      ours.push(((await runNode(child, [h.path, String(h.nTrain), 'defaults', '2'])) as unknown as Result).logloss);
      const peer = (await runPython(defaultsPeer, [h.path, String(h.nTrain)])) as { hgb: number; xgboost: number };
      hgb.push(peer.hgb);
      xgb.push(peer.xgboost);
    }
    const cell = (xs: number[]): string =>
      `${xs[0]!.toFixed(4)} / ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(4)}`.padEnd(18);
    process.stdout.write(`${label.padEnd(18)}${cell(ours)}${cell(hgb)}${cell(xgb)}\n`);
  }
}

export async function run(args: string[]): Promise<void> {
  if (args.includes('--defaults')) return defaults();
  requirePython(['numpy', 'xgboost']);
  const i = args.indexOf('--rounds');
  const rounds = i >= 0 ? Number(args[i + 1]) : 100;
  const synth = join(dir, 'synth-125000x20x3.f64');
  await cachedClassification(synth, 125_000, 20, 3, 7);
  await compare('synthetic 3-class, 125,000 × 20', synth, 100_000, rounds);
  const h = await hydraulicFile('cool_cond_y');
  await compare('hydraulic cool_cond_y, 2205 × 17', h.path, h.nTrain, rounds);
  if (args.includes('--scale')) {
    const big = join(dir, 'synth-1100000x50x2.f64');
    if (!existsSync(big)) process.stdout.write('generating 1,100,000 × 50 (once)…\n');
    await cachedClassification(big, 1_100_000, 50, 2, 11);
    const r = (await runNode(child, [big, '1000000', String(rounds), '2'])) as unknown as Result;
    process.stdout.write(
      `scale: 1,000,000 × 50 binary, ${rounds} rounds: ${r.seconds.toFixed(1)} s, peak RSS ${mb(r.maxRssBytes)} (the data alone: ${mb(1_100_000 * 51 * 8)} as float64)\n`,
    );
  }
}
