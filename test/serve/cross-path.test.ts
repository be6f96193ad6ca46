/**
 * The same rows through every way to score a pipeline, compared with the library:
 *
 *   (a) the library, `loadPipeline(file).scoreBatch(rows)`: the reference
 *   (b) `automl score --data rows.csv` (the built binary, dist/src/cli/main.js)
 *   (c) the REST server (`buildServer`, listening on a real port), POST /model/score
 *   (d) the Lambda handler as deployed: dist/lambda/index.mjs copied into a folder with the
 *       pipeline as pipeline.json beside it, imported by a fresh node, asked with API Gateway
 *       events of payload versions 1.0 and 2.0
 *   (e) the Python runtime, `python3 pipelines/runtimes/python/automl_scorer.py pipeline.json
 *       rows.csv`, whose standard output is `automl score`'s CSV
 *
 * The rows are the conformance examples' own (pipelines/examples/*.inputs.json): the categorical
 * ones (unseen levels, every missing-value form, levels with quotes, commas, a backslash,
 * non-ASCII letters and an emoji, numbers as text and as JSON numbers), the hydraulic
 * cool_cond_y ensemble and feature-step ones, and date-text's (format 2.2: text fields read by
 * a `date` step, date-times with zones and fractions, DD/MM/YYYY, and by a `text` step, reviews
 * with commas and tricky Unicode). How each path receives them:
 *
 * - library: the row objects as they are: a value is text, a JSON number or null (missing).
 * - REST and Lambda (H2O's Scoring API): `{"fields": [...], "rows": [[...]]}`, each cell the
 *   same text, number or null; null and the missing-value texts ("", NA, nan, null, ?, any case,
 *   spaces around) are missing. A text field's cells are strings, sent as they are.
 * - CSV (automl score, Python): text only: null and "" are both an empty field, a number is its
 *   JavaScript text (7 → 7, read back as the level "7"), a field with a comma, quote or line
 *   break is quoted (RFC 4180, quotes doubled), spaces at an end are kept unquoted.
 *
 * The format's contract is 1e-9 absolute; the TypeScript paths, which run the same scorer, must
 * agree to the last bit. The largest difference of each path is printed once at the end.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline, type PipelineScorer } from '../../src/artifact/scorer.js';
import { buildServer } from '../../src/serve/server.js';
import { REPO_ROOT, runCli, runCommand } from '../cli/run-cli.js';
import { v1, v2 } from './api-gateway-events.js';

const EXAMPLES = join(REPO_ROOT, 'pipelines', 'examples');
const LAMBDA_BUNDLE = join(REPO_ROOT, 'dist', 'lambda', 'index.mjs');
const PYTHON_RUNTIME = join(REPO_ROOT, 'pipelines', 'runtimes', 'python', 'automl_scorer.py');
const CASES = [
  'binary-categorical',
  'multiclass-categorical',
  'regression-categorical',
  'ensemble',
  'steps',
  'date-text',
] as const;
const TOLERANCE = 1e-9;
const LONG = 60_000;

type Cell = string | number | null;
type Row = Record<string, Cell>;
/** Row-major n × outputs, from one path. */
type Scores = number[][];
type Path = 'automl score' | 'REST' | 'Lambda 1.0' | 'Lambda 2.0' | 'Python';

const dir = mkdtempSync(join(tmpdir(), 'automl-cross-path-'));
let app: FastifyInstance | undefined;
/** The largest absolute difference from the library seen per path, over all cases. */
const largest = new Map<Path, { diff: number; where: string }>();

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
  const lines = [...largest].map(
    ([path, { diff, where }]) => `  ${path.padEnd(12)} ${diff.toExponential(2)}  (${where})`,
  );
  if (lines.length > 0) console.log(`cross-path: largest |difference| from the library\n${lines.join('\n')}`);
});

/**
 * A CSV field: quoted when it holds a delimiter, quote or line break (RFC 4180). Spaces at an end
 * are part of an unquoted field, so they stay as they are: ` na ` and ` low` are read as sent.
 */
function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows as a CSV file of the given fields. */
function csvText(fields: readonly string[], rows: readonly Row[]): string {
  return (
    [fields.map(csvField).join(','), ...rows.map((r) => fields.map((f) => csvField(r[f]!)).join(','))].join('\n') + '\n'
  );
}

