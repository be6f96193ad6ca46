/**
 * `npm run bench -- lambda [--runs N]`: the Lambda zip's size and its cold start, against a bare
 * `node -e 0` measured in the same run (issue 14's target: cold start ≤ 2 × bare node plus the
 * pipeline's own parse-and-verify time, for the hydraulic pipeline).
 *
 * The pipeline: `automl run --target cool_cond_y --drop cool_eff_pct --time 5 --seed 42` on the
 * embedded hydraulic data (the tutorial's experiment, whose request has no cool_eff_pct), made
 * once per run in a temp folder, then
 * `automl export lambda` for the zip's size. The function's folder holds what the zip holds
 * (dist/lambda/index.mjs and the pipeline as pipeline.json; test/cli/export-lambda.test.ts checks
 * the zip's entries are those bytes).
 *
 * Each figure is a whole process, spawn to exit, median of `--runs` (default 15), the cases
 * interleaved so that the machine's drift hits them alike:
 * - bare: `node -e 0`;
 * - cold start: a fresh `node` importing the function's `index.mjs` (which loads and verifies
 *   pipeline.json at import) and answering one request (the tutorial's, an API Gateway event);
 * - the same with the smallest example pipeline (pipelines/examples/glm): the bundle's own cost;
 * - parse-and-verify: inside a fresh process, after importing the scorer, the time of the first
 *   `loadPipeline(path)` of the hydraulic pipeline (read, JSON.parse, checksum, validation,
 *   compilation): the pipeline's own cost, which the target allows on top of 2 × bare.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';
import { timedNode, withChildren } from './proc.js';
import { scoreRequest } from './serve-request.js';

const ROOT = packageRoot();
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const BUNDLE = join(ROOT, 'dist', 'lambda', 'index.mjs');
const SCORER = join(ROOT, 'dist', 'src', 'artifact', 'scorer.js');
const SMALL = join(ROOT, 'pipelines', 'examples', 'glm.pipeline.json');

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A folder laid out as the zip is: index.mjs and pipeline.json, plus the invoking script. */
function functionDir(parent: string, name: string, pipeline: string, body: string): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  copyFileSync(BUNDLE, join(dir, 'index.mjs'));
  copyFileSync(pipeline, join(dir, 'pipeline.json'));
  const event = {
    version: '1.0',
    resource: '/{proxy+}',
    path: '/score',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    requestContext: { stage: 'test', path: '/test/score', httpMethod: 'POST' },
    body,
    isBase64Encoded: false,
  };
  writeFileSync(
    join(dir, 'invoke.mjs'),
    `import { handler } from './index.mjs';\n` +
      `const r = await handler(${JSON.stringify(event)});\n` +
      `if (r.statusCode !== 200) { console.error(r.body); process.exit(1); }\n` +
      `console.log(JSON.stringify({ status: r.statusCode, body: JSON.parse(r.body) }));\n`,
  );
  return join(dir, 'invoke.mjs');
}

/** The first loadPipeline of `path` in a fresh process, after the scorer is imported. */
function parseScript(parent: string, path: string): string {
  const file = join(parent, 'parse.mjs');
  writeFileSync(
    file,
    `import { loadPipeline } from ${JSON.stringify(SCORER)};\n` +
      `const t0 = performance.now();\n` +
      `loadPipeline(${JSON.stringify(path)});\n` +
      `console.log(JSON.stringify({ ms: performance.now() - t0 }));\n`,
  );
  return file;
}

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--runs');
  const runs = i >= 0 ? Number(args[i + 1]) : 15;
  if (!Number.isInteger(runs) || runs < 3) throw new Error(`bench lambda: --runs must be a whole number ≥ 3`);
  const tmp = await mkdtemp(join(tmpdir(), 'automl-bench-lambda-'));
  try {
    await withChildren(async () => {
      process.stdout.write('automl run --target cool_cond_y --drop cool_eff_pct --time 5 --seed 42\n');
      execFileSync(
        process.execPath,
        [
          MAIN,
          'run',
          '--target',
          'cool_cond_y',
          '--drop',
          'cool_eff_pct',
          '--time',
          '5',
          '--seed',
          '42',
          '--no-progress',
        ],
        { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
      );
      const pipeline = readdirSync(join(tmp, 'pipelines'))
        .filter((f) => f.endsWith('.pipeline.json'))
        .map((f) => join(tmp, 'pipelines', f))[0];
      if (!pipeline) throw new Error(`bench lambda: automl run wrote no pipeline under ${tmp}/pipelines`);
      const zip = join(tmp, 'model-hydraulic-lambda.zip');
      execFileSync(process.execPath, [MAIN, 'export', 'lambda', '--pipeline', pipeline, '--out', zip], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const body = scoreRequest();
      const big = functionDir(tmp, 'hydraulic', pipeline, body);
      const small = functionDir(tmp, 'small', SMALL, JSON.stringify(smallRequest()));
      const parse = parseScript(tmp, pipeline);
      const rss = join(tmp, 'rss');
      const times = { bare: [] as number[], cold: [] as number[], small: [] as number[], parse: [] as number[] };
      const bareScript = join(tmp, 'bare.mjs');
      writeFileSync(bareScript, '');
      for (let r = 0; r < runs; r++) {
        times.bare.push((await timedNode(bareScript, [], rss)).wallSeconds);
        const cold = await timedNode(big, [], rss);
        if (r === 0) process.stdout.write(`cold start answered: ${cold.stdout.trim().slice(0, 70)}…\n`);
        times.cold.push(cold.wallSeconds);
        times.small.push((await timedNode(small, [], rss)).wallSeconds);
        times.parse.push((JSON.parse((await timedNode(parse, [], rss)).stdout) as { ms: number }).ms / 1000);
      }
      const ms = (s: number): string => `${(s * 1000).toFixed(0).padStart(6)} ms`;
      const bare = median(times.bare);
      const cold = median(times.cold);
      const parsed = median(times.parse);
      const allowed = 2 * bare + parsed;
      const kb = (p: string): string => `${(statSync(p).size / 1024).toFixed(0)} kB`;
      process.stdout.write(
        [
          '',
          `zip ${kb(zip)} (index.mjs ${kb(BUNDLE)}, pipeline ${kb(pipeline)})`,
          `medians of ${runs} runs, each a whole process:`,
          `  bare node -e 0                         ${ms(bare)}`,
          `  cold start, hydraulic pipeline         ${ms(cold)}`,
          `  cold start, smallest example pipeline  ${ms(median(times.small))}`,
          `  parse-and-verify, hydraulic pipeline   ${ms(parsed)}`,
          `  allowed: 2 × bare + parse-and-verify   ${ms(allowed)}`,
          `cold start / allowed: ${(cold / allowed).toFixed(2)}× (target ≤ 1.00×)`,
          '',
        ].join('\n'),
      );
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** One row of the smallest example pipeline's inputs, as a scoring request. */
function smallRequest(): { fields: string[]; rows: string[][] } {
  const rows = JSON.parse(readFileSync(SMALL.replace('.pipeline.json', '.inputs.json'), 'utf8')) as Record<
    string,
    unknown
  >[];
  const fields = Object.keys(rows[0]!);
  return { fields, rows: [fields.map((f) => String(rows[0]![f]))] };
}
