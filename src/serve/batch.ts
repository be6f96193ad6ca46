/**
 * Batch scoring of a CSV stream with a loaded pipeline: `automl score` and the REST server's file
 * scoring. Rows are read in chunks (only the columns the pipeline, the kept columns and the target
 * need), scored a chunk at a time through the scorer's columnar path, and handed to the caller;
 * memory holds one chunk, however long the file. `parallel.ts` runs the same chunks on worker
 * threads.
 *
 *   CSV bytes ──► records (byte offsets) ──► columns of a chunk ──► scorer ──► onRows(chunk)
 *
 * Columns are matched by name; extra columns are ignored; a column the pipeline needs and the file
 * lacks is an error naming it. A value that is not a number in a numeric field is an error naming
 * the line and field, or with `onError` 'skip' the row is left out and with 'missing' it is scored
 * with that value missing; either way it is counted.
 */
import { ScoringError } from '../artifact/errors.js';
import { cellNumber, cellString, type PipelineScorer } from '../artifact/scorer.js';
import { readCsvRecords, type CsvDelimiter, type CsvRecord, type DecimalMark } from './csv-records.js';

export type OnBadValue = 'fail' | 'skip' | 'missing';

/** How rows are read: what to keep, what to do with a value that is not a number. */
export interface ReadOptions {
  /** The file's name in messages. */
  source: string;
  /** Columns copied to the output as they are written (text). */
  keep?: readonly string[];
  onError?: OnBadValue;
  /** Refuse a file without the pipeline's target column (the diagnostics need it). */
  requireTarget?: boolean;
  /** Rows per scored chunk (default 8192). */
  chunkRows?: number;
}

export interface BatchOptions extends ReadOptions {
  delimiter?: CsvDelimiter;
  /** The decimal mark of numbers (default the point). */
  decimal?: DecimalMark;
  /** Each scored chunk, in file order; a promise pauses reading until it settles. */
  onRows: (chunk: ScoredChunk) => void | Promise<void>;
  /** Bytes read so far, after each block of the file. */
  onBytes?: (bytes: number) => void;
}

/** One chunk of scored rows. */
export interface ScoredChunk {
  n: number;
  /** Row-major n × outputs: class probabilities in class order, or the predicted value. */
  pred: Float64Array;
  /** Per kept column (in `keep` order), the n values as text. */
  kept: string[][];
  /** The target column's text per row when the file has it, else null. */
  target: string[] | null;
  /** Each row's line in the file. */
  lines: Int32Array;
}

/** Rows that held a value that is not a number. */
export interface BadValueCounts {
  /** Rows left out (onError 'skip'). */
  skipped: number;
  /** Rows scored with a bad value taken as missing (onError 'missing'). */
  scoredAsMissing: number;
  /** The first few bad values: where and what. */
  badValues: { line: number; field: string; value: string }[];
}

/** What a whole stream came to. */
export interface BatchSummary extends BadValueCounts {
  rows: number;
  /** Per categorical input field: values never seen in training (scored as missing). */
  unseen: Record<string, number>;
  /** Whether the file has the pipeline's target column. */
  hasTarget: boolean;
}

/** Where, in a file's records, each column the scoring needs is. */
export interface ColumnPlan {
  numeric: { name: string; index: number }[];
  categorical: { name: string; index: number; levels: string[] }[];
  /** Text input fields (read by date and text steps): the value as written. */
  text: { name: string; index: number }[];
  keep: number[];
  /** The target column's index, or -1. */
  target: number;
}

