/**
 * The shared contract tests every model family passes: determinism for a seed, export → JSON →
 * standalone scorer gives exactly the fitted model's predictions, early stopping keeps the best
 * iteration (families that iterate), NaN inputs in training and scoring, sample weights.
 */
import { describe, expect, it } from 'vitest';
import { predictionWidth, TASKS } from '../../src/artifact/tasks.js';
import type { FitData, FitOptions, FittedModel, Matrix, ProblemKind } from '../../src/models/types.js';
import { clockNow } from '../../src/util/clock.js';
import { Rng } from '../../src/util/random.js';

export interface ContractSubject {
  name: string;
  /** Fits (synchronously, or asynchronously for families such as the neural net). */
  fit(
    train: FitData,
    opts: Omit<FitOptions<Record<string, unknown>>, 'params'> & { params?: Record<string, unknown> },
  ): FittedModel | Promise<FittedModel>;
  /** Scores an exported node with the standalone scorer, as a deployed pipeline would. */
  scoreNode(node: unknown, x: Matrix): Float64Array;
  /**
   * Parameters that make the family draw random numbers, for the test that the seed matters;
   * absent for a family that draws none (then only same seed, same model is tested).
   */
  randomParams?: Record<string, unknown>;
  /** Whether the family early-stops on a validation set. */
  earlyStopping?: { params: Record<string, unknown> };
  /**
   * For a family that fits in rounds (trees, epochs): the `info` key of the rounds it kept, and
   * parameters with which it trains more than one.
   */
  deadline?: { kept: string; params: Record<string, unknown> };
  /** Whether duplicating a row equals giving it weight 2 (exactly, up to float rounding). */
  weightEqualsDuplicate?: { params: Record<string, unknown> };
}

/** A small seeded data set: 4 features (one mostly missing), y from a noisy rule. */
export function makeData(kind: ProblemKind, n: number, seed: number, missing = 0.1): FitData & { nClasses: number } {
  const rng = new Rng(seed);
  const cols = Array.from({ length: 4 }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const nClasses = kind === 'binary' ? 2 : kind === 'multiclass' ? 3 : 1;
  for (let i = 0; i < n; i++) {
    const a = rng.next() * 4 - 2;
    const b = rng.next() * 4 - 2;
    const c = Math.round(rng.next() * 5);
    const d = rng.next();
    cols[0]![i] = a;
    cols[1]![i] = rng.next() < missing ? NaN : b;
    cols[2]![i] = c;
    cols[3]![i] = rng.next() < 0.7 ? NaN : d;
    const score = a + (Number.isNaN(cols[1]![i]!) ? 1.5 : b * 0.8) + 0.3 * c + 0.5 * (rng.next() - 0.5);
    if (kind === 'regression') y[i] = score;
    else if (kind === 'binary') y[i] = score > 0.7 ? 1 : 0;
    else y[i] = score < 0 ? 0 : score < 1.5 ? 1 : 2;
  }
  return { x: { nRows: n, columns: cols }, y, nClasses };
}

export function meanLoss(kind: ProblemKind, y: Float64Array, pred: Float64Array, K: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    if (kind === 'regression') s += (pred[i]! - y[i]!) ** 2;
    else s -= Math.log(Math.max(pred[i * K + y[i]!]!, 1e-15));
  }
  return kind === 'regression' ? Math.sqrt(s / y.length) : s / y.length;
}

