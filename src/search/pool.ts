/**
 * Where the search's fold jobs run: side by side in worker threads (one per core, each job on one
 * core), or one after another in this thread when there is one core or no compiled worker (run
 * from TypeScript sources, as in the test runner). With `freeThisThread` (the search's choice)
 * one core's jobs run in one worker too, so that this thread is never busy with a fit for seconds
 * (a live view, signals). The results are the same either way: a job's output depends on its
 * inputs and seed only.
 *
 * The table is copied once into shared memory; workers read it without copies.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Table, type Column } from '../data/table.js';
import { runFold } from './fold-job.js';
import type { CvTask, FoldJob, FoldOutput } from './types.js';

export interface FoldRunner {
  /** How many jobs run at once. */
  readonly parallel: number;
  run(job: FoldJob): Promise<FoldOutput>;
  /**
   * Abandons the queued jobs and, in worker threads, the running ones: their promises reject with
   * {@link Cancelled}. (In this thread a job that has started runs to its end.)
   */
  cancel(): void;
  close(): Promise<void>;
}

/** The rejection of a job abandoned by `cancel`. */
export class Cancelled extends Error {
  constructor() {
    super('fold job cancelled');
  }
}

/** What a worker is started with. */
export interface WorkerSetup {
  columns: Column[];
  nRows: number;
  task: CvTask;
  fold: Int32Array;
}

export type WorkerRequest = { id: number; job: FoldJob };
export type WorkerReply =
  { id: number; output: FoldOutput } | { id: number; error: { message: string; code?: string } };

function shared<T extends Float64Array | Int32Array>(a: T): T {
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(Math.max(8, a.byteLength)));
  copy.set(a as never);
  return a.byteLength === 0 ? (copy.subarray(0, 0) as T) : copy;
}

/** The table's columns on shared memory. */
function shareColumns(table: Table): Column[] {
  return table.columns.map((c) =>
    c.type === 'numeric' ? { ...c, values: shared(c.values) } : { ...c, codes: shared(c.codes) },
  );
}

/** Runs jobs in this thread, one at a time (fits are synchronous or share the tfjs engine). */
class InThread implements FoldRunner {
  readonly parallel = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private cancelled = false;

  constructor(
    private readonly table: Table,
    private readonly task: CvTask,
    private readonly fold: Int32Array,
  ) {}

  run(job: FoldJob): Promise<FoldOutput> {
    const next = this.chain.then(() => {
      if (this.cancelled) throw new Cancelled();
      return runFold(this.table, this.task, this.fold, job);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  cancel(): void {
    this.cancelled = true;
  }

  async close(): Promise<void> {
    await this.chain;
  }
}

interface Slot {
  worker: Worker;
  busy?: { id: number; resolve: (o: FoldOutput) => void; reject: (e: Error) => void };
  /** Set when the worker has died (an error, or out of memory): it gets no more jobs. */
  dead?: Error;
}

/** Runs jobs in worker threads, one job per worker at a time. */
class WorkerPool implements FoldRunner {
  private readonly slots: Slot[];
  private readonly queue: { req: WorkerRequest; resolve: (o: FoldOutput) => void; reject: (e: Error) => void }[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    url: URL,
    setup: WorkerSetup,
    readonly parallel: number,
  ) {
    this.slots = Array.from({ length: parallel }, () => {
      // Node flags of the parent that make no sense for a module worker (`--input-type`, `--eval`) are not passed on.
      const execArgv = process.execArgv.filter((a) => !/^(--input-type|--eval|-e$|--print|-p$)/.test(a));
      const slot: Slot = { worker: new Worker(url, { workerData: setup, execArgv }) };
      slot.worker.on('message', (m: WorkerReply) => this.reply(slot, m));
      slot.worker.on('error', (e) => this.fail(slot, e));
      slot.worker.on('exit', (code) => {
        if (!this.closed) this.fail(slot, new Error(`a search worker stopped (exit code ${code})`));
      });
      return slot;
    });
  }

  run(job: FoldJob): Promise<FoldOutput> {
    if (this.closed) return Promise.reject(new Cancelled());
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, job }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    const live = this.slots.filter((s) => !s.dead);
    if (live.length === 0) {
      const why = this.slots[0]?.dead;
      for (const q of this.queue.splice(0))
        q.reject(new Error(`every search worker has stopped (${why?.message ?? 'unknown'})`));
      return;
    }
    for (const slot of live) {
      if (slot.busy || this.queue.length === 0) continue;
      const next = this.queue.shift()!;
      slot.busy = { id: next.req.id, resolve: next.resolve, reject: next.reject };
      slot.worker.postMessage(next.req);
    }
  }

  private reply(slot: Slot, m: WorkerReply): void {
    const busy = slot.busy;
    if (!busy || busy.id !== m.id) return;
    slot.busy = undefined;
    if ('output' in m) busy.resolve(m.output);
    else busy.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
    this.dispatch();
  }

  private fail(slot: Slot, e: Error): void {
    const busy = slot.busy;
    slot.busy = undefined;
    slot.dead ??= e;
    busy?.reject(e);
    // The others go on with the queue (or, with none left, reject it).
    this.dispatch();
  }

  cancel(): void {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Cancelled());
    for (const slot of this.slots) {
      slot.busy?.reject(new Cancelled());
      slot.busy = undefined;
      void slot.worker.terminate();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Cancelled());
    for (const slot of this.slots) {
      slot.busy?.reject(new Cancelled());
      slot.busy = undefined;
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function workerUrl(): URL | undefined {
  const url = new URL('./search-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** More workers than this find no jobs to run: a batch holds at most 8 fold jobs at a time. */
export const MAX_SEARCH_THREADS = 8;

/**
 * The threads the search uses by default: one per core, at most {@link MAX_SEARCH_THREADS}, and
 * no more than half the free memory allows at about four copies of the table per running job
 * (its fold's rows, the feature matrix, the bins and the predictions).
 */
export function defaultSearchThreads(table?: Table): number {
  const cores = Math.min(availableParallelism(), MAX_SEARCH_THREADS);
  if (!table) return cores;
  const bytes = table.nRows * table.columns.length * 8;
  const byMemory = Math.floor((freemem() * 0.5) / Math.max(1, 4 * bytes));
  return Math.max(1, Math.min(cores, byMemory));
}

/**
 * A runner for the search's fold jobs: `threads` workers (default: see {@link defaultSearchThreads}), or this thread
 * when that is 1 (unless `freeThisThread`: then one worker) or no compiled worker module exists.
 *
 * @example
 * const runner = foldRunner(table, task, fold, 1, { freeThisThread: true }); // one worker, if compiled
 */
export function foldRunner(
  table: Table,
  task: CvTask,
  fold: Int32Array,
  threads = defaultSearchThreads(table),
  options: { freeThisThread?: boolean } = {},
): FoldRunner {
  const url = threads > 1 || options.freeThisThread ? workerUrl() : undefined;
  if (!url) return new InThread(table, task, fold);
  const setup: WorkerSetup = {
    columns: shareColumns(table),
    nRows: table.nRows,
    task: { ...task, y: shared(task.y) },
    fold: shared(fold),
  };
  return new WorkerPool(url, setup, threads);
}

/** The table a worker rebuilds from its setup. */
export function tableOf(setup: WorkerSetup): Table {
  return new Table(setup.columns, setup.nRows);
}
