/**
 * `npm run bench -- search [--time 2]`: the search itself.
 *
 * 1. Both cores: `automl run --max-models 16` on the hydraulic valve target with `--threads 1` and
 *    `--threads 2`; prints the wall-time ratio and checks that both leaderboards are the same.
 * 2. Against strong single models: for each hydraulic label, the train/test split of our splitter
 *    (seed 42), `automl run --train --test --time T` against scikit-learn's
 *    HistGradientBoostingClassifier and XGBoost with their defaults on the same files; prints the
 *    test loglosses and the wall times.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePython, runPython } from './peer.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'cli', 'main.js');
const data = join(here, '..', '..', 'recipes', 'hydraulic', 'hydraulic.csv');
const LABELS = ['cool_cond_y', 'valve_cond_y', 'pump_leak_y', 'acc_gas_leak_y', 'stable_y'];

function automl(args: string[]): { wall: number; res: Record<string, unknown> } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`bench search: automl ${args.join(' ')} failed: ${r.stderr}`);
  return { wall, res: JSON.parse(r.stdout) as Record<string, unknown> };
}

/** The leaderboard without its times (which differ from run to run). */
function leaderboardShape(dir: string, name: string): string {
  const text = readFileSync(join(dir, 'experiments', 'runs', name, 'leaderboard.csv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => line.replace(/,[0-9.]+,[0-9.]+,[0-9.]+,[^,]*$/, ''))
    .join('\n');
}

export async function run(args: string[]): Promise<void> {
  requirePython(['sklearn', 'xgboost']);
  const i = args.indexOf('--time');
  const time = i >= 0 ? args[i + 1]! : '2';
  const work = mkdtempSync(join(tmpdir(), 'automl-search-'));
  try {
    // 1. Threads.
    const walls: number[] = [];
    for (const threads of [1, 2]) {
      const { wall } = automl([
        'run',
        '--target',
        'valve_cond_y',
        '--max-models',
        '16',
        '--threads',
        String(threads),
        '--out-dir',
        work,
        '--name',
        `t${threads}`,
      ]);
      walls.push(wall);
    }
    const same = leaderboardShape(work, 't1') === leaderboardShape(work, 't2');
    process.stdout.write(
      `valve_cond_y, 16 candidates, 3-fold: 1 thread ${walls[0]!.toFixed(1)} s, 2 threads ${walls[1]!.toFixed(1)} s → ratio ${(walls[1]! / walls[0]!).toFixed(2)}; leaderboards ${same ? 'identical' : 'DIFFER'}\n`,
    );

    // 2. Against single models with their defaults.
    process.stdout.write(
      `\ntest logloss (seed-42 split); automl run --time ${time} against HGB and XGBoost defaults\n`,
    );
    process.stdout.write('label            automl  (family, wall)          HGB     (fit)     XGBoost (fit)\n');
    for (const label of LABELS) {
      const train = join(work, `${label}.train.csv`);
      const test = join(work, `${label}.test.csv`);
      automl(['split', '--data', data, '--target', label, '--out-train', train, '--out-test', test]);
      const { wall, res } = automl([
        'run',
        '--train',
        train,
        '--test',
        test,
        '--target',
        label,
        '--time',
        time,
        '--out-dir',
        work,
        '--name',
        label,
      ]);
      const ours = (res['test'] as { logloss: number }).logloss;
      const family = (res['search'] as { best: { family: string } }).best.family;
      const peer = (await runPython(join(here, '..', '..', 'bench', 'peers', 'search_peer.py'), [
        train,
        test,
        label,
        LABELS.filter((l) => l !== label).join(','),
      ])) as Record<string, { seconds: number; logloss: number }>;
      process.stdout.write(
        `${label.padEnd(16)} ${ours.toFixed(4)}  (${family}, ${wall.toFixed(1)} s)`.padEnd(48) +
          `${peer['hgb']!.logloss.toFixed(4)}  (${peer['hgb']!.seconds.toFixed(1)} s)   ${peer['xgboost']!.logloss.toFixed(4)}  (${peer['xgboost']!.seconds.toFixed(1)} s)\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