export function contractTests(subject: ContractSubject): void {
  describe(`${subject.name}: the model contract`, () => {
    for (const kind of TASKS) {
      describe(kind, () => {
        const train = makeData(kind, 600, 1);
        const test = makeData(kind, 300, 2);
        const K = train.nClasses;
        const opts = (seed: number, params: Record<string, unknown> = {}) => ({
          kind,
          nClasses: K,
          rng: new Rng(seed),
          params,
        });

        it('learns: beats the constant prediction on held-out rows', async () => {
          const model = await subject.fit(train, opts(7));
          const pred = model.predict(test.x);
          expect(pred.length).toBe(test.x.nRows * predictionWidth(kind, K));
          let constant: Float64Array;
          if (kind === 'regression') {
            const mean = train.y.reduce((a, b) => a + b, 0) / train.y.length;
            constant = new Float64Array(test.x.nRows).fill(mean);
          } else {
            const prior = new Float64Array(K);
            for (const v of train.y) prior[v]! += 1 / train.y.length;
            constant = new Float64Array(test.x.nRows * K);
            for (let i = 0; i < test.x.nRows; i++) constant.set(prior, i * K);
          }
          expect(meanLoss(kind, test.y, pred, K)).toBeLessThan(0.6 * meanLoss(kind, test.y, constant, K));
          if (kind !== 'regression') {
            for (let i = 0; i < test.x.nRows; i++) {
              let sum = 0;
              for (let k = 0; k < K; k++) sum += pred[i * K + k]!;
              expect(sum).toBeCloseTo(1, 12);
            }
          }
        });

        it('is deterministic for a seed, and the seed matters', async () => {
          const a = await subject.fit(train, opts(11, subject.randomParams));
          const b = await subject.fit(train, opts(11, subject.randomParams));
          expect(JSON.stringify(b.exportNode())).toBe(JSON.stringify(a.exportNode()));
          if (subject.randomParams) {
            const c = await subject.fit(train, opts(12, subject.randomParams));
            expect(JSON.stringify(c.exportNode())).not.toBe(JSON.stringify(a.exportNode()));
          }
        });

        it('export → JSON → standalone scorer gives exactly the fitted model’s predictions', async () => {
          const model = await subject.fit(train, opts(3));
          const json = JSON.stringify(model.exportNode());
          expect(json).not.toMatch(/NaN|Infinity|null/);
          const reloaded = JSON.parse(json) as unknown;
          expect(subject.scoreNode(reloaded, test.x)).toEqual(model.predict(test.x));
        });

        it('handles missing values in training and scoring, rows all missing included', async () => {
          const model = await subject.fit(train, opts(5));
          const n = 3;
          const x: Matrix = { nRows: n, columns: [0, 1, 2, 3].map(() => Float64Array.from([NaN, NaN, 0.5])) };
          const pred = model.predict(x);
          for (const v of pred) expect(Number.isFinite(v)).toBe(true);
          // Column 1 is missing in 10% of rows, where the rule adds 1.5: the model must use it.
          if (kind === 'regression') {
            const withMissing: Matrix = {
              nRows: 2,
              columns: [
                Float64Array.from([0, 0]),
                Float64Array.from([NaN, -1]),
                Float64Array.from([2, 2]),
                Float64Array.from([NaN, NaN]),
              ],
            };
            const p = model.predict(withMissing);
            expect(p[0]! - p[1]!).toBeGreaterThan(1);
          }
        });

        if (subject.earlyStopping) {
          it('early stopping keeps the best iteration on the validation set', async () => {
            const valid = makeData(kind, 300, 9);
            const model = await subject.fit(train, { ...opts(4, subject.earlyStopping!.params), valid });
            const info = model.info as { rounds: number; roundsTrained: number; validLoss: number[] };
            const best = Math.min(...info.validLoss);
            expect(info.rounds).toBe(info.validLoss.indexOf(best) + 1);
            expect(info.roundsTrained).toBeGreaterThanOrEqual(info.rounds);
            expect(meanLoss(kind, valid.y, model.predict(valid.x), K)).toBeCloseTo(best, 9);
          });
        }

        if (subject.deadline) {
          it('a deadline already past: one round kept, and the model says its deadline stopped it', async () => {
            const { kept, params } = subject.deadline!;
            const cut = await subject.fit(train, { ...opts(6, params), deadline: clockNow() - 1 });
            expect(cut.info[kept]).toBe(1);
            expect(cut.info['cutByDeadline']).toBe(true);
            const whole = await subject.fit(train, { ...opts(6, params), deadline: clockNow() + 600_000 });
            expect(whole.info[kept]).toBeGreaterThan(1);
            expect(whole.info['cutByDeadline']).toBe(false);
            // Fewer rounds, another model: the deadline did stop it.
            expect(cut.predict(test.x)).not.toEqual(whole.predict(test.x));
          });
        }

        if (subject.weightEqualsDuplicate) {
          it('a weight of 2 equals the row given twice', async () => {
            const n = 200;
            const small = makeData(kind, n, 21, 0);
            const dupIdx = Array.from({ length: n }, (_, i) => i).concat(Array.from({ length: 50 }, (_, i) => i * 3));
            const dup: FitData = {
              x: { nRows: dupIdx.length, columns: small.x.columns.map((c) => Float64Array.from(dupIdx, (i) => c[i]!)) },
              y: Float64Array.from(dupIdx, (i) => small.y[i]!),
            };
            const w = new Float64Array(n).fill(1);
            for (let i = 0; i < 50; i++) w[i * 3] = 2;
            // Round the features so that both data sets have the same few distinct values.
            for (const d of [dup, small])
              for (const c of d.x.columns) for (let i = 0; i < c.length; i++) c[i] = Math.round(c[i]! * 4) / 4;
            const p = subject.weightEqualsDuplicate!.params;
            const a = (await subject.fit({ ...small, weights: w }, opts(1, p))).predict(test.x);
            const b = (await subject.fit(dup, opts(1, p))).predict(test.x);
            for (let i = 0; i < a.length; i++) expect(a[i]!).toBeCloseTo(b[i]!, 9);
          });
        }
      });
    }
  });
}
