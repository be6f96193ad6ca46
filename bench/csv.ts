/**
 * `npm run bench -- csv [--rows N]`: reads a seeded numeric CSV (default 1,000,000 rows × 20
 * columns, about 190 MB) with our streaming reader and with numpy's loadtxt (Debian's
 * python3-numpy, via python3-sklearn), each in its own process; prints time, peak memory, and
 * the ratios. Peak memory beyond the table itself shows that the reader streams.
 */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { Rng } from '../src/util/random.js';
import { fmtRatio, requirePython, runNode, runPython } from './peer.js';

const here = dirname(fileURLToPath(import.meta.url));

async function makeCsv(path: string, rows: number, cols: number): Promise<void> {
  if (existsSync(path)) return;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  const rng = new Rng(2024);
  out.write(`${Array.from({ length: cols }, (_, j) => `x${j}`).join(',')}\n`);
  for (let i = 0; i < rows; i++) {
    const cells = new Array<string>(cols);
    for (let j = 0; j < cols; j++) cells[j] = ((rng.next() - 0.5) * 10 ** (j % 5)).toFixed(6);
    if (!out.write(`${cells.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(tmp, path);
}

const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--rows');
  const rows = i >= 0 ? Number(args[i + 1]) : 1_000_000;
  const cols = 20;
  requirePython(['numpy']);
  const file = join(tmpdir(), 'automl-bench', `numeric-${rows}x${cols}.csv`);
  await makeCsv(file, rows, cols);
  process.stdout.write(`data: ${file} (${rows} rows × ${cols} columns, ${mb(statSync(file).size)})\n`);
  const ours = await runNode(join(here, 'csv-child.js'), [file]);
  const peer = await runPython(join(here, '..', '..', 'bench', 'peers', 'csv_peer.py'), [file]);
  const os = ours['seconds'] as number;
  const ps = peer['seconds'] as number;
  const om = ours['maxRssBytes'] as number;
  const pm = peer['maxRssBytes'] as number;
  process.stdout.write(
    [
      `ours  readCsv        ${os.toFixed(2)} s  ${(rows / os / 1e6).toFixed(2)} M rows/s  peak RSS ${mb(om)} (table ${mb(ours['tableBytes'] as number)})`,
      `peer  numpy.loadtxt  ${ps.toFixed(2)} s  ${(rows / ps / 1e6).toFixed(2)} M rows/s  peak RSS ${mb(pm)}`,
      `ratio (ours / numpy): time ${fmtRatio(os, ps)}, peak memory ${fmtRatio(om, pm)}`,
    ].join('\n') + '\n',
  );
}
