// Child process of the gbdt benchmark: fits our GBDT on a data file written by synth.ts, once
// cold (the process's first fit) then REPS more (warm, as the search fits model after model in
// one process), and reports the times, the test logloss of the last fit and the peak RSS as one
// JSON line.
import { readClassification, xgboostLikeParams } from './synth.js';
import { fitGbdt } from '../src/models/gbdt/gbdt.js';
import { Rng } from '../src/util/random.js';

const [path, nTrainText, roundsText, threadsText, repsText = '0'] = process.argv.slice(2);
if (!path || !nTrainText || !roundsText || !threadsText)
  throw new Error('usage: gbdt-child DATA N_TRAIN ROUNDS THREADS [REPS]');
const d = await readClassification(path);
const nTrain = Number(nTrainText);
const K = d.nClasses;
const train = { nRows: nTrain, columns: d.columns.map((c) => c.subarray(0, nTrain)) };
const test = { nRows: d.nRows - nTrain, columns: d.columns.map((c) => c.subarray(nTrain)) };
const fit = () =>
  fitGbdt(
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
// times[0]: the first fit, cold; then the warm ones.
const times: number[] = [];
let model: ReturnType<typeof fit> | undefined;
for (let i = 0; i <= Number(repsText); i++) {
  const t0 = performance.now();
  model = fit();
  times.push((performance.now() - t0) / 1000);
}
if (!model) throw new Error('gbdt-child: no fit');
const p = model.predict(test);
let loss = 0;
const yte = d.y.subarray(nTrain);
for (let i = 0; i < test.nRows; i++) loss -= Math.log(Math.min(Math.max(p[i * K + yte[i]!]!, 1e-15), 1 - 1e-15));
const info = model.info as { threads: number; kernel: string };
process.stdout.write(
  `${JSON.stringify({ seconds: times, logloss: loss / test.nRows, threads: info.threads, kernel: info.kernel, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
