/**
 * `automl run` on a customer table as users bring them: an id counter and a constant column are
 * dropped with their reason (dashboard, experiment.json, run.log; `--keep-column` keeps one);
 * test-predictions.csv names each row by its line in the file (empty lines and quoted line
 * breaks counted) or by `--id-column`, and adds `<target>.predicted`; the leaderboard holds no
 * configuration twice. The files are made here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardLines } from '../../src/report/dashboard.js';
import type { RunExperiment } from '../../src/report/load.js';
import { Rng } from '../../src/util/random.js';
import { runCli } from './run-cli.js';

const LONG = 180_000;
const dir = mkdtempSync(join(tmpdir(), 'automl-predictions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 240;
const PLANS = ['basic', 'pro', 'team'];

/**
 * customers.csv: customer_id 1…240 (a counter), plan, tenure, charges, region (always EU), a
 * note that is mostly empty and twice spans two lines, churn (yes / no). An empty line after
 * the 50th record. Returns each record's first line (the header is line 1) and its churn.
 */
function writeCustomers(path: string): { startLine: number[]; churn: string[] } {
  const rng = new Rng(17);
  const out = ['customer_id,plan,tenure,charges,region,note,churn'];
  const startLine: number[] = [];
  const churn: string[] = [];
  let line = 2;
  for (let i = 0; i < N; i++) {
    const plan = PLANS[rng.int(3)]!;
    const tenure = rng.int(72);
    const charges = (20 + 80 * rng.next()).toFixed(2);
    const z = 1.2 - 0.05 * tenure + (plan === 'basic' ? 0.8 : 0) + 0.02 * (Number(charges) - 60);
    const y = rng.next() < 1 / (1 + Math.exp(-z)) ? 'yes' : 'no';
    const note = i === 4 ? '"called twice,\nthen left"' : i === 99 ? '"moved\naway"' : '';
    const record = `${i + 1},${plan},${tenure},${charges},EU,${note},${y}`;
    out.push(record);
    startLine.push(line);
    churn.push(y);
    line += 1 + (record.match(/\n/g)?.length ?? 0);
    if (i === 49) {
      out.push('');
      line++;
    }
  }
  writeFileSync(path, `${out.join('\n')}\n`);
  return { startLine, churn };
}

const data = join(dir, 'customers.csv');
const truth = writeCustomers(data);

interface Result extends RunExperiment {
  features: string[];
  dropped: { column: string; reason: string }[];
  experimentDir: string;
}

