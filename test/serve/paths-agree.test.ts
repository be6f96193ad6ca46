/**
 * The three ways to score agree to the last bit: the library (`loadPipeline().score`), the batch
 * command (`automl score`, a CSV file) and the REST server (`automl serve`, POST /model/score).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, HYDRAULIC_CSV, REPO_ROOT, childEnv, runCli } from '../cli/run-cli.js';

type ScorerModule = typeof import('../../src/artifact/scorer.js');

const LONG = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'automl-paths-'));
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const s = server;
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    s.kill('SIGTERM');
    const timer = setTimeout(() => s.kill('SIGKILL'), 5_000);
    await closed;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `automl serve --port 0` and resolves with its URL from the line it prints. */
function serve(pipeline: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--pipeline', pipeline, '--port', '0'], {
      cwd: dir,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`automl serve did not say where it listens; stdout: ${stdout} stderr: ${stderr}`)),
      30_000,
    );
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      const m = /automl serve: listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`automl serve exited (${code}): ${stderr}`));
    });
  });
}

describe('scoring paths', () => {
  it(
    'the library, automl score (CSV) and automl serve (REST) give the same probabilities to the last bit, a missing value included',
    async () => {
      const run = await runCli(
        [
          'run',
          '--target',
          'cool_cond_y',
          '--drop',
          'cool_eff_pct',
          '--max-models',
          '3',
          '--seed',
          '42',
          '--out-dir',
          dir,
          '--quiet',
        ],
        { timeoutMs: LONG },
      );
      expect(run.code, run.stderr).toBe(0);
      const pipeline = join(dir, 'pipelines', 'cool_cond_y-hydraulic.pipeline.json');
      const urlPromise = serve(pipeline);

      const lines = readFileSync(HYDRAULIC_CSV, 'utf8').trimEnd().split(/\r?\n/);
      const names = lines[0]!.split(',');
      // 20 rows spread over the file (all three classes).
      const rows = Array.from({ length: 20 }, (_, i) => lines[1 + i * 110]!.split(','));

      // The library (the build users get).
      const lib = (await import(
        pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'artifact', 'scorer.js')).href
      )) as ScorerModule;
      const scorer = lib.loadPipeline(pipeline);
      const width = scorer.outputNames.length;
      expect(width).toBe(3);
      const scoreRow = (r: readonly string[]): string[] =>
        scorer.score(Object.fromEntries(names.map((n, j) => [n, r[j]!]))).map((x) => String(x));

      // And a copy of a row with a value missing (""): of a field whose absence changes the scores,
      // so that the missing-value path is the one compared.
      const blanked = scorer.fields
        .map((f) => {
          const r = [...rows[3]!];
          r[names.indexOf(f.name)] = '';
          return r;
        })
        .find((r) => JSON.stringify(scoreRow(r)) !== JSON.stringify(scoreRow(rows[3]!)));
      expect(blanked, 'a field whose missing value changes the scores').toBeDefined();
      rows.push(blanked!);
      const library = rows.map(scoreRow);

      // automl score on a CSV file.
      const data = join(dir, 'rows.csv');
      writeFileSync(data, [names, ...rows].map((r) => r.join(',')).join('\n') + '\n');
      const out = join(dir, 'scores.csv');
      const batch = await runCli(['score', '--pipeline', pipeline, '--data', data, '--out', out, '--quiet']);
      expect(batch.code, batch.stderr).toBe(0);
      const csvLines = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(csvLines[0]).toBe([...scorer.outputNames, 'cool_cond_y.predicted'].join(','));
      const cli = csvLines.slice(1).map((l) => l.split(',').slice(0, width));

      // The REST server.
      const url = await urlPromise;
      const res = await fetch(`${url}/model/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fields: names, rows }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { fields: string[]; score: string[][] };
      expect(body.fields).toEqual(scorer.outputNames);

      expect(library).toHaveLength(21);
      expect(cli).toEqual(library);
      expect(body.score).toEqual(library);
      expect(library[20]).not.toEqual(library[3]);
    },
    LONG,
  );
});