/** The output columns of a scoring CSV (automl score's, the Python runtime's), by name, as numbers. */
function outputColumns(text: string, outputs: readonly string[], what: string): Scores {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  const header = lines[0]!.split(',');
  const at = outputs.map((o) => header.indexOf(o));
  expect(
    at.every((j) => j >= 0),
    `${what}: header ${lines[0]} lacks one of ${outputs.join(', ')}`,
  ).toBe(true);
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return at.map((j) => Number(cells[j]));
  });
}

/** The score member of a Scoring API answer, as numbers. */
function apiScores(body: string, outputs: readonly string[], what: string): Scores {
  const parsed = JSON.parse(body) as { fields: string[]; score: string[][] };
  expect(parsed.fields, what).toEqual(outputs);
  return parsed.score.map((r) => r.map(Number));
}

/** Compares a path's scores with the library's; records and returns the largest difference. */
function compare(path: Path, name: string, got: Scores, want: Scores): number {
  expect(got, `${path} on ${name}: rows`).toHaveLength(want.length);
  let max = 0;
  got.forEach((r, i) => {
    expect(r, `${path} on ${name}: row ${i}`).toHaveLength(want[i]!.length);
    r.forEach((x, k) => {
      const d = Math.abs(x - want[i]![k]!);
      expect(Number.isFinite(x), `${path} on ${name}: row ${i}, output ${k} is ${x}`).toBe(true);
      max = Math.max(max, d);
    });
  });
  const seen = largest.get(path);
  if (!seen || max > seen.diff) largest.set(path, { diff: max, where: name });
  expect(max, `${path} on ${name}: the largest difference from the library`).toBeLessThanOrEqual(TOLERANCE);
  return max;
}

interface Case {
  name: string;
  pipeline: string;
  scorer: PipelineScorer;
  rows: Row[];
  fields: string[];
  csv: string;
  /** The library's scores. */
  library: Scores;
}

const cases = new Map<string, Case>();

beforeAll(async () => {
  expect(existsSync(LAMBDA_BUNDLE), `${LAMBDA_BUNDLE} is missing: run npm run build`).toBe(true);
  for (const name of CASES) {
    const pipeline = join(EXAMPLES, `${name}.pipeline.json`);
    const rows = JSON.parse(readFileSync(join(EXAMPLES, `${name}.inputs.json`), 'utf8')) as Row[];
    const scorer = loadPipeline(pipeline);
    const fields = scorer.fields.map((f) => f.name);
    const width = scorer.outputNames.length;
    const p = scorer.scoreBatch(rows);
    const library = rows.map((_, i) => Array.from(p.subarray(i * width, (i + 1) * width)));
    const csv = join(dir, `${name}.csv`);
    writeFileSync(csv, csvText(fields, rows));
    cases.set(name, { name, pipeline, scorer, rows, fields, csv, library });
  }
});

