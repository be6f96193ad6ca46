/**
 * `automl export lambda`, spawned as a user runs it: the zip of the committed example pipeline
 * (pipelines/examples/gbdt.pipeline.json) is unzipped into a temporary folder and its `index.mjs`
 * imported in a fresh Node process (cwd elsewhere, AUTOML_PIPELINE unset, so it reads the
 * `pipeline.json` beside it), which answers recorded API Gateway events. Each answer must equal
 * the in-process handler's (src/serve/lambda.ts) for the same event. Then bad input: exit 2, and
 * no zip or temporary file left behind. The bundle itself (scripts/bundle-lambda.mjs) refuses
 * training code: shown by bundling a training module.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { lambdaHandler, type ApiGatewayResponse } from '../../src/serve/lambda.js';
import { zipEntries } from './zip.js';
import { REPO_ROOT, runCli, runCommand } from './run-cli.js';
import { v1, v2 } from '../serve/api-gateway-events.js';

const EXAMPLES = join(REPO_ROOT, 'pipelines', 'examples');
const PIPELINE = join(EXAMPLES, 'gbdt.pipeline.json');
const INPUTS = JSON.parse(readFileSync(join(EXAMPLES, 'gbdt.inputs.json'), 'utf8')) as Record<string, string>[];
const EXPECTED = JSON.parse(readFileSync(join(EXAMPLES, 'gbdt.expected.json'), 'utf8')) as Record<string, number>[];
const OUTPUTS = ['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100'];
const FIELDS = Object.keys(INPUTS[0]!);
const ROWS = INPUTS.map((r) => FIELDS.map((f) => r[f]!));
const EXAMPLE_BODY = JSON.stringify({ fields: FIELDS, rows: ROWS });

/** The recorded events, by what each shows. */
const EVENTS: Record<string, unknown> = {
  'v1 POST /test/score': v1('POST', '/test/score', EXAMPLE_BODY),
  'v1 POST /score, base64': v1('POST', '/score', EXAMPLE_BODY, true),
  'v2 POST /test/score': v2('POST', '/test/score', EXAMPLE_BODY),
  'v2 POST /test/score, base64': v2('POST', '/test/score', EXAMPLE_BODY, true),
  'bad request: a non-numeric cell': v1(
    'POST',
    '/test/score',
    JSON.stringify({ fields: FIELDS, rows: [['abc', ...ROWS[0]!.slice(1)]] }),
  ),
  'bad request: malformed JSON': v2('POST', '/test/score', '{"fields": ['),
  'v1 GET /test/model/id': v1('GET', '/test/model/id'),
  'v2 GET /test/model/schema': v2('GET', '/test/model/schema'),
  'unknown route': v2('GET', '/test/nothing'),
};

let dir = '';
let zipPath = '';
let unzipped = '';
let fresh: Record<string, ApiGatewayResponse> = {};
let exported: { code: number | null; stdout: string; stderr: string };

/** Imports `index.mjs` in a fresh node (cwd elsewhere, no AUTOML_PIPELINE) and answers every event. */
function invokeFresh(indexMjs: string, events: Record<string, unknown>): Record<string, ApiGatewayResponse> {
  const eventsFile = join(dir, 'events.json');
  writeFileSync(eventsFile, JSON.stringify(events));
  const script = [
    "import { readFileSync } from 'node:fs';",
    `const { handler } = await import(${JSON.stringify(pathToFileURL(indexMjs).href)});`,
    'const events = JSON.parse(readFileSync(process.env.EVENTS_FILE, "utf8"));',
    'const out = {};',
    'for (const [k, e] of Object.entries(events)) out[k] = await handler(e, {});',
    'process.stdout.write(JSON.stringify(out));',
  ].join('\n');
  const env: NodeJS.ProcessEnv = { ...process.env, EVENTS_FILE: eventsFile };
  delete env['AUTOML_PIPELINE'];
  const elsewhere = mkdtempSync(join(dir, 'cwd-'));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: elsewhere,
    env,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Record<string, ApiGatewayResponse>;
}

