/**
 * `npm run bench -- peers [--quick] [--only NAME[,NAME]] [--seeds 1,2,3] [--max-runtime S]
 * [--shape-runtime S] [--data-seed N] [--out FILE]`: test quality against peers (issue 12).
 *
 * For each data set × split seed S: our splitter (`automl split`, stratified 75/25, --seed S) writes
 * train/test CSV files to a temp folder; `automl run --train --test --time 5 --max-runtime M --seed S
 * --json` (plus --drop for the other hydraulic labels) gives our test logloss (RMSE for regression)
 * and its wall time; then bench/peers/automl_peer.py (Debian's /usr/bin/python3 with sklearn,
 * xgboost, pandas, optuna) fits, on the very same files, LogisticRegression, RandomForest (300),
 * HistGradientBoosting, early-stopped XGBoost, and an Optuna TPE AutoML peer (3-fold CV) given our
 * measured wall time. Every random choice (splits, shapes, our search, the peers' random_state and
 * the TPE sampler) flows from S (the shapes from --data-seed, default 12); only the Optuna peer's
 * number of trials depends on the clock, as our search's candidates do.
 *
 * Data sets: the five hydraulic labels (the other four dropped) and five synthetic shapes from
 * bench/shapes.ts (shape_missing, shape_imbal, shape_regress, shape_3class, shape_10class).
 *
 * Ratios: max(ours, 0.001) / max(peer, 0.001) for logloss (below 0.001 every model is near
 * perfect), plain RMSE ratios for regression; '!' marks a ratio above 1.5. Per data set: the means
 * over seeds and the ratio of our mean to the best peer's mean; then their geometric mean.
 *
 * Budgets, measured here (2 cores shared with other work, load average 4 to 5): with --max-runtime
 * 60 (the issue's setting) a hydraulic case cost 75 to 130 s (our run 37 to 61 s, the Optuna peer as
 * long, the default peers and the processes' start 5 to 10 s); a shape case with --max-runtime 10
 * cost 15 to 50 s (shape_regress and shape_10class the most: sklearn's RandomForestRegressor tries
 * all 105 features at each split, HGB fits ten trees a round, and our run overran its 10 s to 19 s
 * on shape_regress). `--quick` with those settings took 12.4 minutes, over the 12 asked, so
 * `--quick` (seed 1) uses --max-runtime 45 for the hydraulic labels and 8 for the shapes: 11.5
 * minutes measured (build included), of which about 60 s is our run overrunning its 8 s to 38 s on
 * shape_10class and the Optuna peer then getting the same; the default (seeds 1, 2, 3) keeps 60 and
 * 10, about 37 minutes by the same measurements, under the 45 asked. The
 * Optuna peer always gets our measured wall time, so the comparison stays fair at any budget;
 * --shape-runtime changes the shapes' budget and --max-runtime sets both.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { PYTHON, requirePython } from './peer.js';
import { spawnTracked, withChildren } from './proc.js';
import { SHAPE_NAMES, makeShape, writeShape } from './shapes.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'cli', 'main.js');
const hydraulic = join(here, '..', '..', 'recipes', 'hydraulic', 'hydraulic.csv');
const peerScript = join(here, '..', '..', 'bench', 'peers', 'automl_peer.py');
const LABELS = ['cool_cond_y', 'valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y'];
const PEERS = ['lr', 'rf', 'hgb', 'xgb', 'optuna'] as const;
const SHORT: Record<string, string> = { lr: 'lr', rf: 'rf', hgb: 'hgb', xgb: 'xgb', optuna: 'opt' };
const FLOOR = 0.001;
const WORSE = 1.5;

interface Options {
  seeds: number[];
  only: string[] | undefined;
  hydraulicRuntime: number;
  shapeRuntime: number;
  dataSeed: number;
  out: string | undefined;
}

interface PeerResult {
  score: number;
  seconds: number;
  trials?: number;
  cv?: number;
  best?: Record<string, unknown>;
}

export interface CaseResult {
  data: string;
  seed: number;
  task: string;
  metric: 'logloss' | 'rmse';
  ours: number;
  oursSeconds: number;
  oursFamily: string;
  oursCandidates: number;
  /** The neural net's share of the search's fit time, and whether it is in the pipeline. */
  netShare: number;
  netInPipeline: boolean;
  /** The pipeline's model: the winner's family, or 'ensemble N'. */
  oursModel: string;
  peers: Record<string, PeerResult>;
  bestPeer: string;
  ratio: number;
}

