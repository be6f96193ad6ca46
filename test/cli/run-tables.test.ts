/**
 * `automl run` end to end on tables other than the hydraulic one: binary, multiclass and
 * regression targets, numeric and categorical features, missing cells. Each table is generated
 * here with a seeded generator (a known model plus noise), written as CSV, and given to the built
 * binary; the outputs are read back and checked against what the data holds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-run-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LONG = 120_000;

// ---------------------------------------------------------------------------------------------
// Seeded data
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so the tables are the same on every run. */
class Gen {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An index drawn with these (unnormalised) weights. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}

type Row = Record<string, string>;

/** CSV text of rows (fields here never need quoting). */
function csv(columns: readonly string[], rows: readonly Row[]): string {
  return `${columns.join(',')}\n${rows.map((r) => columns.map((c) => r[c] ?? '').join(',')).join('\n')}\n`;
}

function write(name: string, columns: readonly string[], rows: readonly Row[]): string {
  const p = join(dir, name);
  writeFileSync(p, csv(columns, rows));
  return p;
}

/** Blanks a cell with probability `p` (a missing value, as an empty field). */
function holes(g: Gen, v: string, p = 0.05): string {
  return g.next() < p ? '' : v;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Customer churn, binary with labels yes / no: a logistic model over numeric features, a plan
 * with four levels (one-hot) and a city with 40 levels (target encoded), ~5% missing cells.
 */
const PLANS = ['basic', 'standard', 'premium', 'family'] as const;
const PLAN_EFFECT: Record<string, number> = { basic: 0.7, standard: 0, premium: -0.6, family: -1.1 };
const CITIES = Array.from({ length: 40 }, (_, i) => `city_${String(i).padStart(2, '0')}`);
const CHURN_COLUMNS = [
  'customer_id',
  'age',
  'income',
  'tenure_months',
  'monthly_charges',
  'support_calls',
  'plan',
  'city',
  'churn',
] as const;

function churnRows(n: number, seed: number): Row[] {
  const g = new Gen(seed);
  // The city effects are part of the world, the same for every sample of it.
  const cg = new Gen(991);
  const cityEffect = CITIES.map(() => 1.1 * cg.normal());
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const age = Math.min(90, Math.max(18, Math.round(44 + 13 * g.normal())));
    const income = Math.round(Math.exp(10.6 + 0.45 * g.normal()) / 10) * 10;
    const tenure = g.int(120);
    const charges = Math.round((20 + 90 * g.next()) * 100) / 100;
    let calls = 0;
    while (calls < 9 && g.next() < 0.55) calls++;
    const plan = PLANS[g.weighted([4, 3, 2, 1])]!;
    const city = g.weighted(CITIES.map((_, k) => 1 + (k % 5)));
    const z =
      -0.2 +
      0.45 * (calls - 1.2) -
      0.028 * (tenure - 60) +
      0.025 * (charges - 65) -
      0.9 * Math.log(income / 40000) -
      0.012 * (age - 44) +
      PLAN_EFFECT[plan]! +
      cityEffect[city]!;
    const churn = g.next() < sigmoid(z) ? 'yes' : 'no';
    rows.push({
      customer_id: `C${String(100000 + seed * 10000 + i)}`,
      age: holes(g, String(age)),
      income: holes(g, String(income)),
      tenure_months: String(tenure),
      monthly_charges: holes(g, charges.toFixed(2)),
      support_calls: holes(g, String(calls)),
      plan: holes(g, plan),
      city: holes(g, CITIES[city]!),
      churn,
      // The true probability: not written to the files (only named columns are), kept to measure against.
      _p: String(sigmoid(z)),
    });
  }
  return rows;
}

/** Machine condition grades A–D from six sensor readings (numeric only), a noisy latent score cut in quarters. */
const SENSOR_COLUMNS = [
  'temperature_c',
  'pressure_bar',
  'vibration_mm_s',
  'humidity_pct',
  'rpm',
  'load_pct',
  'grade',
] as const;

