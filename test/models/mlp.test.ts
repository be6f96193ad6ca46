import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { labelColumns } from '../../recipes/index.js';
import { MlpScorer } from '../../src/artifact/mlp-scorer.js';
import type { MlpNode } from '../../src/artifact/format/mlp.js';
import { readCsv } from '../../src/data/csv.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { inferTarget } from '../../src/data/infer.js';
import { numericMatrix } from '../../src/data/matrix.js';
import { encodeRows, inputStats } from '../../src/models/mlp/inputs.js';
import { fitMlpAsync, MLP_DEFAULTS, mlp, type MlpInfo, type MlpParams } from '../../src/models/mlp/mlp.js';
import { forward } from '../../src/models/mlp/network.js';
import { loadTf, setMlpBackend } from '../../src/models/mlp/tf-loader.js';
import type { FitData, FitOptions, Matrix, ProblemKind } from '../../src/models/types.js';
import { holdoutSplit } from '../../src/split/holdout.js';
import { Rng } from '../../src/util/random.js';
import { contractTests, makeData, meanLoss } from './contract.js';

const requireCache = createRequire(import.meta.url).cache;
/** Whether any TensorFlow.js module had been loaded once this file's imports were done. */
const tfLoadedByImports = Object.keys(requireCache).some((k) => k.includes('@tensorflow'));

/** Small and fast: the contract's data sets have 600 rows. */
const FAST: Partial<MlpParams> = { hiddenLayers: [16], epochs: 30, batchSize: 100, learningRate: 0.03, patience: 10 };

function fitOpts(
  kind: ProblemKind,
  nClasses: number,
  seed: number,
  params: Partial<MlpParams> = {},
): FitOptions<MlpParams> {
  return { kind, nClasses, rng: new Rng(seed), params: { ...FAST, ...params } };
}

