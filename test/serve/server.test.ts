/**
 * `automl serve` as a user meets it: the built binary (dist/src/cli/main.js) is started in a child
 * process with `--port 0`, and the tests talk to it over real HTTP (Node's fetch; node:http or a raw
 * socket where the timing of the bytes matters), speaking H2O's Scoring API v1. Expected values come
 * from the pipeline files and from the library's own scorer, not from the server's code.
 *
 * Pipelines are trained once, in beforeAll, with the CLI (`automl run … --seed 42`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, CLI_MAIN, HYDRAULIC_CSV, REPO_ROOT, runCli } from '../cli/run-cli.js';
import { TUTORIAL_BODY, TUTORIAL_FIELDS, TUTORIAL_ROW } from './tutorial-request.js';

// ---------------------------------------------------------------------------------------------
// The tutorial's request: recipes/hydraulic/score-request.json (test/serve/tutorial-request.ts).

const COOL_OUTPUTS = ['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100'];

/** The hydraulic rows, read with plain splitting (the file has no quotes). */
const HYDRAULIC_LINES = readFileSync(HYDRAULIC_CSV, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const HYDRAULIC_HEADER = HYDRAULIC_LINES[0]!.split(',');
/** The header and the first 20 data rows. */
const FIRST_20 = HYDRAULIC_LINES.slice(0, 21);

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const LISTENING = /automl serve: listening on (http:\/\/127\.0\.0\.1:(\d+))\n/;

// ---------------------------------------------------------------------------------------------
// Helpers: servers as child processes, HTTP with bounded waits.

const tmpRoot = mkdtempSync(join(tmpdir(), 'automl-serve-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmpRoot, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process exits. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Rejects after `ms` with a message naming what was awaited. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 20 ms until it holds (or `ms` passed); returns whether it held. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

/** `automl serve --pipeline P --port 0 …` in a child process; resolves once it is listening. */
async function serve(pipeline: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const base = childEnv();
  delete base['AUTOML_API_KEY'];
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--pipeline', pipeline, '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<{ url: string; port: number }>((resolve, reject) => {
    const onData = (): void => {
      const m = LISTENING.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve({ url: m[1]!, port: Number(m[2]) });
      }
    };
    child.stdout!.on('data', onData);
    void exit.then(({ code, signal }) =>
      reject(new Error(`automl serve exited (${code ?? signal}) before listening: ${err}`)),
    );
  });
  const { url, port } = await within(listening, 20_000, `automl serve ${args.join(' ')} to listen`);
  return { child, url, port, stdout: () => out, stderr: () => err, exit };
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

/** One HTTP request with a bounded wait; the body read as text and, when it is JSON, parsed. */
async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000), ...init });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

