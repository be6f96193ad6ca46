/**
 * The GBDT's second thread (see parallel.ts): grows the trees of its classes, or sums the second
 * half of a node's histogram for the main thread, as the shared control words ask.
 */
import { workerData } from 'node:worker_threads';
import { kernelOver } from './hist-kernel.js';
import { CMD, CTRL, type GrownTree, type WorkerSetup } from './parallel.js';
import { addTreeToRaw, binColumns, fillGradients, scoreArrays, shrinkTree, TreeLearner } from './tree-learner.js';

const d = workerData as WorkerSetup;
const c = d.ctrl;
const n = d.nRows;
const nf = d.layout.nFeatures;
const layout = d.layout;
const { kernel, buffer } = kernelOver(d.memory);
const work = { layout, kernel, buffer };
const learner = new TreeLearner(work, 1);
const bins = binColumns(work);
const { raw } = scoreArrays(work);
const main = layout.learners[0]!;
const partial = main.arena + layout.slots * layout.histBytes;

let seen = 0;
try {
  for (;;) {
    // Spin a little before sleeping: requests come every few hundred microseconds while a tree
    // grows, and waking from Atomics.wait costs tens of microseconds.
    for (let spin = 0; spin < 20000 && Atomics.load(c, CTRL.SEQ) === seen; spin++);
    Atomics.wait(c, CTRL.SEQ, seen);
    seen = Atomics.load(c, CTRL.SEQ);
    const cmd = c[CTRL.CMD];
    if (cmd === CMD.EXIT) break;
    if (cmd === CMD.HIST) {
      const k = c[CTRL.HIST_CLASS]!;
      kernel.hist(
        layout.quads,
        layout.nq,
        main.rows,
        c[CTRL.START]!,
        c[CTRL.END]!,
        layout.gh + k * n * 16,
        partial,
        0,
        layout.nq,
        layout.learners[1]!.buf,
      );
    } else if (cmd === CMD.GRAD) {
      fillGradients(work, d.kind, c[CTRL.START]!, c[CTRL.END]!, 1);
    } else if (cmd === CMD.GROW) {
      const count = c[CTRL.COUNT]!;
      const allRows = c[CTRL.ALL_ROWS] === 1;
      for (let j = 0; j < c[CTRL.N_CLASSES]!; j++) {
        const k = c[CTRL.CLASSES + j]!;
        learner.rows.set(d.sample.subarray(0, count));
        const tree = learner.grow(count, d.masks.subarray(k * nf, (k + 1) * nf), d.params, k);
        shrinkTree(tree, d.params.learningRate);
        // Its own column of the raw scores: the main thread writes the others meanwhile.
        addTreeToRaw(tree, learner.rows, allRows, bins, raw, layout.nOut, k);
        d.port.postMessage({ k, tree } satisfies GrownTree);
      }
    }
    Atomics.store(c, CTRL.DONE, seen);
    Atomics.notify(c, CTRL.DONE);
  }
} catch (e) {
  Atomics.store(c, CTRL.FAILED, 1);
  Atomics.notify(c, CTRL.DONE);
  throw e;
}
