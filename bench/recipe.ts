/**
 * `npm run bench -- recipe [--cycles N] [--half N] [--seed S]`: the hydraulic recipe on a
 * generated full-size archive (default 2205 cycles, all 17 sensor files at full sample counts,
 * numbers with 3 decimals, ~650 MB of text inside), run as users run it (the built CLI, in a
 * child process), against a Python peer (zipfile + numpy, /usr/bin/python3) doing the same
 * cycle means and CSV. Prints wall time and peak RSS of both, the ratios, and our peak RSS on a
 * half-size archive as well: it must not grow with the archive. Archives are generated once,
 * seeded, and kept in the temp folder for later runs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { HYDRAULIC_SENSORS, PROFILE_FILE } from '../recipes/hydraulic/schema.js';
import { timedNode } from './proc.js';
import { packageRoot } from '../src/util/paths.js';
import { Rng } from '../src/util/random.js';
import { PYTHON, fmtRatio, requirePython } from './peer.js';

/** Typical level, swing within a cycle, and noise of each sensor (roughly the real rig's). */
const LEVELS: Record<string, [number, number, number]> = {
  'PS1.txt': [160, 25, 0.8],
  'PS2.txt': [109, 20, 0.6],
  'PS3.txt': [1.7, 0.8, 0.05],
  'PS4.txt': [2.6, 3, 0.02],
  'PS5.txt': [9.2, 0.6, 0.01],
  'PS6.txt': [9.1, 0.6, 0.01],
  'FS1.txt': [6.2, 3, 0.2],
  'FS2.txt': [9.6, 0.5, 0.05],
  'TS1.txt': [45, 5, 0.05],
  'TS2.txt': [50, 5, 0.05],
  'TS3.txt': [47, 5, 0.05],
  'TS4.txt': [41, 5, 0.05],
  'EPS1.txt': [2500, 200, 5],
  'VS1.txt': [0.61, 0.05, 0.01],
  'CE.txt': [31, 10, 0.1],
  'CP.txt': [1.8, 0.4, 0.01],
  'SE.txt': [56, 10, 0.3],
};

/** One sensor file, a line (cycle) at a time, so that generating it holds one line in memory. */
function* sensorLines(file: string, samples: number, cycles: number, rng: Rng): Generator<Buffer> {
  const [level, swing, noise] = LEVELS[file]!;
  const parts = new Array<string>(samples);
  for (let c = 0; c < cycles; c++) {
    const drift = (rng.next() - 0.5) * swing * 0.2;
    const phase = rng.next() * 2 * Math.PI;
    for (let j = 0; j < samples; j++) {
      const v =
        level + drift + swing * 0.5 * Math.sin(phase + (6 * Math.PI * j) / samples) + noise * (rng.next() - 0.5);
      parts[j] = v.toFixed(3);
    }
    yield Buffer.from(`${parts.join('\t')}\n`);
  }
}

function* profileLines(cycles: number, rng: Rng): Generator<Buffer> {
  const pick = (values: readonly number[]): number => values[rng.int(values.length)]!;
  for (let c = 0; c < cycles; c++) {
    const row = [pick([3, 20, 100]), pick([100, 90, 80, 73]), pick([0, 1, 2]), pick([130, 115, 100, 90]), pick([0, 1])];
    yield Buffer.from(`${row.join('\t')}\n`);
  }
}

/** Writes a seeded archive in the UCI layout (files in a sub-folder), unless it is already there. */
async function makeArchive(path: string, cycles: number, seed: number): Promise<void> {
  if (existsSync(path)) return;
  process.stdout.write(`generating ${path} (${cycles} cycles; once, kept for later runs) …\n`);
  const t0 = performance.now();
  const rng = new Rng(seed);
  const zip = new ZipFile();
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  zip.outputStream.pipe(out);
  zip.addBuffer(Buffer.from('Generated for the automl recipe benchmark.\n'), 'hydraulic/description.txt');
  zip.addReadStream(Readable.from(profileLines(cycles, rng.fork(0))), `hydraulic/${PROFILE_FILE}`);
  HYDRAULIC_SENSORS.forEach((s, k) => {
    zip.addReadStream(Readable.from(sensorLines(s.file, s.samples, cycles, rng.fork(k + 1))), `hydraulic/${s.file}`);
  });
  zip.end();
  await once(out, 'finish');
  await rename(tmp, path);
  process.stdout.write(`  ${mb((await stat(path)).size)} in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

interface Measure {
  wallSeconds: number;
  maxRssBytes: number;
  report: Record<string, unknown>;
}

/** Runs a command, returns its wall time and its last stdout line as JSON. */
async function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ wallSeconds: number; json: Record<string, unknown>; stdout: string }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const wallSeconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} exited with ${code}`);
  return { wallSeconds, json: JSON.parse(stdout) as Record<string, unknown>, stdout };
}

