/**
 * `automl score`: a CSV file scored with a pipeline file, streamed. It loads only the pipeline and
 * the standalone scorer (and the metrics, for the diagnostics): no training code.
 *
 *   --data FILE ──► batch scorer (chunks) ──► CSV: kept columns, <target>.<class>…, <target>.predicted
 *                                      └──► diagnostics when the file has the target column
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import type { ScoringErrorCode } from '../artifact/errors.js';
import type { PipelineScorer } from '../artifact/scorer.js';
import { loadPipeline } from '../artifact/scorer.js';
import { classificationReport, type ClassificationReport } from '../metrics/classification-report.js';
import { mccBinary } from '../metrics/mcc.js';
import { regressionReport, type RegressionReport } from '../metrics/regression-report.js';
import { LabelReader } from '../serve/labels.js';
import { scoreCsvStream, type BatchSummary, type OnBadValue } from '../serve/batch.js';
import { scoreCsvParallel } from '../serve/parallel.js';
import {
  decideDecimal,
  decimalNote,
  detectDelimiterBytes,
  type CsvDelimiter,
  type DecimalMark,
} from '../serve/csv-records.js';
import { openText, parseEncoding } from '../serve/decode.js';
import { chunkCsv, csvCell, outputHeader, type Decision } from '../serve/batch-csv.js';
import { AutomlError } from '../util/errors.js';
import { AtomicFileWriter, writeFileAtomic } from '../util/fs.js';
import { errorReport, Interrupts } from './exit.js';
import type { Output } from './output.js';

/** Inputs from this size on are scored on worker threads (smaller ones are done before they start). */
const PARALLEL_FROM_BYTES = 4 << 20;

export interface ScoreArgs {
  pipeline: string;
  data: string;
  keep?: string[];
  out?: string;
  threshold?: string;
  onError: string;
  metrics?: string;
  delimiter?: string;
  encoding?: string;
  decimal?: string;
  progress: boolean;
  threads?: number;
  quiet: boolean;
  json: boolean;
}

/** The threshold option: a probability, or a threshold the pipeline file holds. */
export function decisionFor(scorer: PipelineScorer, threshold: string | undefined): Decision | null {
  if (threshold === undefined) return null;
  const file = scorer.file;
  if (file.task !== 'binary') {
    throw new AutomlError(
      'BAD_OPTION',
      `--threshold applies to binary targets; ${file.target} is ${file.task === 'regression' ? 'a regression target' : 'a multiclass target (the predicted class is the most probable one)'}`,
    );
  }
  if (threshold === 'best-f1' || threshold === 'best-mcc') {
    const t = scorer.thresholds;
    if (!t)
      throw new AutomlError(
        'BAD_OPTION',
        `--threshold ${threshold}: ${'the pipeline file'} holds no out-of-fold thresholds (it was not written by automl run, or by an older version); give a probability such as 0.5, or run the experiment again`,
      );
    const value = threshold === 'best-f1' ? t.f1 : t.mcc;
    return { value, label: `${threshold} (${value}, chosen out of fold)` };
  }
  const value = Number(threshold);
  if (!(threshold.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= 1)) {
    throw new AutomlError(
      'BAD_OPTION',
      `--threshold must be a probability from 0 to 1, best-f1 or best-mcc; got '${threshold}'`,
    );
  }
  return { value, label: String(value) };
}

/** Labels and predictions of the rows that have a label, for the diagnostics. */
class Diagnostics {
  private y: Float64Array = new Float64Array(1024);
  private p: Float64Array;
  private count = 0;
  readonly labels: LabelReader;

  constructor(private readonly scorer: PipelineScorer) {
    this.p = new Float64Array(1024 * scorer.outputNames.length);
    this.labels = new LabelReader(scorer);
  }

  /** Rows with their target texts (read here). */
  addTexts(n: number, pred: Float64Array, targets: readonly string[]): void {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = this.labels.read(targets[i]!);
    this.add(n, pred, y);
  }

