import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecipeReport } from '../../recipes/index.js';
import { buildArchive, expectedMean, fileLines, profileRow, startServer, type TestServer } from './fixtures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(root, 'dist', 'src', 'cli', 'main.js');

let dir: string;
let cache: string;
let server: TestServer;
let zip: Buffer;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `automl` binary with the cache in the test's temp folder. */
function automl(args: string[], cwd = dir): Promise<Run> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd,
    env: { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build' first (npm test does)`);
  dir = await mkdtemp(join(tmpdir(), 'automl-recipe-cli-'));
  cache = join(dir, 'cache');
  zip = await buildArchive({ cycles: 3 });
  const short = await buildArchive({
    cycles: 3,
    edit: { 'PS1.txt': (lines) => lines.map((l, i) => (i === 1 ? l.slice(0, l.lastIndexOf('\t')) : l)) },
  });
  server = await startServer({ '/data.zip': { body: zip }, '/short.zip': { body: short } });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('automl recipe hydraulic (the built binary)', () => {
  it('downloads through the real path, writes the CSV, reports it as JSON; the second run uses the cache', async () => {
    const url = server.url('/data.zip');
    const before = server.requests.length;
    const run = await automl(['recipe', 'hydraulic', '--source', url, '--out', 'first.csv', '--json']);
    expect(run.stderr).toContain(`downloading ${url}`);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as RecipeReport;
    expect(report).toMatchObject({
      recipe: 'hydraulic',
      out: 'first.csv',
      rows: 3,
      columns: 22,
      stats: ['mean'],
      sourceKind: 'url',
      source: url,
      bytes: zip.length,
      cached: false,
    });
    expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.archive.startsWith(join(cache, 'automl', 'downloads'))).toBe(true);
    expect(server.requests.length - before).toBe(1);

    const lines = (await readFile(join(dir, 'first.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(report.header.join(','));
    const row = lines[2]!.split(',');
    expect(Number(row[0])).toBe(expectedMean(0, 1));
    expect(Number(row[16])).toBe(expectedMean(16, 1));
    expect(row.slice(17)).toEqual(profileRow(1).map(String));

    const again = await automl(['recipe', 'hydraulic', '--source', url, '--out', 'second.csv']);
    expect(again.code).toBe(0);
    expect(server.requests.length - before).toBe(1);
    expect(again.stderr).not.toContain('downloading');
    expect(again.stdout).toContain('wrote second.csv: 3 rows, 22 columns');
    expect(again.stdout).toContain(`cached copy, no download: ${report.archive}`);
    expect(again.stdout).toContain(`sha256   ${report.sha256}`);
    expect(again.stdout).toContain(`(${zip.length.toLocaleString('en-US')} bytes)`);
    expect(await readFile(join(dir, 'second.csv'), 'utf8')).toBe(await readFile(join(dir, 'first.csv'), 'utf8'));

    const refreshed = await automl([
      'recipe',
      'hydraulic',
      '--source',
      url,
      '--out',
      'third.csv',
      '--refresh',
      '--quiet',
    ]);
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toBe('');
    expect(server.requests.length - before).toBe(2);
  });

  it('reads a local zip, with --stats, into the default name in --out-dir', async () => {
    const zipPath = join(dir, 'copy of data.zip');
    await writeFile(zipPath, zip);
    const run = await automl([
      'recipe',
      'hydraulic',
      '--source',
      'copy of data.zip',
      '--out-dir',
      'outs',
      '--stats',
      'mean,max',
      '--stats',
      'slope',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as RecipeReport;
    expect(report.out).toBe(join('outs', 'hydraulic.csv'));
    expect(report.source).toBe('copy of data.zip');
    expect(report.sourceKind).toBe('file');
    expect(report.columns).toBe(3 * 17 + 5);
    const header = (await readFile(join(dir, 'outs', 'hydraulic.csv'), 'utf8')).split('\n')[0]!.split(',');
    expect(header.slice(15, 19)).toEqual(['cool_pwr_pct', 'eff_fact_pct', 'psa_bar_max', 'psb_bar_max']);
    expect(header[34]).toBe('psa_bar_slope');
  });

  it('writes hydraulic.csv in the working folder by default', async () => {
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    await writeFile(join(cwd, 'data.zip'), zip);
    const run = await automl(['recipe', 'hydraulic', '--source', 'data.zip'], cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote hydraulic.csv: 3 rows');
    expect(run.stdout).toContain('local file');
    expect((await readdir(cwd)).sort()).toEqual(['data.zip', 'hydraulic.csv']);
  });

  it('refuses a broken archive: exit code 2, file and line in the message, no output', async () => {
    const run = await automl(['recipe', 'hydraulic', '--source', server.url('/short.zip'), '--out', 'short.csv']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('automl: error: ');
    expect(run.stderr).toContain('hydraulic/PS1.txt line 2: 5999 samples, expected 6000');
    expect(run.stderr).not.toContain('    at ');
    expect(existsSync(join(dir, 'short.csv'))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes('short'))).toEqual([]);
  });

  it('a failed download: the URL, the status, and --source FILE', async () => {
    const url = server.url('/gone/data.zip');
    const run = await automl(['recipe', 'hydraulic', '--source', url, '--out', 'gone.csv']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${url}: HTTP 404 Not Found`);
    expect(run.stderr).toContain('--source FILE');
    expect(existsSync(join(dir, 'gone.csv'))).toBe(false);
  });

  it('checks its options at the edge', async () => {
    const stat = await automl(['recipe', 'hydraulic', '--source', 'x.zip', '--stats', 'mean,avg']);
    expect(stat.code).toBe(2);
    expect(stat.stderr).toContain("unknown per-cycle statistic 'avg' in --stats; choose from: mean (");
    const both = await automl(['recipe', 'hydraulic', '--out', 'a.csv', '--out-dir', 'b']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--out and --out-dir are both given');
    const ftp = await automl(['recipe', 'hydraulic', '--source', 'ftp://example.org/data.zip']);
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toContain('ftp URLs are not supported');
    const missing = await automl(['recipe', 'hydraulic', '--source', 'nowhere/data.zip']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--source nowhere/data.zip: no such file');
  });

  it('the compiled recipe finds the embedded data from dist/ (as in an installed package)', async () => {
    const compiled = (await import(
      join(root, 'dist', 'recipes', 'index.js')
    )) as typeof import('../../recipes/index.js');
    const path = compiled.getRecipe('hydraulic').defaultDataPath();
    expect(path).toBe(join(root, 'recipes', 'hydraulic', 'hydraulic.csv'));
    expect(existsSync(path)).toBe(true);
  });

  it('the test archive really has full-length lines', () => {
    expect(fileLines('PS1.txt', 1)[0]!.split('\t')).toHaveLength(6000);
    expect(fileLines('FS1.txt', 1)[0]!.split('\t')).toHaveLength(600);
    expect(fileLines('CE.txt', 1)[0]!.split('\t')).toHaveLength(60);
  });
});
