/**
 * `npm run bench -- gbdt [--rounds 100] [--scale]`: our GBDT against XGBoost (Debian's
 * python3-xgboost 1.7, tree_method=hist) with the same settings: 100 rounds, depth-wise growth,
 * max depth 6, learning rate 0.1, L2 1, min child hessian 1, 255 bins, no sub-sampling.
 *
 * Data: a seeded synthetic 3-class set of 125,000 rows × 20 features (100,000 train, 25,000
 * test), and the hydraulic cycle means (cool_cond_y, our 75/25 split with seed 42). Each side runs
 * in processes of its own, on 2 threads and on 1; we print fit times of the first fit (cold) and
 * of the warm ones (median), the ratios ours / XGBoost, test loglosses and peak memory.
 * `--scale`, instead: 1,000,000 rows × 50 features, binary (100,000 more rows to test), one fit
 * per process, both sides.
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
  /** Fit seconds: the process's first fit, then the warm ones. */
  seconds: number[];
  logloss: number;
  maxRssBytes: number;
  threads?: number;
  kernel?: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const secs = (s: number): string => (s < 10 ? s.toFixed(3) : s.toFixed(1)).padStart(7);

/**
 * Ours and XGBoost, on 2 threads and on 1, each in a process of its own that fits once (cold:
 * the first fit of a process, JIT not yet warm on our side) and then `reps` more (warm: the
 * median, as in a search that fits model after model). Ratios are ours / XGBoost.
 */
async function compare(label: string, path: string, nTrain: number, rounds: number, reps: number): Promise<void> {
  const args = (threads: number): string[] => [path, String(nTrain), String(rounds), String(threads), String(reps)];
  const ours2 = (await runNode(child, args(2))) as unknown as Result;
  const ours1 = (await runNode(child, args(1))) as unknown as Result;
  const xgb2 = (await runPython(peer, args(2))) as unknown as Result;
  const xgb1 = (await runPython(peer, args(1))) as unknown as Result;
  const warm = reps > 0;
  const lines = [
    `${label}, ${rounds} rounds: fit seconds`,
    `             first fit (cold)${warm ? `           warm (median of ${reps})` : ''}`,
    `             ours  XGBoost  ratio${warm ? '      ours  XGBoost  ratio' : ''}`,
  ];
  for (const [name, ours, xgb] of [
    ['2 threads', ours2, xgb2],
    ['1 thread ', ours1, xgb1],
  ] as const) {
    const cold = `${secs(ours.seconds[0]!)}  ${secs(xgb.seconds[0]!)}  ${fmtRatio(ours.seconds[0]!, xgb.seconds[0]!).padStart(5)}`;
    const w = warm
      ? `  ${secs(median(ours.seconds.slice(1)))}  ${secs(median(xgb.seconds.slice(1)))}  ${fmtRatio(median(ours.seconds.slice(1)), median(xgb.seconds.slice(1))).padStart(5)}`
      : '';
    lines.push(`  ${name} ${cold}${w}`);
  }
  const pct = ((ours2.logloss - xgb2.logloss) / xgb2.logloss) * 100;
  lines.push(
    `  test logloss: ours ${ours2.logloss.toFixed(4)}, XGBoost ${xgb2.logloss.toFixed(4)} (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)`,
    `  peak RSS: ours ${mb(ours2.maxRssBytes)}, XGBoost ${mb(xgb2.maxRssBytes)} (2 threads)`,
    `  ours: ${ours2.kernel} kernels, ${ours2.threads} thread(s) used when given 2`,
  );
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
  if (args.includes('--scale')) {
    const big = join(dir, 'synth-1100000x50x2.f64');
    if (!existsSync(big)) process.stdout.write('generating 1,100,000 × 50 (once)…\n');
    await cachedClassification(big, 1_100_000, 50, 2, 11);
    await compare('synthetic binary, 1,000,000 × 50 train', big, 1_000_000, rounds, 0);
    process.stdout.write(`  (the data alone: ${mb(1_100_000 * 51 * 8)} as float64, on both sides)\n`);
    return;
  }
  const synth = join(dir, 'synth-125000x20x3.f64');
  await cachedClassification(synth, 125_000, 20, 3, 7);
  await compare('synthetic 3-class, 100,000 × 20 train', synth, 100_000, rounds, 3);
  const h = await hydraulicFile('cool_cond_y');
  await compare(`hydraulic cool_cond_y, ${h.nTrain} × 17 train`, h.path, h.nTrain, rounds, 15);
}