function gradeRows(n: number, seed: number): Row[] {
  const g = new Gen(seed);
  const raw = Array.from({ length: n }, () => {
    const temp = 60 + 8 * g.normal();
    const pressure = 4 + 0.6 * g.normal();
    const vib = Math.abs(2 + 1.2 * g.normal());
    const hum = 30 + 40 * g.next();
    const rpm = 1500 + 300 * g.normal();
    const load = 20 + 75 * g.next();
    const q =
      -0.12 * (temp - 60) +
      1.4 * (pressure - 4) -
      0.9 * (vib - 2) +
      0.9 * Math.sin((rpm - 1500) / 150) * ((load - 57) / 20) +
      0.45 * g.normal();
    return { temp, pressure, vib, hum, rpm, load, q };
  });
  const sorted = raw.map((r) => r.q).sort((a, b) => a - b);
  const cut = [0.25, 0.5, 0.75].map((f) => sorted[Math.floor(f * n)]!);
  return raw.map((r) => ({
    temperature_c: r.temp.toFixed(2),
    pressure_bar: r.pressure.toFixed(3),
    vibration_mm_s: r.vib.toFixed(3),
    humidity_pct: r.hum.toFixed(1),
    rpm: String(Math.round(r.rpm)),
    load_pct: r.load.toFixed(1),
    grade: r.q < cut[0]! ? 'D' : r.q < cut[1]! ? 'C' : r.q < cut[2]! ? 'B' : 'A',
  }));
}

/** House prices (thousands): a nonlinear function of area, distance, age and a district, plus noise. */
const DISTRICTS = ['north', 'south', 'east', 'west', 'centre'] as const;
const DISTRICT_EFFECT: Record<string, number> = { north: 10, south: -15, east: 0, west: 20, centre: 45 };
const HOUSE_COLUMNS = ['area_m2', 'rooms', 'age_years', 'distance_km', 'district', 'price_k'] as const;
const PRICE_NOISE = 12;

