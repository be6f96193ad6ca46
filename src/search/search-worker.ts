/**
 * A search worker thread: rebuilds the training table from shared memory once, then runs the
 * fold jobs it is sent, one at a time, and replies with their predictions or their error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runFold } from './fold-job.js';
import { tableOf, type WorkerReply, type WorkerRequest, type WorkerSetup } from './pool.js';

const setup = workerData as WorkerSetup;
const table = tableOf(setup);
const port = parentPort!;

port.on('message', (req: WorkerRequest) => {
  runFold(table, setup.task, setup.fold, req.job).then(
    (output) => port.postMessage({ id: req.id, output } satisfies WorkerReply, [output.pred.buffer as ArrayBuffer]),
    (e: unknown) => {
      const err = e as { message?: unknown; code?: unknown };
      const reply: WorkerReply = {
        id: req.id,
        error: { message: String(err?.message ?? e), ...(typeof err?.code === 'string' ? { code: err.code } : {}) },
      };
      port.postMessage(reply);
    },
  );
});