/** A REST server over the case's pipeline (one pipeline per server: the previous one is closed). */
async function restScores(c: Case): Promise<Scores> {
  await app?.close();
  app = await buildServer(loadPipeline(c.pipeline), { onFault: (e) => expect.fail(`REST fault: ${String(e)}`) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const res = await fetch(`${url}/model/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields: c.fields, rows: c.rows.map((r) => c.fields.map((f) => r[f]!)) }),
  });
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return apiScores(body, c.scorer.outputNames, 'REST');
}

/** The Lambda zip's layout in a folder (index.mjs, pipeline.json), invoked by a fresh node. */
async function lambdaScores(c: Case): Promise<[Scores, Scores]> {
  const folder = join(dir, `lambda-${c.name}`);
  mkdirSync(folder);
  copyFileSync(LAMBDA_BUNDLE, join(folder, 'index.mjs'));
  copyFileSync(c.pipeline, join(folder, 'pipeline.json'));
  const body = JSON.stringify({ fields: c.fields, rows: c.rows.map((r) => c.fields.map((f) => r[f]!)) });
  const events = [v1('POST', '/score', body), v2('POST', '/test/score', body, true)];
  writeFileSync(join(folder, 'events.json'), JSON.stringify(events));
  const script = [
    "import { readFileSync } from 'node:fs';",
    `const { handler } = await import(${JSON.stringify(pathToFileURL(join(folder, 'index.mjs')).href)});`,
    `const events = JSON.parse(readFileSync(${JSON.stringify(join(folder, 'events.json'))}, 'utf8'));`,
    'const out = [];',
    'for (const e of events) out.push(await handler(e, {}));',
    'process.stdout.write(JSON.stringify(out));',
  ].join('\n');
  const r = await runCommand(process.execPath, ['--input-type=module', '-e', script], {
    cwd: folder,
    env: { AUTOML_PIPELINE: '' },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const [a, b] = JSON.parse(r.stdout) as { statusCode: number; body: string }[];
  expect(a!.statusCode, a!.body).toBe(200);
  expect(b!.statusCode, b!.body).toBe(200);
  return [
    apiScores(a!.body, c.scorer.outputNames, 'Lambda 1.0'),
    apiScores(b!.body, c.scorer.outputNames, 'Lambda 2.0'),
  ];
}

describe.each(CASES)('%s: every path scores the example rows as the library does', (name) => {
  it(
    'automl score, the REST server and the Lambda handler: to the last bit',
    async () => {
      const c = cases.get(name)!;
      expect(c.rows.length).toBeGreaterThanOrEqual(10);
      const out = join(dir, `${name}.scores.csv`);
      const cli = await runCli(['score', '--pipeline', c.pipeline, '--data', c.csv, '--out', out, '--quiet']);
      expect(cli.code, cli.stderr).toBe(0);
      const batch = outputColumns(readFileSync(out, 'utf8'), c.scorer.outputNames, 'automl score');
      const rest = await restScores(c);
      const [lambda1, lambda2] = await lambdaScores(c);
      expect(compare('automl score', name, batch, c.library)).toBe(0);
      expect(compare('REST', name, rest, c.library)).toBe(0);
      expect(compare('Lambda 1.0', name, lambda1, c.library)).toBe(0);
      expect(compare('Lambda 2.0', name, lambda2, c.library)).toBe(0);
    },
    LONG,
  );

  it(
    'the Python runtime (pipelines/runtimes/python/automl_scorer.py): within 1e-9',
    async () => {
      expect(existsSync(PYTHON_RUNTIME), `${PYTHON_RUNTIME} is missing`).toBe(true);
      const c = cases.get(name)!;
      const r = await runCommand('python3', [PYTHON_RUNTIME, c.pipeline, c.csv], { timeoutMs: LONG });
      expect(r.code, r.stderr).toBe(0);
      compare('Python', name, outputColumns(r.stdout, c.scorer.outputNames, 'Python'), c.library);
    },
    LONG,
  );
});

describe('date-text: text fields reach every path as the strings sent', () => {
  it('its rows send each text field as a string (a date-time, a review, a missing-value text), and the date and text steps move the scores', () => {
    const c = cases.get('date-text')!;
    const text = c.scorer.fields.filter((f) => f.type === 'text').map((f) => f.name);
    expect(text).toEqual(['visited', 'review']);
    const body = JSON.parse(
      JSON.stringify({ fields: c.fields, rows: c.rows.map((r) => c.fields.map((f) => r[f]!)) }),
    ) as { fields: string[]; rows: Cell[][] };
    for (const name of text) {
      const j = body.fields.indexOf(name);
      expect(body.rows.every((r) => typeof r[j] === 'string')).toBe(true);
    }
    const sent = body.rows.map((r) => r[body.fields.indexOf('visited')]);
    expect(sent).toContain('2024-03-01T01:30:00.25+02:00');
    expect(sent).toContain('31/12/2024');
    expect(body.rows.some((r) => String(r[body.fields.indexOf('review')]).includes(','))).toBe(true);
    // A review, then a date, changed on one row: the library's score changes (the steps read them).
    const row = c.rows[3]!;
    const base = c.scorer.score(row);
    expect(c.scorer.score({ ...row, review: 'awful refund broken' })).not.toEqual(base);
    expect(c.scorer.score({ ...row, visited: null, review: null })).not.toEqual(base);
  });
});
