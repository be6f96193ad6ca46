/**
 * `npm run bench -- run-scale [--rows N] [--time T]`: `automl run` at scale. Generates once (kept
 * in the temp folder) a seeded binary table of 1,000,000 rows × 50 numeric features and a target
 * column `y` (bench/synth.ts's generator: correlated pairs, heavy tails, a noisy non-linear
 * score), then:
 *
 * 1. times our CSV reader (readCsv, as `automl run` reads its data) against pandas' read_csv
 *    (Debian's python3-pandas) on the same file, each in its own process;
 * 2. runs the built CLI, `automl run --data FILE --target y --time T` (default 3: a 40 s budget),
 *    as a user would, and reports its wall time (spawn to exit), its peak RSS (getrusage of the
 *    node process, written as it exits) and the search's candidate count (from the run's
 *    experiment.json).
 *
 * The peer for the run is its budget: the run must end within it (and under 4 GB).
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { budgetForTime } from '../src/search/budget.js';
import { fmtRatio, requirePython, runNode, runPython } from './peer.js';
import { timedNode, withChildren } from './proc.js';
import { makeClassification } from './synth.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'cli', 'main.js');
const FEATURES = 50;
const SEED = 16;

/** Writes the seeded CSV once (5 decimals, as bench/budget.ts writes its tables). */
async function makeCsv(path: string, rows: number): Promise<void> {
  if (existsSync(path)) return;
  process.stdout.write(`generating ${path} (once, kept for later runs) …\n`);
  await mkdir(dirname(path), { recursive: true });
  const d = makeClassification(rows, FEATURES, 2, SEED);
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  out.write(`${[...d.columns.map((_, j) => `x${j}`), 'y'].join(',')}\n`);
  const cells = new Array<string>(FEATURES + 1);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < FEATURES; j++) cells[j] = d.columns[j]![i]!.toFixed(5);
    cells[FEATURES] = String(d.y[i]);
    if (!out.write(`${cells.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(tmp, path);
}

const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;

interface RunJson {
  rows: { train: number; searched?: number };
  search: { candidates: number; stoppedBy: string };
}

export async function run(args: string[]): Promise<void> {
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const rows = opt('--rows', 1_000_000);
  const time = opt('--time', 3);
  requirePython(['pandas']);
  const file = join(tmpdir(), 'automl-bench', `binary-${rows}x${FEATURES}.csv`);
  await makeCsv(file, rows);
  process.stdout.write(`data: ${file}\n  ${rows} rows × ${FEATURES} features + y, ${mb(statSync(file).size)}\n`);

  const ours = await runNode(join(here, 'csv-child.js'), [file]);
  const peer = await runPython(join(here, '..', '..', 'bench', 'peers', 'read_csv_peer.py'), [file]);
  const os = ours['seconds'] as number;
  const ps = peer['seconds'] as number;

  const work = mkdtempSync(join(tmpdir(), 'automl-run-scale-'));
  try {
    const budget = budgetForTime(time);
    const r = await withChildren(() =>
      timedNode(
        cli,
        ['run', '--data', file, '--target', 'y', '--time', String(time), '--out-dir', work, '--name', 'scale'],
        join(work, 'rss'),
      ),
    );
    const exp = JSON.parse(
      await readFile(join(work, 'experiments', 'runs', 'scale', 'experiment.json'), 'utf8'),
    ) as RunJson;
    const over = r.wallSeconds > budget ? '  OVER' : '';
    process.stdout.write(
      [
        `read  ours readCsv     ${os.toFixed(2).padStart(6)} s  peak RSS ${mb(ours['maxRssBytes'] as number)}`,
        `read  pandas.read_csv  ${ps.toFixed(2).padStart(6)} s  peak RSS ${mb(peer['maxRssBytes'] as number)}`,
        `read  ratio (ours / pandas): time ${fmtRatio(os, ps)}`,
        `run   --time ${time} (budget ${budget} s): wall ${r.wallSeconds.toFixed(1)} s${over}`,
        `run   peak RSS ${mb(r.maxRssBytes)}, ${exp.search.candidates} candidates` +
          ` (stopped by ${exp.search.stoppedBy})`,
        `run   searched ${exp.rows.searched ?? exp.rows.train} of ${exp.rows.train} training rows`,
      ].join('\n') + '\n',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