function parseOptions(args: string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`bench peers: ${flag} needs a value`);
    return v;
  };
  const number = (flag: string, fallback: number): number => {
    const v = value(flag);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`bench peers: ${flag} needs a positive number, got '${v}'`);
    return n;
  };
  const known = new Set(['--quick', '--only', '--seeds', '--max-runtime', '--shape-runtime', '--data-seed', '--out']);
  for (const a of args)
    if (a.startsWith('--') && !known.has(a))
      throw new Error(`bench peers: unknown option ${a}; there are: ${[...known].join(', ')}`);
  const seedsText = value('--seeds');
  const quick = args.includes('--quick');
  const seeds = quick ? [1] : seedsText ? seedsText.split(',').map(Number) : [1, 2, 3];
  if (seeds.some((s) => !Number.isInteger(s)))
    throw new Error(`bench peers: --seeds needs integers, got '${seedsText}'`);
  const only = value('--only')
    ?.split(',')
    .filter((s) => s !== '');
  const all = [...LABELS, ...SHAPE_NAMES];
  for (const n of only ?? [])
    if (!all.includes(n)) throw new Error(`bench peers: no data set '${n}'; there are: ${all.join(', ')}`);
  const max = value('--max-runtime') === undefined ? undefined : number('--max-runtime', 60);
  return {
    seeds,
    only,
    hydraulicRuntime: max ?? (quick ? 45 : 60),
    shapeRuntime: max ?? number('--shape-runtime', quick ? 8 : 10),
    dataSeed: number('--data-seed', 12),
    out: value('--out'),
  };
}

