/**
 * `npm run bench -- serve [--duration S] [--warmup S] [--connections N] [--rows N] [--only rest|batch]`:
 * scoring a pipeline as users do, over REST and in batch, each against a peer in the same run.
 *
 * The pipeline: `automl run --target cool_cond_y --drop cool_eff_pct --max-models 6 --seed 42`
 * on the embedded hydraulic data, made once per run in a temp folder.
 *
 * REST: `automl serve --pipeline P --port 0` and a bare fastify server (bench/serve-bare.ts: one
 * POST route, fastify's default JSON parser, a constant answer), each in its own child process,
 * driven by autocannon (programmatic, in this process) on loopback with the hydraulic tutorial's
 * one-row request (bench/serve-request.ts): 32 connections for 10 s after a 2 s warm-up.
 * Prints req/s and p50 / p99 latency, ours / bare (targets: req/s ≥ 0.70×, p99 ≤ 2×), and the
 * latency of a 100-row request (the tutorial's row 100 times) against automl serve. Latencies
 * are taken from every response (autocannon's own histogram keeps whole milliseconds).
 *
 * Batch: `automl score --pipeline P --data FILE --out OUT` on the 2205-row hydraulic file
 * repeated to 1,000,000 rows (~290 MB, written streaming to the temp folder), timed as a whole
 * process with its peak RSS, against bench/peers/score_peer.py: pandas read_csv + XGBoost
 * (hist, 3 classes, 100 rounds, depth 6, trained in the script, untimed) inplace_predict +
 * DataFrame.to_csv, timed inside Python from read to written file. Prints rows/s of both, the
 * ratio (target ≥ 1.0×) and peak RSS; checks that our output has every row plus the header.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EventEmitter } from 'node:events';
import { embeddedDataPath } from '../src/cli/embedded.js';
import { packageRoot } from '../src/util/paths.js';
import { fmtRatio, requirePython, runPython } from './peer.js';
import { startServer, stopServer, timedNode, withChildren, type Server } from './proc.js';
import { scoreRequest } from './serve-request.js';

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const PEER = join(packageRoot(), 'bench', 'peers', 'score_peer.py');
const TARGET = 'cool_cond_y';

// --- autocannon (no bundled types; the part of its programmatic API used here) ---

interface CannonResult {
  duration: number;
  requests: { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}
interface CannonInstance extends EventEmitter {
  stop(): void;
}
type Autocannon = (
  opts: Record<string, unknown>,
  cb: (err: Error | null, result: CannonResult) => void,
) => CannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// --- options ---

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  rows: number;
  only: 'rest' | 'batch' | undefined;
}

function options(args: string[]): Options {
  const num = (name: string, fallback: number, whole: boolean): number => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const v = Number(args[i + 1]);
    if (!(v > 0) || (whole && !Number.isInteger(v)))
      throw new Error(`bench: ${name} needs a positive ${whole ? 'whole ' : ''}number, got ${args[i + 1]}`);
    return v;
  };
  const i = args.indexOf('--only');
  const only = i >= 0 ? args[i + 1] : undefined;
  if (only !== undefined && only !== 'rest' && only !== 'batch')
    throw new Error(`bench: --only takes rest or batch, got ${only}`);
  return {
    duration: num('--duration', 10, false),
    warmup: num('--warmup', 2, false),
    connections: num('--connections', 32, true),
    rows: num('--rows', 1_000_000, true),
    only,
  };
}

// --- formatting ---

const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;
const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

// --- the pipeline and the CLI ---

function requireCommands(): void {
  if (!existsSync(MAIN)) throw new Error(`bench: ${MAIN} is missing; run npm run build`);
  for (const cmd of ['score', 'serve']) {
    const r = spawnSync(process.execPath, [MAIN, cmd, '--help'], { encoding: 'utf8' });
    if (r.status !== 0 || !r.stdout.includes('--pipeline')) {
      throw new Error(
        `bench: the build has no 'automl ${cmd}' command (node dist/src/cli/main.js ${cmd} --help failed); build it first: npm run build`,
      );
    }
  }
}

async function makePipeline(work: string): Promise<string> {
  const t0 = performance.now();
  const args = [
    'run',
    '--target',
    TARGET,
    '--drop',
    'cool_eff_pct',
    '--max-models',
    '6',
    '--seed',
    '42',
    '--out-dir',
    work,
    '--quiet',
  ];
  const r = await timedNode(MAIN, args, join(work, 'rss-run'));
  const path = join(work, 'pipelines', `${TARGET}-hydraulic.pipeline.json`);
  if (!existsSync(path))
    throw new Error(`bench: automl ${args.join(' ')} wrote no ${path}; it printed: ${r.stdout.slice(0, 500)}`);
  const p = JSON.parse(await readFile(path, 'utf8')) as { task: string; classes: string[]; inputs: unknown[] };
  process.stdout.write(
    `pipeline: ${TARGET}-hydraulic, ${p.task} ${p.classes.join('/')}, ${p.inputs.length} inputs ` +
      `(made in ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
  );
  return path;
}

// --- REST ---

interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** One autocannon run of POST /model/score with `body`; latencies from every response. */
function cannon(server: Server, body: string, seconds: number, connections: number): Promise<Load> {
  let lat = new Float64Array(1 << 16);
  let n = 0;
  return new Promise<Load>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${server.url}/model/score`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: seconds,
        timeout: 10,
      },
      (err, r) => {
        if (err) return reject(new Error(`bench: autocannon against ${server.name}: ${err.message}`));
        if (r.errors > 0 || r.non2xx > 0) {
          return reject(
            new Error(
              `bench: ${server.name} answered ${r.non2xx} non-2xx responses and ${r.errors} errors (${r.timeouts} timeouts); status counts ${JSON.stringify(r.statusCodeStats)}`,
            ),
          );
        }
        if (r.requests.total === 0) return reject(new Error(`bench: ${server.name} answered no requests`));
        const sorted = lat.subarray(0, n).sort();
        resolve({
          reqPerSec: r.requests.total / r.duration,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      if (n === lat.length) {
        const grown = new Float64Array(lat.length * 2);
        grown.set(lat);
        lat = grown;
      }
      lat[n++] = ms;
    });
  });
}

/** A warm-up run, then the measured one. */
/** Two halves of a measurement: mean requests/s and mean percentiles. */
function meanLoad(a: Load, b: Load): Load {
  return { reqPerSec: (a.reqPerSec + b.reqPerSec) / 2, p50: (a.p50 + b.p50) / 2, p99: (a.p99 + b.p99) / 2 };
}

async function measure(server: Server, body: string, opts: Options): Promise<Load> {
  await cannon(server, body, opts.warmup, opts.connections);
  return cannon(server, body, opts.duration, opts.connections);
}

/** One request by hand: the answer must be 200 with one score per row. Returns its fields. */
async function check(server: Server, rows: number): Promise<string[]> {
  const res = await fetch(`${server.url}/model/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: scoreRequest(rows),
  });
  const text = await res.text();
  if (res.status !== 200)
    throw new Error(`bench: ${server.name} answered ${res.status} to the tutorial's request: ${text.slice(0, 500)}`);
  const json = JSON.parse(text) as { id?: unknown; fields?: unknown; score?: unknown };
  if (
    json.id === undefined ||
    !Array.isArray(json.fields) ||
    !Array.isArray(json.score) ||
    json.score.length !== rows
  ) {
    throw new Error(
      `bench: ${server.name}'s answer is not {"id", "fields", "score"} with ${rows} score row(s): ${text.slice(0, 500)}`,
    );
  }
  return json.fields as string[];
}