/** Matches the header's names to the pipeline's fields, the kept columns and the target. */
export function planColumns(scorer: PipelineScorer, names: readonly string[], opts: ReadOptions): ColumnPlan {
  const where = new Map<string, number>();
  names.forEach((name, j) => {
    if (!where.has(name)) where.set(name, j);
  });
  const missing = scorer.fields.filter((f) => !where.has(f.name)).map((f) => f.name);
  if (missing.length > 0) {
    throw new ScoringError(
      'CSV_MISSING_COLUMN',
      `${opts.source} lacks ${missing.length === 1 ? 'a column' : `${missing.length} columns`} the pipeline needs: ${missing.join(', ')} (extra columns are ignored; a missing value is an empty field)`,
    );
  }
  const indexOf = (name: string, what: string): number => {
    const j = where.get(name);
    if (j === undefined)
      throw new ScoringError(
        'CSV_MISSING_COLUMN',
        `${opts.source} has no column '${name}'${what}; its columns are ${names.join(', ')}`,
      );
    if (names.indexOf(name, j + 1) >= 0)
      throw new ScoringError(
        'CSV_DUPLICATE_COLUMN',
        `${opts.source}: the header names '${name}' twice; name each column once`,
      );
    return j;
  };
  const target = scorer.file.target;
  if (opts.requireTarget && !where.has(target)) {
    throw new ScoringError(
      'CSV_MISSING_COLUMN',
      `${opts.source} has no column '${target}', the target, which the diagnostics (--metrics) need; its columns are ${names.join(', ')}`,
    );
  }
  const plan: ColumnPlan = {
    numeric: [],
    categorical: [],
    text: [],
    keep: [],
    target: where.has(target) ? indexOf(target, '') : -1,
  };
  for (const f of scorer.fields) {
    const index = indexOf(f.name, '');
    if (f.type === 'numeric') plan.numeric.push({ name: f.name, index });
    else if (f.type === 'text') plan.text.push({ name: f.name, index });
    else plan.categorical.push({ name: f.name, index, levels: f.levels });
  }
  plan.keep = (opts.keep ?? []).map((k) => indexOf(k, ' to keep (--keep)'));
  return plan;
}

/**
 * Collects records into the columns of one chunk and scores them. `add` reads a record (false
 * when it was skipped); `full` says when to `take` the scored chunk.
 */
export class ChunkBuilder implements BadValueCounts {
  skipped = 0;
  scoredAsMissing = 0;
  badValues: { line: number; field: string; value: string }[] = [];
  n = 0;
  private readonly size: number;
  private readonly onError: OnBadValue;
  private readonly numeric: { name: string; index: number; col: Float64Array }[];
  private readonly categorical: { name: string; index: number; col: Int32Array; codes: Map<string, number> }[];
  private texts: (string | null)[][];
  private kept: string[][];
  private targets: string[] | null;
  private lines: Int32Array;

  constructor(
    private readonly scorer: PipelineScorer,
    private readonly plan: ColumnPlan,
    private readonly opts: ReadOptions,
  ) {
    this.size = opts.chunkRows ?? 8192;
    this.onError = opts.onError ?? 'fail';
    this.numeric = plan.numeric.map((c) => ({ ...c, col: new Float64Array(this.size) }));
    this.categorical = plan.categorical.map((c) => ({
      name: c.name,
      index: c.index,
      col: new Int32Array(this.size),
      codes: new Map(c.levels.map((l, k) => [l, k])),
    }));
    this.texts = plan.text.map(() => []);
    this.kept = plan.keep.map(() => []);
    this.targets = plan.target >= 0 ? [] : null;
    this.lines = new Int32Array(this.size);
  }

  /** Whether the file has the pipeline's target column. */
  get hasTarget(): boolean {
    return this.plan.target >= 0;
  }

  get full(): boolean {
    return this.n === this.size;
  }

  /** Reads one record into the chunk; false when it was left out (a bad value, onError 'skip'). */
  add(rec: CsvRecord): boolean {
    const n = this.n;
    let asMissing = false;
    for (let s = 0; s < this.numeric.length; s++) {
      const slot = this.numeric[s]!;
      let v = rec.number(slot.index);
      if (v === undefined || !Number.isFinite(v)) {
        // Not plain digits: missing, or any other text the scorer reads as a number (so a value
        // scores the same here as sent to the library or the REST server), or a bad value.
        const x = v === undefined ? cellNumber(rec.text(slot.index)) : null;
        if (x !== null) v = x;
        else {
          this.bad(rec, slot.name, slot.index);
          if (this.onError === 'skip') {
            this.skipped++;
            return false;
          }
          asMissing = true;
          v = NaN;
        }
      }
      slot.col[n] = v;
    }
    if (asMissing) this.scoredAsMissing++;
    for (let s = 0; s < this.categorical.length; s++) {
      const slot = this.categorical[s]!;
      const text = rec.text(slot.index);
      const code = slot.codes.get(text);
      slot.col[n] = code !== undefined ? code : this.scorer.levelCode(slot.name, text);
    }
    const text = this.plan.text;
    for (let k = 0; k < text.length; k++) this.texts[k]!.push(cellString(rec.text(text[k]!.index)) ?? null);
    const keep = this.plan.keep;
    for (let k = 0; k < keep.length; k++) this.kept[k]!.push(rec.text(keep[k]!));
    if (this.targets) this.targets.push(rec.text(this.plan.target));
    this.lines[n] = rec.line;
    this.n = n + 1;
    return true;
  }

