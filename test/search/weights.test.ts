/**
 * Sample weights (`automl run --weight COL`): a weight of k is k copies of the row (for the GLM
 * and the GBDT, within stated tolerances); the search's out-of-fold scores and the run's test
 * metrics are the hand-computed weighted ones; rows of weight 0 are predicted but never trained
 * on; bad weights are refused naming the column and the line; the pipeline does not read the
 * weight column.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/data/csv.js';
import { fitGbdt } from '../../src/models/gbdt/gbdt.js';
import { fitGlm } from '../../src/models/glm/glm.js';
import type { LinearNode } from '../../src/artifact/format/linear.js';
import { Table } from '../../src/data/table.js';
import { refit } from '../../src/search/automl.js';
import { assembleCv } from '../../src/search/cross-validate.js';
import { baselineFeatures } from '../../src/search/space.js';
import { worseBeyondNoise } from '../../src/search/ensemble.js';
import { fitCalibration } from '../../src/search/calibrate.js';
import { runExperiment, type ExperimentSettings } from '../../src/search/experiment.js';
import { foldRows } from '../../src/search/fold-job.js';
import { prepareData } from '../../src/search/prepare.js';
import type { CvResult, FoldOutput } from '../../src/search/types.js';
import { AutomlError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';
import { roleRows, writeRoleCsv } from './row-roles-data.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small integer-valued regression and binary problem, and the same rows repeated by weight. */
function problem(n: number, seed: number) {
  const r = new Rng(seed);
  const x1 = Float64Array.from({ length: n }, () => r.int(10));
  const x2 = Float64Array.from({ length: n }, () => r.int(7));
  const value = Float64Array.from({ length: n }, (_, i) => 0.7 * x1[i]! - 0.4 * x2[i]! + r.next());
  const label = Float64Array.from({ length: n }, (_, i) => (x1[i]! + r.int(6) > 6 ? 1 : 0));
  const w = Float64Array.from({ length: n }, () => 1 + r.int(3));
  const rep = (a: Float64Array): Float64Array =>
    Float64Array.from(Array.from(a).flatMap((v, i) => Array(w[i]!).fill(v)));
  return { x1, x2, value, label, w, dup: { x1: rep(x1), x2: rep(x2), value: rep(value), label: rep(label) } };
}

describe('--weight: a weight of k is k copies of the row', () => {
  const p = problem(300, 11);
  const x = { nRows: 300, columns: [p.x1, p.x2] };
  const xd = { nRows: p.dup.x1.length, columns: [p.dup.x1, p.dup.x2] };
  const grid = {
    nRows: 70,
    columns: [
      Float64Array.from({ length: 70 }, (_, i) => i % 10),
      Float64Array.from({ length: 70 }, (_, i) => Math.floor(i / 10)),
    ],
  };

  it('GLM (logistic and ridge): the same coefficients to 1e-9', () => {
    for (const [kind, y, yd] of [
      ['binary', p.label, p.dup.label],
      ['regression', p.value, p.dup.value],
    ] as const) {
      const opts = { kind, nClasses: kind === 'binary' ? 2 : 1, rng: new Rng(1), params: { tol: 1e-10 } };
      const weighted = fitGlm({ x, y, weights: p.w }, opts).exportNode() as LinearNode;
      const copies = fitGlm({ x: xd, y: yd }, opts).exportNode() as LinearNode;
      expect(weighted.weights.length).toBe(copies.weights.length);
      weighted.weights.forEach((v, j) => expect(Math.abs(v - copies.weights[j]!), `${kind} w${j}`).toBeLessThan(1e-9));
      weighted.intercept.forEach((v, j) => expect(Math.abs(v - copies.intercept[j]!)).toBeLessThan(1e-9));
    }
  });

  it('GBDT (min data in leaf 1, no sampling): the same predictions to 1e-9', () => {
    for (const [kind, y, yd] of [
      ['binary', p.label, p.dup.label],
      ['regression', p.value, p.dup.value],
    ] as const) {
      const opts = {
        kind,
        nClasses: kind === 'binary' ? 2 : 1,
        rng: new Rng(5),
        params: { nRounds: 30, minDataInLeaf: 1, featureFraction: 1, baggingFraction: 1, threads: 1 },
      };
      const weighted = fitGbdt({ x, y, weights: p.w }, opts);
      const copies = fitGbdt({ x: xd, y: yd }, opts);
      const a = weighted.predict(grid);
      const b = copies.predict(grid);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst, kind).toBeLessThan(1e-9);
      // And the weights matter: unweighted is another model.
      const plain = fitGbdt({ x, y }, opts).predict(grid);
      expect(plain.some((v, i) => Math.abs(v - a[i]!) > 1e-6)).toBe(true);
    }
  });
});