/** Temporary files (`.<name>.<pid>.<hex>.tmp`) left in a folder. */
function leftovers(folder: string): string[] {
  return readdirSync(folder).filter((f) => f.endsWith('.tmp'));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'automl-export-lambda-'));
  zipPath = join(dir, 'out', 'model-hydraulic-lambda.zip');
  exported = await runCli(['export', 'lambda', '--pipeline', PIPELINE, '--out', zipPath, '--name', 'hydraulic'], {
    cwd: dir,
  });
  if (exported.code !== 0) return;
  unzipped = join(dir, 'unzipped');
  mkdirSync(unzipped);
  for (const [name, bytes] of await zipEntries(zipPath)) writeFileSync(join(unzipped, name), bytes);
  fresh = invokeFresh(join(unzipped, 'index.mjs'), EVENTS);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('automl export lambda: the zip', () => {
  it('exits 0 and says where the zip is, its size, the handler and the runtimes', () => {
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const size = statSync(zipPath).size;
    expect(exported.stdout).toContain(`wrote ${zipPath} (${size} bytes) for hydraulic`);
    expect(exported.stdout).toContain('handler index.handler, runtime nodejs22.x or nodejs24.x');
    expect(leftovers(dirname(zipPath))).toEqual([]);
  });

  it('holds exactly index.mjs and pipeline.json; the pipeline byte for byte, the handler under 1 MB', async () => {
    const entries = await zipEntries(zipPath);
    expect([...entries.keys()]).toEqual(['index.mjs', 'pipeline.json']);
    expect(entries.get('pipeline.json')!.equals(readFileSync(PIPELINE))).toBe(true);
    expect(entries.get('index.mjs')!.length).toBeLessThanOrEqual(1 << 20);
    expect(entries.get('index.mjs')!.equals(readFileSync(join(REPO_ROOT, 'dist', 'lambda', 'index.mjs')))).toBe(true);
  });

  it('is the same bytes every time (fixed timestamps), whatever the time zone', async () => {
    const again = join(dir, 'again.zip');
    const r = await runCli(['export', 'lambda', '--pipeline', PIPELINE, '--out', again, '--quiet'], {
      cwd: dir,
      env: { TZ: 'Pacific/Kiritimati' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(again).equals(readFileSync(zipPath))).toBe(true);
  });

  it('--json prints the result', async () => {
    const r = await runCli(['export', 'lambda', '--pipeline', PIPELINE, '--out', join(dir, 'j.zip'), '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      zip: join(dir, 'j.zip'),
      bytes: statSync(join(dir, 'j.zip')).size,
      handler: 'index.handler',
      runtimes: ['nodejs22.x', 'nodejs24.x'],
      pipelineId: loadPipeline(PIPELINE).file.pipelineId,
    });
  });
});

describe('automl export lambda: the unzipped handler in a fresh node', () => {
  const inProcess = lambdaHandler(loadPipeline(PIPELINE), {
    onFault: (e) => {
      throw e;
    },
  });

  it.each(Object.keys(EVENTS))('%s: the same answer as the in-process handler', async (name) => {
    expect(fresh[name]).toEqual(await inProcess(EVENTS[name]));
  });

  it('scores the example inputs to the expected probabilities, in every payload version', () => {
    for (const name of [
      'v1 POST /test/score',
      'v1 POST /score, base64',
      'v2 POST /test/score',
      'v2 POST /test/score, base64',
    ]) {
      const res = fresh[name]!;
      expect(res.statusCode, name).toBe(200);
      const body = JSON.parse(res.body) as { fields: string[]; score: string[][] };
      expect(body.fields).toEqual(OUTPUTS);
      const got = body.score.map((row) => row.map(Number));
      const want = EXPECTED.map((e) => OUTPUTS.map((k) => e[k]!));
      expect(got.length).toBe(want.length);
      got.forEach((row, i) => row.forEach((p, k) => expect(Math.abs(p - want[i]![k]!)).toBeLessThanOrEqual(1e-9)));
    }
  });

  it('a bad request is a 400 with a detail; an unknown route a 404; GET /model/id the pipeline id', () => {
    for (const name of ['bad request: a non-numeric cell', 'bad request: malformed JSON']) {
      expect(fresh[name]!.statusCode, name).toBe(400);
      expect((JSON.parse(fresh[name]!.body) as { detail: string }).detail).toMatch(/\S/);
    }
    expect((JSON.parse(fresh['bad request: a non-numeric cell']!.body) as { detail: string }).detail).toMatch(
      /^rows\[0\], field 'psa_bar': "abc" is not a number/,
    );
    expect(fresh['unknown route']!.statusCode).toBe(404);
    expect(fresh['v1 GET /test/model/id']).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: loadPipeline(PIPELINE).file.pipelineId,
      isBase64Encoded: false,
    });
  });
});