/** `POST /model/score` as the tutorial's curl sends it (Content-Type: application/json). */
function postScore(s: Served, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request(`${s.url}/model/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

interface ScoreResponse {
  id: string;
  fields?: string[];
  score: string[][];
}

/** The `detail` of an error answer, after checking the answer is `{"detail": "<text>"}` as JSON. */
function detailOf(a: Answer): string {
  expect(a.contentType).toMatch(/^application\/json/);
  expect(Object.keys(a.json as object)).toEqual(['detail']);
  const d = (a.json as { detail: unknown }).detail;
  expect(typeof d).toBe('string');
  return d as string;
}

/** Numbers in full precision: the text is the shortest that reads back as the same double. */
function expectFullPrecision(s: string): void {
  expect(String(Number(s)), s).toBe(s);
}

/** Connects to the port: 'connected' or the error code (ECONNREFUSED when nothing listens). */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.setTimeout(5000, () => {
      c.destroy();
      resolve('timeout');
    });
    c.on('connect', () => {
      c.destroy();
      resolve('connected');
    });
    c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

// ---------------------------------------------------------------------------------------------
// Pipelines and the servers most tests share.

type ScorerModule = typeof import('../../src/artifact/scorer.js');

let coolPath = '';
let coolFullPath = '';
let stablePath = '';
let coolId = '';
/** cool_cond_y, trained with --drop cool_eff_pct: the tutorial's 16 fields. */
let main: Served;
/** cool_cond_y trained with every column: also needs cool_eff_pct. */
let full: Served;
/** stable_y: binary. */
let binary: Served;
let small: Served;
let keyed: Served;
let keyedByEnv: Served;
let files: Served;
let logged: Served;
let fileDir = '';
let outsideCsv = '';

async function train(target: string, out: string, drop: string[]): Promise<string> {
  const r = await runCli(
    [
      'run',
      '--target',
      target,
      ...drop.flatMap((d) => ['--drop', d]),
      '--max-models',
      '3',
      '--seed',
      '42',
      '--out-dir',
      out,
      '--quiet',
    ],
    { timeoutMs: 100_000 },
  );
  if (r.code !== 0) throw new Error(`automl run --target ${target} failed (${r.code}): ${r.stderr}`);
  return join(out, 'pipelines', `${target}-hydraulic.pipeline.json`);
}

beforeAll(async () => {
  [coolPath, coolFullPath, stablePath] = await Promise.all([
    train('cool_cond_y', join(tmpRoot, 'cool'), ['cool_eff_pct']),
    train('cool_cond_y', join(tmpRoot, 'cool-full'), []),
    train('stable_y', join(tmpRoot, 'stable'), []),
  ]);
  coolId = (JSON.parse(readFileSync(coolPath, 'utf8')) as { pipelineId: string }).pipelineId;

  // A folder the file-scoring server may read, a file next to it, and a link leading out.
  const base = join(tmpRoot, 'files');
  fileDir = join(base, 'allowed');
  mkdirSync(fileDir, { recursive: true });
  writeFileSync(join(fileDir, 'first20.csv'), `${FIRST_20.join('\n')}\n`);
  const psa = HYDRAULIC_HEADER.indexOf('psa_bar');
  writeFileSync(
    join(fileDir, 'no-psa.csv'),
    `${FIRST_20.map((l) =>
      l
        .split(',')
        .filter((_, i) => i !== psa)
        .join(','),
    ).join('\n')}\n`,
  );
  // The same rows gzipped, as ; with decimal commas, and in Latin-1 with a note column (café).
  const first20 = `${FIRST_20.join('\n')}\n`;
  writeFileSync(join(fileDir, 'first20.csv.gz'), gzipSync(first20));
  writeFileSync(join(fileDir, 'first20-semicolon.csv'), first20.replaceAll(',', ';').replaceAll('.', ','));
  writeFileSync(
    join(fileDir, 'first20-latin1.csv'),
    Buffer.from(FIRST_20.map((l, i) => `${l},${i === 0 ? 'note' : 'café'}`).join('\n'), 'latin1'),
  );
  const gz = gzipSync(first20);
  writeFileSync(join(fileDir, 'cut.csv.gz'), gz.subarray(0, gz.length >> 1));
  writeFileSync(join(fileDir, 'binary.csv'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]));
  outsideCsv = join(base, 'outside.csv');
  writeFileSync(outsideCsv, `${FIRST_20.join('\n')}\n`);
  symlinkSync(outsideCsv, join(fileDir, 'link.csv'));

  [main, full, binary, small, keyed, keyedByEnv, files, logged] = await Promise.all([
    serve(coolPath),
    serve(coolFullPath),
    serve(stablePath),
    serve(coolPath, ['--max-body', '1kb']),
    serve(coolPath, ['--api-key', 's3cret']),
    serve(coolPath, [], { AUTOML_API_KEY: 's3cret' }),
    serve(coolPath, ['--allow-file-scoring', fileDir]),
    serve(coolPath, ['--log']),
  ]);
}, 120_000);

// ---------------------------------------------------------------------------------------------

describe('POST /model/score: the tutorial request', () => {
  it('answers 200 with the three class probabilities as full-precision strings summing to 1, and the pipeline id', async () => {
    const a = await postScore(main, TUTORIAL_BODY);
    expect(a.status, a.text).toBe(200);
    expect(a.contentType).toMatch(/^application\/json/);
    const res = a.json as ScoreResponse;
    expect(Object.keys(res).sort()).toEqual(['fields', 'id', 'score']);
    expect(res.fields).toEqual(COOL_OUTPUTS);
    expect(res.score).toHaveLength(1);
    const row = res.score[0]!;
    expect(row).toHaveLength(3);
    for (const s of row) {
      expect(typeof s).toBe('string');
      expectFullPrecision(s);
      const p = Number(s);
      expect(p >= 0 && p <= 1, s).toBe(true);
    }
    expect(Math.abs(row.reduce((t, s) => t + Number(s), 0) - 1)).toBeLessThan(1e-12);
    expect(res.id).toBe(coolId);
    const id = await request(`${main.url}/model/id`);
    expect(id.status).toBe(200);
    expect(id.contentType).toMatch(/^text\/plain/);
    expect(id.text).toBe(coolId);
  });

  it("gives exactly the library's probabilities (loadPipeline(path).score(row)), to the last bit", async () => {
    const url = pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'artifact', 'scorer.js')).href;
    const { loadPipeline } = (await import(url)) as ScorerModule;
    const expected = loadPipeline(coolPath).score(
      Object.fromEntries(TUTORIAL_FIELDS.map((f, j) => [f, TUTORIAL_ROW[j]])),
    );
    const a = await postScore(main, TUTORIAL_BODY);
    expect(a.status, a.text).toBe(200);
    expect((a.json as ScoreResponse).score[0]).toEqual(expected.map((x) => String(x)));
  });
});

describe('POST /model/score: request options', () => {
  const EXTRA = { site: 'plant-7', cycle: '42' };
  /** fields: site, the 16, cycle (extra fields on both sides). */
  const fields = ['site', ...TUTORIAL_FIELDS, 'cycle'];
  const rowsOf = (n: number): string[][] =>
    Array.from({ length: n }, (_, i) => [`${EXTRA.site}-${i}`, ...TUTORIAL_ROW, String(40 + i)]);

  it('copies includeFieldsInOutput first, in the order of the input row, and allows extra fields', async () => {
    const a = await postScore(
      main,
      JSON.stringify({ fields, rows: rowsOf(2), includeFieldsInOutput: ['cycle', 'psa_bar', 'site'] }),
    );
    expect(a.status, a.text).toBe(200);
    const res = a.json as ScoreResponse;
    expect(res.fields).toEqual(['site', 'psa_bar', 'cycle', ...COOL_OUTPUTS]);
    const plain = (await postScore(main, TUTORIAL_BODY)).json as ScoreResponse;
    expect(res.score).toEqual([
      ['plant-7-0', TUTORIAL_ROW[0], '40', ...plain.score[0]!],
      ['plant-7-1', TUTORIAL_ROW[0], '41', ...plain.score[0]!],
    ]);
  });

  it('generates a v4 UUID per row for an idField not in fields, right after the other copied fields', async () => {
    const a = await postScore(
      main,
      JSON.stringify({
        fields,
        rows: rowsOf(3),
        idField: 'row_id',
        includeFieldsInOutput: ['row_id', 'cycle', 'site'],
      }),
    );
    expect(a.status, a.text).toBe(200);
    const res = a.json as ScoreResponse;
    expect(res.fields).toEqual(['site', 'cycle', 'row_id', ...COOL_OUTPUTS]);
    expect(res.score).toHaveLength(3);
    const ids = res.score.map((r) => r[2]!);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(3);
    expect(res.score.map((r) => r.slice(0, 2))).toEqual([
      ['plant-7-0', '40'],
      ['plant-7-1', '41'],
      ['plant-7-2', '42'],
    ]);
    for (const r of res.score) expect(r).toHaveLength(6);
  });

  it('copies an idField that is in fields as a normal field (no UUID)', async () => {
    const a = await postScore(
      main,
      JSON.stringify({ fields, rows: rowsOf(2), idField: 'cycle', includeFieldsInOutput: ['cycle'] }),
    );
    expect(a.status, a.text).toBe(200);
    const res = a.json as ScoreResponse;
    expect(res.fields).toEqual(['cycle', ...COOL_OUTPUTS]);
    expect(res.score.map((r) => r[0])).toEqual(['40', '41']);
    for (const r of res.score) expect(r).toHaveLength(4);
  });

  it('leaves out fields with noFieldNamesInOutput: true', async () => {
    const a = await postScore(
      main,
      JSON.stringify({ fields: TUTORIAL_FIELDS, rows: [TUTORIAL_ROW], noFieldNamesInOutput: true }),
    );
    expect(a.status, a.text).toBe(200);
    const res = a.json as ScoreResponse;
    expect(Object.keys(res).sort()).toEqual(['id', 'score']);
    expect(res.score).toEqual(((await postScore(main, TUTORIAL_BODY)).json as ScoreResponse).score);
  });

  it('accepts JSON numbers (same scores as the strings) and null / "" as missing values', async () => {
    const numbers = TUTORIAL_ROW.map(Number);
    const missing: (string | number | null)[] = [...numbers];
    missing[0] = null;
    missing[5] = '';
    missing[12] = null;
    const a = await postScore(main, JSON.stringify({ fields: TUTORIAL_FIELDS, rows: [numbers, missing] }));
    expect(a.status, a.text).toBe(200);
    const res = a.json as ScoreResponse;
    const plain = (await postScore(main, TUTORIAL_BODY)).json as ScoreResponse;
    expect(res.score[0]).toEqual(plain.score[0]);
    const withMissing = res.score[1]!;
    expect(withMissing).toHaveLength(3);
    for (const s of withMissing) {
      expectFullPrecision(s);
      expect(Number.isFinite(Number(s)) && Number(s) >= 0 && Number(s) <= 1, s).toBe(true);
    }
    expect(Math.abs(withMissing.reduce((t, s) => t + Number(s), 0) - 1)).toBeLessThan(1e-12);
  });
});

describe('POST /model/score: bad requests are answered 400 with {"detail"}, and the server keeps serving', () => {
  const req = (o: Record<string, unknown>): string =>
    JSON.stringify({ fields: TUTORIAL_FIELDS, rows: [TUTORIAL_ROW], ...o });
  const shortRow = TUTORIAL_ROW.slice(0, 15);
  const badRow = [...TUTORIAL_ROW];
  badRow[1] = 'abc';
  const cases: [string, string, RegExp[]][] = [
    ['malformed JSON', '{"fields": ["psa_bar", ', [/not valid JSON/]],
    ['an empty body', '', [/empty/]],
    ['{}', '{}', [/empty/]],
    ['empty fields', req({ fields: [] }), [/'fields' is empty/]],
    ['empty rows', req({ rows: [] }), [/'rows' is empty/]],
    [
      'a row with a different number of values',
      req({ rows: [TUTORIAL_ROW, shortRow] }),
      [/rows\[1\]/, /15 values/, /16/],
    ],
    ['a non-numeric value for a numeric field', req({ rows: [TUTORIAL_ROW, badRow] }), [/rows\[1\]/, /psb_bar/, /abc/]],
    [
      'a duplicate field name',
      req({ fields: [...TUTORIAL_FIELDS, 'psa_bar'], rows: [[...TUTORIAL_ROW, '1']] }),
      [/psa_bar/, /twice/],
    ],
    [
      'includeFieldsInOutput naming a field not in fields',
      req({ includeFieldsInOutput: ['psa_bar', 'nope'] }),
      [/includeFieldsInOutput/, /'nope'/],
    ],
    [
      'includeFieldsInOutput naming a field that is neither in fields nor the idField',
      req({ idField: 'row_id', includeFieldsInOutput: ['nope'] }),
      [/'nope'/, /row_id/],
    ],
    ['rows of numbers, not arrays', req({ rows: [1, 2] }), [/rows\[0\]/, /array/]],
    ['rows as a string', req({ rows: 'x' }), [/'rows' must be an array/]],
    ['an unknown request member', req({ colour: 'blue' }), [/unknown member 'colour'/]],
    ['requestShapleyValueType ORIGINAL', req({ requestShapleyValueType: 'ORIGINAL' }), [/ORIGINAL/, /not supported/]],
  ];

  for (const [name, body, patterns] of cases) {
    it(`${name} → 400, then a good request → 200`, async () => {
      const bad = await postScore(main, body);
      expect(bad.status, bad.text).toBe(400);
      const detail = detailOf(bad);
      for (const p of patterns) expect(detail).toMatch(p);
      const good = await postScore(main, TUTORIAL_BODY);
      expect(good.status, good.text).toBe(200);
    });
  }

  it('an empty POST with no Content-Type at all → 400 saying the body is empty, then a good request → 200', async () => {
    const bad = await request(`${main.url}/model/score`, { method: 'POST' });
    expect(bad.status, bad.text).toBe(400);
    expect(detailOf(bad)).toMatch(/body is empty/);
    expect((await postScore(main, TUTORIAL_BODY)).status).toBe(200);
  });

  it('the 16 tutorial fields to a pipeline that also needs cool_eff_pct → 400 naming it; with it → 200', async () => {
    const schema = (await request(`${full.url}/model/schema`)).json as { schema: { inputFields: { name: string }[] } };
    expect(schema.schema.inputFields.map((f) => f.name)).toContain('cool_eff_pct');
    const bad = await postScore(full, TUTORIAL_BODY);
    expect(bad.status, bad.text).toBe(400);
    const detail = detailOf(bad);
    expect(detail).toMatch(/cool_eff_pct/);
    expect(detail).not.toMatch(/psa_bar/);
    const good = await postScore(
      full,
      JSON.stringify({ fields: [...TUTORIAL_FIELDS, 'cool_eff_pct'], rows: [[...TUTORIAL_ROW, '2.1']] }),
    );
    expect(good.status, good.text).toBe(200);
  });

  it('a body over --max-body (1kb) → 413 with {"detail"}, then a good request → 200', async () => {
    expect(TUTORIAL_BODY.length).toBeLessThan(1024);
    const ok = await postScore(small, TUTORIAL_BODY);
    expect(ok.status, ok.text).toBe(200);
    const big = JSON.stringify({ fields: TUTORIAL_FIELDS, rows: [TUTORIAL_ROW, TUTORIAL_ROW, TUTORIAL_ROW] });
    expect(big.length).toBeGreaterThan(1024);
    const bad = await postScore(small, big);
    expect(bad.status, bad.text).toBe(413);
    expect(detailOf(bad)).toMatch(/1024 bytes/);
    const good = await postScore(small, TUTORIAL_BODY);
    expect(good.status, good.text).toBe(200);
  });
});

describe('metadata routes', () => {
  it('GET /model/schema describes the pipeline (CLASSIFICATION for cool_cond_y)', async () => {
    const a = await request(`${main.url}/model/schema`);
    expect(a.status).toBe(200);
    const file = JSON.parse(readFileSync(coolPath, 'utf8')) as {
      pipelineId: string;
      name: string;
      inputs: { name: string }[];
    };
    const m = a.json as {
      id: string;
      name: string;
      properties: { scoringType: string; scoringResponLabels: string[] };
      schema: {
        inputFields: { name: string; dataType: string }[];
        targetFields: { name: string; dataType: string }[];
        outputFields: { name: string; dataType: string }[];
      };
    };
    expect(m.id).toBe(file.pipelineId);
    expect(m.name).toBe(file.name);
    expect(m.properties).toEqual({ scoringType: 'CLASSIFICATION', scoringResponLabels: COOL_OUTPUTS });
    expect(m.schema.inputFields.map((f) => f.name)).toEqual(file.inputs.map((f) => f.name));
    expect(m.schema.inputFields.map((f) => f.name).sort()).toEqual([...TUTORIAL_FIELDS].sort());
    for (const f of m.schema.inputFields) expect(f.dataType).toBe('Float64');
    expect(m.schema.targetFields).toEqual([{ name: 'cool_cond_y', dataType: 'Str' }]);
    expect(m.schema.outputFields).toEqual(COOL_OUTPUTS.map((name) => ({ name, dataType: 'Float64' })));
  });

  it('GET /model/schema of a binary pipeline: BINOMIAL with two labels', async () => {
    const a = await request(`${binary.url}/model/schema`);
    expect(a.status).toBe(200);
    const m = a.json as {
      id: string;
      properties: { scoringType: string; scoringResponLabels: string[] };
      schema: { targetFields: { name: string }[] };
    };
    expect(m.properties.scoringType).toBe('BINOMIAL');
    expect(m.properties.scoringResponLabels).toEqual(['stable_y.0', 'stable_y.1']);
    expect(m.schema.targetFields.map((f) => f.name)).toEqual(['stable_y']);
    expect(m.id).toBe((JSON.parse(readFileSync(stablePath, 'utf8')) as { pipelineId: string }).pipelineId);
  });

  it('GET /model/sample_request is a request that scores (200) when POSTed back', async () => {
    for (const s of [main, binary]) {
      const sample = await request(`${s.url}/model/sample_request`);
      expect(sample.status).toBe(200);
      const a = await postScore(s, sample.text);
      expect(a.status, a.text).toBe(200);
      expect((a.json as ScoreResponse).score).toHaveLength(1);
    }
  });

  it('GET /model/capabilities is ["SCORE"]; POST /model/contribution is 501 with a detail', async () => {
    const caps = await request(`${main.url}/model/capabilities`);
    expect(caps.status).toBe(200);
    expect(caps.json).toEqual(['SCORE']);
    const c = await request(`${main.url}/model/contribution`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requestShapleyValueType: 'ORIGINAL', fields: TUTORIAL_FIELDS, rows: [TUTORIAL_ROW] }),
    });
    expect(c.status).toBe(501);
    expect(detailOf(c)).toMatch(/not supported/);
  });

  it('GET /readyz is 200; an unknown route is 404 with {"detail"}', async () => {
    expect((await request(`${main.url}/readyz`)).status).toBe(200);
    const a = await request(`${main.url}/model/nothing`);
    expect(a.status).toBe(404);
    expect(detailOf(a)).toMatch(/\/model\/nothing/);
  });

  it('GET /openapi.json is an OpenAPI 3 document with the scoring paths', async () => {
    const a = await request(`${main.url}/openapi.json`);
    expect(a.status).toBe(200);
    const doc = a.json as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of [
      '/model/score',
      '/model/schema',
      '/model/id',
      '/model/sample_request',
      '/model/capabilities',
      '/model/contribution',
      '/readyz',
    ]) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
    expect(Object.keys(doc.paths['/model/score']!).sort()).toEqual(['get', 'post']);
  });

  it('GET /docs is an HTML page whose scripts and stylesheets all come from this server (no CDN), and load', async () => {
    const res = await fetch(`${main.url}/docs`, { redirect: 'follow', signal: AbortSignal.timeout(20_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    const sheets = [...html.matchAll(/<link\b[^>]*>/gi)]
      .map((m) => m[0])
      .filter((t) => /rel\s*=\s*["']stylesheet["']/i.test(t))
      .map((t) => /href\s*=\s*["']([^"']+)["']/i.exec(t)![1]!);
    expect(scripts.length).toBeGreaterThan(0);
    expect(sheets.length).toBeGreaterThan(0);
    for (const u of [...scripts, ...sheets]) {
      expect(u, u).not.toMatch(/^(?:[a-z][a-z0-9+.-]*:)?\/\//i);
      expect(u.startsWith('/') ? u.startsWith('/docs') : true, u).toBe(true);
      const asset = await fetch(new URL(u, res.url), { signal: AbortSignal.timeout(20_000) });
      expect(asset.status, u).toBe(200);
      await asset.arrayBuffer();
    }
  });
});

describe('API key', () => {
  for (const [how, getServer] of [
    ['--api-key s3cret', () => keyed],
    ['AUTOML_API_KEY=s3cret', () => keyedByEnv],
  ] as const) {
    it(`with ${how}: no key or a wrong key → 401; api_key or x-api-key → 200; /readyz needs none`, async () => {
      const s = getServer();
      const none = await postScore(s, TUTORIAL_BODY);
      expect(none.status).toBe(401);
      expect(detailOf(none)).toMatch(/api_key/);
      const noneId = await request(`${s.url}/model/id`);
      expect(noneId.status).toBe(401);
      const wrong = await postScore(s, TUTORIAL_BODY, { api_key: 's3cret-not' });
      expect(wrong.status).toBe(401);
      detailOf(wrong);
      const wrongX = await postScore(s, TUTORIAL_BODY, { 'x-api-key': 'S3CRET' });
      expect(wrongX.status).toBe(401);
      const a = await postScore(s, TUTORIAL_BODY, { api_key: 's3cret' });
      expect(a.status, a.text).toBe(200);
      expect((a.json as ScoreResponse).id).toBe(coolId);
      const x = await postScore(s, TUTORIAL_BODY, { 'x-api-key': 's3cret' });
      expect(x.status, x.text).toBe(200);
      expect((await request(`${s.url}/model/schema`, { headers: { api_key: 's3cret' } })).status).toBe(200);
      const ready = await request(`${s.url}/readyz`);
      expect(ready.status).toBe(200);
    });
  }
});

describe('GET /model/score?file=PATH', () => {
  const get = (s: Served, file: string): Promise<Answer> =>
    request(`${s.url}/model/score?file=${encodeURIComponent(file)}`);

  it('is refused (403) without --allow-file-scoring', async () => {
    const a = await get(main, 'x.csv');
    expect(a.status).toBe(403);
    expect(detailOf(a)).toMatch(/--allow-file-scoring/);
  });

  it('scores a CSV under the folder: the same answer as POSTing its rows', async () => {
    const a = await get(files, 'first20.csv');
    expect(a.status, a.text).toBe(200);
    const res = a.json as ScoreResponse;
    expect(res.id).toBe(coolId);
    expect(res.fields).toEqual(COOL_OUTPUTS);
    expect(res.score).toHaveLength(20);
    const posted = await postScore(
      files,
      JSON.stringify({ fields: HYDRAULIC_HEADER, rows: FIRST_20.slice(1).map((l) => l.split(',')) }),
    );
    expect(posted.status, posted.text).toBe(200);
    expect(res).toEqual(posted.json);
  });

  it('refuses (403) paths that leave the folder: ../, an absolute path, a symbolic link', async () => {
    // A missing file outside the folder is refused like an existing one: nothing is told of what lies outside.
    for (const f of [
      '../outside.csv',
      outsideCsv,
      'link.csv',
      '../no-such-file.csv',
      join(dirname(outsideCsv), 'no-such-file.csv'),
    ]) {
      const a = await get(files, f);
      expect(a.status, `${f}: ${a.text}`).toBe(403);
      expect(detailOf(a)).toMatch(/outside/);
    }
  });

  it('reads files as automl score does: gzip, a ; file with decimal commas (detected)', async () => {
    const plain = await get(files, 'first20.csv');
    expect(plain.status, plain.text).toBe(200);
    const gz = await get(files, 'first20.csv.gz');
    expect(gz.status, gz.text).toBe(200);
    expect(gz.json).toEqual(plain.json);
    const semi = await get(files, 'first20-semicolon.csv');
    expect(semi.status, semi.text).toBe(200);
    expect(semi.json).toEqual(plain.json);
  });

  it('a Latin-1 file: 400 naming the file as asked (not the server path) and --encoding; read with --encoding latin1', async () => {
    const refused = await get(files, 'first20-latin1.csv');
    expect(refused.status, refused.text).toBe(400);
    const detail = detailOf(refused);
    expect(detail).toMatch(/^first20-latin1\.csv:2: byte 0xe9 at offset \d+ .*is not UTF-8 text.*--encoding latin1/);
    expect(detail).not.toContain(fileDir);
    const latin1 = await serve(coolPath, ['--allow-file-scoring', fileDir, '--encoding', 'latin1']);
    const read = await get(latin1, 'first20-latin1.csv');
    expect(read.status, read.text).toBe(200);
    expect(read.json).toEqual((await get(files, 'first20.csv')).json);
    // The encoding is the server's for every file: an ASCII file reads the same.
    expect((await get(latin1, 'first20.csv.gz')).json).toEqual(read.json);
  });

  it('a damaged gzip file or a binary one: 400 with the decoder`s message', async () => {
    const cut = await get(files, 'cut.csv.gz');
    expect(cut.status, cut.text).toBe(400);
    expect(detailOf(cut)).toMatch(/^cut\.csv\.gz: the gzip data is damaged or cut short/);
    const binary = await get(files, 'binary.csv');
    expect(binary.status, binary.text).toBe(400);
    expect(detailOf(binary)).toBe(
      'binary.csv: this is not a text file (byte 0x7f at offset 0); it looks like a program (ELF)',
    );
  });

  it('answers 404 for a missing file and 400 naming a column the CSV lacks', async () => {
    const missing = await get(files, 'missing.csv');
    expect(missing.status, missing.text).toBe(404);
    expect(detailOf(missing)).toMatch(/missing\.csv/);
    const lacking = await get(files, 'no-psa.csv');
    expect(lacking.status, lacking.text).toBe(400);
    expect(detailOf(lacking)).toMatch(/psa_bar/);
    // Still serving.
    expect((await get(files, 'first20.csv')).status).toBe(200);
  });
});