describe('--weight: the search scores and the calibration are weighted', () => {
  it("assembleCv: each fold's score and the out-of-fold score are the hand-computed weighted logloss", () => {
    const y = Float64Array.of(0, 1, 1, 0, 1, 0);
    const weights = Float64Array.of(1, 3, 0, 2, 1, 5);
    const fold = Int32Array.of(0, 1, 0, 1, 0, 1);
    const p1 = [0.2, 0.7, 0.4, 0.3, 0.9, 0.6]; // P(class 1) per row
    const outputs = new Map<number, FoldOutput>();
    for (const f of [0, 1]) {
      const rows = foldRows(fold, f).valid;
      outputs.set(f, {
        pred: Float64Array.from(rows.flatMap((i) => [1 - p1[i]!, p1[i]!])),
        rounds: null,
        cutByDeadline: false,
        seconds: 0,
        nodes: undefined as never,
      });
    }
    const cv = assembleCv({ kind: 'binary', nClasses: 2, y, weights }, fold, outputs, 'logloss');
    const loss = (rows: number[]): number =>
      rows.reduce((s, i) => s - weights[i]! * Math.log(y[i] === 1 ? p1[i]! : 1 - p1[i]!), 0) /
      rows.reduce((s, i) => s + weights[i]!, 0);
    expect(cv.score).toBeCloseTo(loss([0, 1, 2, 3, 4, 5]), 12);
    expect(cv.foldScores[0]).toBeCloseTo(loss([0, 2, 4]), 12);
    expect(cv.foldScores[1]).toBeCloseTo(loss([1, 3, 5]), 12);
    // Unweighted it differs.
    const plain = assembleCv({ kind: 'binary', nClasses: 2, y }, fold, outputs, 'logloss');
    expect(Math.abs(plain.score - cv.score)).toBeGreaterThan(0.01);
  });

  it('foldRows: rows of weight 0 validate but never train', () => {
    const fold = Int32Array.of(0, 1, 0, 1);
    const rows = foldRows(fold, 0, false, Float64Array.of(1, 0, 1, 2));
    expect(rows).toEqual({ train: [3], valid: [0, 2] });
  });

  it('calibration: weight k fits as k copies; paired noise test weighs rows', () => {
    const r = new Rng(9);
    const n = 200;
    const y = Float64Array.from({ length: n }, () => r.int(2));
    const p = Float64Array.from({ length: n }, (_, i) => (y[i] === 1 ? 0.65 + 0.3 * r.next() : 0.05 + 0.5 * r.next()));
    const proba = Float64Array.from({ length: 2 * n }, (_, j) => (j % 2 === 1 ? p[j >> 1]! : 1 - p[j >> 1]!));
    const w = Float64Array.from({ length: n }, () => 1 + r.int(3));
    const idx = Array.from({ length: n }, (_, i) => i).flatMap((i) => Array<number>(w[i]!).fill(i));
    const cw = fitCalibration(proba, y, 2, w);
    const cd = fitCalibration(
      Float64Array.from(idx.flatMap((i) => [proba[2 * i]!, proba[2 * i + 1]!])),
      Float64Array.from(idx, (i) => y[i]!),
      2,
    );
    expect(cw.temperature).toBeCloseTo(cd.temperature, 5);
    expect(cw.floor).toBeCloseTo(cd.floor, 8);
    // A difference carried only by rows of weight 0 is no difference.
    const a = Float64Array.from({ length: 50 }, (_, i) => (i < 25 ? 2 : 1));
    const b = Float64Array.from({ length: 50 }, () => 1);
    const onlyFirstHalfZero = Float64Array.from({ length: 50 }, (_, i) => (i < 25 ? 0 : 1));
    expect(worseBeyondNoise(a, b)).toBe(true);
    expect(worseBeyondNoise(a, b, undefined, onlyFirstHalfZero)).toBe(false);
  });
});

describe('--weight: the refit on all training rows', () => {
  it('leaves rows of weight 0 out: the same model as a refit on the other rows alone', async () => {
    const rows = roleRows(200, 12);
    const table = new Table(
      [
        { name: 'x1', type: 'numeric', values: Float64Array.from(rows, (r) => r.x1) },
        { name: 'x2', type: 'numeric', values: Float64Array.from(rows, (r) => r.x2) },
      ],
      rows.length,
    );
    // Every fourth row weighs 0 and has its label flipped: it must not count.
    const w = Float64Array.from(rows, (r, i) => (i % 4 === 3 ? 0 : r.w));
    const y = Float64Array.from(rows, (r, i) => (r.y === 'yes' ? 1 : 0) ^ (i % 4 === 3 ? 1 : 0));
    const candidate = {
      family: 'gbdt' as const,
      params: { nRounds: 20 },
      features: baselineFeatures(table, ['x1', 'x2'], 10),
    };
    const cv = { rounds: [] } as unknown as CvResult;
    const weighted = await refit(table, { kind: 'binary', nClasses: 2, y, weights: w }, candidate, cv, 3);
    const kept = Array.from({ length: rows.length }, (_, i) => i).filter((i) => w[i]! > 0);
    const alone = await refit(
      table.take(kept),
      {
        kind: 'binary',
        nClasses: 2,
        y: Float64Array.from(kept, (i) => y[i]!),
        weights: Float64Array.from(kept, (i) => w[i]!),
      },
      candidate,
      cv,
      3,
    );
    expect(weighted.model.exportNode()).toEqual(alone.model.exportNode());
  });
});