describe('automl export lambda: bad input', () => {
  /** Runs the export in a folder of its own (holding the folders `keep`): exit 2, and nothing written there. */
  async function failing(args: string[], keep: string[] = []): Promise<string> {
    const folder = mkdtempSync(join(dir, 'bad-'));
    for (const k of keep) mkdirSync(join(folder, k));
    const r = await runCli(['export', 'lambda', ...args], { cwd: folder });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(readdirSync(folder).sort()).toEqual([...keep].sort());
    return r.stderr;
  }

  it('a missing pipeline file: exit 2 naming it and what to do', async () => {
    const stderr = await failing(['--pipeline', 'nope.pipeline.json', '--out', 'm.zip']);
    expect(stderr).toBe(
      'automl: error: pipeline file nope.pipeline.json: no such file; give --pipeline the path of a pipeline file (automl run writes them to pipelines/)\n',
    );
  });

  it('a damaged pipeline (checksum broken): exit 2, the loader saying so, no zip', async () => {
    const damaged = join(dir, 'damaged.pipeline.json');
    const file = JSON.parse(readFileSync(PIPELINE, 'utf8')) as Record<string, unknown>;
    writeFileSync(damaged, JSON.stringify({ ...file, name: 'edited by hand' }, null, 2));
    const stderr = await failing(['--pipeline', damaged, '--out', 'm.zip']);
    expect(stderr).toMatch(
      /^automl: error: \S+damaged\.pipeline\.json was changed after it was exported: .*checksum.*export it again instead of editing it \(no Lambda package was written\)\n$/,
    );
  });

  it('a file that is not JSON: exit 2', async () => {
    const notJson = join(dir, 'not-json.pipeline.json');
    writeFileSync(notJson, 'fields,rows\n1,2\n');
    expect(await failing(['--pipeline', notJson, '--out', 'm.zip'])).toMatch(/is not valid JSON/);
  });

  it('--out without .zip: exit 2 saying so', async () => {
    expect(await failing(['--pipeline', PIPELINE, '--out', 'model.tar'])).toBe(
      'automl: error: --out model.tar: the Lambda package is a zip file; give a name ending in .zip (e.g. --out model-lambda.zip)\n',
    );
  });

  it('--name that AWS would refuse: exit 2', async () => {
    expect(await failing(['--pipeline', PIPELINE, '--out', 'm.zip', '--name', 'my model'])).toMatch(
      /--name 'my model' is not a Lambda function name/,
    );
  });

  it('a write that fails (a folder in the way of --out): exit 2, no temporary file left', async () => {
    const stderr = await failing(['--pipeline', PIPELINE, '--out', 'in-the-way.zip'], ['in-the-way.zip']);
    expect(stderr).toMatch(/^automl: error: cannot write in-the-way\.zip: /);
  });

  it('missing options: exit 2 with the usage hint', async () => {
    const r = await runCli(['export', 'lambda', '--pipeline', PIPELINE], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Missing required argument: out/);
    const none = await runCli(['export'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/automl export lambda/);
  });
});

describe('automl export lambda --help', () => {
  it('fits 80 columns and lists the options; automl --help lists export', async () => {
    const r = await runCli(['export', 'lambda', '--help']);
    expect(r.code).toBe(0);
    const long = r.stdout.split('\n').filter((l) => [...l].length > 80);
    expect(long, long.join('\n')).toEqual([]);
    for (const option of ['--pipeline', '--out', '--name']) expect(r.stdout).toContain(option);
    expect((await runCli(['--help'])).stdout).toMatch(/^\s*automl export\s+Export a pipeline/m);
  });
});

describe('scripts/bundle-lambda.mjs: no training code in the bundle', () => {
  it('refuses an entry that pulls in code outside the scoring side, naming each file, and writes nothing', async () => {
    const out = join(dir, 'refused', 'index.mjs');
    const r = await runCommand(process.execPath, [
      join(REPO_ROOT, 'scripts', 'bundle-lambda.mjs'),
      join(REPO_ROOT, 'src', 'metrics', 'mcc.ts'),
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/src\/metrics\/mcc\.ts: outside the scoring side/);
    expect(existsSync(out)).toBe(false);
  });

  it('the built bundle imports nothing but node: built-ins', () => {
    const text = readFileSync(join(REPO_ROOT, 'dist', 'lambda', 'index.mjs'), 'utf8');
    const specifiers = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s!.startsWith('node:'))).toEqual([]);
  });
});