  /** Rows with their targets as class indices or values (NaN: left out). */
  add(n: number, pred: Float64Array, y: Float64Array): void {
    const width = this.scorer.outputNames.length;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(y[i]!)) continue;
      if (this.count === this.y.length) {
        const ys = new Float64Array(this.y.length * 2);
        ys.set(this.y);
        this.y = ys;
        const ps = new Float64Array(this.p.length * 2);
        ps.set(this.p);
        this.p = ps;
      }
      for (let k = 0; k < width; k++) this.p[this.count * width + k] = pred[i * width + k]!;
      this.y[this.count] = y[i]!;
      this.count++;
    }
  }

  get rows(): number {
    return this.count;
  }

  report(decision: Decision | null): DiagnosticsReport | null {
    if (this.count === 0) return null;
    const width = this.scorer.outputNames.length;
    const y = this.y.subarray(0, this.count);
    const p = this.p.subarray(0, this.count * width);
    if (!this.scorer.classes) return { kind: 'regression', rows: this.count, ...regressionReport(y, p) };
    const report = classificationReport(y, p, this.scorer.classes);
    let atThreshold: ThresholdMetrics | undefined;
    if (decision) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let tn = 0;
      for (let i = 0; i < this.count; i++) {
        const positive = p[i * 2 + 1]! >= decision.value;
        if (y[i] === 1) {
          if (positive) tp++;
          else fn++;
        } else if (positive) fp++;
        else tn++;
      }
      const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
      const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
      atThreshold = {
        threshold: decision.value,
        precision,
        recall,
        f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
        mcc: mccBinary(tn, fp, fn, tp),
        accuracy: (tp + tn) / this.count,
        confusion: [
          [tn, fp],
          [fn, tp],
        ],
      };
    }
    return { kind: 'classification', rows: this.count, ...report, ...(atThreshold ? { atThreshold } : {}) };
  }
}

interface ThresholdMetrics {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  mcc: number;
  accuracy: number;
  confusion: number[][];
}

type DiagnosticsReport =
  | ({ kind: 'classification'; rows: number; atThreshold?: ThresholdMetrics } & ClassificationReport)
  | ({ kind: 'regression'; rows: number } & RegressionReport);

/** A metric's value, four decimals (or the exponent form for a tiny one). */
function num(v: number | null): string {
  if (v === null) return 'n/a';
  return Math.abs(v) >= 1e-4 || v === 0 ? v.toFixed(4) : v.toExponential(2);
}

/** The diagnostics in lines of at most 80 columns. */
export function diagnosticsLines(d: DiagnosticsReport, target: string): string[] {
  const lines = [`diagnostics on ${d.rows} row${d.rows === 1 ? '' : 's'} with a known ${target}:`];
  if (d.kind === 'regression') {
    lines.push(`  RMSE ${num(d.rmse)}   MAE ${num(d.mae)}   R² ${num(d.r2)}`);
    return lines;
  }
  lines.push(`  logloss ${num(d.logloss)}   accuracy ${num(d.accuracy)}   MCC ${num(d.mcc)}   AUC ${num(d.auc)}`);
  const labelWidth = Math.min(20, Math.max(5, ...d.perClass.map((c) => c.label.length)));
  lines.push(`  ${'class'.padEnd(labelWidth)}  precision  recall     F1   support`);
  for (const c of d.perClass) {
    const label = c.label.length > labelWidth ? `${c.label.slice(0, labelWidth - 1)}…` : c.label;
    lines.push(
      `  ${label.padEnd(labelWidth)}  ${num(c.precision).padStart(9)}  ${num(c.recall).padStart(6)}  ${num(c.f1).padStart(6)}  ${String(c.support).padStart(8)}`,
    );
  }
  const K = d.perClass.length;
  const cell = Math.max(
    6,
    ...d.confusion.flat().map((v) => String(v).length + 1),
    ...d.perClass.map((c) => Math.min(8, c.label.length) + 1),
  );
  if (2 + labelWidth + K * cell <= 80) {
    lines.push('  confusion (rows: actual, columns: predicted)');
    lines.push(
      `  ${''.padEnd(labelWidth)}${d.perClass.map((c) => c.label.slice(0, cell - 1).padStart(cell)).join('')}`,
    );
    d.confusion.forEach((r, k) =>
      lines.push(
        `  ${d.perClass[k]!.label.slice(0, labelWidth).padEnd(labelWidth)}${r.map((v) => String(v).padStart(cell)).join('')}`,
      ),
    );
  } else {
    const cells = d.confusion
      .flatMap((r, a) => r.map((v, p) => ({ a, p, v })))
      .filter((c) => c.a !== c.p && c.v > 0)
      .sort((x, y) => y.v - x.v)
      .slice(0, 5);
    lines.push(
      `  largest confusions: ${cells.map((c) => `${d.perClass[c.a]!.label}→${d.perClass[c.p]!.label} ${c.v}`).join(', ') || 'none'}`,
    );
  }
  if (d.atThreshold) {
    const t = d.atThreshold;
    lines.push(
      `  at threshold ${num(t.threshold)}: precision ${num(t.precision)}  recall ${num(t.recall)}  F1 ${num(t.f1)}  MCC ${num(t.mcc)}`,
    );
  }
  return lines;
}

