/**
 * The GBDT's second thread (see parallel.ts): half of the gradients and the trees of its classes,
 * as the shared control words ask; the halves of node histograms the main thread offers, when
 * idle and between the nodes of its own trees; and the main thread's node tasks, when idle.
 */
import { workerData } from 'node:worker_threads';
import { kernelOver } from './hist-kernel.js';
import { CMD, CTRL, TaskSlot, type GrownTree, type WorkerSetup } from './parallel.js';
import { binColumns, fillGradients, halfSummer, shrinkTree, TreeLearner } from './tree-learner.js';

const d = workerData as WorkerSetup;
const c = d.ctrl;
const nf = d.layout.nFeatures;
const layout = d.layout;
const { kernel, buffer } = kernelOver(d.memory);
const work = { layout, kernel, buffer };
const learner = new TreeLearner(work, 1, d.params);
const bins = binColumns(work);

/** The main thread's offers, which this thread sums when it can; and this thread's own. */
const mainSlot = new TaskSlot(c, CTRL.MAIN_SLOT, () => undefined);
const ownSlot = new TaskSlot(c, CTRL.WORKER_SLOT, () => Atomics.notify(c, CTRL.DONE));
const sumHalf = halfSummer(work, 1);
const serveOffer = (): boolean => mainSlot.serve(sumHalf);
learner.helper = ownSlot;
learner.betweenNodes = () => void serveOffer();

let seen = 0;
try {
  for (;;) {
    const signal = Atomics.load(c, CTRL.SIGNAL);
    if (serveOffer() || learner.helpWith(0)) continue;
    if (Atomics.load(c, CTRL.SEQ) === seen) {
      // Nothing to do. Spin a little before sleeping: offers come every few hundred
      // microseconds while a tree grows, and waking from Atomics.wait costs tens of microseconds.
      for (let spin = 0; spin < 20000 && Atomics.load(c, CTRL.SIGNAL) === signal; spin++);
      Atomics.wait(c, CTRL.SIGNAL, signal);
      continue;
    }
    seen = Atomics.load(c, CTRL.SEQ);
    const cmd = c[CTRL.CMD];
    if (cmd === CMD.EXIT) break;
    if (cmd === CMD.GRAD) {
      fillGradients(work, d.kind, c[CTRL.START]!, c[CTRL.END]!, 1);
    } else if (cmd === CMD.GROW) {
      const count = c[CTRL.COUNT]!;
      const allRows = c[CTRL.ALL_ROWS] === 1;
      for (let j = 0; j < c[CTRL.N_CLASSES]!; j++) {
        const k = c[CTRL.CLASSES + j]!;
        learner.rows.set(d.sample.subarray(0, count));
        const tree = learner.grow(count, d.masks.subarray(k * nf, (k + 1) * nf), d.params, k);
        shrinkTree(tree, d.params.learningRate);
        // Its own output's raw scores: the main thread writes the others' meanwhile.
        learner.addToRaw(tree, allRows, bins, k);
        d.port.postMessage({ k, tree } satisfies GrownTree);
      }
    }
    Atomics.store(c, CTRL.DONE, seen);
    Atomics.notify(c, CTRL.DONE);
  }
} catch (e) {
  Atomics.store(c, CTRL.FAILED, 1);
  Atomics.notify(c, CTRL.DONE);
  Atomics.notify(c, CTRL.MAIN_SLOT);
  throw e;
}
