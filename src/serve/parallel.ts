/**
 * Batch scoring on worker threads: this thread reads the file, cuts it into blocks of whole
 * records (about 1 MB each), and hands them to the workers (`batch-worker.ts`), which parse,
 * score and write each block's CSV text; this thread writes the blocks back in file order. The
 * output is the same, to the last bit, as scoring in one thread (the same code runs per row).
 *
 *   file ──► blocks (cut at record ends) ──► workers: records → chunk → scorer → CSV text
 *                                                                    │
 *   output ◄── in file order ◄───────────────────────────────────────┘
 *
 * Memory stays flat: at most two blocks per worker are in flight.
 */
import { Worker } from 'node:worker_threads';
import { ScoringError, type ScoringErrorCode } from '../artifact/errors.js';
import type { PipelineScorer } from '../artifact/scorer.js';
import { headerNames, planColumns, type BatchSummary, type ReadOptions } from './batch.js';
import type { BlockReply, BlockRequest, WorkerSetup } from './batch-worker.js';
import { CsvTokenizer, type CsvDelimiter, type DecimalMark } from './csv-records.js';

const LF = 10;
const QUOTE = 34;

export interface ParallelOptions extends ReadOptions {
  threads: number;
  delimiter?: CsvDelimiter;
  /** The decimal mark of numbers (default the point). */
  decimal?: DecimalMark;
  /** Binary: the positive class from this probability on. */
  threshold: number | null;
  /** Also send back predictions and target texts when the file has the target. */
  wantTargets: boolean;
  /** Each block's CSV text, in file order (a promise pauses until it settles). */
  onText: (csv: string) => void | Promise<void>;
  /**
   * Each block's predictions and targets (class indices or values, NaN where missing or unknown),
   * with the block's count of missing targets and of unknown labels, in file order (with `wantTargets`).
   */
  onTargets?: (pred: Float64Array, y: Float64Array, missing: number, unknown: [string, number][]) => void;
  /** After each block written: rows so far, bytes read so far. */
  onProgress?: (rows: number, bytes: number) => void;
  /** Block size in bytes (default 1 MiB). */
  blockBytes?: number;
  /** Checked before each block is written; a thrown error stops the run. */
  check?: () => void;
}

/**
 * Where to cut `buf` so that the first part holds whole records only: after the last line end
 * outside quotes (a block always starts outside quotes). 0 when there is none.
 */
export function cutAfterLastRecord(buf: Uint8Array): number {
  let lf = buf.lastIndexOf(LF);
  if (lf < 0) return 0;
  const q = buf.indexOf(QUOTE);
  if (q < 0 || q > lf) return lf + 1;
  // Quotes before the line end: it ends a record when their count is even.
  const quotes: number[] = [];
  for (let i = q; i >= 0 && i < lf; i = buf.indexOf(QUOTE, i + 1)) quotes.push(i);
  while (lf >= 0) {
    let count = 0;
    for (const p of quotes) if (p < lf) count++;
    if (count % 2 === 0) return lf + 1;
    lf = buf.lastIndexOf(LF, lf - 1);
  }
  return 0;
}

function countLines(buf: Uint8Array): number {
  let k = 0;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) k++;
  return k;
}

