import { describe, expect, it } from 'vitest';
import { labelColumns } from '../../../recipes/index.js';
import { readCsv } from '../../../src/data/csv.js';
import { embeddedDataPath } from '../../../src/cli/embedded.js';
import { inferTarget } from '../../../src/data/infer.js';
import { Table, type Column } from '../../../src/data/table.js';
import { checkLeakage, checkShift, ksStatistic, targetRelation } from '../../../src/search/checks/index.js';
import { holdoutSplit } from '../../../src/split/holdout.js';
import { AutomlError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/random.js';

const num = (name: string, values: ArrayLike<number>): Column => ({
  name,
  type: 'numeric',
  values: Float64Array.from(values),
});
const cat = (name: string, codes: ArrayLike<number>, levels: string[]): Column => ({
  name,
  type: 'categorical',
  codes: Int32Array.from(codes),
  levels,
});

function normals(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return out;
}

/** A 3-class categorical target with a noisy copy, a 1:1 relabelling and ordinary features. */
function leakyTable(n: number, seed: number): Table {
  const rng = new Rng(seed);
  const cls = Int32Array.from({ length: n }, () => rng.int(3));
  const noise = normals(rng, n);
  const weak = normals(rng, n);
  const pure = normals(rng, n);
  const relabel = [2, 0, 1]; // class a → 'z', b → 'x', c → 'y' (codes in another order)
  return new Table(
    [
      cat('target', cls, ['a', 'b', 'c']),
      num(
        'noisy_copy',
        Float64Array.from(cls, (c, i) => c + 0.05 * noise[i]!),
      ),
      cat(
        'relabelled',
        Float64Array.from(cls, (c) => relabel[c]!),
        ['x', 'y', 'z'],
      ),
      num(
        'weak',
        Float64Array.from(weak, (w, i) => w + 0.6 * cls[i]!),
      ),
      num(
        'noise',
        Float64Array.from(pure, (v, i) => (i % 10 === 0 ? NaN : v)),
      ),
      cat(
        'colour',
        Int32Array.from({ length: n }, () => rng.int(5) - (rng.next() < 0.05 ? 9 : 0)).map((c) => Math.max(c, -1)),
        ['r', 'g', 'b', 'k', 'w'],
      ),
    ],
    n,
  );
}

/** Four standard-normal features and a categorical one; `shift` adds to f0. */
function shiftTable(n: number, seed: number, shift = 0): Table {
  const rng = new Rng(seed);
  const cols: Column[] = [0, 1, 2, 3].map((j) =>
    num(
      `f${j}`,
      normals(rng, n).map((v) => (j === 0 ? v + shift : v)),
    ),
  );
  cols.push(
    cat(
      'grade',
      Int32Array.from({ length: n }, () => rng.int(4)),
      ['A', 'B', 'C', 'D'],
    ),
  );
  return new Table(cols, n);
}

describe('ksStatistic', () => {
  it('matches a hand computation and scipy.stats.ks_2samp, ties included', () => {
    expect(ksStatistic(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4))).toBeCloseTo(1 / 3, 15);
    // scipy 1.x: ks_2samp([1, 2, 2, 3], [2, 2, 3, 3, 4]).statistic == 0.35
    expect(ksStatistic([1, 2, 2, 3], [2, 2, 3, 3, 4])).toBeCloseTo(0.35, 15);
    // ks_2samp([(i*37 % 101)/10 for i in range(60)], [(j*53 % 89)/10 + 1.5 for j in range(45)]).statistic == 0.15
    const a = Array.from({ length: 60 }, (_, i) => ((i * 37) % 101) / 10);
    const b = Array.from({ length: 45 }, (_, j) => ((j * 53) % 89) / 10 + 1.5);
    expect(ksStatistic(a, b)).toBeCloseTo(0.15, 15);
    expect(ksStatistic([NaN, 1, 2], [1, 2, NaN])).toBe(0);
    expect(ksStatistic([NaN], [1])).toBeNaN();
  });
});

describe('targetRelation', () => {
  it('tells copies, relabellings and functions of the target apart, and ignores unique values', () => {
    const y = Float64Array.of(0, 0, 1, 1, 2, 2);
    expect(targetRelation(Float64Array.of(0, 0, 1, 1, 2, 2), y, () => true)).toBe('copy');
    expect(targetRelation(Float64Array.of(9, 9, 4, 4, 7, 7), y, () => false)).toBe('one-to-one');
    expect(targetRelation(Float64Array.of(1, 1, 1, 1, 5, 5), y, () => false)).toBe('function-of-target');
    expect(targetRelation(Float64Array.of(3, 3, 3, 3, 3, 3), y, () => false)).toBeNull();
    // All values distinct: "each value has one target value" holds trivially and means nothing.
    expect(targetRelation(Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), y, () => false)).toBeNull();
    // Over distinct numeric targets: an exact monotone relation, but not a near one.
    const v = Float64Array.of(0.5, -1, 2, 0.1, 3);
    expect(
      targetRelation(
        v.map((t) => -2 * t + 1),
        v,
        () => false,
      ),
    ).toBe('monotone');
    expect(targetRelation(Float64Array.of(0.5, -1, 2, 0.6, 3), v, () => false)).toBeNull();
  });
});