describe('--weight in a run', () => {
  const settings = (name: string, extra: Partial<ExperimentSettings> = {}): ExperimentSettings => ({
    name,
    target: 'y',
    task: 'auto',
    seed: 5,
    drop: [],
    time: 1,
    accuracy: 4,
    interpretability: 5,
    maxModels: 3,
    threads: 1,
    outDir: join(dir, name),
    weightColumn: 'w',
    ...extra,
  });

  it('the test metrics are the hand-computed weighted ones; the weight column is not an input; rows of weight 0 are reported', async () => {
    const path = writeRoleCsv(dir, roleRows(400, 3, 10), 'weighted.csv');
    const data = await readCsv(path);
    const s = settings('weighted', { drop: ['site', 'date'] });
    const r = await runExperiment(data, undefined, s);
    const p = prepareData(data, undefined, s);
    expect(r.dropped.find((d) => d.column === 'w')?.reason).toMatch(/--weight/);
    expect(r.rows.zeroWeight).toBe(p.zeroWeightRows);
    expect(p.zeroWeightRows).toBeGreaterThan(20);
    const run = JSON.parse(readFileSync(join(r.experimentDir, 'experiment.json'), 'utf8')) as {
      settings: { weightColumn: string };
    };
    expect(run.settings.weightColumn).toBe('w');
    // The pipeline reads the features only.
    const pipeline = JSON.parse(readFileSync(r.pipelinePath, 'utf8')) as { features: { inputs: { name: string }[] } };
    expect(pipeline.features.inputs.map((f) => f.name).sort()).toEqual(['x1', 'x2', 'x3']);
    // test-predictions.csv's probabilities, weighted by hand.
    const lines = readFileSync(join(r.experimentDir, 'test-predictions.csv'), 'utf8').trimEnd().split('\n');
    const head = lines[0]!.split(',');
    const yes = head.indexOf('y.yes');
    const probs = lines.slice(1).map((l) => Number(l.split(',')[yes]));
    const w = p.testWeights!;
    expect(probs.length).toBe(w.length);
    let sum = 0;
    let total = 0;
    let correct = 0;
    probs.forEach((q, i) => {
      const isYes = p.yTest[i] === 1;
      sum -= w[i]! * Math.log(isYes ? q : 1 - q);
      total += w[i]!;
      if (q > 0.5 === isYes) correct += w[i]!;
    });
    expect(r.test['logloss'] as number).toBeCloseTo(sum / total, 9);
    expect(r.test['accuracy'] as number).toBeCloseTo(correct / total, 9);
    const unweighted = probs.reduce((s2, q, i) => s2 - Math.log(p.yTest[i] === 1 ? q : 1 - q), 0) / probs.length;
    expect(Math.abs(unweighted - (r.test['logloss'] as number))).toBeGreaterThan(1e-6);
  }, 120_000);

  it('refuses a negative, a missing or text weight, and all-zero weights, naming the column and the line', async () => {
    const rows = roleRows(60, 4);
    const bad = async (edit: (lines: string[]) => void, name: string): Promise<AutomlError> => {
      const path = writeRoleCsv(dir, rows, `${name}.csv`);
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      edit(lines);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path, `${lines.join('\n')}\n`);
      try {
        prepareData(await readCsv(path), undefined, settings(name, { drop: ['site', 'date'] }));
      } catch (e) {
        return e as AutomlError;
      }
      throw new Error('not refused');
    };
    const setW = (line: number, v: string) => (lines: string[]) => {
      const cells = lines[line - 1]!.split(',');
      cells[3] = v;
      lines[line - 1] = cells.join(',');
    };
    const negative = await bad(setW(7, '-2'), 'negative');
    expect(negative).toBeInstanceOf(AutomlError);
    expect(negative.code).toBe('BAD_OPTION');
    expect(negative.message).toMatch(/--weight w is -2 on line 7; sample weights must be finite and >= 0/);
    const missing = await bad(setW(12, ''), 'missing');
    expect(missing.message).toMatch(/--weight w is missing on line 12/);
    const text = await bad(setW(5, 'heavy'), 'text');
    expect(text.message).toMatch(/--weight w holds text \('heavy' on line 5\)/);
    const zero = await bad((lines) => lines.forEach((_, i) => i > 0 && setW(i + 1, '0')(lines)), 'zero');
    expect(zero.message).toMatch(/--weight w is 0 on all of the training rows/);
    const target = await bad(() => undefined, 'target').catch((e: unknown) => e);
    expect(target).toBeInstanceOf(Error); // the unedited file is accepted: 'not refused'
    expect((target as Error).message).toBe('not refused');
  });
});