/** Scores a CSV stream on `threads` workers; the pipeline's text is loaded in each. */
export async function scoreCsvParallel(
  scorer: PipelineScorer,
  pipelineText: string,
  stream: AsyncIterable<Buffer | string>,
  opts: ParallelOptions,
): Promise<BatchSummary> {
  const blockBytes = opts.blockBytes ?? 1 << 20;
  const tok = new CsvTokenizer(opts.source, opts.delimiter);
  let names: string[] | null = null;
  let carry: Buffer = Buffer.alloc(0);
  let line = 1;
  let bytes = 0;
  let any = false;

  const summary: BatchSummary = {
    rows: 0,
    skipped: 0,
    scoredAsMissing: 0,
    badValues: [],
    unseen: {},
    hasTarget: false,
  };
  let workers: Worker[] = [];
  const pending = new Map<number, BlockReply>();
  const waiting = new Map<number, (r: BlockReply) => void>();
  let nextSeq = 0;
  let written = 0;
  let failure: Error | null = null;

  const start = (names: string[], delimiter: CsvDelimiter): void => {
    const plan = planColumns(scorer, names, opts); // refuses a missing column here, once
    summary.hasTarget = plan.target >= 0;
    const setup: WorkerSetup = {
      pipelineText,
      names,
      delimiter,
      decimal: opts.decimal ?? '.',
      read: {
        source: opts.source,
        keep: [...(opts.keep ?? [])],
        onError: opts.onError ?? 'fail',
        requireTarget: opts.requireTarget ?? false,
        chunkRows: opts.chunkRows ?? 8192,
      },
      threshold: opts.threshold,
      wantTargets: opts.wantTargets && plan.target >= 0,
    };
    const url = new URL('./batch-worker.js', import.meta.url);
    workers = Array.from({ length: Math.max(1, opts.threads) }, () => {
      const w = new Worker(url, { workerData: setup });
      w.on('message', (r: BlockReply) => {
        const resolve = waiting.get(r.seq);
        if (resolve) {
          waiting.delete(r.seq);
          resolve(r);
        } else pending.set(r.seq, r);
      });
      w.on('error', (e) => {
        failure ??= e;
        for (const [, resolve] of waiting) resolve({ seq: -1, ok: false, error: { name: e.name, message: e.message } });
        waiting.clear();
      });
      return w;
    });
  };

  const replyFor = (seq: number): Promise<BlockReply> => {
    const r = pending.get(seq);
    if (r) {
      pending.delete(seq);
      return Promise.resolve(r);
    }
    if (failure) return Promise.reject(failure);
    return new Promise((resolve) => waiting.set(seq, resolve));
  };

  /** Writes the oldest block's output; its error, when it failed, stops the run. */
  const writeNext = async (): Promise<void> => {
    const r = await replyFor(written);
    written++;
    if (!r.ok) {
      if (r.error.name === 'ScoringError')
        throw new ScoringError((r.error.code as ScoringErrorCode | undefined) ?? 'SCORING', r.error.message);
      throw failure ?? new Error(`a scoring worker failed: ${r.error.message}`);
    }
    opts.check?.();
    summary.rows += r.n;
    summary.skipped += r.skipped;
    summary.scoredAsMissing += r.scoredAsMissing;
    for (const b of r.badValues) if (summary.badValues.length < 10) summary.badValues.push(b);
    for (const [k, v] of Object.entries(r.unseen)) summary.unseen[k] = (summary.unseen[k] ?? 0) + v;
    if (r.pred && r.y) opts.onTargets?.(r.pred, r.y, r.missingTargets, r.unknownTargets);
    await opts.onText(r.csv);
    opts.onProgress?.(summary.rows, bytes);
  };

  const send = async (block: Uint8Array): Promise<void> => {
    // At most two blocks per worker in flight: the oldest is written before another is sent.
    while (nextSeq - written >= 2 * workers.length) await writeNext();
    const copy = new Uint8Array(block.length);
    copy.set(block);
    const req: BlockRequest = { seq: nextSeq, bytes: copy, firstLine: line };
    line += countLines(block);
    workers[nextSeq % workers.length]!.postMessage(req, [copy.buffer]);
    nextSeq++;
  };

  try {
    for await (const part of stream) {
      const chunk = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      if (chunk.length === 0) continue;
      any = true;
      bytes += chunk.length;
      let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      if (names === null) {
        // The header, read here once: the workers get the names.
        const pos = tok.parse(buf, 0, false, (rec) => {
          names = headerNames(rec);
          return true;
        });
        if (names === null) {
          carry = buf;
          continue;
        }
        start(names, tok.delimiter);
        line = tok.line;
        buf = buf.subarray(pos);
      }
      if (buf.length < blockBytes) {
        carry = buf;
        continue;
      }
      const cut = cutAfterLastRecord(buf);
      if (cut > 0) await send(buf.subarray(0, cut));
      carry = buf.subarray(cut);
    }
    if (!any) throw new ScoringError('CSV_EMPTY', `${opts.source} is empty; it needs a header line and rows to score`);
    if (names === null) {
      // A header with no line end and no rows.
      tok.parse(carry, 0, true, (rec) => {
        names = headerNames(rec);
        return true;
      });
      if (names === null)
        throw new ScoringError('CSV_EMPTY', `${opts.source} has no header line; its first line must name the columns`);
      summary.hasTarget = planColumns(scorer, names, opts).target >= 0;
      return summary;
    }
    if (carry.length > 0) await send(carry);
    while (written < nextSeq) await writeNext();
    return summary;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