async function rest(pipeline: string, opts: Options): Promise<void> {
  const servers: Server[] = [];
  try {
    const ours = await startServer('automl serve', process.execPath, [
      MAIN,
      'serve',
      '--pipeline',
      pipeline,
      '--port',
      '0',
      '--quiet',
    ]);
    servers.push(ours);
    const bare = await startServer('bare fastify', process.execPath, [join(here, 'serve-bare.js')]);
    servers.push(bare);
    const fields = await check(ours, 1);
    await check(ours, 100);
    await check(bare, 1);
    const one = scoreRequest(1);
    const hundred = scoreRequest(100);
    process.stdout.write(
      `\nREST: POST /model/score, loopback, ${opts.connections} connections, ${opts.duration} s each\n` +
        `(ours, bare, bare, ours: halves of ${opts.duration / 2} s, each after ${opts.warmup} s of warm-up)\n` +
        `request: the tutorial's row, 16 fields as strings (${one.length} bytes)\n` +
        `answer: ${fields.join(', ')}\n`,
    );
    // ABBA: ours, bare, bare, ours, each for half the time, so that a drift in the shared
    // machine's load falls on both alike.
    const half = { ...opts, duration: opts.duration / 2 };
    const o1 = await measure(ours, one, half);
    const b1 = await measure(bare, one, half);
    const b2 = await measure(bare, one, half);
    const o2 = await measure(ours, one, half);
    const o = meanLoad(o1, o2);
    const b = meanLoad(b1, b2);
    const h = await measure(ours, hundred, opts);
    const row = (label: string, l: Load, note = ''): string =>
      `${label.padEnd(28)}${int(l.reqPerSec).padStart(9)}${l.p50.toFixed(2).padStart(10)}${l.p99.toFixed(2).padStart(10)}${note}`;
    const rRate = o.reqPerSec / b.reqPerSec;
    const rP99 = o.p99 / b.p99;
    process.stdout.write(
      [
        `${''.padEnd(28)}${'req/s'.padStart(9)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`,
        row('automl serve, 1 row', o),
        row('bare fastify, 1 row', b),
        `${'ratio ours / bare'.padEnd(28)}${fmtRatio(o.reqPerSec, b.reqPerSec).padStart(9)}${fmtRatio(o.p50, b.p50).padStart(10)}${fmtRatio(o.p99, b.p99).padStart(10)}`,
        row('automl serve, 100 rows', h, `  (${int(h.reqPerSec * 100)} rows/s)`),
        `targets: req/s ≥ 0.70× bare: ${verdict(rRate >= 0.7)}; p99 ≤ 2× bare: ${verdict(rP99 <= 2)}`,
      ].join('\n') + '\n',
    );
  } finally {
    const ends: string[] = [];
    for (const s of servers) ends.push(`${s.name} ${await stopServer(s)}`);
    if (ends.length > 0) process.stdout.write(`on SIGTERM: ${ends.join(', ')}\n`);
  }
}