describe('--log', () => {
  it('prints one line per request (method, path, status) with --log, and none without', async () => {
    const before = logged.stdout();
    expect((await request(`${logged.url}/readyz`)).status).toBe(200);
    expect((await postScore(logged, TUTORIAL_BODY)).status).toBe(200);
    expect((await postScore(logged, '{}')).status).toBe(400);
    expect((await request(`${logged.url}/nowhere?x=1`)).status).toBe(404);
    const lines = (): string[] =>
      logged
        .stdout()
        .slice(before.length)
        .split('\n')
        .filter((l) => l !== '');
    expect(await eventually(() => lines().length >= 4, 5000), logged.stdout()).toBe(true);
    const got = lines();
    expect(got).toHaveLength(4);
    const want: [string, string, number][] = [
      ['GET', '/readyz', 200],
      ['POST', '/model/score', 200],
      ['POST', '/model/score', 400],
      ['GET', '/nowhere', 404],
    ];
    got.forEach((line, i) => {
      const [method, path, status] = want[i]!;
      expect(line).toMatch(new RegExp(`\\b${method} ${path.replace(/\//g, '\\/')} ${status}\\b`));
    });

    // Without --log: after the requests of the other tests, stdout holds only the listening line.
    expect((await request(`${main.url}/readyz`)).status).toBe(200);
    await sleep(200);
    expect(main.stdout()).toBe(`automl serve: listening on ${main.url}\n`);
  });
});