async function run(args: readonly string[], out: string): Promise<Result> {
  const r = await runCli(
    ['run', '--data', data, '--target', 'churn', '--accuracy', '1', '--out-dir', join(dir, out), '--json', ...args],
    { timeoutMs: LONG },
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Result;
}

function csvRows(path: string): string[][] {
  return parse(readFileSync(path, 'utf8')) as string[][];
}

describe('automl run: columns dropped with their reason, rows named in test-predictions.csv', () => {
  it(
    'drops the id counter and the constant; names test rows by their line, with the predicted class',
    async () => {
      const res = await run(['--max-models', '3', '--seed', '3'], 'plain');
      expect(res.dropped).toEqual([
        {
          column: 'customer_id',
          reason: 'a row counter: rises by one from row to row (1 to 240); --keep-column keeps it',
        },
        { column: 'region', reason: "constant: 'EU' in every row; --keep-column keeps it" },
      ]);
      expect(res.features).toEqual(['plan', 'tenure', 'charges', 'note']);
      const saved = JSON.parse(readFileSync(join(res.experimentDir, 'experiment.json'), 'utf8')) as Result;
      expect(saved.dropped).toEqual(res.dropped);
      const log = readFileSync(join(res.experimentDir, 'run.log'), 'utf8');
      expect(log).toContain('dropped customer_id: a row counter: rises by one from row to row (1 to 240)');
      expect(log).toContain("dropped region: constant: 'EU' in every row");
      const dash = dashboardLines(saved, { width: 80 });
      // One line per reason, wrapped to the width.
      const at = dash.findIndex((l) => l.startsWith('  dropped '));
      expect(dash.slice(at, at + 3).map((l) => l.trim().replace(/^dropped\s+/, ''))).toEqual([
        'customer_id: a row counter: rises by one from row to row (1 to',
        '240); --keep-column keeps it',
        "region: constant: 'EU' in every row; --keep-column keeps it",
      ]);
      for (const l of dash) expect(l.length).toBeLessThanOrEqual(80);

      const [head, ...rows] = csvRows(join(res.experimentDir, 'test-predictions.csv'));
      expect(head).toEqual(['line', 'churn', 'churn.no', 'churn.yes', 'churn.predicted']);
      expect(rows).toHaveLength(N / 4);
      const byLine = new Map(truth.startLine.map((l, i) => [l, i]));
      for (const [line, actual, pNo, pYes, predicted] of rows) {
        // The line is where that customer's record starts in the file (after the empty line and
        // the notes that span two lines too).
        const i = byLine.get(Number(line));
        expect(i, `line ${line}`).toBeDefined();
        expect(actual).toBe(truth.churn[i!]);
        expect(Number(pNo) + Number(pYes)).toBeCloseTo(1, 12);
        // The most probable class (ties: the first), as automl score predicts by default.
        expect(predicted).toBe(Number(pYes) > Number(pNo) ? 'yes' : 'no');
      }
      // Rows after the empty line and the two-line notes are among them, named by the right line.
      expect(rows.some(([line]) => Number(line) > truth.startLine[100]!)).toBe(true);
    },
    LONG,
  );

  it(
    '--id-column names the rows instead; --keep-column keeps the constant as a feature',
    async () => {
      const plain = csvRows(join(dir, 'plain', 'experiments', 'runs', 'churn-customers', 'test-predictions.csv'));
      const res = await run(
        ['--max-models', '3', '--seed', '3', '--id-column', 'customer_id', '--keep-column', 'region'],
        'ids',
      );
      expect(res.dropped).toEqual([
        { column: 'customer_id', reason: 'the --id-column: it names the rows of test-predictions.csv' },
      ]);
      expect(res.features).toEqual(['plan', 'tenure', 'charges', 'region', 'note']);
      const [head, ...rows] = csvRows(join(res.experimentDir, 'test-predictions.csv'));
      expect(head).toEqual(['customer_id', 'churn', 'churn.no', 'churn.yes', 'churn.predicted']);
      // The same test rows (the split depends on the seed and the target), named by their id.
      const byLine = new Map(truth.startLine.map((l, i) => [l, i]));
      expect(rows.map((r) => r[0])).toEqual(plain.slice(1).map(([line]) => String(byLine.get(Number(line))! + 1)));
    },
    LONG,
  );

  it('a --keep-column or --id-column that names no column, or an --id-column given twice: exit 2', async () => {
    const a = await runCli(['run', '--data', data, '--target', 'churn', '--keep-column', 'custmer_id', '--quiet']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("no column 'custmer_id'");
    const b = await runCli(['run', '--data', data, '--target', 'churn', '--id-column', 'a', '--id-column', 'b']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--id-column is given 2 times; give it once');
    const c = await runCli(['run', '--data', data, '--target', 'churn', '--keep-column', 'churn', '--quiet']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--keep-column churn names the target itself');
  });

  it('automl describe shows what automl run would drop, and why', async () => {
    const json = await runCli(['describe', '--data', data, '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { dropped: unknown }).dropped).toEqual([
      { column: 'customer_id', kind: 'id', reason: 'a row counter: rises by one from row to row (1 to 240)' },
      { column: 'region', kind: 'constant', reason: "constant: 'EU' in every row" },
    ]);
    const text = await runCli(['describe', '--data', data]);
    expect(text.stdout).toMatch(/^customer_id\s+numeric\s+id\s/m);
    expect(text.stdout).toMatch(/^region\s+categorical\s+constant\s/m);
    expect(text.stdout).toMatch(/^tenure\s+numeric\s+feature\s/m);
    expect(text.stdout).toContain('automl run drops these 2 columns (--keep-column keeps one):');
    expect(text.stdout).toContain('  customer_id: a row counter: rises by one from row to row (1 to 240)');
  });
});

describe('automl run: no configuration scored twice', () => {
  it(
    'a run of 24 candidates: leaderboard.csv holds each family, feature steps and parameters once',
    async () => {
      const res = await run(['--max-models', '24', '--seed', '5', '--interpretability', '8'], 'dedupe');
      const [head, ...rows] = csvRows(join(res.experimentDir, 'leaderboard.csv'));
      expect(rows).toHaveLength(24);
      const col = (name: string): number => head!.indexOf(name);
      const configs = rows.map((r) => `${r[col('family')]}|${r[col('features')]}|${r[col('params')]}`);
      expect(new Set(configs).size).toBe(24);
    },
    LONG,
  );
});