// --- batch ---

/** The hydraulic CSV's data rows repeated to `rows` rows under its header, written streaming. */
async function repeatCsv(source: string, path: string, rows: number): Promise<void> {
  const text = await readFile(source, 'utf8');
  const nl = text.indexOf('\n');
  const header = text.slice(0, nl + 1);
  const lines = text
    .slice(nl + 1)
    .split('\n')
    .filter((l) => l.length > 0);
  const block = Buffer.from(`${lines.join('\n')}\n`);
  const out = createWriteStream(path);
  out.write(header);
  let left = rows;
  while (left > 0) {
    const chunk = left >= lines.length ? block : Buffer.from(`${lines.slice(0, left).join('\n')}\n`);
    left -= Math.min(left, lines.length);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Number of '\n' in a file, streaming. */
async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** The first `n` lines of a file (and no more are read than needed). */
async function head(path: string, n: number): Promise<string[]> {
  const stream = createReadStream(path);
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  const lines: string[] = [];
  for await (const line of rl) {
    lines.push(line);
    if (lines.length >= n) break;
  }
  rl.close();
  stream.destroy();
  return lines;
}

/** Share of the first data rows whose `<target>.predicted` equals the label in the source CSV. */
async function agreement(source: string, scored: string, rows: number): Promise<number> {
  const [src, out] = [await head(source, rows + 1), await head(scored, rows + 1)];
  const unquote = (s: string): string => s.replace(/^"(.*)"$/, '$1');
  const li = src[0]!.split(',').indexOf(TARGET);
  const pi = out[0]!.split(',').map(unquote).indexOf(`${TARGET}.predicted`);
  if (li < 0 || pi < 0) return NaN;
  let same = 0;
  const m = Math.min(src.length, out.length) - 1;
  for (let i = 1; i <= m; i++) if (unquote(src[i]!.split(',')[li]!) === unquote(out[i]!.split(',')[pi]!)) same++;
  return same / m;
}

async function batch(pipeline: string, work: string, opts: Options): Promise<void> {
  const source = embeddedDataPath();
  const nSource = (await countLines(source)) - 1;
  const data = join(work, `hydraulic-${opts.rows}.csv`);
  const t0 = performance.now();
  await repeatCsv(source, data, opts.rows);
  process.stdout.write(
    `\nBatch: CSV → CSV file, ${int(opts.rows)} rows (${mb(statSync(data).size)}: the ${nSource}-row\n` +
      `hydraulic CSV repeated, written in ${((performance.now() - t0) / 1000).toFixed(2)} s)\n`,
  );
  const oursOut = join(work, 'ours.csv');
  const peerOut = join(work, 'peer.csv');
  const ours = await timedNode(
    MAIN,
    ['score', '--pipeline', pipeline, '--data', data, '--out', oursOut, '--quiet'],
    join(work, 'rss-score'),
  );
  const oursLines = await countLines(oursOut);
  const [oursHeader] = await head(oursOut, 1);
  const oursAgree = await agreement(source, oursOut, nSource);
  await rm(oursOut, { force: true });
  const peer = (await runPython(PEER, [source, pipeline, data, peerOut])) as {
    seconds: number;
    trainSeconds: number;
    rows: number;
    maxRssBytes: number;
  };
  const peerLines = await countLines(peerOut);
  const [peerHeader] = await head(peerOut, 1);
  const peerAgree = await agreement(source, peerOut, nSource);
  await rm(peerOut, { force: true });

  const oRate = opts.rows / ours.wallSeconds;
  const pRate = opts.rows / peer.seconds;
  const row = (label: string, s: number, rate: number, rss: number): string =>
    `${label.padEnd(30)}${s.toFixed(2).padStart(8)}${int(rate).padStart(11)}${mb(rss).padStart(10)}`;
  process.stdout.write(
    [
      `${''.padEnd(30)}${'s'.padStart(8)}${'rows/s'.padStart(11)}${'peak RSS'.padStart(10)}`,
      row('automl score (whole process)', ours.wallSeconds, oRate, ours.maxRssBytes),
      row('pandas + XGBoost (read→file)', peer.seconds, pRate, peer.maxRssBytes),
      `${'ratio ours / peer'.padEnd(30)}${''.padStart(8)}${fmtRatio(oRate, pRate).padStart(11)}${fmtRatio(ours.maxRssBytes, peer.maxRssBytes).padStart(10)}`,
      `target: rows/s ≥ 1.0× the peer: ${verdict(oRate >= pRate)}   (peer's untimed training: ${peer.trainSeconds.toFixed(1)} s)`,
    ].join('\n') + '\n',
  );
  const problems: string[] = [];
  if (oursLines !== opts.rows + 1)
    problems.push(`automl score wrote ${oursLines - 1} data rows, expected ${opts.rows}`);
  if (peerLines !== opts.rows + 1) problems.push(`the peer wrote ${peerLines - 1} data rows, expected ${opts.rows}`);
  process.stdout.write(
    `checks: ours ${int(oursLines - 1)} rows + header, peer ${int(peerLines - 1)} + header; ` +
      `headers ${oursHeader === peerHeader ? 'agree' : 'differ'}\n` +
      `        predicted = label on the first ${nSource} rows: ours ${(oursAgree * 100).toFixed(1)}%, peer ${(peerAgree * 100).toFixed(1)}%\n`,
  );
  if (oursHeader !== peerHeader) process.stdout.write(`        ours: ${oursHeader}\n        peer: ${peerHeader}\n`);
  if (problems.length > 0) throw new Error(`bench: ${problems.join('; ')}`);
}

// --- entry ---

function requirePeer(): void {
  requirePython(['numpy', 'pandas', 'xgboost']);
}

export async function run(args: string[]): Promise<void> {
  const opts = options(args);
  if (opts.only !== 'rest') requirePeer();
  requireCommands();
  await withChildren(async () => {
    const work = await mkdtemp(join(tmpdir(), 'automl-bench-serve-'));
    // Also on Ctrl-C, when withChildren ends the process before `finally` runs.
    const removeWork = (): void => rmSync(work, { recursive: true, force: true });
    process.on('exit', removeWork);
    try {
      // The machine is shared: the load at the start says how much to trust the absolute numbers.
      const load = loadavg()
        .map((x) => x.toFixed(1))
        .join(' ');
      process.stdout.write(`machine: ${availableParallelism()} CPUs, load average ${load} (1, 5, 15 min)\n`);
      const pipeline = await makePipeline(work);
      if (opts.only !== 'batch') await rest(pipeline, opts);
      if (opts.only !== 'rest') await batch(pipeline, work, opts);
    } finally {
      process.off('exit', removeWork);
      await rm(work, { recursive: true, force: true });
    }
  });
}