describe('graceful stop', () => {
  it('SIGTERM while a 200,000-row request is in flight: the request finishes (200, all rows), then exit 0', async () => {
    const s = await serve(coolPath, ['--max-body', '200mb', '--log']);
    const n = 200_000;
    const body = Buffer.from(
      `{"fields":${JSON.stringify(TUTORIAL_FIELDS)},"rows":[${new Array<string>(n).fill(JSON.stringify(TUTORIAL_ROW)).join(',')}]}`,
    );
    // A keep-alive client (as fetch, Node's default agent and load balancers are). The request goes
    // with Expect: 100-continue: the server's "100 Continue" says it has the request in hand, so
    // the signal below surely finds it in flight (the 66 MB body is still on its way).
    const agent = new HttpAgent({ keepAlive: true });
    let sendBody: () => void = () => undefined;
    const continued = new Promise<void>((resolve) => (sendBody = resolve));
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: s.port,
          method: 'POST',
          path: '/model/score',
          agent,
          timeout: 40_000,
          headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (b: Buffer) => chunks.push(b));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('continue', () => {
        req.end(body);
        sendBody();
      });
      req.on('timeout', () => req.destroy(new Error('no answer in 40 s')));
      req.on('error', reject);
      req.flushHeaders();
    });
    try {
      await within(continued, 10_000, '100 Continue');
      await sleep(60);
      const signalledAt = Date.now();
      s.child.kill('SIGTERM');
      const res = await answered;
      expect(res.status, res.text.slice(0, 500)).toBe(200);
      const json = JSON.parse(res.text) as ScoreResponse;
      expect(json.score).toHaveLength(n);
      expect(json.score[n - 1]).toEqual(json.score[0]);
      expect(await eventually(() => /SIGTERM: finishing requests in flight/.test(s.stderr()), 5000), s.stderr()).toBe(
        true,
      );
      // Its log line: the request began before the signal was sent and was answered after it.
      expect(await eventually(() => /POST \/model\/score 200/.test(s.stdout()), 5000), s.stdout()).toBe(true);
      const m = /^(\S+) \S+ POST \/model\/score 200 ([\d.]+)ms$/m.exec(s.stdout());
      expect(m, s.stdout()).not.toBeNull();
      const end = Date.parse(m![1]!);
      const start = end - Number(m![2]);
      expect(start).toBeLessThan(signalledAt);
      expect(end).toBeGreaterThan(signalledAt);
      // The stop then finishes promptly, although the client keeps its connection open.
      const exit = await within(s.exit, 10_000, 'automl serve to exit after the in-flight request was answered');
      expect(exit).toEqual({ code: 0, signal: null });
      expect(s.stderr()).toMatch(/automl serve: stopped/);
    } finally {
      agent.destroy();
    }
  });

  it('SIGINT stops it with exit code 0', async () => {
    const s = await serve(coolPath);
    expect((await postScore(s, TUTORIAL_BODY)).status).toBe(200);
    s.child.kill('SIGINT');
    const exit = await within(s.exit, 10_000, 'automl serve to exit on SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(s.stderr()).toMatch(/SIGINT: finishing requests in flight/);
  });

  it('after SIGTERM, new connections are refused while a request in flight finishes', async () => {
    const s = await serve(coolPath);
    // A request whose body is held back: sent with Expect: 100-continue, so the server's
    // "100 Continue" says it has the request in hand before the signal goes out.
    const sock: Socket = connect(s.port, '127.0.0.1');
    let received = '';
    sock.on('data', (b: Buffer) => (received += b.toString('utf8')));
    const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    await within(
      new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject)),
      5000,
      'the connection',
    );
    sock.write(
      `POST /model/score HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(TUTORIAL_BODY)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    expect(await eventually(() => received.includes('100 Continue'), 5000), received).toBe(true);
    sock.write(TUTORIAL_BODY.slice(0, 100));

    s.child.kill('SIGTERM');
    expect(await eventually(() => /SIGTERM: finishing requests in flight/.test(s.stderr()), 5000), s.stderr()).toBe(
      true,
    );
    // The listening socket closes as the stop begins.
    let outcome = '';
    for (let i = 0; i < 50; i++) {
      outcome = await tryConnect(s.port);
      if (outcome !== 'connected') break;
      await sleep(20);
    }
    expect(outcome).toBe('ECONNREFUSED');
    await expect(fetch(`${s.url}/readyz`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
    expect(s.child.exitCode).toBeNull();

    // The request in flight is still answered.
    sock.end(TUTORIAL_BODY.slice(100));
    await within(closed, 10_000, 'the response to the request in flight');
    const [head, payload] = received.slice(received.indexOf('\r\n\r\n') + 4).split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect((JSON.parse(payload!) as ScoreResponse).score).toHaveLength(1);
    expect(await within(s.exit, 10_000, 'automl serve to exit')).toEqual({ code: 0, signal: null });
  });
});

describe('bad options exit 2 with a clear message', () => {
  it('a missing pipeline file', async () => {
    const r = await runCli(['serve', '--pipeline', join(tmpRoot, 'nope.pipeline.json'), '--port', '0'], {
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.pipeline\.json: no such pipeline file/);
    expect(r.stdout).not.toMatch(/listening/);
  });

  it('a port in use: the second server on the same port names it', async () => {
    const r = await runCli(['serve', '--pipeline', coolPath, '--port', String(main.port)], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`port ${main.port}\\b.*in use`));
    expect(r.stdout).not.toMatch(/listening/);
    // The first is still serving.
    expect((await postScore(main, TUTORIAL_BODY)).status).toBe(200);
  });

  it('--allow-file-scoring naming a missing folder', async () => {
    const dir = join(tmpRoot, 'no-such-folder');
    const r = await runCli(['serve', '--pipeline', coolPath, '--port', '0', '--allow-file-scoring', dir], {
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--allow-file-scoring ${dir}: no such folder`);
  });

  it('--encoding, --delimiter or --decimal without --allow-file-scoring (they read its files only)', async () => {
    const r = await runCli(['serve', '--pipeline', coolPath, '--port', '0', '--encoding', 'latin1', '--decimal', ','], {
      timeoutMs: 15_000,
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'automl: error: --encoding, --decimal: how files scored with GET /model/score?file= are read; add --allow-file-scoring DIR, or leave them out',
    );
    const bad = await runCli(
      ['serve', '--pipeline', coolPath, '--port', '0', '--allow-file-scoring', fileDir, '--encoding', 'ebcdic'],
      { timeoutMs: 15_000 },
    );
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toContain("--encoding 'ebcdic' is not one we read");
  });

  it('--max-body abc', async () => {
    const r = await runCli(['serve', '--pipeline', coolPath, '--port', '0', '--max-body', 'abc'], {
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-body must be a size.*'abc'/);
  });
});
