/**
 * A worker thread of parallel batch scoring (`parallel.ts`): it loads the pipeline from its text
 * once, then scores blocks of whole CSV records and answers with their output CSV text (and, for
 * the diagnostics, the predictions and target texts). The same tokenizer, chunk builder, scorer
 * and CSV writer as scoring in one thread, so the output is the same to the last bit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadPipeline } from '../artifact/scorer.js';
import { ChunkBuilder, planColumns, unseenSince, type ReadOptions } from './batch.js';
import { chunkCsv } from './batch-csv.js';
import { LabelReader } from './labels.js';
import { CsvTokenizer, type CsvDelimiter, type DecimalMark } from './csv-records.js';

/** What a worker is started with. */
export interface WorkerSetup {
  pipelineText: string;
  /** The header's column names. */
  names: string[];
  delimiter: CsvDelimiter;
  /** The decimal mark of numbers. */
  decimal: DecimalMark;
  read: ReadOptions;
  /** Binary: the positive class from this probability on; null for the most probable class. */
  threshold: number | null;
  /** Send back predictions and target texts (the file has the target and diagnostics are made). */
  wantTargets: boolean;
}

/** A block of whole records and the line its first record starts on. */
export interface BlockRequest {
  seq: number;
  bytes: Uint8Array;
  firstLine: number;
}

export type BlockReply =
  | {
      seq: number;
      ok: true;
      n: number;
      csv: string;
      pred: Float64Array | null;
      /** The targets as class indices or values; NaN where missing or not a class. */
      y: Float64Array | null;
      missingTargets: number;
      unknownTargets: [string, number][];
      skipped: number;
      scoredAsMissing: number;
      badValues: { line: number; field: string; value: string }[];
      unseen: Record<string, number>;
    }
  | { seq: number; ok: false; error: { name: string; code?: string; message: string } };

const setup = workerData as WorkerSetup;
const scorer = loadPipeline(setup.pipelineText);
const plan = planColumns(scorer, setup.names, setup.read);
const width = scorer.outputNames.length;
const decision = setup.threshold === null ? null : { value: setup.threshold };
const builder = new ChunkBuilder(scorer, plan, setup.read);

parentPort!.on('message', (req: BlockRequest) => {
  try {
    const buf = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    const tok = new CsvTokenizer(setup.read.source, setup.delimiter, setup.decimal);
    // The header has been read by the main thread: this block holds data records only.
    tok.headerFields = setup.names.length;
    tok.line = req.firstLine;
    const unseenBefore = { ...scorer.unseen };
    const before = {
      skipped: builder.skipped,
      scoredAsMissing: builder.scoredAsMissing,
      bad: builder.badValues.length,
    };
    let csv = '';
    const preds: Float64Array[] = [];
    const ys: number[] = [];
    const labels = new LabelReader(scorer);
    let n = 0;
    const flush = (): void => {
      const chunk = builder.take();
      if (!chunk) return;
      n += chunk.n;
      csv += chunkCsv(scorer, chunk, decision);
      if (setup.wantTargets) {
        preds.push(chunk.pred);
        for (const t of chunk.target!) ys.push(labels.read(t));
      }
    };
    tok.parse(buf, 0, true, (rec) => {
      if (builder.add(rec) && builder.full) flush();
    });
    flush();
    let pred: Float64Array | null = null;
    if (setup.wantTargets) {
      pred = new Float64Array(n * width);
      let o = 0;
      for (const p of preds) {
        pred.set(p, o);
        o += p.length;
      }
    }
    const reply: BlockReply = {
      seq: req.seq,
      ok: true,
      n,
      csv,
      pred,
      y: setup.wantTargets ? Float64Array.from(ys) : null,
      missingTargets: labels.missing,
      unknownTargets: [...labels.unknown],
      skipped: builder.skipped - before.skipped,
      scoredAsMissing: builder.scoredAsMissing - before.scoredAsMissing,
      badValues: builder.badValues.slice(before.bad),
      unseen: unseenSince(scorer, unseenBefore),
    };
    parentPort!.postMessage(
      reply,
      pred && reply.ok && reply.y ? [pred.buffer as ArrayBuffer, reply.y.buffer as ArrayBuffer] : [],
    );
  } catch (e) {
    builder.n = 0;
    const err = e as Error & { code?: string };
    parentPort!.postMessage({
      seq: req.seq,
      ok: false,
      error: { name: err.name, ...(typeof err.code === 'string' ? { code: err.code } : {}), message: err.message },
    } satisfies BlockReply);
  }
});