export async function scoreCommand(args: ScoreArgs, out: Output): Promise<void> {
  const onError = args.onError as OnBadValue;
  if (args.json && !args.out)
    throw new AutomlError('BAD_OPTION', '--json needs --out: without it the scores go to standard output');
  const fromStdin = args.data === '-';
  let size = 0;
  if (!fromStdin) {
    try {
      const st = statSync(args.data);
      if (st.isDirectory()) throw new AutomlError('BAD_OPTION', `--data ${args.data} is a folder; name a CSV file`);
      size = st.size;
    } catch (e) {
      if (e instanceof AutomlError) throw e;
      throw new AutomlError(
        'NO_FILE',
        `${args.data}: no such file; name the CSV file to score with --data (or - for standard input)`,
      );
    }
  }
  const threads = args.threads ?? Math.min(4, availableParallelism());
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new AutomlError('BAD_OPTION', `--threads must be a whole number >= 1; got ${args.threads}`);
  const delimiter = args.delimiter ? ((args.delimiter === 'tab' ? '\t' : args.delimiter) as CsvDelimiter) : undefined;
  const encoding = parseEncoding(args.encoding);
  const scorer = loadPipeline(args.pipeline);
  const decision = decisionFor(scorer, args.threshold);
  const keep = args.keep ?? [];
  const seen = new Set<string>();
  for (const k of keep) {
    if (seen.has(k)) throw new AutomlError('BAD_OPTION', `--keep names '${k}' twice`);
    seen.add(k);
  }
  if (args.metrics)
    await stat(args.metrics).then(
      (s) => {
        if (s.isDirectory())
          throw new AutomlError('BAD_OPTION', `--metrics ${args.metrics} is a folder; name a JSON file`);
      },
      () => undefined,
    );

  // Messages go to stderr when the scores go to stdout.
  const toStdout = !args.out;
  const say = (line: string): void => {
    if (args.quiet || args.json) return;
    (toStdout ? process.stderr : process.stdout).write(`${line}\n`);
  };
  // Ctrl-C or SIGTERM (README, "Exit codes"): stop at once, even while waiting for input that
  // does not come (standard input held open by the process feeding it), leave no --out file or
  // its temporary file, and exit 130 / 143 (by the first signal). The scoring races the first
  // signal: it is not waited for once one has come. A second signal while the output is being
  // removed removes it at once and exits.
  let writer = null as AtomicFileWriter | null;
  let scored = 0;
  let stop: (e: Error) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  stopped.catch(() => undefined);
  const interrupts = new Interrupts((signal, count) => {
    if (count > 1) {
      // Exiting removes the output's temporary file (see tempPathFor).
      process.stderr.write(`automl: ${signal} again: stopping now${args.out ? `; ${args.out} was not written` : ''}\n`);
      process.exit(interrupts.exitCode);
    }
    if (fromStdin) process.stdin.destroy();
    stop(
      new AutomlError(
        'INTERRUPTED',
        `interrupted (${signal}) after ${scored} rows; ${args.out ? `${args.out} was not written` : 'the output is incomplete'}`,
      ),
    );
  }).install();

  const source = fromStdin ? 'standard input' : args.data;
  const diagnostics = new Diagnostics(scorer);
  const interactive = args.progress && Boolean(process.stderr.isTTY) && !args.quiet && !args.json;
  const t0 = performance.now();
  let bytes = 0;
  let lastDraw = 0;
  const draw = (final = false): void => {
    const now = performance.now();
    if (!interactive || (!final && now - lastDraw < 200)) return;
    lastDraw = now;
    const secs = (now - t0) / 1000;
    const rate = secs > 0 ? Math.round(scored / secs) : 0;
    const share =
      size > 0
        ? ` ${Math.min(100, Math.floor((100 * bytes) / size))
            .toString()
            .padStart(3)}%`
        : '';
    const width = Math.max(10, Math.min(30, (process.stderr.columns || 80) - 50));
    const filled = size > 0 ? Math.round((width * Math.min(bytes, size)) / size) : 0;
    const bar = size > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '';
    process.stderr.write(
      `\r\u001b[2K${bar}${share} ${scored.toLocaleString('en-US')} rows, ${rate.toLocaleString('en-US')} rows/s`,
    );
    if (final) process.stderr.write('\n');
  };

  const put = async (text: string): Promise<void> => {
    if (writer) return writer.write(text);
    if (!process.stdout.write(text))
      await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
  };
  // The header goes out with the first rows (or at the end of a file without rows): a file that
  // cannot be read prints nothing on standard output.
  let headerWritten = false;
  const write = async (text: string): Promise<void> => {
    if (!headerWritten) {
      headerWritten = true;
      await put(`${outputHeader(scorer, keep).map(csvCell).join(',')}\n`);
    }
    if (text) await put(text);
  };
  const opening = args.out ? AtomicFileWriter.open(args.out, '--out') : Promise.resolve(null);

  const scoreAll = async (): Promise<BatchSummary> => {
    writer = await opening;
    // The text as UTF-8, however the file is stored (README: Input files); progress counts the
    // file's own bytes, compressed or not.
    let rawBytes = 0;
    const input = await openText(fromStdin ? { stream: process.stdin, name: source } : args.data, {
      encoding,
      onRawBytes: (chunk) => {
        rawBytes += chunk.length;
      },
    });
    const progressBytes = (b: number): number => (input.compression ? rawBytes : b);
    const stream = input.chunks();
    const head = input.head.toString('utf8');
    const { decimal, how } = decideDecimal(
      head,
      delimiter ?? detectDelimiterBytes(input.head),
      args.decimal as DecimalMark | undefined,
    );
    const note = decimalNote(how);
    if (note) say(note);
    const read = {
      source: input.name,
      keep,
      onError,
      requireTarget: args.metrics !== undefined,
      decimal,
      ...(delimiter ? { delimiter } : {}),
    };
    // After an interrupt, the scoring still under way stops at its next chunk.
    const stopIfInterrupted = (): void => {
      if (interrupts.signal) throw new AutomlError('INTERRUPTED', `interrupted (${interrupts.signal})`);
    };
    let summary: BatchSummary;
    // Large inputs are scored on worker threads; the output is the same on any number of threads.
    if (threads > 1 && (fromStdin || size >= PARALLEL_FROM_BYTES)) {
      summary = await scoreCsvParallel(scorer, JSON.stringify(scorer.file), stream, {
        ...read,
        threads,
        threshold: decision?.value ?? null,
        wantTargets: true,
        check: stopIfInterrupted,
        onTargets: (pred, y, missing, unknown) => {
          diagnostics.labels.merge(missing, unknown);
          diagnostics.add(y.length, pred, y);
        },
        onText: write,
        onProgress: (rows, b) => {
          scored = rows;
          bytes = progressBytes(b);
          draw();
        },
      });
    } else {
      summary = await scoreCsvStream(scorer, stream, {
        ...read,
        onBytes: (b) => {
          bytes = progressBytes(b);
        },
        onRows: async (chunk) => {
          stopIfInterrupted();
          if (chunk.target) diagnostics.addTexts(chunk.n, chunk.pred, chunk.target);
          await write(chunkCsv(scorer, chunk, decision));
          scored += chunk.n;
          draw();
        },
      });
    }
    stopIfInterrupted();
    await write('');
    if (writer) await writer.commit();
    return summary;
  };

  let summary: BatchSummary;
  const work = scoreAll();
  // Not waited for after an interrupt: its own failure then is of no interest.
  work.catch(() => undefined);
  try {
    summary = await Promise.race([work, stopped]);
  } catch (e) {
    if (interactive) process.stderr.write('\n');
    if (interrupts.signal) {
      // Whatever failed after the interrupt (the input destroyed under the reader) was the
      // interrupt's doing: the message is the interrupt's, the exit code its signal's.
      const interrupted = await stopped.catch((x: unknown) => x);
      const w = writer ?? (await opening.catch(() => null));
      await w?.abort();
      const report = errorReport(interrupted, {
        colour: Boolean(process.stderr.isTTY) && !process.env['NO_COLOR'],
        signal: interrupts.signal,
      });
      process.stderr.write(report.text);
      process.exit(report.code);
    }
    interrupts.uninstall();
    if (writer) await writer.abort();
    if (e instanceof Error && e.name === 'ScoringError')
      throw new AutomlError((e as { code?: ScoringErrorCode }).code ?? 'SCORING', e.message);
    throw e;
  }
  interrupts.uninstall();
  draw(true);
  const seconds = (performance.now() - t0) / 1000;
  say(
    `scored ${summary.rows.toLocaleString('en-US')} row${summary.rows === 1 ? '' : 's'} of ${source} in ${seconds.toFixed(1)} s (${Math.round(summary.rows / Math.max(seconds, 1e-9)).toLocaleString('en-US')} rows/s)${args.out ? ` → ${args.out}` : ''}`,
  );
  if (decision) say(`predicted class: ${scorer.classes![1]} from p ≥ ${decision.label}`);
  if (summary.skipped > 0)
    say(
      `skipped ${summary.skipped} row${summary.skipped === 1 ? '' : 's'} with a value that is not a number (--on-error skip): ${badList(summary)}`,
    );
  if (summary.scoredAsMissing > 0)
    say(
      `scored ${summary.scoredAsMissing} row${summary.scoredAsMissing === 1 ? '' : 's'} with a value that is not a number as missing (--on-error missing): ${badList(summary)}`,
    );
  for (const [field, count] of Object.entries(summary.unseen))
    say(`'${field}': ${count} row${count === 1 ? '' : 's'} with a level never seen in training, scored as missing`);
  const report = summary.hasTarget ? diagnostics.report(decision) : null;
  if (summary.hasTarget) {
    if (diagnostics.labels.missing > 0)
      say(
        `${diagnostics.labels.missing} row${diagnostics.labels.missing === 1 ? '' : 's'} without a ${scorer.file.target} (left out of the diagnostics)`,
      );
    for (const [label, count] of diagnostics.labels.unknown)
      say(
        `${count} row${count === 1 ? '' : 's'} with ${scorer.file.target} '${label}', not a class of the pipeline (left out of the diagnostics)`,
      );
    if (report) for (const line of diagnosticsLines(report, scorer.file.target)) say(line);
  }
  const result = {
    pipeline: args.pipeline,
    pipelineId: scorer.file.pipelineId,
    data: source,
    out: args.out ?? null,
    rows: summary.rows,
    skipped: summary.skipped,
    scoredAsMissing: summary.scoredAsMissing,
    badValues: summary.badValues,
    unseenLevels: summary.unseen,
    threshold: decision?.value ?? null,
    seconds,
    diagnostics: report,
  };
  if (args.metrics) {
    if (!report)
      throw new AutomlError(
        'NO_DIAGNOSTICS',
        `no row of ${source} has a known ${scorer.file.target}, so there are no diagnostics; ${args.metrics} was not written (the scores were)`,
      );
    await writeFileAtomic(args.metrics, `${JSON.stringify(result, null, 2)}\n`, '--metrics');
  }
  out.result(result);
}

function badList(s: BatchSummary): string {
  return s.badValues
    .slice(0, 3)
    .map((b) => `line ${b.line} ${b.field}=${JSON.stringify(b.value)}`)
    .join(', ');
}