/**
 * Ours: the built CLI exactly as a user runs it. A data: module passed with --import records
 * the process's peak RSS (getrusage, like the peer's) when it exits.
 */
async function runOurs(archive: string, out: string, rssFile: string): Promise<Measure> {
  const main = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const r = await timedNode(main, ['recipe', 'hydraulic', '--source', archive, '--out', out, '--json'], rssFile);
  return {
    wallSeconds: r.wallSeconds,
    maxRssBytes: r.maxRssBytes,
    report: JSON.parse(r.stdout) as Record<string, unknown>,
  };
}

async function runPeer(archive: string, out: string): Promise<Measure> {
  const script = join(packageRoot(), 'bench', 'peers', 'recipe_peer.py');
  const r = await timed(PYTHON, [script, archive, out]);
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  const json = JSON.parse(last) as Record<string, unknown>;
  return { wallSeconds: r.wallSeconds, maxRssBytes: json['maxRssBytes'] as number, report: json };
}

/** Largest relative difference between two CSV files of numbers with the same header. */
async function compareCsv(a: string, b: string): Promise<number> {
  const [ta, tb] = [await readFile(a, 'utf8'), await readFile(b, 'utf8')];
  const la = ta.trimEnd().split('\n');
  const lb = tb.trimEnd().split('\n');
  if (la[0] !== lb[0]) throw new Error(`bench: the headers differ:\n${la[0]}\n${lb[0]}`);
  if (la.length !== lb.length) throw new Error(`bench: ${la.length - 1} rows against the peer's ${lb.length - 1}`);
  let worst = 0;
  for (let i = 1; i < la.length; i++) {
    const ra = la[i]!.split(',').map(Number);
    const rb = lb[i]!.split(',').map(Number);
    ra.forEach((x, j) => {
      const y = rb[j]!;
      const d = x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
      worst = Math.max(worst, d);
    });
  }
  return worst;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0)
    throw new Error(`bench: ${name} needs a positive whole number, got ${args[i + 1]}`);
  return v;
}

const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;

export async function run(args: string[]): Promise<void> {
  const cycles = option(args, '--cycles', 2205);
  const half = option(args, '--half', Math.round(cycles / 2));
  const seed = option(args, '--seed', 447);
  requirePython(['numpy']);
  const dir = join(tmpdir(), 'automl-bench', 'recipe');
  await mkdir(dir, { recursive: true });
  const full = join(dir, `hydraulic-${cycles}-seed${seed}.zip`);
  const small = join(dir, `hydraulic-${half}-seed${seed}.zip`);
  await makeArchive(full, cycles, seed);
  await makeArchive(small, half, seed);

  const work = join(dir, `run-${process.pid}`);
  await mkdir(work, { recursive: true });
  try {
    const oursFull = await runOurs(full, join(work, 'ours.csv'), join(work, 'rss-full'));
    const peer = await runPeer(full, join(work, 'peer.csv'));
    const oursHalf = await runOurs(small, join(work, 'ours-half.csv'), join(work, 'rss-half'));
    if (oursFull.report['sha256'] !== peer.report['sha256'])
      throw new Error('bench: ours and the peer hashed different archives');
    const diff = await compareCsv(join(work, 'ours.csv'), join(work, 'peer.csv'));

    const bytes = oursFull.report['bytes'] as number;
    const line = (who: string, m: Measure, inner: number): string =>
      `${who.padEnd(38)} ${m.wallSeconds.toFixed(2).padStart(6)} s (inside ${inner.toFixed(2)} s)  peak RSS ${mb(m.maxRssBytes).padStart(7)}`;
    process.stdout.write(
      [
        `archive: ${full} (${mb(bytes)}, ${cycles} cycles, 17 sensor files at full sample counts)`,
        line('ours  automl recipe hydraulic (node)', oursFull, (oursFull.report['elapsedMs'] as number) / 1000),
        line('peer  zipfile + numpy (python3)', peer, peer.report['seconds'] as number),
        `ratio (ours / peer): time ${fmtRatio(oursFull.wallSeconds, peer.wallSeconds)}, peak memory ${fmtRatio(oursFull.maxRssBytes, peer.maxRssBytes)}`,
        `outputs agree: largest relative difference of any value ${diff.toExponential(1)}`,
        `ours, peak RSS by archive size: ${half} cycles ${mb(oursHalf.maxRssBytes)}, ${cycles} cycles ${mb(oursFull.maxRssBytes)} ` +
          `(ratio ${fmtRatio(oursFull.maxRssBytes, oursHalf.maxRssBytes)} for ${fmtRatio(cycles, half)} the data)`,
      ].join('\n') + '\n',
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
