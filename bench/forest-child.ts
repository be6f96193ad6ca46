// Child process of the forest benchmark: fits our forest or ml-random-forest on a data file
// written by synth.ts and reports fit time and test logloss as one JSON line.
import { RandomForestClassifier } from 'ml-random-forest';
import { readClassification } from './synth.js';
import { fitForest } from '../src/models/forest/forest.js';
import { Rng } from '../src/util/random.js';

const [which, path, nTrainText, treesText] = process.argv.slice(2);
if (!which || !path || !nTrainText || !treesText) throw new Error('usage: forest-child ours|ml DATA N_TRAIN TREES');
const d = await readClassification(path);
const nTrain = Number(nTrainText);
const nTrees = Number(treesText);
const K = d.nClasses;
const nTest = d.nRows - nTrain;
const yte = d.y.subarray(nTrain);
let proba: Float64Array;
const t0 = performance.now();
let seconds: number;
if (which === 'ours') {
  const model = fitForest(
    { x: { nRows: nTrain, columns: d.columns.map((c) => c.subarray(0, nTrain)) }, y: d.y.subarray(0, nTrain) },
    { kind: K === 2 ? 'binary' : 'multiclass', nClasses: K, rng: new Rng(1), params: { nTrees } },
  );
  seconds = (performance.now() - t0) / 1000;
  proba = model.predict({ nRows: nTest, columns: d.columns.map((c) => c.subarray(nTrain)) });
} else {
  const rows = (from: number, to: number): number[][] =>
    Array.from({ length: to - from }, (_, i) => d.columns.map((c) => c[from + i]!));
  // The package's own defaults, with features sampled as scikit-learn does (√p) and the same
  // number of trees; its out-of-bag step is off (with it, training can throw on small data).
  const rf = new RandomForestClassifier({
    nEstimators: nTrees,
    maxFeatures: Math.floor(Math.sqrt(d.nFeatures)) / d.nFeatures,
    seed: 1,
    useSampleBagging: true,
    noOOB: true,
  } as never);
  rf.train(rows(0, nTrain), Array.from(d.y.subarray(0, nTrain)));
  seconds = (performance.now() - t0) / 1000;
  // predictProbability(X, label) gives one class's probability per row: ask for each class.
  const test = rows(nTrain, d.nRows);
  proba = new Float64Array(nTest * K);
  for (let k = 0; k < K; k++) (rf.predictProbability(test, k) as number[]).forEach((v, i) => (proba[i * K + k] = v));
}
let loss = 0;
let sumOff = 0;
for (let i = 0; i < nTest; i++) {
  let s = 0;
  for (let k = 0; k < K; k++) s += proba[i * K + k]!;
  sumOff = Math.max(sumOff, Math.abs(s - 1));
  loss -= Math.log(Math.min(Math.max(proba[i * K + yte[i]!]!, 1e-15), 1 - 1e-15));
}
process.stdout.write(`${JSON.stringify({ seconds, logloss: loss / nTest, maxProbaSumError: sumOff })}\n`);
