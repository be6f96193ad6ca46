/**
 * Rows without a target: left out of training and of the test scores, and counted where a user
 * looks: the dashboard `automl run` prints (and `automl report` prints again), run.log (with the
 * rows' numbers) and experiment.json. With --train/--test, both files' rows count.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HYDRAULIC_CSV, runCli } from './run-cli.js';

const LONG = 120_000;
let dir = '';
let header: string[] = [];
let lines: string[] = [];

/** The first `n` hydraulic rows, with stable_y blanked in the rows (0-based) listed. */
function table(name: string, from: number, n: number, blank: readonly number[]): string {
  const k = header.indexOf('stable_y');
  const rows = lines.slice(from, from + n).map((l, i) => {
    const cells = l.split(',');
    if (blank.includes(i)) cells[k] = '';
    return cells.join(',');
  });
  const path = join(dir, name);
  writeFileSync(path, `${header.join(',')}\n${rows.join('\n')}\n`);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'automl-missing-target-'));
  const all = readFileSync(HYDRAULIC_CSV, 'utf8').trim().split('\n');
  header = all[0]!.split(',');
  lines = all.slice(1);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rows with a missing target', () => {
  it(
    '--data: on the dashboard, in run.log with their numbers, in experiment.json and in automl report',
    async () => {
      const data = table('missing.csv', 0, 400, [3, 17, 40, 41, 200]);
      const r = await runCli(['run', '--data', data, '--target', 'stable_y', '--max-models', '1'], {
        cwd: dir,
        timeoutMs: LONG,
      });
      expect(r.code, r.stderr).toBe(0);
      // 395 rows with a target, split 75/25: round(0.75 × 395) = 296 train rows.
      expect(r.stdout).toMatch(/^ {2}rows {7}296 train, 99 test \(5 without a target left out\); \d+ features$/m);
      const runDir = join(dir, 'experiments', 'runs', 'stable_y-missing');
      const experiment = JSON.parse(readFileSync(join(runDir, 'experiment.json'), 'utf8')) as {
        rows: { train: number; test: number; droppedMissingTarget: number };
      };
      expect(experiment.rows).toEqual({ train: 296, test: 99, droppedMissingTarget: 5 });
      const log = readFileSync(join(runDir, 'run.log'), 'utf8');
      expect(log).toContain(`left out 5 rows without a value of stable_y: data rows 4, 18, 41, 42, 201 of ${data}`);
      const report = await runCli(['report', 'stable_y-missing'], { cwd: dir });
      expect(report.code, report.stderr).toBe(0);
      expect(report.stdout).toContain('296 train, 99 test (5 without a target left out)');
    },
    LONG,
  );

  it(
    '--train and --test: both files count, each with its own line in run.log',
    async () => {
      const train = table('train.csv', 0, 300, [0, 299]);
      const test = table('test.csv', 300, 100, [5, 6, 7]);
      const r = await runCli(
        ['run', '--train', train, '--test', test, '--target', 'stable_y', '--max-models', '1', '--json'],
        { cwd: dir, timeoutMs: LONG },
      );
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as {
        rows: { train: number; test: number; droppedMissingTarget: number };
        experimentDir: string;
      };
      expect(res.rows).toEqual({ train: 298, test: 97, droppedMissingTarget: 5 });
      const log = readFileSync(join(res.experimentDir, 'run.log'), 'utf8');
      expect(log).toContain(`left out 2 training rows without a value of stable_y: data rows 1, 300 of ${train}`);
      expect(log).toContain(`left out 3 test rows without a value of stable_y: data rows 6, 7, 8 of ${test}`);
    },
    LONG,
  );
});
