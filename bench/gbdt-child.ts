// Child process of the gbdt benchmark: fits our GBDT on a data file written by synth.ts and
// reports fit time, test logloss and peak RSS as one JSON line.
import { readClassification, xgboostLikeParams } from './synth.js';
import { fitGbdt } from '../src/models/gbdt/gbdt.js';
import { Rng } from '../src/util/random.js';

const [path, nTrainText, roundsText, threadsText] = process.argv.slice(2);
if (!path || !nTrainText || !roundsText || !threadsText)
  throw new Error('usage: gbdt-child DATA N_TRAIN ROUNDS THREADS');
const d = await readClassification(path);
const nTrain = Number(nTrainText);
const K = d.nClasses;
const train = { nRows: nTrain, columns: d.columns.map((c) => c.subarray(0, nTrain)) };
const test = { nRows: d.nRows - nTrain, columns: d.columns.map((c) => c.subarray(nTrain)) };
const t0 = performance.now();
const model = fitGbdt(
  { x: train, y: d.y.subarray(0, nTrain) },
  {
    kind: K === 2 ? 'binary' : 'multiclass',
    nClasses: K,
    rng: new Rng(1),
    // The benchmark's settings, the same as XGBoost's in bench/peers/gbdt_peer.py (or, with
    // ROUNDS 'defaults', the family's defaults).
    params:
      roundsText === 'defaults'
        ? { threads: Number(threadsText) }
        : xgboostLikeParams(Number(roundsText), Number(threadsText)),
  },
);
const seconds = (performance.now() - t0) / 1000;
const p = model.predict(test);
let loss = 0;
const yte = d.y.subarray(nTrain);
for (let i = 0; i < test.nRows; i++) loss -= Math.log(Math.min(Math.max(p[i * K + yte[i]!]!, 1e-15), 1 - 1e-15));
process.stdout.write(
  `${JSON.stringify({ seconds, logloss: loss / test.nRows, threads: (model.info as { threads: number }).threads, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