  /** Scores the rows collected so far and starts a new chunk; null when there are none. */
  take(): ScoredChunk | null {
    const n = this.n;
    if (n === 0) return null;
    const numeric: Record<string, Float64Array> = {};
    const categorical: Record<string, Int32Array> = {};
    for (const s of this.numeric) numeric[s.name] = n === this.size ? s.col : s.col.subarray(0, n);
    for (const s of this.categorical) categorical[s.name] = n === this.size ? s.col : s.col.subarray(0, n);
    const text: Record<string, (string | null)[]> = {};
    this.plan.text.forEach((s, k) => (text[s.name] = this.texts[k]!));
    const pred = this.scorer.scoreColumns({ nRows: n, numeric, categorical, text });
    const chunk: ScoredChunk = { n, pred, kept: this.kept, target: this.targets, lines: this.lines.subarray(0, n) };
    // The next chunk gets fresh arrays: the caller may keep this one's.
    this.n = 0;
    this.texts = this.plan.text.map(() => []);
    this.kept = this.plan.keep.map(() => []);
    this.targets = this.plan.target >= 0 ? [] : null;
    this.lines = new Int32Array(this.size);
    return chunk;
  }

  private bad(rec: CsvRecord, field: string, j: number): void {
    const value = rec.text(j);
    if (this.onError === 'fail') {
      throw new ScoringError(
        'CSV_NOT_A_NUMBER',
        `${this.opts.source}:${rec.line}: field '${field}' holds ${JSON.stringify(value)}, which is not a number; fix the value, or score with --on-error skip (leave such rows out) or --on-error missing (score them with the value missing)`,
      );
    }
    if (this.badValues.length < 10) this.badValues.push({ line: rec.line, field, value });
  }
}

/** The header record's names. */
export function headerNames(rec: CsvRecord): string[] {
  const names: string[] = [];
  for (let j = 0; j < rec.nFields; j++) names.push(rec.text(j));
  return names;
}

/** Scores every record of a CSV stream in this thread; see the module comment. */
export async function scoreCsvStream(
  scorer: PipelineScorer,
  stream: AsyncIterable<Buffer | string>,
  opts: BatchOptions,
): Promise<BatchSummary> {
  const unseenBefore = { ...scorer.unseen };
  let builder: ChunkBuilder | undefined;
  let rows = 0;
  const flush = (): void | Promise<void> => {
    const chunk = builder!.take();
    if (!chunk) return;
    rows += chunk.n;
    return opts.onRows(chunk);
  };
  await readCsvRecords(stream, {
    source: opts.source,
    ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
    ...(opts.decimal ? { decimal: opts.decimal } : {}),
    ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
    onHeader: (rec) => {
      builder = new ChunkBuilder(scorer, planColumns(scorer, headerNames(rec), opts), opts);
    },
    onRecord: (rec) => {
      if (builder!.add(rec) && builder!.full) return flush();
    },
  });
  await flush();
  return {
    rows,
    skipped: builder!.skipped,
    scoredAsMissing: builder!.scoredAsMissing,
    badValues: builder!.badValues,
    unseen: unseenSince(scorer, unseenBefore),
    hasTarget: builder!.hasTarget,
  };
}

/** The unseen-level counts the scorer added since `before`. */
export function unseenSince(scorer: PipelineScorer, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, count] of Object.entries(scorer.unseen)) {
    const added = count - (before[name] ?? 0);
    if (added > 0) out[name] = added;
  }
  return out;
}
