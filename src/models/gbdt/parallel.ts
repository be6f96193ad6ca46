/**
 * A second thread for the GBDT (this machine class has two cores). It computes half of each
 * round's gradients and grows whole trees (those of the upper classes of a multiclass round).
 * The two threads share the rest of the work in two ways, whoever grows a tree:
 * - a thread idle (its trees grown, or none to grow) claims node tasks of the other's tree: each
 *   level's splits are posted as tasks (see TreeLearner), claimed one at a time by either thread;
 * - a thread summing a large node's histogram offers the second half of its rows in its task
 *   slot, sums the first half, then takes the second back unless the other thread has claimed it
 *   meanwhile (a compare-and-swap decides). Each thread looks at the other's slot whenever it
 *   waits and between the nodes of its own trees.
 * Commands and tasks go through shared memory with Atomics, not messages; trees come back
 * through a MessageChannel read synchronously (receiveMessageOnPort).
 *
 * Results never depend on the thread count, nor on who runs a task or sums a half: each runs
 * the same code on the same inputs, and histogram halves are summed in the same order either way.
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
  /** Bumped for every command and offer to the worker: what an idle worker sleeps on. */
  SIGNAL: 9,
  /** The main thread's task slot (see TaskSlot), then the worker's. */
  MAIN_SLOT: 10,
  WORKER_SLOT: 16,
  /** The worker's classes, from here on. */
  CLASSES: 22,
} as const;
export const CMD = { GROW: 1, GRAD: 3, EXIT: 4 } as const;
/** States of a task slot. */
const TASK = { EMPTY: 0, POSTED: 1, TAKEN_BACK: 2, CLAIMED: 3, DONE: 4 } as const;

/**
 * One thread's offers of histogram halves to the other: six control words from `at`: the state,
 * then what HalvesHelper.offer takes (byte offsets as unsigned 32-bit words).
 */
export class TaskSlot implements HalvesHelper {
  constructor(
    private readonly ctrl: Int32Array,
    private readonly at: number,
    /** Wakes the other thread if it sleeps. */
    readonly wake: () => void,
  ) {}

  offer(rowsAt: number, start: number, end: number, ghAt: number, partialAt: number): void {
    const c = this.ctrl;
    c[this.at + 1] = rowsAt;
    c[this.at + 2] = start;
    c[this.at + 3] = end;
    c[this.at + 4] = ghAt;
    c[this.at + 5] = partialAt;
    Atomics.store(c, this.at, TASK.POSTED);
    this.wake();
  }

  takeBack(): boolean {
    const c = this.ctrl;
    if (Atomics.compareExchange(c, this.at, TASK.POSTED, TASK.TAKEN_BACK) === TASK.POSTED) {
      Atomics.store(c, this.at, TASK.EMPTY);
      return true;
    }
    // Claimed: the other thread is summing it now, about as long as this one took for the first.
    for (let spin = 0; spin < 20000 && Atomics.load(c, this.at) !== TASK.DONE; spin++);
    for (;;) {
      const state = Atomics.load(c, this.at);
      if (state === TASK.DONE) break;
      this.check();
      Atomics.wait(c, this.at, state, 1000);
    }
    Atomics.store(c, this.at, TASK.EMPTY);
    return false;
  }

  check(): void {
    if (Atomics.load(this.ctrl, CTRL.FAILED) !== 0) throw new Error('gbdt: the second thread failed');
  }

  /** Sums the offered half with `sum` if it is still there to claim; true when it did. */
  serve(sum: (rowsAt: number, start: number, end: number, ghAt: number, partialAt: number) => void): boolean {
    const c = this.ctrl;
    const at = this.at;
    if (Atomics.load(c, at) !== TASK.POSTED) return false;
    if (Atomics.compareExchange(c, at, TASK.POSTED, TASK.CLAIMED) !== TASK.POSTED) return false;
    sum(c[at + 1]! >>> 0, c[at + 2]!, c[at + 3]!, c[at + 4]! >>> 0, c[at + 5]! >>> 0);
    Atomics.store(c, at, TASK.DONE);
    Atomics.notify(c, at);
    return true;
  }
}
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

/** What the main thread does for the worker while it waits for it. */
export interface Idle {
  /** Sums a half the worker offers (see HalvesHelper). */
  sumHalf: (rowsAt: number, start: number, end: number, ghAt: number, partialAt: number) => void;
  /** Runs node tasks the worker posted, if there are some; true when it ran one. */
  helpWorker: () => boolean;
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

export class GbdtThread {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * (CTRL.CLASSES + MAX_WORKER_CLASSES)));
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private seq = 0;
  readonly masks: Uint8Array;
  readonly sample: Int32Array;
  /** The main thread's offers to the worker (its learner's helper). */
  readonly mainSlot = new TaskSlot(this.ctrl, CTRL.MAIN_SLOT, () => this.signal());
  /** The worker's offers to the main thread. */
  private readonly workerSlot = new TaskSlot(this.ctrl, CTRL.WORKER_SLOT, () => undefined);

  private constructor(
    url: URL,
    setup: Omit<WorkerSetup, 'ctrl' | 'port' | 'masks' | 'sample'>,
    nClasses: number,
    private readonly idle: Idle,
  ) {
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
    idle: Idle,
  ): GbdtThread | undefined {
    const url = workerUrl();
    if (!url) return undefined;
    return new GbdtThread(url, setup, nClasses, idle);
  }

  /** Sums the worker's offered half, if there is one to claim (between this thread's nodes). */
  serveWorker(): boolean {
    return this.workerSlot.serve(this.idle.sumHalf);
  }

  private send(cmd: number): void {
    this.seq = (this.seq + 1) | 0;
    this.ctrl[CTRL.CMD] = cmd;
    Atomics.store(this.ctrl, CTRL.SEQ, this.seq);
    this.signal();
  }

  private signal(): void {
    Atomics.add(this.ctrl, CTRL.SIGNAL, 1);
    Atomics.notify(this.ctrl, CTRL.SIGNAL);
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

  /** Waits for the last command to end, taking the worker's offers and node tasks meanwhile. */
  wait(): void {
    const c = this.ctrl;
    let spin = 0;
    for (;;) {
      const done = Atomics.load(c, CTRL.DONE);
      if (done === this.seq) break;
      if (Atomics.load(c, CTRL.FAILED) !== 0) throw new Error('gbdt: the second thread failed');
      if (this.serveWorker() || this.idle.helpWorker()) spin = 0;
      // The worker's offers notify DONE's waiters too, so a sleep here ends for them.
      else if (++spin > 20000) Atomics.wait(c, CTRL.DONE, done, 1000);
    }
    if (Atomics.load(c, CTRL.FAILED) !== 0) throw new Error('gbdt: the second thread failed');
  }

  async close(): Promise<void> {
    this.send(CMD.EXIT);
    this.port.close();
    await this.worker.terminate();
  }
}
