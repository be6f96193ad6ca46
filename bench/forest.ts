/**
 * `npm run bench -- forest [--trees 300]`: our random forest against scikit-learn's
 * RandomForestClassifier (Debian's python3-sklearn, 2 jobs) and the ml-random-forest package, on
 * the five hydraulic targets (our 75/25 split, seed 42): fit time and test logloss. Each runs in
 * its own process.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labelColumns } from '../recipes/index.js';
import { hydraulicFile } from './hydraulic-data.js';
import { fmtRatio, requirePython, runNode, runPython } from './peer.js';

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'forest-child.js');
const peer = join(here, '..', '..', 'bench', 'peers', 'forest_peer.py');

interface Result {
  seconds: number;
  logloss: number;
  maxProbaSumError?: number;
}

export async function run(args: string[]): Promise<void> {
  requirePython(['numpy', 'sklearn']);
  const i = args.indexOf('--trees');
  const trees = i >= 0 ? Number(args[i + 1]) : 300;
  const skipMl = args.includes('--no-ml');
  const lines = [`${trees} trees; fit seconds and test logloss (ratio = ours / scikit-learn)`];
  lines.push(
    `${'target'.padEnd(15)} ${'ours'.padStart(16)} ${'scikit-learn'.padStart(16)} ${'ratio'.padStart(6)} ${'ml-random-forest'.padStart(30)}`,
  );
  for (const target of labelColumns('hydraulic')) {
    const h = await hydraulicFile(target);
    const ours = (await runNode(child, ['ours', h.path, String(h.nTrain), String(trees)])) as unknown as Result;
    const sk = (await runPython(peer, [h.path, String(h.nTrain), String(trees), '2'])) as unknown as Result;
    let ml = 'skipped';
    if (!skipMl) {
      const m = (await runNode(child, ['ml', h.path, String(h.nTrain), String(trees)])) as unknown as Result;
      ml = `${m.seconds.toFixed(2)} s ${m.logloss.toFixed(4)} (Σp off by ${m.maxProbaSumError?.toFixed(4)})`;
    }
    const cell = (r: Result): string => `${r.seconds.toFixed(2)} s ${r.logloss.toFixed(4)}`;
    lines.push(
      `${target.padEnd(15)} ${cell(ours).padStart(16)} ${cell(sk).padStart(16)} ${fmtRatio(ours.seconds, sk.seconds).padStart(6)} ${ml.padStart(30)}`,
    );
    process.stdout.write(`${lines.splice(0).join('\n')}\n`);
  }
}