describe('checkLeakage', () => {
  const table = leakyTable(3000, 1);
  const features = ['noisy_copy', 'relabelled', 'weak', 'noise', 'colour'];
  const report = checkLeakage(table, 'target', features, { rng: new Rng(42) });
  const byName = new Map(report.features.map((f) => [f.feature, f]));

  it('flags a noisy copy on its score and a 1:1 relabelling as deterministic, and nothing else', () => {
    expect(report.task).toBe('multiclass');
    expect(report.metric).toBe('auc');
    expect([...report.flagged].sort()).toEqual(['noisy_copy', 'relabelled']);
    const copy = byName.get('noisy_copy')!;
    expect(copy.score).toBeGreaterThan(0.999);
    expect(copy.relation).toBeNull();
    expect(copy.reason).toMatch(/on its own it predicts target with AUC 1\.000 on held-out rows/);
    const relabelled = byName.get('relabelled')!;
    expect(relabelled.relation).toBe('one-to-one');
    expect(relabelled.reason).toMatch(/^deterministic: a 1:1 relabelling of the target target/);
    for (const name of ['weak', 'noise', 'colour']) {
      const f = byName.get(name)!;
      expect(f.flagged, name).toBe(false);
      expect(f.reason).toBeNull();
    }
    // Real values: a 0.6 sd class shift gives a moderate AUC; pure noise is near 0.5.
    expect(byName.get('weak')!.score).toBeGreaterThan(0.6);
    expect(byName.get('weak')!.score).toBeLessThan(0.8);
    expect(Math.abs(byName.get('noise')!.score! - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(byName.get('colour')!.score! - 0.5)).toBeLessThan(0.05);
  });

  it('past its deadline probes no more features alone, but still finds exact relabellings of the target', () => {
    const t = leakyTable(600, 3);
    const names = ['noisy_copy', 'relabelled', 'weak', 'noise', 'colour'];
    const late = checkLeakage(t, 'target', names, { rng: new Rng(42), deadline: 0 });
    expect(late.unprobed).toBe(5);
    expect(late.features.every((f) => f.score === null)).toBe(true);
    expect(late.flagged).toEqual(['relabelled']);
    expect(late.summary).toMatch(
      /; 5 of 5 features not probed alone \(time; exact copies of the target were still looked for\)$/,
    );
    expect(report.unprobed).toBe(0);
  });

  it('sorts by score, says what to do per flagged feature, and summarises in one line', () => {
    const scores = report.features.map((f) => f.score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(report.messages).toHaveLength(2);
    expect(report.messages.find((m) => m.includes('noisy_copy'))).toMatch(
      /drop it with --drop noisy_copy if.*known only after the outcome|if noisy_copy is known only after the outcome.*drop it with --drop noisy_copy/,
    );
    expect(report.messages.find((m) => m.includes('relabelled'))).toMatch(
      /the target under another name: drop it with --drop relabelled/,
    );
    expect(report.summary).toMatch(/^leakage: 2 of 5 features flagged for target: .*relabelled \(deterministic\)/);
    expect(report.summary).not.toContain('\n');
    expect(report.rowsUsed).toBe(3000);
  });

  it('is plain JSON and deterministic for a seed', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(checkLeakage(table, 'target', features, { rng: new Rng(42) })).toEqual(report);
  });

  it('subsamples to maxRows, and takes a threshold', () => {
    const small = checkLeakage(table, 'target', features, { rng: new Rng(42), maxRows: 500, threshold: 0.6 });
    expect(small.rowsUsed).toBe(500);
    expect(small.floor).toBe(0.6);
    // With the noisy copy among the features, weak (AUC about 0.7) is far from better than the rest.
    expect(small.flagged).not.toContain('weak');
    // Without it, weak reaches the threshold alone while noise and colour together do not.
    const plain = checkLeakage(table, 'target', ['weak', 'noise', 'colour'], {
      rng: new Rng(42),
      maxRows: 500,
      threshold: 0.6,
    });
    expect(plain.flagged).toEqual(['weak']);
    expect(plain.features[0]!.restScore).toBeLessThan(0.6);
  });

  it('scores regression targets by R² and finds an exact copy', () => {
    const rng = new Rng(5);
    const y = normals(rng, 2000);
    const noise = normals(rng, 2000);
    const t = new Table(
      [
        num('y', y),
        num(
          'near',
          y.map((v, i) => v + 0.02 * noise[i]!),
        ),
        num(
          'one',
          y.map((v, i) => v + noise[i]!),
        ),
        num('copy', y),
        num(
          'scaled',
          y.map((v) => Math.exp(3 * v)),
        ),
      ],
      2000,
    );
    const r = checkLeakage(t, 'y', ['near', 'one', 'copy', 'scaled'], { rng: new Rng(1) });
    expect(r.metric).toBe('r2');
    expect(r.rowsUsed).toBe(2000); // negative targets are values, not missing ones
    const near = r.features.find((f) => f.feature === 'near')!;
    expect(near.score).toBeGreaterThan(0.99);
    expect(near.flagged).toBe(true);
    expect(near.relation).toBeNull();
    const one = r.features.find((f) => f.feature === 'one')!;
    // The population R² of the best predictor of y from y + N(0, 1) is 0.5; a tiny GBDT scored on
    // 600 rows lands a little below it.
    expect(one.score).toBeGreaterThan(0.35);
    expect(one.score).toBeLessThan(0.55);
    expect(one.flagged).toBe(false);
    expect(r.features.find((f) => f.feature === 'copy')!.relation).toBe('copy');
    const scaled = r.features.find((f) => f.feature === 'scaled')!;
    expect(scaled.relation).toBe('monotone');
    expect(scaled.reason).toMatch(/^deterministic: it rises or falls exactly with the target y/);
    expect(r.flagged.sort()).toEqual(['copy', 'near', 'scaled']);
  });

  it('names an unknown feature', () => {
    expect(() => checkLeakage(table, 'target', ['nope'], { rng: new Rng(1) })).toThrow(/no column 'nope'/);
  });
});

describe('checkShift', () => {
  const train = shiftTable(1500, 11);
  const features = ['f0', 'f1', 'f2', 'f3', 'grade'];

  it('finds no shift in a test table drawn the same way', () => {
    const r = checkShift(train, shiftTable(500, 12), features, { rng: new Rng(42) });
    expect(r.auc).toBeLessThan(0.6);
    expect(r.shifted).toBe(false);
    expect(r.flagged).toEqual([]);
    expect(r.messages).toEqual([]);
    for (const f of r.features.filter((g) => g.type === 'numeric')) expect(f.ks!).toBeLessThan(0.1);
    expect(r.features.find((f) => f.feature === 'grade')!.ks).toBeNull();
    expect(r.summary).toMatch(/no shift detected; no feature of 5 shifted$/);
  });

  it('past its deadline probes no feature alone, but still computes the all-feature AUC and the KS statistics', () => {
    const r = checkShift(train, shiftTable(500, 12, 2), features, { rng: new Rng(42), deadline: 0 });
    expect(r.unprobed).toBe(5);
    expect(r.features.every((f) => f.auc === null && !f.flagged)).toBe(true);
    expect(r.auc).toBeGreaterThan(0.8);
    expect(r.features.find((f) => f.feature === 'f0')!.ks).toBeGreaterThan(0.62);
    expect(r.summary).toMatch(/; 5 of 5 features not probed alone \(time\)$/);
    expect(checkShift(train, shiftTable(500, 12, 2), features, { rng: new Rng(42) }).unprobed).toBe(0);
  });

  it('flags a feature moved by +2 sd, with a large KS for it and small ones for the rest', () => {
    const r = checkShift(train, shiftTable(500, 12, 2), features, { rng: new Rng(42) });
    expect(r.auc).toBeGreaterThan(0.8);
    expect(r.shifted).toBe(true);
    expect(r.flagged).toEqual(['f0']);
    const f0 = r.features[0]!;
    expect(f0.feature).toBe('f0');
    expect(f0.auc).toBeGreaterThan(0.8);
    // For N(0,1) against N(2,1) the population KS is 2Φ(1) − 1 = 0.6827.
    expect(f0.ks!).toBeGreaterThan(0.62);
    expect(f0.ks!).toBeLessThan(0.75);
    expect(f0.importance).toBeGreaterThan(0.5);
    expect(f0.note).toMatch(/^KS 0\.\d{3}; mean .* in train, .* in test \(\+\d\.\d\d train sd\)$/);
    for (const f of r.features.slice(1)) {
      expect(f.flagged, f.feature).toBe(false);
      if (f.ks !== null) expect(f.ks).toBeLessThan(0.1);
    }
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatch(/^shift: f0 differs between train and test .*Consider --drop f0\.$/);
    expect(r.summary).toMatch(/train and test differ; 1 of 5 features shifted: f0$/);
  });

  it('is plain JSON and deterministic for a seed; caps rows in proportion', () => {
    const test = shiftTable(500, 12, 2);
    const r = checkShift(train, test, features, { rng: new Rng(7), maxRows: 400 });
    expect(r.rowsUsed).toEqual({ train: 300, test: 100 });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(checkShift(train, test, features, { rng: new Rng(7), maxRows: 400 })).toEqual(r);
  });

  it('matches categorical values by their text, not their codes', () => {
    const rng = new Rng(3);
    const a = new Table(
      [
        cat(
          'c',
          Int32Array.from({ length: 800 }, () => rng.int(3)),
          ['p', 'q', 'r'],
        ),
      ],
      800,
    );
    // The same distribution with the level dictionary in another order.
    const order = [2, 0, 1];
    const b = new Table(
      [
        cat(
          'c',
          Int32Array.from({ length: 400 }, () => order[rng.int(3)]!),
          ['q', 'r', 'p'],
        ),
      ],
      400,
    );
    const r = checkShift(a, b, ['c'], { rng: new Rng(1) });
    expect(r.flagged).toEqual([]);
    expect(r.features[0]!.note).toBe('0.0% of test values are levels the training table does not have');
    const unseen = new Table(
      [
        cat(
          'c',
          Int32Array.from({ length: 400 }, () => rng.int(2)),
          ['p', 'new'],
        ),
      ],
      400,
    );
    const s = checkShift(a, unseen, ['c'], { rng: new Rng(1) });
    expect(s.flagged).toEqual(['c']);
    expect(s.features[0]!.note).toMatch(
      /^(4[0-9]|5[0-9])\.\d% of test values are levels the training table does not have$/,
    );
  });

  it('refuses a test table that lacks a feature or has it with another type', () => {
    const test = shiftTable(100, 2);
    const missing = () => checkShift(train, test.select(['f0', 'f2', 'f3', 'grade']), features, { rng: new Rng(1) });
    expect(missing).toThrow(AutomlError);
    expect(missing).toThrow(/the test table has no column 'f1'/);
    const retyped = new Table(
      [...test.columns.filter((c) => c.name !== 'f1'), cat('f1', new Int32Array(100), ['x'])],
      100,
    );
    expect(() => checkShift(train, retyped, features, { rng: new Rng(1) })).toThrow(
      /column 'f1' is numeric in the training table but categorical in the test table/,
    );
  });
});

describe('the hydraulic data', async () => {
  const table = await readCsv(embeddedDataPath());
  const labels: readonly string[] = labelColumns('hydraulic');
  const sensors = table.names.filter((n) => !labels.includes(n));

  it('cool_cond_y: cool_eff_pct scores highest, but many real sensors score ≥ 0.99 too, so none is flagged, and the report says so', () => {
    expect(sensors).toHaveLength(17);
    const r = checkLeakage(table, 'cool_cond_y', sensors, { rng: new Rng(42) });
    const top = r.features[0]!;
    expect(top.feature).toBe('cool_eff_pct');
    expect(top.score).toBeGreaterThan(0.999);
    expect(top.relation).toBeNull();
    // Temperatures and pressures of the rig separate the cooler classes almost as well on their
    // own: the target is easy, not leaked. The other sensors together do as well as cool_eff_pct.
    expect(r.features.filter((f) => f.score! >= 0.99).length).toBeGreaterThanOrEqual(5);
    expect(top.restScore).toBeGreaterThan(0.99);
    expect(r.flagged).toEqual([]);
    expect(r.messages).toEqual([]);
    expect(r.features.every((f) => f.relation === null)).toBe(true);
    expect(r.summary).toMatch(
      /\d+ features reach AUC 0\.99 alone but none does much better than the others together: cool_cond_y is easy to predict, which is a strong signal rather than a leak/,
    );
  });

  it('finds no shift between the halves of our stratified 75/25 split', () => {
    const y = inferTarget(table.column('cool_cond_y')).y;
    const isTrain = holdoutSplit(table.nRows, { ratio: 0.75, seed: 42 }, y);
    const tr: number[] = [];
    const te: number[] = [];
    isTrain.forEach((v, i) => (v ? tr : te).push(i));
    const r = checkShift(table.take(tr), table.take(te), sensors, { rng: new Rng(42) });
    expect(r.auc).toBeLessThan(0.6);
    expect(r.shifted).toBe(false);
    expect(r.flagged).toEqual([]);
    for (const f of r.features) expect(f.ks!).toBeLessThan(0.06);
  });
});