/** Captures everything written to the console and to stdout / stderr while `f` runs. */
async function captureOutput(f: () => Promise<unknown>): Promise<string> {
  const out: string[] = [];
  const record = (...args: unknown[]): void => void out.push(args.map(String).join(' '));
  const spies = [
    vi.spyOn(console, 'log').mockImplementation(record),
    vi.spyOn(console, 'info').mockImplementation(record),
    vi.spyOn(console, 'warn').mockImplementation(record),
    vi.spyOn(console, 'error').mockImplementation(record),
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (record(s), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (record(s), true)),
  ];
  try {
    await f();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return out.join('\n');
}

// First, while TensorFlow.js is not loaded yet: what loading it does to the process.
describe('mlp: loading TensorFlow.js', () => {
  it('importing the family loads no TensorFlow.js; the scorer imports only the format types and the shared links', () => {
    expect(tfLoadedByImports).toBe(false);
    const scorer = readFileSync(new URL('../../src/artifact/mlp-scorer.ts', import.meta.url), 'utf8');
    const imports = [...scorer.matchAll(/^import .* from '([^']+)'/gm)].map((m) => m[1]);
    expect(imports).toEqual(['./format/mlp.js', './link.js']);
    for (const file of ['mlp.ts', 'network.ts', 'inputs.ts', 'tf-loader.ts']) {
      const src = readFileSync(new URL(`../../src/models/mlp/${file}`, import.meta.url), 'utf8');
      // TensorFlow.js only as types, or by dynamic import inside a function.
      expect(src).not.toMatch(/^import (?!type ).*@tensorflow/m);
    }
  });

  it('loads wasm by default without printing and without leaving process-wide error handlers', async () => {
    const exceptions = process.listeners('uncaughtException').length;
    const rejections = process.listeners('unhandledRejection').length;
    let backend = '';
    const printed = await captureOutput(async () => {
      backend = (await loadTf()).backend;
    });
    expect(backend).toBe('wasm');
    expect(printed).toBe('');
    expect(Object.keys(requireCache).some((k) => k.includes('tfjs-backend-wasm'))).toBe(true);
    expect(process.listeners('uncaughtException').length).toBe(exceptions);
    expect(process.listeners('unhandledRejection').length).toBe(rejections);
  });

  it('never shows the "install tfjs-node" banner, which the cpu backend would print', async () => {
    const { tf } = await loadTf();
    const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
    // The banner exists: a fresh cpu backend prints it on first use when TensorFlow.js's
    // warnings are on, and the loader's PROD flag turns them off.
    expect(tf.env().getBool('PROD')).toBe(true);
    tf.env().set('PROD', false);
    const shown = await captureOutput(async () => void new MathBackendCPU().write(new Float32Array(1), [1], 'float32'));
    tf.env().set('PROD', true);
    expect(shown).toMatch(/tfjs-node/);
    expect(await captureOutput(async () => void new MathBackendCPU().write(new Float32Array(1), [1], 'float32'))).toBe(
      '',
    );
    // A whole fit on the cpu backend prints nothing.
    const data = makeData('binary', 200, 1);
    setMlpBackend('cpu');
    try {
      let info: MlpInfo | undefined;
      const printed = await captureOutput(async () => {
        info = (await fitMlpAsync(data, fitOpts('binary', 2, 1, { epochs: 3 }))).info as unknown as MlpInfo;
      });
      expect(info?.backend).toBe('cpu');
      expect(printed).toBe('');
    } finally {
      setMlpBackend('auto');
    }
  });
});

contractTests({
  name: 'mlp',
  fit: (train, opts) => fitMlpAsync(train, { ...opts, params: { ...FAST, ...(opts.params as Partial<MlpParams>) } }),
  scoreNode: (node, x) => new MlpScorer(node as MlpNode).predict(x.columns, x.nRows),
  // Every fit draws random numbers (initial weights, shuffling); dropout draws masks too.
  randomParams: { dropout: 0.2 },
  earlyStopping: { params: { epochs: 80, patience: 5, learningRate: 0.05, dropout: 0 } },
  deadline: { kept: 'roundsTrained', params: { epochs: 6 } },
  // Not exact for a net: see 'a weight of 2 nearly equals the row given twice' below.
});

describe('mlp', () => {
  it('is the family registered as mlp, with its defaults', () => {
    expect(mlp.name).toBe('mlp');
    expect(mlp.defaults).toBe(MLP_DEFAULTS);
    expect(mlp.fit).toBe(fitMlpAsync);
  });

  for (const kind of ['binary', 'multiclass', 'regression'] as const) {
    it(`${kind}: the float64 scorer agrees with TensorFlow.js's own forward pass to float32 precision`, async () => {
      const train = makeData(kind, 600, 1);
      const test = makeData(kind, 300, 2);
      const model = await fitMlpAsync(train, fitOpts(kind, train.nClasses, 3, { hiddenLayers: [24, 12, 8] }));
      const node = model.exportNode();
      expect(node.layers.map((l) => l.activation)).toEqual([
        'relu',
        'relu',
        'relu',
        kind === 'multiclass' ? 'softmax' : kind === 'binary' ? 'sigmoid' : 'linear',
      ]);
      const { tf } = await loadTf();
      const expected = tf.tidy(() => {
        const x = tf.tensor2d(encodeRows(test.x, node), [test.x.nRows, node.layers[0]!.shape[0]]);
        const logits = forward(
          tf,
          node.layers.map((l) => tf.tensor2d(l.weights, l.shape)),
          node.layers.map((l) => tf.tensor1d(l.bias)),
          x,
        );
        if (kind === 'multiclass') return tf.softmax(logits);
        if (kind === 'binary') {
          const p = tf.sigmoid(logits);
          return tf.concat([tf.sub(1, p), p], 1);
        }
        return tf.add(tf.mul(logits, node.targetStd), node.targetMean);
      });
      const tfPred = expected.dataSync();
      expected.dispose();
      const pred = model.predict(test.x);
      expect(pred.length).toBe(tfPred.length);
      const scale = kind === 'regression' ? node.targetStd : 1;
      let worst = 0;
      for (let i = 0; i < pred.length; i++) worst = Math.max(worst, Math.abs(pred[i]! - tfPred[i]!) / scale);
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('standardises with weighted means and stds, and adds a missing indicator only for features with missing values', async () => {
    const x: Matrix = {
      nRows: 4,
      columns: [Float64Array.of(1, 2, 3, 10), Float64Array.of(5, NaN, 7, 7), Float64Array.of(4, 4, 4, 4)],
    };
    const w = Float64Array.of(1, 1, 2, 0);
    const stats = inputStats(x, w);
    expect(stats.means[0]).toBeCloseTo(9 / 4, 12);
    expect(stats.stds[0]).toBeCloseTo(Math.sqrt((1.25 ** 2 + 0.25 ** 2 + 2 * 0.75 ** 2) / 4), 12);
    expect(stats.means[1]).toBeCloseTo(19 / 3, 12);
    expect(stats.stds[2]).toBe(1);
    expect(stats.missingIndicators).toEqual([1]);
    const rows = encodeRows(x, stats);
    expect(rows.length).toBe(4 * 4);
    expect(rows[1 * 4 + 1]).toBe(0);
    expect(rows[1 * 4 + 3]).toBe(1);
    expect(rows[2 * 4 + 3]).toBe(0);

    const y = Float64Array.of(0, 1, 0, 1);
    const model = await fitMlpAsync({ x, y, weights: w }, fitOpts('binary', 2, 1, { epochs: 2 }));
    const node = model.exportNode();
    expect(node.missingIndicators).toEqual([1]);
    expect(node.layers[0]!.shape[0]).toBe(4);
    expect(node.means).toEqual(stats.means);
    expect(node.stds).toEqual(stats.stds);
  });

  it('is deterministic for a seed on the cpu backend too', async () => {
    const data = makeData('multiclass', 300, 4);
    setMlpBackend('cpu');
    try {
      const a = await fitMlpAsync(data, fitOpts('multiclass', 3, 8, { epochs: 5 }));
      const b = await fitMlpAsync(data, fitOpts('multiclass', 3, 8, { epochs: 5 }));
      expect((a.info as unknown as MlpInfo).backend).toBe('cpu');
      expect(JSON.stringify(b.exportNode())).toBe(JSON.stringify(a.exportNode()));
    } finally {
      setMlpBackend('auto');
    }
  });

  it('a weight of 2 nearly equals the row given twice (full batches, no dropout: the same objective)', async () => {
    // With mini-batches and shuffling the two fits see different batches, so equality cannot
    // hold; with one full batch per epoch both minimise the same weighted mean loss, and differ
    // only by float32 rounding of sums taken in another order.
    const n = 200;
    const small = makeData('binary', n, 21, 0);
    const test = makeData('binary', 300, 2);
    const dupIdx = Array.from({ length: n }, (_, i) => i).concat(Array.from({ length: 50 }, (_, i) => i * 3));
    const dup: FitData = {
      x: { nRows: dupIdx.length, columns: small.x.columns.map((c) => Float64Array.from(dupIdx, (i) => c[i]!)) },
      y: Float64Array.from(dupIdx, (i) => small.y[i]!),
    };
    const w = new Float64Array(n).fill(1);
    for (let i = 0; i < 50; i++) w[i * 3] = 2;
    const params: Partial<MlpParams> = {
      batchSize: 1000,
      dropout: 0,
      validationFraction: 0,
      epochs: 60,
      learningRate: 0.02,
    };
    const a = (await fitMlpAsync({ ...small, weights: w }, fitOpts('binary', 2, 1, params))).predict(test.x);
    const b = (await fitMlpAsync(dup, fitOpts('binary', 2, 1, params))).predict(test.x);
    const c = (await fitMlpAsync(small, fitOpts('binary', 2, 1, params))).predict(test.x);
    let diffDup = 0;
    let diffUnweighted = 0;
    for (let i = 0; i < a.length; i++) {
      diffDup = Math.max(diffDup, Math.abs(a[i]! - b[i]!));
      diffUnweighted = Math.max(diffUnweighted, Math.abs(a[i]! - c[i]!));
    }
    expect(diffDup).toBeLessThan(1e-5);
    expect(diffUnweighted).toBeGreaterThan(100 * diffDup);
  });

  it('weights move a mini-batch fit in their direction', async () => {
    // Labels flipped at random in 30% of rows, so that probabilities stay away from 0 and 1 and
    // up-weighting the positive class must raise them.
    const train = makeData('binary', 600, 1);
    const flip = new Rng(5);
    for (let i = 0; i < train.y.length; i++) if (flip.next() < 0.3) train.y[i] = 1 - train.y[i]!;
    const test = makeData('binary', 300, 2);
    const w = Float64Array.from(train.y, (v) => (v === 1 ? 5 : 1));
    const meanP = (pred: Float64Array): number => {
      let s = 0;
      for (let i = 0; i < test.x.nRows; i++) s += pred[2 * i + 1]!;
      return s / test.x.nRows;
    };
    const plain = await fitMlpAsync(train, fitOpts('binary', 2, 1));
    const weighted = await fitMlpAsync({ ...train, weights: w }, fitOpts('binary', 2, 1));
    expect(meanP(weighted.predict(test.x))).toBeGreaterThan(meanP(plain.predict(test.x)) + 0.1);
  });

  it('holds out a validation share for early stopping when no validation set is given', async () => {
    const train = makeData('multiclass', 600, 1);
    const held = await fitMlpAsync(train, fitOpts('multiclass', 3, 2, { epochs: 20, validationFraction: 0.2 }));
    const hInfo = held.info as unknown as MlpInfo;
    expect(hInfo.validation).toBe('held-out');
    expect(hInfo.validLoss.length).toBe(hInfo.roundsTrained);
    expect(hInfo.rounds).toBe(hInfo.validLoss.indexOf(Math.min(...hInfo.validLoss)) + 1);
    const all = await fitMlpAsync(train, fitOpts('multiclass', 3, 2, { epochs: 7, validationFraction: 0 }));
    const aInfo = all.info as unknown as MlpInfo;
    expect(aInfo.validation).toBe('none');
    expect(aInfo).toMatchObject({ rounds: 7, roundsTrained: 7, validLoss: [] });
  });

  it('reports importance as summed |first-layer weights|, higher for a strong feature than for noise', async () => {
    const train = makeData('regression', 600, 1);
    // A strong L2 penalty, so that weights of inputs without signal shrink.
    const model = await fitMlpAsync(train, fitOpts('regression', 1, 2, { epochs: 60, l2: 0.01 }));
    const { gain, splits } = model.importance();
    const node = model.exportNode();
    const first = node.layers[0]!;
    const rowSum = (i: number): number =>
      first.weights.slice(i * first.shape[1], (i + 1) * first.shape[1]).reduce((s, v) => s + Math.abs(v), 0);
    // Features 1 and 3 have missing values: their indicators count towards them.
    expect(node.missingIndicators).toEqual([1, 3]);
    expect(gain[1]).toBeCloseTo(rowSum(1) + rowSum(4), 12);
    expect(gain[0]).toBeCloseTo(rowSum(0), 12);
    // Feature 0 carries the most signal, feature 3 none.
    expect(gain[0]!).toBeGreaterThan(2 * gain[3]!);
    expect([...splits]).toEqual([0, 0, 0, 0]);
  });

  it('fits concurrently as it fits one at a time', async () => {
    const data = makeData('multiclass', 300, 4);
    const opts = (seed: number): FitOptions<MlpParams> => fitOpts('multiclass', 3, seed, { epochs: 4 });
    const [a, b] = await Promise.all([fitMlpAsync(data, opts(1)), fitMlpAsync(data, opts(2))]);
    expect(JSON.stringify(a.exportNode())).toBe(JSON.stringify((await fitMlpAsync(data, opts(1))).exportNode()));
    expect(JSON.stringify(b.exportNode())).toBe(JSON.stringify((await fitMlpAsync(data, opts(2))).exportNode()));
  });

  it('frees every tensor it made', async () => {
    const { tf } = await loadTf();
    const before = tf.memory().numTensors;
    await fitMlpAsync(makeData('multiclass', 300, 3), fitOpts('multiclass', 3, 1, { epochs: 3, dropout: 0.2 }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad parameters with the parameter named', async () => {
    const data = makeData('binary', 100, 1);
    const bad = async (params: Record<string, unknown>, message: RegExp): Promise<void> => {
      await expect(fitMlpAsync(data, fitOpts('binary', 2, 1, params as Partial<MlpParams>))).rejects.toThrow(message);
    };
    await bad({ hiddenLayers: [] }, /hiddenLayers must be 1 to 3/);
    await bad({ hiddenLayers: [8, 8, 8, 8] }, /hiddenLayers must be 1 to 3/);
    await bad({ dropout: 1 }, /dropout must be in \[0, 1\)/);
    await bad({ batchSize: 0 }, /batchSize/);
    await bad({ validationFraction: 1 }, /validationFraction/);
  });
});

describe('mlp scorer', () => {
  const node = (): MlpNode => ({
    kind: 'mlp',
    nFeatures: 2,
    means: [1, 0],
    stds: [2, 1],
    missingIndicators: [1],
    layers: [
      { shape: [3, 2], weights: [1, -1, 0.5, 0.5, 2, 0], bias: [0, 0.1], activation: 'relu' },
      { shape: [2, 1], weights: [1, -2], bias: [0.3], activation: 'sigmoid' },
    ],
    targetMean: 0,
    targetStd: 1,
  });

  it('computes the forward pass by hand', () => {
    // Row 0: x = (3, 1) → inputs (1, 1, 0) → hidden relu(1.5, -0.4) = (1.5, 0) → z = 1.8.
    // Row 1: x = (1, NaN) → inputs (0, 0, 1) → hidden relu(2, 0.1) → z = 2 − 0.2 + 0.3 = 2.1.
    const p = new MlpScorer(node()).predict([Float64Array.of(3, 1), Float64Array.of(1, NaN)], 2);
    const sig = (z: number): number => 1 / (1 + Math.exp(-z));
    const expected = [1 - sig(1.8), sig(1.8), 1 - sig(2.1), sig(2.1)];
    expected.forEach((v, i) => expect(p[i]).toBeCloseTo(v, 14));
  });

  it('refuses a malformed node with a TypeError that says what is wrong', () => {
    const broken = (change: (n: MlpNode) => void, message: RegExp): void => {
      const n = node();
      change(n);
      expect(() => new MlpScorer(n)).toThrow(message);
      expect(() => new MlpScorer(n)).toThrow(TypeError);
    };
    broken((n) => (n.layers[0]!.shape = [2, 2]), /layer 0 has 2 inputs, expected 3/);
    broken((n) => (n.layers[1]!.weights = [1]), /layer 1 weights has 1 entries, expected 2/);
    broken((n) => (n.layers[0]!.bias = [0, NaN]), /layer 0 bias\[1\] is NaN/);
    broken((n) => (n.stds = [0, 1]), /stds\[0\] is 0/);
    broken((n) => (n.missingIndicators = [2]), /missingIndicators\[0\]/);
    broken((n) => (n.layers[0]!.activation = 'softmax'), /layer 0 activation 'softmax' is not one of relu, linear/);
    broken((n) => (n.layers[1]!.activation = 'softmax'), /softmax output layer has at least 2 outputs/);
  });
});

describe('mlp on the hydraulic data (split seed 42, defaults)', () => {
  it('cooler condition: test logloss below 0.05', async () => {
    const LABELS = labelColumns('hydraulic');
    const table = await readCsv(embeddedDataPath());
    const features = table.names.filter((n) => !LABELS.includes(n));
    const info = inferTarget(table.column('cool_cond_y'));
    const isTrain = holdoutSplit(table.nRows, { ratio: 0.75, seed: 42 }, info.y);
    const tr: number[] = [];
    const te: number[] = [];
    isTrain.forEach((v, i) => (v ? tr : te).push(i));
    const K = info.classes!.length;
    const model = await fitMlpAsync(
      { x: numericMatrix(table.take(tr), features), y: Float64Array.from(tr, (i) => info.y[i]!) },
      { kind: info.task, nClasses: K, rng: new Rng(42) },
    );
    const yTest = Float64Array.from(te, (i) => info.y[i]!);
    const loss = meanLoss('multiclass', yTest, model.predict(numericMatrix(table.take(te), features)), K);
    expect(loss).toBeLessThan(0.05);
  });
});