/** Runs a child to its end; returns its stdout and wall seconds, or fails with its stderr. */
async function runChild(cmd: string, args: string[]): Promise<{ stdout: string; seconds: number }> {
  const t0 = performance.now();
  const child = spawnTracked(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}: ${stderr.trim().slice(-2000)}`);
  return { stdout, seconds };
}

function lastJsonLine(text: string): Record<string, unknown> {
  return JSON.parse(text.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

function ratioOf(metric: string, ours: number, peer: number): number {
  return metric === 'rmse' ? ours / peer : Math.max(ours, FLOOR) / Math.max(peer, FLOOR);
}

/** A number in six characters. */
function fmt(v: number): string {
  if (!Number.isFinite(v)) return '   n/a';
  if (v < 10) return v.toFixed(4);
  if (v < 100) return v.toFixed(3);
  if (v < 1000) return v.toFixed(2);
  if (v < 100000) return v.toFixed(0).padStart(6);
  return v.toExponential(1);
}

function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '     n/a';
  return `${r.toFixed(2)}×${r > WORSE ? '!' : ' '}`.padStart(8);
}

const header = (first: string): string =>
  `${first.padEnd(16)}${['ours', ...PEERS.map((p) => SHORT[p]!)].map((h) => h.padStart(7)).join('')} best   ratio`;

function row(label: string, ours: number, peers: Record<string, number>, best: string, ratio: number): string {
  return `${label.padEnd(16)}${[ours, ...PEERS.map((p) => peers[p] ?? NaN)].map((v) => ` ${fmt(v)}`).join('')}${SHORT[best]!.padStart(5)}${fmtRatio(ratio)}`;
}

interface DataSet {
  name: string;
  /** Writes the full table (shapes) or returns the embedded one. */
  file: (work: string) => string;
  target: string;
  task: string | undefined;
  drop: string[];
  runtime: number;
}

function dataSets(o: Options): DataSet[] {
  const sets: DataSet[] = [
    ...LABELS.map((label) => ({
      name: label,
      file: () => hydraulic,
      target: label,
      task: undefined,
      drop: LABELS.filter((l) => l !== label),
      runtime: o.hydraulicRuntime,
    })),
    ...SHAPE_NAMES.map((name) => {
      const shape = makeShape(name, o.dataSeed);
      return {
        name,
        file: (work: string) => writeShape(shape, work),
        target: shape.target,
        task: shape.task,
        drop: [],
        runtime: o.shapeRuntime,
      };
    }),
  ];
  return o.only ? sets.filter((s) => o.only!.includes(s.name)) : sets;
}

async function runCase(d: DataSet, data: string, seed: number, work: string): Promise<CaseResult> {
  const base = join(work, `${d.name}-${seed}`);
  const train = `${base}.train.csv`;
  const test = `${base}.test.csv`;
  const task = d.task ? ['--task', d.task] : [];
  await runChild(process.execPath, [
    cli,
    'split',
    '--data',
    data,
    '--target',
    d.target,
    '--seed',
    String(seed),
    '--out-train',
    train,
    '--out-test',
    test,
    '--quiet',
    ...task,
  ]);
  const drop = d.drop.length > 0 ? ['--drop', d.drop.join(',')] : [];
  const ours = await runChild(process.execPath, [
    cli,
    'run',
    '--train',
    train,
    '--test',
    test,
    '--target',
    d.target,
    '--time',
    '5',
    '--max-runtime',
    String(d.runtime),
    '--seed',
    String(seed),
    '--json',
    '--out-dir',
    work,
    '--name',
    `${d.name}-${seed}`,
    ...drop,
    ...task,
  ]);
  const res = JSON.parse(ours.stdout) as Record<string, unknown>;
  const resTask = String(res['task']);
  const metric = resTask === 'regression' ? 'rmse' : 'logloss';
  const ourScore = Number((res['test'] as Record<string, number>)[metric]);
  const best = (res['search'] as { best?: { family?: string }; candidates?: number } | undefined) ?? {};
  const py = await runChild(PYTHON, [
    peerScript,
    '--train',
    train,
    '--test',
    test,
    '--target',
    d.target,
    '--task',
    resTask,
    '--drop',
    d.drop.join(','),
    '--seed',
    String(seed),
    '--timeout',
    ours.seconds.toFixed(1),
  ]);
  const peers = lastJsonLine(py.stdout)['peers'] as Record<string, PeerResult>;
  const bestPeer = PEERS.reduce((a, b) => (peers[b]!.score < peers[a]!.score ? b : a));
  const net = netShare(join(work, 'experiments', 'runs', `${d.name}-${seed}`, 'leaderboard.csv'));
  const ensemble = res['ensemble'] as { kept: boolean; members: { family: string }[] };
  rmSync(join(work, 'experiments'), { recursive: true, force: true });
  rmSync(join(work, 'pipelines'), { recursive: true, force: true });
  return {
    netShare: net,
    netInPipeline: ensemble.members.some((m) => m.family === 'mlp'),
    oursModel: ensemble.kept ? `ensemble ${ensemble.members.length}` : (best.best?.family ?? '?'),
    data: d.name,
    seed,
    task: resTask,
    metric,
    ours: ourScore,
    oursSeconds: ours.seconds,
    oursFamily: best.best?.family ?? '?',
    oursCandidates: best.candidates ?? 0,
    peers,
    bestPeer,
    ratio: ratioOf(metric, ourScore, peers[bestPeer]!.score),
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The neural net's share of the fit seconds summed over a run's leaderboard. */
function netShare(leaderboardPath: string): number {
  const rows = parse(readFileSync(leaderboardPath, 'utf8'), { columns: true }) as Record<string, string>[];
  const seconds = (r: Record<string, string>): number => Number(r['fit_seconds'] ?? 0);
  const total = rows.reduce((s, r) => s + seconds(r), 0);
  const net = rows.filter((r) => r['family'] === 'mlp').reduce((s, r) => s + seconds(r), 0);
  return total > 0 ? net / total : 0;
}

export interface DataSetSummary {
  data: string;
  metric: string;
  seeds: number;
  ours: number;
  peers: Record<string, number>;
  bestPeer: string;
  ratio: number;
}

function summarize(cases: CaseResult[]): DataSetSummary[] {
  const names = [...new Set(cases.map((c) => c.data))];
  return names.map((data) => {
    const cs = cases.filter((c) => c.data === data);
    const peers = Object.fromEntries(PEERS.map((p) => [p, mean(cs.map((c) => c.peers[p]!.score))]));
    const bestPeer = PEERS.reduce((a, b) => (peers[b]! < peers[a]! ? b : a));
    const ours = mean(cs.map((c) => c.ours));
    return {
      data,
      metric: cs[0]!.metric,
      seeds: cs.length,
      ours,
      peers,
      bestPeer,
      ratio: ratioOf(cs[0]!.metric, ours, peers[bestPeer]!),
    };
  });
}

const geomean = (xs: number[]): number => Math.exp(mean(xs.map(Math.log)));

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  requirePython(['sklearn', 'xgboost', 'pandas', 'optuna']);
  const r = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench peers: ${cli} does not run; build first (npm run build)`);
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'automl-peers-'));
  const cases: CaseResult[] = [];
  const sets = dataSets(o);
  process.stdout.write(
    `test logloss (RMSE for *_regress); seeds ${o.seeds.join(',')}; automl run --time 5\n` +
      `--max-runtime ${o.hydraulicRuntime} (hydraulic), ${o.shapeRuntime} (shapes)\n` +
      `ratio = ours / best peer (logloss floored at ${FLOOR}); '!' above ${WORSE}×;\n` +
      `opt = Optuna TPE peer\n\n`,
  );
  process.stdout.write(`${header('case')}\n`);
  try {
    await withChildren(async () => {
      for (const d of sets) {
        const data = d.file(work);
        for (const seed of o.seeds) {
          try {
            const c = await runCase(d, data, seed, work);
            cases.push(c);
            const scores = Object.fromEntries(PEERS.map((p) => [p, c.peers[p]!.score]));
            process.stdout.write(`${row(`${d.name}/${seed}`, c.ours, scores, c.bestPeer, c.ratio)}\n`);
          } catch (e) {
            process.stdout.write(`${`${d.name}/${seed}`.padEnd(16)} failed (see stderr)\n`);
            process.stderr.write(`bench peers: ${d.name}/${seed}: ${(e as Error).message}\n`);
          }
        }
      }
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (cases.length === 0) throw new Error('bench peers: no case finished');

  const summary = summarize(cases);
  process.stdout.write(
    `\nper data set: means over seeds ${o.seeds.join(',')}, ratio of means\n${header('data set')}\n`,
  );
  for (const s of summary) process.stdout.write(`${row(s.data, s.ours, s.peers, s.bestPeer, s.ratio)}\n`);
  const gm = geomean(summary.map((s) => s.ratio));
  const hyd = summary.filter((s) => LABELS.includes(s.data));
  const shp = summary.filter((s) => !LABELS.includes(s.data));
  const part = (name: string, ss: DataSetSummary[]): string =>
    ss.length > 0 ? `; ${name} ${geomean(ss.map((s) => s.ratio)).toFixed(2)}×` : '';
  process.stdout.write(
    `\ngeometric mean of the per-data-set ratios: ${gm.toFixed(2)}×\n(${summary.length} data sets${part('hydraulic', hyd)}${part('shapes', shp)})\n`,
  );
  const worse = cases.filter((c) => c.ratio > WORSE).length;
  process.stdout.write(`cases worse than ${WORSE}×: ${worse} of ${cases.length}\n`);

  // Times: our wall (the Optuna peer's budget), our winner, the Optuna peer's time, trials, winner.
  // The neural net's share of the search's fit time (* when it is in the pipeline).
  process.stdout.write(`\n${'case'.padEnd(16)}  ours s  cands  net %  pipeline       opt s  trials  opt best\n`);
  for (const c of cases) {
    const opt = c.peers['optuna']!;
    const optBest = String(opt.best?.['learner'] ?? '?');
    process.stdout.write(
      `${`${c.data}/${c.seed}`.padEnd(16)}${c.oursSeconds.toFixed(1).padStart(8)}${String(c.oursCandidates).padStart(7)}${`${(100 * c.netShare).toFixed(0)}${c.netInPipeline ? '*' : ' '}`.padStart(7)}  ${c.oursModel.padEnd(12)}${opt.seconds.toFixed(1).padStart(8)}${String(opt.trials ?? 0).padStart(8)}  ${optBest}\n`,
    );
  }
  const total = (performance.now() - started) / 1000;
  process.stdout.write(`\ntotal wall time ${(total / 60).toFixed(1)} min\n`);
  if (o.out) {
    const json = { options: o, cases, dataSets: summary, geomean: gm, worseCases: worse, totalSeconds: total };
    writeFileSync(o.out, JSON.stringify(json, null, 2) + '\n');
    process.stdout.write(`wrote ${o.out}\n`);
  }
}