function houseRows(n: number, seed: number): Row[] {
  const g = new Gen(seed);
  return Array.from({ length: n }, () => {
    const area = 35 + 140 * g.next();
    const rooms = Math.max(1, Math.min(7, Math.round(area / 28 + 0.8 * g.normal())));
    const age = g.int(80);
    const dist = 0.5 + 24 * g.next();
    const district = DISTRICTS[g.int(DISTRICTS.length)]!;
    const price =
      60 +
      1.9 * area +
      6 * rooms +
      30 * Math.sin(dist / 3) -
      0.02 * (age - 35) ** 2 +
      DISTRICT_EFFECT[district]! +
      PRICE_NOISE * g.normal();
    return {
      area_m2: holes(g, area.toFixed(1)),
      rooms: String(rooms),
      age_years: holes(g, String(age)),
      distance_km: dist.toFixed(2),
      district: holes(g, district),
      price_k: price.toFixed(2),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

interface Entry {
  id: number;
  family: string;
  params: Record<string, unknown>;
  features: string;
  status: string;
  folds: number;
  plannedFolds: number;
  score: number;
}

interface RunResult {
  status: string;
  task: string;
  classes: string[] | null;
  rows: { train: number; test: number; droppedMissingTarget: number };
  dropped: { column: string; reason: string }[];
  features: string[];
  settings: { scorer?: string; interpretability: number };
  search: { candidates: number; stoppedBy: string; threads: number; best: Entry };
  validation: Record<string, number>;
  test: Record<string, number>;
  pipelinePath: string;
  experimentDir: string;
  final: string;
  ensemble: {
    kept: boolean;
    score: number;
    singleScore: number;
    members: {
      id: number;
      family: string;
      weight: number;
      calibration: { temperature: number; floor: number } | null;
    }[];
  };
}

/** Splits a CSV line (our outputs quote only fields holding a comma or a quote). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function readCsvFile(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');
  return { header: splitCsvLine(lines[0]!), rows: lines.slice(1).map(splitCsvLine) };
}

async function run(args: readonly string[], outName: string): Promise<RunResult> {
  const r = await runCli(['run', ...args, '--out-dir', join(dir, outName), '--json'], { timeoutMs: LONG });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as RunResult;
}

/** The binary ROC AUC of scores against 0/1 labels (ties count one half). */
function rocAuc(y: readonly number[], s: readonly number[]): number {
  let pos = 0;
  let neg = 0;
  let wins = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    pos++;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      if (s[i]! > s[j]!) wins++;
      else if (s[i] === s[j]) wins += 0.5;
    }
  }
  for (const v of y) if (v === 0) neg++;
  return wins / (pos * neg);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const LEADERBOARD_HEADER = [
  'id',
  'family',
  'features',
  'params',
  'status',
  'folds',
  'score',
  'logloss',
  'fit_seconds',
  'started_seconds',
  'finished_seconds',
  'rounds',
  'cut_folds',
  'error',
];
const TIMING_COLUMNS = ['fit_seconds', 'started_seconds', 'finished_seconds'];

interface PipelineJson {
  task: string;
  classes: string[] | null;
  inputs: { name: string; type: string; levels?: string[] }[];
  features: { inputs: unknown[]; steps: { kind: string; column?: string; levels?: string[] }[]; features: string[] };
  model: { kind: string };
}

function readPipelineJson(path: string): PipelineJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PipelineJson;
}

describe('automl run on tables other than the hydraulic one', () => {
  it(
    'binary yes/no target: numeric and categorical features (few and many levels) with missing cells, given train and test files',
    async () => {
      const columns = CHURN_COLUMNS.filter((c) => c !== 'customer_id');
      const trainRows = churnRows(1500, 1);
      const testRows = churnRows(500, 2);
      // The data are what they claim: ~5% missing cells, every city present in training.
      const blanks =
        trainRows.filter((r) => r['income'] === '').length + trainRows.filter((r) => r['city'] === '').length;
      expect(blanks / (2 * trainRows.length)).toBeGreaterThan(0.035);
      expect(blanks / (2 * trainRows.length)).toBeLessThan(0.065);
      expect(new Set(trainRows.map((r) => r['city']).filter((c) => c !== ''))).toEqual(new Set(CITIES));
      const train = write('churn.train.csv', columns, trainRows);
      const test = write('churn.test.csv', columns, testRows);

      const res = await run(['--train', train, '--test', test, '--target', 'churn', '--max-models', '4'], 'churn');
      expect(res.status).toBe('finished');
      expect(res.task).toBe('binary');
      expect(res.classes).toEqual(['no', 'yes']);
      expect(res.rows).toEqual({ train: 1500, test: 500, droppedMissingTarget: 0 });
      expect(res.features).toEqual(columns.filter((c) => c !== 'churn'));
      expect(res.search).toMatchObject({ candidates: 4, stoppedBy: 'max-models' });

      // Test AUC: well above 0.5 and close to what the true probabilities reach on these rows.
      const yTest = testRows.map((r) => (r['churn'] === 'yes' ? 1 : 0));
      const oracle = rocAuc(
        yTest,
        testRows.map((r) => Number(r['_p'])),
      );
      expect(oracle).toBeCloseTo(0.836, 3); // the generator's own ceiling on these 500 rows
      expect(res.test['auc']).toBeGreaterThan(0.75);
      expect(res.test['auc']).toBeGreaterThan(oracle - 0.07);
      expect(res.validation['auc']).toBeGreaterThan(0.75);
      expect(res.test['logloss']).toBeLessThan(0.6); // a constant at the base rate scores 0.693

      // test-predictions.csv: the row's line in the test file, the actual label, p(no), p(yes) and
      // the most probable class, row for row in the test file's order.
      const preds = readCsvFile(join(res.experimentDir, 'test-predictions.csv'));
      expect(preds.header).toEqual(['line', 'churn', 'churn.no', 'churn.yes', 'churn.predicted']);
      expect(preds.rows.map((r) => r[0])).toEqual(testRows.map((_, i) => String(i + 2)));
      expect(preds.rows.map((r) => r[1])).toEqual(testRows.map((r) => r['churn']));
      expect(preds.rows.map((r) => r[4])).toEqual(preds.rows.map((r) => (Number(r[3]) > Number(r[2]) ? 'yes' : 'no')));
      expect(
        rocAuc(
          yTest,
          preds.rows.map((r) => Number(r[3])),
        ),
      ).toBeCloseTo(res.test['auc']!, 12);

      // The pipeline, loaded by the standalone scorer, gives exactly those probabilities on the test rows as read.
      const scorer = loadPipeline(res.pipelinePath);
      expect(scorer.outputNames).toEqual(['churn.no', 'churn.yes']);
      expect(scorer.classes).toEqual(['no', 'yes']);
      const batch = scorer.scoreBatch(testRows);
      expect(batch).toHaveLength(1000);
      preds.rows.forEach((r, i) => {
        expect(String(batch[2 * i]), `row ${i}`).toBe(r[2]);
        expect(String(batch[2 * i + 1]), `row ${i}`).toBe(r[3]);
        expect(batch[2 * i]! + batch[2 * i + 1]!).toBeCloseTo(1, 12);
      });
      expect(scorer.score(testRows[0]!)).toEqual([Number(preds.rows[0]![2]), Number(preds.rows[0]![3])]);
      expect(scorer.unseen).toEqual({ plan: 0, city: 0 });

      // Its inputs: the numeric columns, and the categorical ones with their levels.
      const byName = new Map(scorer.fields.map((f) => [f.name, f]));
      expect([...byName.keys()].sort()).toEqual([
        'age',
        'city',
        'income',
        'monthly_charges',
        'plan',
        'support_calls',
        'tenure_months',
      ]);
      for (const n of ['age', 'income', 'tenure_months', 'monthly_charges', 'support_calls'])
        expect(byName.get(n)?.type).toBe('numeric');
      const plan = byName.get('plan');
      const city = byName.get('city');
      expect(plan?.type === 'categorical' && [...plan.levels].sort()).toEqual([...PLANS].sort());
      expect(city?.type === 'categorical' && [...city.levels].sort()).toEqual(CITIES);
      // Four plans one-hot encoded; forty cities target encoded (each with a frequency too).
      const steps = readPipelineJson(res.pipelinePath).features.steps;
      expect(steps.map((st) => `${st.kind}(${st.column})`)).toEqual([
        'one_hot(plan)',
        'frequency(plan)',
        'target_encoding(city)',
        'frequency(city)',
      ]);
      expect([...(steps[0]!.levels ?? [])].sort()).toEqual([...PLANS].sort());
      expect(steps[2]!.levels).toHaveLength(40);

      // leaderboard.csv: one row per candidate, each family's defaults, scored on 3 of 3 folds.
      const lb = readCsvFile(join(res.experimentDir, 'leaderboard.csv'));
      expect(lb.header).toEqual(LEADERBOARD_HEADER);
      const col = (name: string): string[] => lb.rows.map((r) => r[lb.header.indexOf(name)]!);
      expect(col('id')).toEqual(['0', '1', '2', '3']);
      expect(col('family')).toEqual(['gbdt', 'glm', 'glm', 'glm']);
      expect(col('status')).toEqual(['scored', 'scored', 'scored', 'scored']);
      expect(col('folds')).toEqual(['3/3', '3/3', '3/3', '3/3']);
      expect(col('error')).toEqual(['', '', '', '']);
      // The GBDT's rounds kept on each fold (early stopping: at most its 100); no deadline with
      // --max-models, so none cut short. The GLM fits in no rounds.
      const rounds = col('rounds')[0]!.split(' ').map(Number);
      expect(rounds).toHaveLength(3);
      for (const r of rounds) expect(r >= 1 && r <= 100 && Number.isInteger(r)).toBe(true);
      expect(col('rounds').slice(1)).toEqual(['', '', '']);
      expect(col('cut_folds')).toEqual(['0', '0', '0', '0']);
      const scores = col('score').map(Number);
      expect(col('logloss').map(Number)).toEqual(scores); // logloss is the default scorer
      for (const x of scores) expect(x).toBeGreaterThan(0.4);
      expect(res.search.best.score).toBe(Math.min(...scores));
      // The validation scores are the chosen model's: the ensemble, or the winner calibrated.
      expect(res.validation['logloss']).toBeCloseTo(
        res.ensemble.kept ? res.ensemble.score : res.ensemble.singleScore,
        12,
      );

      const log = readFileSync(join(res.experimentDir, 'run.log'), 'utf8');
      expect(log).toContain('target churn: binary (no, yes); 1500 train rows, 500 test rows, 7 features');
    },
    LONG,
  );

  it(
    'multiclass target with four classes, numeric features only, one file split 75/25 by the tool',
    async () => {
      const rows = gradeRows(1600, 3);
      const data = write('grades.csv', SENSOR_COLUMNS, rows);
      const res = await run(['--data', data, '--target', 'grade', '--max-models', '4'], 'grades');
      expect(res.task).toBe('multiclass');
      expect(res.classes).toEqual(['A', 'B', 'C', 'D']);
      // 400 rows of each grade; stratified, each sends 300 to train and 100 to test.
      expect(res.rows).toEqual({ train: 1200, test: 400, droppedMissingTarget: 0 });
      expect(res.search).toMatchObject({ candidates: 4, stoppedBy: 'max-models' });

      const preds = readCsvFile(join(res.experimentDir, 'test-predictions.csv'));
      expect(preds.header).toEqual(['line', 'grade', 'grade.A', 'grade.B', 'grade.C', 'grade.D', 'grade.predicted']);
      expect(preds.rows).toHaveLength(400);
      for (const g of ['A', 'B', 'C', 'D']) expect(preds.rows.filter((r) => r[1] === g)).toHaveLength(100);
      let correct = 0;
      for (const r of preds.rows) {
        const p = r.slice(2, 6).map(Number);
        expect(p.every((x) => x >= 0 && x <= 1)).toBe(true);
        expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
        const k = p.indexOf(Math.max(...p));
        expect(r[6]).toBe(['A', 'B', 'C', 'D'][k]);
        if (['A', 'B', 'C', 'D'][k] === r[1]) correct++;
      }
      // Accuracy, from the file, is the reported one; chance is 0.25 (the classes are balanced).
      expect(correct / 400).toBeCloseTo(res.test['accuracy']!, 12);
      expect(res.test['accuracy']).toBeGreaterThan(0.55);
      expect(res.validation['accuracy']).toBeGreaterThan(0.55);
      expect(res.test['auc']).toBeGreaterThan(0.8); // one-vs-rest macro
      expect(res.test['logloss']).toBeLessThan(0.95); // a uniform guess scores ln 4 = 1.386

      const scorer = loadPipeline(res.pipelinePath);
      expect(scorer.outputNames).toEqual(['grade.A', 'grade.B', 'grade.C', 'grade.D']);
      expect(scorer.fields.map((f) => f.name)).toEqual(SENSOR_COLUMNS.filter((c) => c !== 'grade'));
      expect(scorer.fields.every((f) => f.type === 'numeric')).toBe(true);
    },
    LONG,
  );

  it(
    'regression target (a nonlinear function plus noise), with --scorer mae',
    async () => {
      const rows = houseRows(1500, 4);
      const data = write('houses.csv', HOUSE_COLUMNS, rows);
      const res = await run(['--data', data, '--target', 'price_k', '--max-models', '4', '--scorer', 'mae'], 'houses');
      expect(res.task).toBe('regression');
      expect(res.classes).toBeNull();
      // Not stratified: a plain random split of round(0.75 × 1500) rows.
      expect(res.rows).toEqual({ train: 1125, test: 375, droppedMissingTarget: 0 });
      expect(res.settings.scorer).toBe('mae');

      const preds = readCsvFile(join(res.experimentDir, 'test-predictions.csv'));
      expect(preds.header).toEqual(['line', 'price_k', 'price_k.predicted']);
      expect(preds.rows).toHaveLength(375);
      const y = preds.rows.map((r) => Number(r[1]));
      const p = preds.rows.map((r) => Number(r[2]));
      const mean = y.reduce((a, b) => a + b, 0) / y.length;
      const sse = y.reduce((a, v, i) => a + (v - p[i]!) ** 2, 0);
      const sst = y.reduce((a, v) => a + (v - mean) ** 2, 0);
      const mae = y.reduce((a, v, i) => a + Math.abs(v - p[i]!), 0) / y.length;
      // The reported test metrics are those of the file's predictions.
      expect(res.test['rmse']).toBeCloseTo(Math.sqrt(sse / y.length), 9);
      expect(res.test['mae']).toBeCloseTo(mae, 9);
      expect(res.test['r2']).toBeCloseTo(1 - sse / sst, 9);
      // Well fitted (the target's spread is ~90, the noise 12), and no better than the noise allows.
      expect(res.test['r2']).toBeGreaterThan(0.92);
      expect(res.test['rmse']).toBeGreaterThan(0.85 * PRICE_NOISE);
      expect(res.test['rmse']).toBeLessThan(26);

      // --scorer mae is what the search ranked by: the winner's score is its out-of-fold MAE.
      expect(res.validation['mae']).toBeCloseTo(res.ensemble.kept ? res.ensemble.score : res.search.best.score, 12);
      expect(res.ensemble.members.every((m) => m.calibration === null)).toBe(true); // no calibration for a regression
      const lb = readCsvFile(join(res.experimentDir, 'leaderboard.csv'));
      const col = (name: string): string[] => lb.rows.map((r) => r[lb.header.indexOf(name)]!);
      expect(col('logloss')).toEqual(['', '', '', '']);
      const scores = col('score').map(Number);
      expect(res.search.best.score).toBe(Math.min(...scores));
      for (const x of scores) expect(x).toBeGreaterThan(8); // MAE of the noise alone: 12 × 0.798 ≈ 9.6
      const pipe = readPipelineJson(res.pipelinePath);
      expect(pipe.task).toBe('regression');
      expect(
        (JSON.parse(readFileSync(res.pipelinePath, 'utf8')) as { metrics: { scorer: string } }).metrics.scorer,
      ).toBe('mae');
      expect(loadPipeline(res.pipelinePath).outputNames).toEqual(['price_k']);
    },
    LONG,
  );

  it(
    "--final folds ships the average of the winner's fold models; --final refit one model refit on all rows",
    async () => {
      const rows = gradeRows(900, 5);
      const train = write('final.train.csv', SENSOR_COLUMNS, rows.slice(0, 600));
      const test = write('final.test.csv', SENSOR_COLUMNS, rows.slice(600));
      const folds = await run(
        [
          '--train',
          train,
          '--test',
          test,
          '--target',
          'grade',
          '--max-models',
          '3',
          '--final',
          'folds',
          '--name',
          'final-folds',
        ],
        'final-folds',
      );
      const refit = await run(
        [
          '--train',
          train,
          '--test',
          test,
          '--target',
          'grade',
          '--max-models',
          '3',
          '--final',
          'refit',
          '--name',
          'final-refit',
        ],
        'final-refit',
      );
      expect(folds.final).toBe('fold-models');
      expect(refit.final).toBe('refit');
      // The same search: the same winner and validation scores either way.
      expect(folds.search.best).toMatchObject({
        id: refit.search.best.id,
        family: refit.search.best.family,
        score: refit.search.best.score,
      });
      expect(folds.validation['logloss']).toBe(refit.validation['logloss']);
      type Members = {
        model: {
          kind: string;
          members: {
            weight: number;
            features: unknown;
            model: { kind: string };
            calibration?: { temperature: number };
          }[];
        };
      };
      const ensemble = readPipelineJson(folds.pipelinePath) as unknown as Members;
      expect(ensemble.model.kind).toBe('ensemble');
      expect(ensemble.model.members.map((m) => m.weight)).toEqual([1 / 3, 1 / 3, 1 / 3]);
      // The first member's feature steps are the pipeline's own; the others carry theirs.
      expect(ensemble.model.members.map((m) => m.features !== undefined)).toEqual([false, true, true]);
      expect(ensemble.model.members.every((m) => m.model.kind !== 'ensemble')).toBe(true);
      // Each member carries the winner's calibration, fitted on its out-of-fold predictions.
      const cal = ensemble.model.members[0]!.calibration!;
      expect(cal.temperature).toBeGreaterThan(0);
      expect(ensemble.model.members.every((m) => m.calibration?.temperature === cal.temperature)).toBe(true);
      // The refit: one model (with the same calibration), not an average of several.
      const one = readPipelineJson(refit.pipelinePath) as unknown as Members;
      expect(one.model.members).toHaveLength(1);
      expect(one.model.members[0]!.model.kind).not.toBe('ensemble');
      expect(one.model.members[0]!.calibration).toEqual(cal);
      // What the experiment reports for the test rows is what the exported pipeline scores.
      const scorer = loadPipeline(folds.pipelinePath);
      const testRows = readCsvFile(test);
      const input = testRows.rows.map((r) => Object.fromEntries(testRows.header.map((h, j) => [h, r[j]!])));
      const scored = scorer.scoreBatch(input);
      const preds = readCsvFile(join(folds.experimentDir, 'test-predictions.csv'));
      preds.rows.forEach((r, i) => r.slice(2, 6).forEach((v, k) => expect(Number(v)).toBe(scored[i * 4 + k])));
      expect(folds.test['logloss']).toBeLessThan(1.0);
      expect(Math.abs(folds.test['logloss']! - refit.test['logloss']!)).toBeLessThan(0.15);
      expect(readFileSync(join(folds.experimentDir, 'run.log'), 'utf8')).toContain(
        "as asked (--final folds): the pipeline is the average of the winner's 3 fold models",
      );
    },
    LONG,
  );

  it(
    '--drop removes a column; --interpretability 9 keeps to GLM and GBDT and original features',
    async () => {
      const rows = churnRows(1200, 5);
      const data = write('churn-ids.csv', CHURN_COLUMNS, rows);
      const res = await run(
        ['--data', data, '--target', 'churn', '--drop', 'customer_id', '--interpretability', '9', '--max-models', '8'],
        'interp',
      );
      expect(res.dropped).toEqual([{ column: 'customer_id', reason: 'dropped with --drop' }]);
      expect(res.features).not.toContain('customer_id');
      expect(res.features).toHaveLength(7);
      expect(res.settings.interpretability).toBe(9);
      const scorer = loadPipeline(res.pipelinePath);
      expect(scorer.fields.map((f) => f.name)).not.toContain('customer_id');
      expect(scorer.fields).toHaveLength(7);

      const lb = readCsvFile(join(res.experimentDir, 'leaderboard.csv'));
      const col = (name: string): string[] => lb.rows.map((r) => r[lb.header.indexOf(name)]!);
      expect(col('id')).toHaveLength(8);
      expect(col('family').slice(0, 4)).toEqual(['glm', 'glm', 'glm', 'gbdt']);
      for (const f of col('family')) expect(['glm', 'gbdt']).toContain(f);
      for (const f of col('features')) {
        expect(f).not.toMatch(/interaction|target_encoding|frequency/);
        expect(f).toMatch(/one_hot\(plan\) \+ one_hot\(city\)$/);
      }
      const steps = readPipelineJson(res.pipelinePath).features.steps;
      for (const st of steps) expect(['one_hot', 'yeo_johnson']).toContain(st.kind);
      // At most 16 one-hot columns for the city: the most frequent of its 40 levels.
      const cityStep = steps.find((st) => st.column === 'city');
      expect(cityStep?.kind).toBe('one_hot');
      expect(cityStep?.levels).toHaveLength(16);
      expect(res.test['auc']).toBeGreaterThan(0.75);
    },
    LONG,
  );

  it(
    '--threads 1 and --threads 2 give the same leaderboard (but for times) and the same model',
    async () => {
      const rows = churnRows(800, 6);
      const data = write(
        'churn-threads.csv',
        CHURN_COLUMNS.filter((c) => c !== 'customer_id'),
        rows,
      );
      const out: { res: RunResult; lb: ReturnType<typeof readCsvFile>; pipe: PipelineJson }[] = [];
      for (const t of ['1', '2']) {
        // 11 candidates: every family's defaults (the MLP too), then a batch of four variations with halving.
        const res = await run(
          ['--data', data, '--target', 'churn', '--max-models', '11', '--seed', '11', '--threads', t],
          `threads-${t}`,
        );
        expect(res.search.threads).toBe(Number(t));
        out.push({
          res,
          lb: readCsvFile(join(res.experimentDir, 'leaderboard.csv')),
          pipe: readPipelineJson(res.pipelinePath),
        });
      }
      const [a, b] = out as [(typeof out)[0], (typeof out)[0]];
      const keep = a.lb.header.map((h, i) => (TIMING_COLUMNS.includes(h) ? -1 : i)).filter((i) => i >= 0);
      const strip = (rows: string[][]): string[][] => rows.map((r) => keep.map((i) => r[i]!));
      expect(a.lb.rows).toHaveLength(11);
      expect(strip(b.lb.rows)).toEqual(strip(a.lb.rows));
      expect(new Set(a.lb.rows.map((r) => r[1]))).toEqual(
        new Set(['gbdt', 'random_forest', 'extra_trees', 'glm', 'mlp']),
      );
      expect(JSON.stringify(b.pipe.model)).toBe(JSON.stringify(a.pipe.model));
      expect(JSON.stringify(b.pipe.features)).toBe(JSON.stringify(a.pipe.features));
      expect(b.res.test).toEqual(a.res.test);
      expect(readFileSync(join(b.res.experimentDir, 'test-predictions.csv'), 'utf8')).toBe(
        readFileSync(join(a.res.experimentDir, 'test-predictions.csv'), 'utf8'),
      );
    },
    LONG,
  );
});

describe('automl run: bad tables end with a clear message and exit code 2', () => {
  it(
    'refuses a test file without a training column, an unknown test class, a one-class target, --threads 0',
    async () => {
      const columns = CHURN_COLUMNS.filter((c) => c !== 'customer_id');
      const trainRows = churnRows(300, 7);
      const testRows = churnRows(100, 8);
      const train = write('bad.train.csv', columns, trainRows);
      const noCity = write(
        'bad.test-no-city.csv',
        columns.filter((c) => c !== 'city'),
        testRows,
      );
      // The test export codes the positive class 'Y' where training says 'yes'.
      const coded = write(
        'bad.test-coded.csv',
        columns,
        testRows.map((r) => (r['churn'] === 'yes' ? { ...r, churn: 'Y' } : r)),
      );
      const oneClass = write(
        'bad.one-class.csv',
        columns,
        trainRows.map((r) => ({ ...r, churn: 'no' })),
      );
      const cases: [string, string[], string][] = [
        [
          'no-city',
          ['--train', train, '--test', noCity],
          'the test file lacks columns of the training file: city; give both files the same columns',
        ],
        [
          'coded',
          ['--train', train, '--test', coded],
          `${coded}: the target has the class 'Y' (data row ${testRows.findIndex((r) => r['churn'] === 'yes') + 1}), which the training file never has; the classes are no, yes`,
        ],
        [
          'one-class',
          ['--data', oneClass],
          "target 'churn' has only one class; a classification target needs at least two",
        ],
        ['threads', ['--data', train, '--threads', '0'], '--threads must be a whole number from 1 to 64; got 0'],
      ];
      for (const [name, args, message] of cases) {
        const out = join(dir, `bad-${name}`);
        const r = await runCli(['run', ...args, '--target', 'churn', '--max-models', '2', '--out-dir', out, '--json'], {
          timeoutMs: LONG,
        });
        expect(r.code, `${name}: ${r.stderr}`).toBe(2);
        // A progress note ('automl run: …') may come first, and a bad option is followed by the
        // hint to --help; the error is one line.
        const lines = r.stderr
          .trimEnd()
          .split('\n')
          .filter((l) => !l.startsWith("Run 'automl --help'"));
        expect(lines.at(-1), name).toBe(`automl: error: ${message}`);
        expect(lines.length, name).toBeLessThanOrEqual(2);
        expect(r.stderr, name).not.toMatch(/\n\s+at /);
        expect(r.stdout, name).toBe('');
        expect(existsSync(join(out, 'pipelines')), name).toBe(false);
        expect(existsSync(join(out, 'experiments')), name).toBe(false);
      }
    },
    LONG,
  );
});

describe('automl run: test files and scorers judged against the training target', () => {
  const columns = CHURN_COLUMNS.filter((c) => c !== 'customer_id');
  const bugRun = (name: string, args: string[]): ReturnType<typeof runCli> =>
    runCli(
      ['run', ...args, '--target', 'churn', '--max-models', '1', '--out-dir', join(dir, `bug-${name}`), '--json'],
      { timeoutMs: LONG },
    );

  it(
    'a test file whose target has a third label names that label',
    async () => {
      const train = write('bug.train.csv', columns, churnRows(300, 9));
      const test = write(
        'bug.test-maybe.csv',
        columns,
        churnRows(100, 10).map((r, i) => (i === 40 ? { ...r, churn: 'maybe' } : r)),
      );
      const r = await bugRun('maybe', ['--train', train, '--test', test]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `automl: error: ${test}: the target has the class 'maybe' (data row 41), which the training file never has; the classes are no, yes`,
      );
    },
    LONG,
  );

  // A small or filtered test set may hold one class only.
  it(
    'a test file whose rows all have one class is scored',
    async () => {
      const train = write('bug.train.csv', columns, churnRows(300, 9));
      const test = write(
        'bug.test-all-no.csv',
        columns,
        churnRows(100, 10).filter((r) => r['churn'] === 'no'),
      );
      const r = await bugRun('all-no', ['--train', train, '--test', test]);
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as { rows: { test: number }; test: { accuracy: number } };
      expect(res.rows.test).toBe(churnRows(100, 10).filter((x) => x['churn'] === 'no').length);
      expect(res.test.accuracy).toBeGreaterThan(0.5);
    },
    LONG,
  );

  it(
    'counts test rows whose category was never seen in training, and says they were scored as missing',
    async () => {
      const trainRows = churnRows(300, 9);
      const train = write('unseen.train.csv', columns, trainRows);
      const rows = churnRows(100, 10).map((r, i) =>
        i % 10 === 3 ? { ...r, city: 'atlantis' } : i === 5 ? { ...r, city: 'lemuria' } : r,
      );
      const test = write('unseen.test.csv', columns, rows);
      const r = await bugRun('unseen', ['--train', train, '--test', test]);
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as {
        testUnseenLevels: Record<string, { rows: number; levels: string[] }>;
        experimentDir: string;
      };
      // Levels the training rows never hold (the two made up, and any the generator left out of training).
      const known = new Set(trainRows.map((x) => x['city']).filter((c) => c !== ''));
      const unseen = rows.filter((x) => x['city'] !== '' && !known.has(x['city']));
      expect(unseen.length).toBeGreaterThanOrEqual(11);
      expect(res.testUnseenLevels).toEqual({
        city: { rows: unseen.length, levels: [...new Set(unseen.map((x) => x['city']))] },
      });
      expect(res.testUnseenLevels['city']!.levels).toEqual(expect.arrayContaining(['atlantis', 'lemuria']));
      expect(readFileSync(join(res.experimentDir, 'run.log'), 'utf8')).toContain(
        `test rows: 'city' has ${unseen.length} rows with levels never seen in training`,
      );
    },
    LONG,
  );

  it(
    'names the column, the value and the row when a numeric training column holds text in the test file',
    async () => {
      const train = write('types.train.csv', columns, churnRows(300, 9));
      const rows = churnRows(100, 10).map((r, i) => (i === 17 ? { ...r, age: 'forty' } : r));
      const test = write('types.test.csv', columns, rows);
      const r = await bugRun('types', ['--train', train, '--test', test]);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
        `automl: error: ${test}: column 'age' holds numbers in the training file but text in the test file ('forty' in data row 18); give it numbers in both (or mark missing values as empty)`,
      );
    },
    LONG,
  );

  it(
    '--scorer rmse on a classification target is refused with exit code 2',
    async () => {
      const data = write('bug.scorer.csv', columns, churnRows(300, 11));
      const r = await bugRun('scorer', ['--data', data, '--scorer', 'rmse']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'automl: error: --scorer rmse is a regression metric, but churn is a binary target; choose from logloss, auc, accuracy, f1, mcc',
      );
    },
    LONG,
  );
});
