/**
 * A second thread for the GBDT (this machine class has two cores). It grows whole trees (the
 * trees of some classes of a multiclass round) and, when idle, sums the second half of a large
 * node's histogram for the main thread's learner. Requests go through shared memory with
 * Atomics, not messages: the main thread blocks on them between one histogram and the next.
 * Trees come back through a MessageChannel read synchronously (receiveMessageOnPort).
 *
 * Results never depend on the thread count: each tree is grown by the same code on the same
 * inputs, and histogram halves are summed in the same order on one thread or two.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ProblemKind } from '../types.js';
import type { BinTree, HalvesHelper, Layout, TreeParams } from './tree-learner.js';

/** Control words in shared memory. */
export const CTRL = {
  SEQ: 0,
  CMD: 1,
  DONE: 2,
  FAILED: 3,
  COUNT: 4,
  ALL_ROWS: 5,
  START: 6,
  END: 7,
  N_CLASSES: 8,
  /** The class whose gradients a histogram half sums. */
  HIST_CLASS: 9,
  /** The worker's classes, from here on. */
  CLASSES: 10,
} as const;
export const CMD = { GROW: 1, HIST: 2, GRAD: 3, EXIT: 4 } as const;
/** The most classes the worker grows per round. */
export const MAX_WORKER_CLASSES = 64;

export interface WorkerSetup {
  ctrl: Int32Array;
  nRows: number;
  /**
   * The fit's shared buffer: the bins, the gradient pairs of all classes, and two learners'
   * rows and histograms, the main thread's (learner 0, whose histogram halves the worker sums)
   * and the worker's own (learner 1).
   */
  memory: WebAssembly.Memory | SharedArrayBuffer;
  layout: Layout;
  kind: ProblemKind;
  nClasses: number;
  /** Feature masks of all classes: nf per class. */
  masks: Uint8Array;
  /** The round's row sample. */
  sample: Int32Array;
  params: TreeParams & { learningRate: number };
  port: MessagePort;
}

export interface GrownTree {
  k: number;
  tree: BinTree;
}

function workerUrl(): URL | undefined {
  const url = new URL('./tree-worker.js', import.meta.url);
  // Run from TypeScript sources (as in the test runner) there is no compiled worker: one thread.
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export class GbdtThread implements HalvesHelper {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * (CTRL.CLASSES + MAX_WORKER_CLASSES)));
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private seq = 0;
  readonly masks: Uint8Array;
  /** The class of the tree the main thread grows (its histogram halves sum that class). */
  histClass = 0;
  readonly sample: Int32Array;

  private constructor(url: URL, setup: Omit<WorkerSetup, 'ctrl' | 'port' | 'masks' | 'sample'>, nClasses: number) {
    const n = setup.nRows;
    const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(8, bytes));
    this.masks = new Uint8Array(shared(setup.layout.nFeatures * nClasses));
    this.sample = new Int32Array(shared(n * 4));
    const channel = new MessageChannel();
    this.port = channel.port1;
    const data: WorkerSetup = {
      ...setup,
      ctrl: this.ctrl,
      port: channel.port2,
      masks: this.masks,
      sample: this.sample,
    };
    this.worker = new Worker(url, { workerData: data, transferList: [channel.port2] });
    this.worker.unref();
  }

  /** A second thread, or undefined when there is none to be had (one core, or no compiled worker). */
  static create(
    setup: Omit<WorkerSetup, 'ctrl' | 'port' | 'masks' | 'sample'>,
    nClasses: number,
  ): GbdtThread | undefined {
    const url = workerUrl();
    if (!url) return undefined;
    return new GbdtThread(url, setup, nClasses);
  }

  private idle(): boolean {
    return Atomics.load(this.ctrl, CTRL.DONE) === this.seq;
  }

  private send(cmd: number): void {
    this.seq = (this.seq + 1) | 0;
    this.ctrl[CTRL.CMD] = cmd;
    Atomics.store(this.ctrl, CTRL.SEQ, this.seq);
    Atomics.notify(this.ctrl, CTRL.SEQ);
  }

  /** Starts the gradients of rows [start, end). */
  startGradients(start: number, end: number): void {
    this.ctrl[CTRL.START] = start;
    this.ctrl[CTRL.END] = end;
    this.send(CMD.GRAD);
  }

  /** Starts growing the trees of these classes, in this order. */
  startGrow(classes: readonly number[], count: number, allRows: boolean): void {
    const c = this.ctrl;
    c[CTRL.N_CLASSES] = classes.length;
    classes.forEach((k, j) => (c[CTRL.CLASSES + j] = k));
    c[CTRL.COUNT] = count;
    c[CTRL.ALL_ROWS] = allRows ? 1 : 0;
    this.send(CMD.GROW);
  }

  /** Waits for the trees started by `startGrow`, in class order. */
  finishGrow(): GrownTree[] {
    this.wait();
    const out: GrownTree[] = [];
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port))
      out.push(m.message as GrownTree);
    return out;
  }

  tryStart(start: number, end: number): boolean {
    if (!this.idle()) return false;
    this.ctrl[CTRL.START] = start;
    this.ctrl[CTRL.END] = end;
    this.ctrl[CTRL.HIST_CLASS] = this.histClass;
    this.send(CMD.HIST);
    return true;
  }

  wait(): void {
    const c = this.ctrl;
    for (let spin = 0; spin < 20000 && Atomics.load(c, CTRL.DONE) !== this.seq; spin++);
    for (;;) {
      const done = Atomics.load(c, CTRL.DONE);
      if (done === this.seq) break;
      if (Atomics.load(c, CTRL.FAILED) !== 0) throw new Error('gbdt: the second thread failed');
      Atomics.wait(c, CTRL.DONE, done, 1000);
    }
    if (Atomics.load(c, CTRL.FAILED) !== 0) throw new Error('gbdt: the second thread failed');
  }

  async close(): Promise<void> {
    this.send(CMD.EXIT);
    this.port.close();
    await this.worker.terminate();
  }
}
