/**
 * The package as a user gets it: `npm pack` (which runs `prepare`, the build), install the
 * tarball into an empty project, and run `npx automl …` there, far from the repository.
 *
 * The pack runs in a copy of the working tree (node_modules linked, not copied), so that its
 * build does not rewrite this repository's dist/ while other test files are running the binary
 * built there.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../src/artifact/scorer.js';
import { HYDRAULIC_CSV, REPO_ROOT, childEnv, runCommand, type CliResult } from './cli/run-cli.js';

const SETUP_TIMEOUT = 240_000;
const NPX_TIMEOUT = 60_000;

/** Top-level entries of the repository that are not sources of the package. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', 'coverage']);

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  exports: Record<string, string>;
};

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** The environment for npm: ours, minus what an outer `npm test` passes down to its scripts. */
function npmEnv(): NodeJS.ProcessEnv {
  const env = childEnv();
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  return env;
}

async function npm(args: string[], cwd: string, timeoutMs = SETUP_TIMEOUT): Promise<CliResult> {
  const r = await runCommand(NPM, args, { cwd, env: npmEnv(), timeoutMs });
  if (r.code !== 0) throw new Error(`npm ${args.join(' ')} (in ${cwd}) exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

/** `npx --no -- automl …` in the user's project: the installed bin, never a download. */
function automl(args: string[], cwd: string): Promise<CliResult> {
  return runCommand(NPX, ['--no', '--', 'automl', ...args], { cwd, env: npmEnv(), timeoutMs: NPX_TIMEOUT });
}

const HYDRAULIC_LINES = readFileSync(HYDRAULIC_CSV, 'utf8').split('\n');
if (HYDRAULIC_LINES.at(-1) === '') HYDRAULIC_LINES.pop();

describe('the packed package, installed outside the repository', () => {
  const root = mkdtempSync(join(tmpdir(), 'automl-pack-'));
  const stage = join(root, 'stage');
  const packDir = join(root, 'packed');
  const project = join(root, 'project');
  let tarball = '';
  let entries: string[] = [];

  beforeAll(async () => {
    mkdirSync(packDir);
    mkdirSync(project);
    cpSync(REPO_ROOT, stage, {
      recursive: true,
      filter: (src) => {
        const rel = relative(REPO_ROOT, src);
        const top = rel.split(sep)[0] ?? '';
        if (NOT_COPIED.has(top)) return false;
        if (rel === join('experiments', 'runs') || (!rel.includes(sep) && rel.endsWith('.tgz'))) return false;
        return true;
      },
    });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');

    await npm(['pack', '--pack-destination', packDir], stage);
    const tgz = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
    expect(tgz).toEqual([`${pkg.name}-${pkg.version}.tgz`]);
    tarball = join(packDir, tgz[0]!);

    const tar = await runCommand('tar', ['tzf', tarball], { cwd: root });
    expect(tar.code, tar.stderr).toBe(0);
    entries = tar.stdout.split('\n').filter((l) => l.length > 0);

    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'uses-automl', version: '1.0.0', private: true }, null, 2)}\n`,
    );
    await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], project);
  }, SETUP_TIMEOUT);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the tarball holds the built CLI and the embedded data, and no tests, benchmarks or TypeScript sources', () => {
    expect(entries).toContain('package/package.json');
    expect(entries).toContain('package/dist/src/cli/main.js');
    expect(entries).toContain('package/dist/src/models/gbdt/hist.wasm');
    expect(entries).toContain('package/recipes/hydraulic/hydraulic.csv');
    expect(entries).toContain('package/recipes/hydraulic/README.md');
    expect(entries).toContain('package/README.md');
    const unwanted = entries.filter(
      (e) => /(^|\/)(test|bench)\//.test(e) || /^package\/(src|experiments|node_modules)\//.test(e),
    );
    expect(unwanted).toEqual([]);
    expect(entries.filter((e) => e.endsWith('.ts') && !e.endsWith('.d.ts'))).toEqual([]);
    expect(entries.filter((e) => e.endsWith('.tgz') || e.endsWith('.train.csv') || e.endsWith('.test.csv'))).toEqual(
      [],
    );
  });

  it('the tarball holds every file that package.json points to (bin and exports)', () => {
    const targets = [...Object.values(pkg.bin), ...Object.values(pkg.exports)].map(
      (p) => `package/${p.replace(/^\.\//, '')}`,
    );
    expect(targets.length).toBeGreaterThanOrEqual(2);
    const missing = targets.filter((t) => !entries.includes(t));
    expect(missing).toEqual([]);
  });

  it('installs automl into the project, with the data and an executable bin', () => {
    const installed = join(project, 'node_modules', 'automl');
    expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'))).toMatchObject({
      name: 'automl',
      version: pkg.version,
    });
    expect(
      readFileSync(join(installed, 'recipes', 'hydraulic', 'hydraulic.csv')).equals(readFileSync(HYDRAULIC_CSV)),
    ).toBe(true);
    const main = readFileSync(join(installed, 'dist', 'src', 'cli', 'main.js'), 'utf8');
    expect(main.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(existsSync(join(project, 'node_modules', '.bin', 'automl'))).toBe(true);
    // A real install, not a link back into the repository.
    expect(realpathSync(installed).startsWith(realpathSync(root))).toBe(true);
  });

  it(
    'npx automl --help lists the commands',
    async () => {
      const r = await automl(['--help'], project);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\s*automl describe\s/m);
      expect(r.stdout).toMatch(/^\s*automl split\s/m);
      expect(r.stdout).toMatch(/^\s*automl recipe <name>\s/m);
    },
    NPX_TIMEOUT,
  );

  it(
    'npx automl --version prints the package version',
    async () => {
      const r = await automl(['--version'], project);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    },
    NPX_TIMEOUT,
  );

  it(
    'npx automl split --target cool_cond_y splits the embedded data into the project folder',
    async () => {
      const r = await automl(['split', '--target', 'cool_cond_y'], project);
      expect(r.code, r.stderr).toBe(0);
      const train = readFileSync(join(project, 'hydraulic.train.csv'), 'utf8');
      const test = readFileSync(join(project, 'hydraulic.test.csv'), 'utf8');
      expect(train.endsWith('\n')).toBe(true);
      const trainLines = train.slice(0, -1).split('\n');
      const testLines = test.slice(0, -1).split('\n');
      expect(trainLines).toHaveLength(1655);
      expect(testLines).toHaveLength(552);
      expect(trainLines[0]).toBe(HYDRAULIC_LINES[0]);
      expect(testLines[0]).toBe(HYDRAULIC_LINES[0]);
      const data = HYDRAULIC_LINES.slice(1);
      expect([...trainLines.slice(1), ...testLines.slice(1)].sort()).toEqual([...data].sort());
      // Nothing was written inside the installed package.
      expect(readdirSync(join(project, 'node_modules', 'automl', 'recipes', 'hydraulic')).sort()).toEqual([
        'README.md',
        'hydraulic.csv',
      ]);
    },
    NPX_TIMEOUT,
  );

  it('the installed package fits its GBDT with the WebAssembly kernels', async () => {
    const script = [
      "const { fitGbdt, Rng } = await import('automl');",
      'const x = { nRows: 400, columns: [Float64Array.from({ length: 400 }, (_, i) => i % 7)] };',
      'const y = Float64Array.from({ length: 400 }, (_, i) => (i % 7 > 3 ? 1 : 0));',
      "const m = fitGbdt({ x, y }, { kind: 'binary', nClasses: 2, rng: new Rng(1), params: { nRounds: 3 } });",
      'console.log(JSON.stringify(m.info));',
    ].join('\n');
    const r = await runCommand(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kernel: 'wasm', rounds: 3 });
  });

  it(
    'npx automl run trains every family from the installed package, on worker threads, and the pipeline loads',
    async () => {
      // Eight candidates: each family's defaults (the net's TensorFlow.js wasm binary is read from
      // the installed dependencies) and a first variation; fold jobs on the search's workers.
      const r = await automl(['run', '--target', 'stable_y', '--max-models', '8', '--json', '--quiet'], project);
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as {
        status: string;
        search: { threads: number; candidates: number; failed: number };
        pipelinePath: string;
        test: { accuracy: number };
      };
      expect(res.status).toBe('finished');
      expect(res.search).toMatchObject({ candidates: 8, failed: 0, threads: Math.min(availableParallelism(), 8) });
      expect(res.test.accuracy).toBeGreaterThan(0.9);
      expect(realpathSync(res.pipelinePath)).toBe(
        realpathSync(join(project, 'pipelines', 'stable_y-hydraulic.pipeline.json')),
      );
      expect(loadPipeline(res.pipelinePath).outputNames).toEqual(['stable_y.0', 'stable_y.1']);
      const lb = readFileSync(join(project, 'experiments', 'runs', 'stable_y-hydraulic', 'leaderboard.csv'), 'utf8');
      for (const family of ['gbdt', 'glm', 'mlp', 'random_forest', 'extra_trees']) expect(lb).toContain(`,${family},`);
    },
    NPX_TIMEOUT,
  );

  it(
    'npx automl export lambda and export python work from the installed package (the bundle and the runtime ship in it)',
    async () => {
      const pipeline = join(project, 'pipelines', 'stable_y-hydraulic.pipeline.json');
      const lambda = await automl(['export', 'lambda', '--pipeline', pipeline, '--out', 'fn.zip', '--json'], project);
      expect(lambda.code, lambda.stderr).toBe(0);
      expect(existsSync(join(project, 'fn.zip'))).toBe(true);
      const python = await automl(['export', 'python', '--pipeline', pipeline, '--out', 'py', '--quiet'], project);
      expect(python.code, python.stderr).toBe(0);
      const rows = join(project, 'rows.csv');
      writeFileSync(rows, HYDRAULIC_LINES.slice(0, 4).join('\n') + '\n');
      const py = await runCommand('python3', [join('py', 'automl_scorer.py'), join('py', 'pipeline.json'), rows], {
        cwd: project,
        env: npmEnv(),
        timeoutMs: NPX_TIMEOUT,
      });
      expect(py.code, py.stderr).toBe(0);
      const lines = py.stdout.trim().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toContain('stable_y.0,stable_y.1');
      const scorer = loadPipeline(pipeline);
      const header = lines[0]!.split(',');
      const fields = HYDRAULIC_LINES[0]!.split(',');
      for (const [i, line] of lines.slice(1).entries()) {
        const cells = line.split(',');
        const values = HYDRAULIC_LINES[i + 1]!.split(',');
        const ts = scorer.score(Object.fromEntries(fields.map((f, k) => [f, values[k]!])));
        expect(Number(cells[header.indexOf('stable_y.1')])).toBeCloseTo(ts[1]!, 9);
      }
    },
    NPX_TIMEOUT,
  );

  it(
    'npx automl describe --json describes the embedded data',
    async () => {
      const r = await automl(['describe', '--json'], project);
      expect(r.code, r.stderr).toBe(0);
      const d = JSON.parse(r.stdout) as { data: string; rows: number; columns: { name: string }[] };
      expect(d.rows).toBe(2205);
      expect(d.columns).toHaveLength(22);
      expect(d.columns.map((c) => c.name)).toEqual(HYDRAULIC_LINES[0]!.split(','));
      expect(realpathSync(d.data)).toBe(
        realpathSync(join(project, 'node_modules', 'automl', 'recipes', 'hydraulic', 'hydraulic.csv')),
      );
      expect(basename(d.data)).toBe('hydraulic.csv');
    },
    NPX_TIMEOUT,
  );

  it(
    "an application imports 'automl/scorer' alone and scores a committed example pipeline",
    async () => {
      const example = join(REPO_ROOT, 'pipelines', 'examples', 'gbdt');
      const script = [
        "import { loadPipeline } from 'automl/scorer';",
        "import { readFileSync } from 'node:fs';",
        `const scorer = loadPipeline(${JSON.stringify(`${example}.pipeline.json`)});`,
        `const rows = JSON.parse(readFileSync(${JSON.stringify(`${example}.inputs.json`)}, 'utf8'));`,
        'console.log(JSON.stringify({ names: scorer.outputNames, first: scorer.score(rows[0]) }));',
      ].join('\n');
      writeFileSync(join(project, 'score.mjs'), script);
      const r = await runCommand(process.execPath, ['score.mjs'], {
        cwd: project,
        env: npmEnv(),
        timeoutMs: NPX_TIMEOUT,
      });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { names: string[]; first: number[] };
      const expected = JSON.parse(readFileSync(`${example}.expected.json`, 'utf8')) as Record<string, number>[];
      expect(out.names).toEqual(['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100']);
      out.names.forEach((name, k) => expect(out.first[k]).toBeCloseTo(expected[0]![name]!, 12));
    },
    NPX_TIMEOUT,
  );
});
