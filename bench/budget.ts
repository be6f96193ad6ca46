/**
 * `npm run bench -- budget [--budgets 10,20,40]`: does `automl run` keep its time budget? Runs the
 * built CLI with `--max-runtime` on the hydraulic cooler target and on seeded synthetic tables of
 * 20,000 and 200,000 rows × 20 features (3 classes), and prints the wall time of each run (reading
 * the CSV, the checks, the search, the final refit and the export) against the allowance the issue
 * sets: budget + 5% + 5 s.
 * The peer is the budget itself: the ratio printed is wall time / budget.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeClassification } from './synth.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'cli', 'main.js');

function syntheticCsv(path: string, rows: number): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const d = makeClassification(rows, 20, 3, 5);
  const lines = [[...d.columns.map((_, j) => `x${j}`), 'y'].join(',')];
  for (let i = 0; i < d.nRows; i++) lines.push([...d.columns.map((c) => c[i]!.toFixed(5)), String(d.y[i])].join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--budgets');
  const budgets = (i >= 0 ? args[i + 1]! : '10,20,40').split(',').map(Number);
  const work = mkdtempSync(join(tmpdir(), 'automl-budget-'));
  const synth = join(tmpdir(), 'automl-bench', 'synth-20000x20.csv');
  const big = join(tmpdir(), 'automl-bench', 'synth-200000x20.csv');
  syntheticCsv(synth, 20_000);
  syntheticCsv(big, 200_000);
  const cases: [string, string[]][] = [
    ['cool_cond_y 2205', ['--target', 'cool_cond_y']],
    ['3-class 20k × 20', ['--data', synth, '--target', 'y']],
    ['3-class 200k × 20', ['--data', big, '--target', 'y']],
  ];
  // Within 80 columns: cool_cond_y is the hydraulic target (2205 rows), the 3-class tables are
  // synthetic (rows × features); candidates: all, and how many were halved.
  const lines = ['data               budget    wall  allowance  ratio  stopped by      candidates'];
  for (const [label, extra] of cases) {
    for (const b of budgets) {
      const t0 = performance.now();
      const r = spawnSync(
        process.execPath,
        [cli, 'run', ...extra, '--max-runtime', String(b), '--out-dir', work, '--json', '--name', `b${b}`],
        { encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      const wall = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`bench budget: automl run failed: ${r.stderr}`);
      const res = JSON.parse(r.stdout) as { search: { stoppedBy: string; candidates: number; halved: number } };
      const allowance = b * 1.05 + 5;
      lines.push(
        `${label.padEnd(17)}${String(b).padStart(6)} s${wall.toFixed(1).padStart(7)} s${allowance.toFixed(1).padStart(9)} s${(wall / b).toFixed(2).padStart(7)}  ${res.search.stoppedBy.padEnd(14)}  ${res.search.candidates} (${res.search.halved})${wall > allowance ? ' OVER' : ''}`,
      );
      process.stdout.write(`${lines.splice(0).join('\n')}\n`);
    }
  }
  rmSync(work, { recursive: true, force: true });
}
