/**
 * The standalone scorer of pipeline files: the package's own entry point `automl/scorer`. It
 * imports nothing from training code and no third-party package (a test reads its import graph),
 * so an application can depend on the scorer alone.
 *
 *   pipeline.json ──load (checksum, version)──► input fields ──► feature pipeline ──► model
 *                                                  (rows or columns)     (FeatureScorer)     (tree, linear, MLP,
 *                                                                                              or an ensemble)
 *
 * @example
 * import { loadPipeline } from 'automl/scorer';
 * const scorer = loadPipeline('pipelines/cool_cond_y.pipeline.json');
 * scorer.score({ psa_bar: 155.5, psb_bar: '104.9', … }); // [p(3), p(20), p(100)]
 */
import { parseDecimal } from './decimal.js';
import { ScoringError } from './errors.js';
import { FeatureScorer, type ColumnarInput } from './feature-scorer.js';
import type { FeaturePipelineNode, InputField } from './format/features.js';
import type { Calibration, DecisionThresholds, EnsembleMember, ModelNode, PipelineFile } from './format/pipeline.js';
import { calibrateInPlace, checkCalibration } from './calibration.js';
import { LinearScorer } from './linear-scorer.js';
import { checkPipelineObject, parsePipeline, readPipelineFile } from './load.js';
import { MlpScorer } from './mlp-scorer.js';
import { predictionWidth } from './tasks.js';
import { TreeScorer } from './tree-scorer.js';

export { ScoringError } from './errors.js';
export type { ColumnarInput } from './feature-scorer.js';
export type { DecisionThresholds, PipelineFile } from './format/pipeline.js';

/** Values read as missing in a row, compared case-insensitively after trimming spaces. */
export const MISSING_TEXTS: readonly string[] = ['', 'na', 'nan', 'null', '?'];
const MISSING = new Set(MISSING_TEXTS);
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** Whether a text is one of the missing-value tokens (empty, NA, NaN, null, ?; any case, spaces trimmed). */
export function isMissingText(text: string): boolean {
  return MISSING.has(text.trim().toLowerCase());
}

/**
 * A numeric field's value as the scorer reads it: a finite number, or a decimal text (`1.5`,
 * `-2e-3`, spaces around allowed) read exactly as JavaScript's `Number` reads it; NaN for a
 * missing value (null, undefined, NaN, or a missing-value text); null when it is not a number.
 */
export function cellNumber(v: unknown): number | null {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return Number.isNaN(v) ? NaN : Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    // Plain digits are read without a string-to-number conversion; text with spaces around it,
    // by the regular expression and Number().
    const x = parseDecimal(v) ?? (DECIMAL.test(v) ? Number(v) : undefined);
    if (x !== undefined) return Number.isFinite(x) ? x : null;
    if (isMissingText(v)) return NaN;
  }
  return null;
}

/**
 * A text field's value as the scorer reads it: the string (a number or a boolean as its JSON
 * text); null for a missing value (null, undefined, or a missing-value text); undefined when it is
 * not a value (an object or an array).
 */
export function cellString(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
  const text = String(v);
  return isMissingText(text) ? null : text;
}

/** A model node's scorer: predictions from the feature matrix (columns). */
export interface ModelScorer {
  readonly nPredictions: number;
  predict(columns: readonly Float64Array[], nRows: number): Float64Array;
  /**
   * One row's predictions from its feature values, the same doubles as `predict` gives the row
   * (optional: the single-row path uses it where a model has it; the array may be reused).
   */
  predictRow?(x: Float64Array): Float64Array;
}

/** The scorer of one model node (tree ensemble, linear or MLP). */
export function modelScorer(node: ModelNode): ModelScorer {
  switch (node.kind) {
    case 'tree_ensemble':
      return new TreeScorer(node);
    case 'linear':
      return new LinearScorer(node);
    case 'mlp':
      return new MlpScorer(node);
    default:
      throw new ScoringError(
        'PIPELINE_FORMAT',
        `unknown model kind ${JSON.stringify((node as { kind?: unknown }).kind)}`,
      );
  }
}

/** A model with its feature steps and its weight in the pipeline's average. */
export interface ScoringMember {
  weight: number;
  features: FeatureScorer;
  model: ModelScorer;
  /** Applied to the model's probabilities before the average. */
  calibration?: Calibration;
  /**
   * Per categorical field whose levels the member lists differently from the pipeline: the
   * member's code of each of the pipeline's levels (−1 where the member never saw it).
   */
  recode?: ReadonlyMap<string, Int32Array>;
}

/** The input as a member reads it: categorical codes re-coded into its own levels. */
function memberInput(m: ScoringMember, input: ColumnarInput): ColumnarInput {
  if (!m.recode) return input;
  const categorical: Record<string, Int32Array> = { ...input.categorical };
  for (const [name, table] of m.recode) {
    const codes = input.categorical[name];
    if (!codes) continue; // the feature scorer names the missing field
    const out = new Int32Array(input.nRows);
    for (let i = 0; i < out.length; i++) {
      const c = codes[i]!;
      out[i] = c >= 0 && c < table.length ? table[c]! : -1;
    }
    categorical[name] = out;
  }
  return { ...input, categorical };
}

/**
 * The weighted average of the members' predictions, each calibrated first when it says so (one
 * member: its predictions as they are), row-major n × width, in member order: what a pipeline
 * file's model scores.
 */
export function scoreMembers(members: readonly ScoringMember[], input: ColumnarInput, width: number): Float64Array {
  const n = input.nRows;
  const memberPredictions = (m: ScoringMember): Float64Array => {
    const p = m.model.predict(m.features.apply(memberInput(m, input), false), n);
    if (m.calibration) calibrateInPlace(p, n, width, m.calibration);
    return p;
  };
  if (members.length === 1) return memberPredictions(members[0]!);
  const out = new Float64Array(n * width);
  for (const m of members) {
    const p = memberPredictions(m);
    for (let j = 0; j < out.length; j++) out[j]! += m.weight * p[j]!;
  }
  return out;
}

/**
 * The scoring members of a pipeline's model (one model, or an ensemble's members) over the
 * pipeline's input fields: each member's feature steps (its own, or the pipeline's), model,
 * calibration, and the re-coding of categorical fields whose levels it lists differently. A
 * member that reads a field the pipeline does not list, or reads it as another type, is refused.
 *
 * @example
 * const members = scoringMembers(file.inputs, file.features, file.model, 3);
 * scoreMembers(members, input, 3);
 */
export function scoringMembers(
  inputs: readonly InputField[],
  features: FeaturePipelineNode,
  model: ModelNode | { kind: 'ensemble'; members: readonly EnsembleMember[] },
  width: number,
): ScoringMember[] {
  const featureScorers = new Map<FeaturePipelineNode, FeatureScorer>();
  const featuresOf = (node: FeaturePipelineNode): FeatureScorer => {
    let s = featureScorers.get(node);
    if (!s) featureScorers.set(node, (s = new FeatureScorer(node)));
    return s;
  };
  const fields = new Map(inputs.map((f) => [f.name, f]));
  const list: readonly EnsembleMember[] = model.kind === 'ensemble' ? model.members : [{ weight: 1, model }];
  return list.map((m, i) => {
    const where = model.kind === 'ensemble' ? `model.members[${i}]` : 'model';
    const own = m.features ?? features;
    let recode: Map<string, Int32Array> | undefined;
    for (const f of own.inputs) {
      const p = fields.get(f.name);
      if (!p || p.type !== f.type) {
        throw new ScoringError(
          'PIPELINE_FORMAT',
          `${where}: its features read ${f.type} field '${f.name}', which the pipeline's inputs ${p ? `list as ${p.type}` : 'do not list'}`,
        );
      }
      if (
        f.type === 'categorical' &&
        p.type === 'categorical' &&
        (f.levels.length !== p.levels.length || f.levels.some((l, k) => l !== p.levels[k]))
      ) {
        const index = new Map(f.levels.map((l, k) => [l, k]));
        (recode ??= new Map()).set(
          f.name,
          Int32Array.from(p.levels, (l) => index.get(l) ?? -1),
        );
      }
    }
    if (m.calibration) {
      if (width < 2)
        throw new ScoringError(
          'PIPELINE_FORMAT',
          `${where}: a calibration applies to class probabilities, not to a regression`,
        );
      checkCalibration(m.calibration, width, where);
    }
    const scorer = modelScorer(m.model);
    if (scorer.nPredictions !== width) {
      throw new ScoringError(
        'PIPELINE_FORMAT',
        `a model of the pipeline predicts ${scorer.nPredictions} columns, the pipeline's task needs ${width}`,
      );
    }
    return {
      weight: m.weight,
      features: featuresOf(own),
      model: scorer,
      ...(m.calibration ? { calibration: m.calibration } : {}),
      ...(recode ? { recode } : {}),
    };
  });
}

/**
 * Loads a pipeline: a file path, the file's JSON text, or its parsed object. The checksum and
 * format version are checked; a changed file or one of another major version is refused.
 */
export function loadPipeline(source: string | PipelineFile): PipelineScorer {
  let file: PipelineFile;
  if (typeof source === 'string')
    file = source.trimStart().startsWith('{') ? parsePipeline(source) : readPipelineFile(source);
  else file = checkPipelineObject(source);
  return new PipelineScorer(file);
}

export class PipelineScorer {
  readonly classes: readonly string[] | null;
  readonly fields: readonly InputField[];
  /** Prediction columns: `<target>.<class>` per class, or the target for regression. */
  readonly outputNames: readonly string[];
  /** How often each categorical field held a level never seen in training (scored as missing). */
  readonly unseen: Record<string, number> = {};
  /** A binary pipeline's out-of-fold decision thresholds, when the file has them. */
  readonly thresholds: DecisionThresholds | null;
  private readonly members: ScoringMember[];
  private readonly width: number;
  private readonly levelIndex: Map<string, Map<string, number>>;
  private rowPlan: RowPlan | undefined;
  /** Whether a field is text: the one-row path reads numbers and level codes only. */
  private readonly hasText: boolean;

  constructor(readonly file: PipelineFile) {
    this.classes = file.classes;
    this.thresholds = file.thresholds ?? null;
    this.fields = file.inputs;
    this.width = predictionWidth(file.task, file.classes?.length ?? 0);
    this.outputNames = file.task === 'regression' ? [file.target] : file.classes!.map((c) => `${file.target}.${c}`);
    this.members = scoringMembers(file.inputs, file.features, file.model, this.width);
    this.levelIndex = new Map(
      file.inputs.filter((f) => f.type === 'categorical').map((f) => [f.name, new Map(f.levels.map((l, i) => [l, i]))]),
    );
    for (const f of file.inputs) if (f.type === 'categorical') this.unseen[f.name] = 0;
    this.hasText = this.fields.some((f) => f.type === 'text');
  }

  /**
   * Scores one row given as field → value; returns class probabilities in label order, or
   * [value]: the same doubles as {@link scoreBatch} gives the row, through a path made for one
   * row (the fields read into one array, each member's features gathered from it, the trees
   * walked for that row alone); a pipeline with a text field scores it as a batch of one.
   */
  score(row: Readonly<Record<string, unknown>>): number[] {
    // A text field's string goes the batch way.
    if (this.hasText) return Array.from(this.scoreBatch([row]));
    const plan = (this.rowPlan ??= new RowPlan(this.fields, this.members, this.width));
    const values = plan.values;
    const fields = this.fields;
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j]!;
      values[j] =
        f.type === 'numeric'
          ? this.numberAt(row, f.name, 0)
          : this.codeAt(row, f.name, 0, this.levelIndex.get(f.name)!);
    }
    const p = plan.score();
    const out = new Array<number>(p.length);
    for (let k = 0; k < p.length; k++) out[k] = p[k]!;
    return out;
  }

  /** Scores rows; returns row-major n × outputNames.length. */
  scoreBatch(rows: readonly Readonly<Record<string, unknown>>[]): Float64Array {
    const n = rows.length;
    const input: {
      nRows: number;
      numeric: Record<string, Float64Array>;
      categorical: Record<string, Int32Array>;
      text: Record<string, (string | null)[]>;
    } = { nRows: n, numeric: {}, categorical: {}, text: {} };
    for (const f of this.fields) {
      if (f.type === 'text') {
        const col: (string | null)[] = new Array<string | null>(n);
        for (let i = 0; i < n; i++) col[i] = this.textAt(rows[i]!, f.name, i);
        input.text[f.name] = col;
      } else if (f.type === 'numeric') {
        const col = new Float64Array(n);
        for (let i = 0; i < n; i++) col[i] = this.numberAt(rows[i]!, f.name, i);
        input.numeric[f.name] = col;
      } else {
        const col = new Int32Array(n);
        const index = this.levelIndex.get(f.name)!;
        for (let i = 0; i < n; i++) col[i] = this.codeAt(rows[i]!, f.name, i, index);
        input.categorical[f.name] = col;
      }
    }
    return this.scoreColumns(input);
  }

  /** Scores columns: numeric fields as Float64Array (NaN missing), categorical as codes into the field's levels (-1 missing). */
  scoreColumns(input: ColumnarInput): Float64Array {
    const n = input.nRows;
    for (const f of this.fields) {
      const col =
        f.type === 'numeric'
          ? input.numeric[f.name]
          : f.type === 'text'
            ? input.text?.[f.name]
            : input.categorical[f.name];
      if (!col)
        throw new ScoringError(
          'MISSING_FIELD',
          `the input has no field '${f.name}'; the pipeline needs ${this.fields.map((x) => x.name).join(', ')}`,
        );
      if (col.length < n)
        throw new ScoringError('MISSING_FIELD', `field '${f.name}' has ${col.length} values for ${n} rows`);
    }
    return scoreMembers(this.members, input, this.width);
  }

  /**
   * The code of a categorical field's value: its index in the field's training levels, or -1 for
   * a missing value or a level never seen in training (counted in {@link unseen}).
   */
  levelCode(name: string, text: string): number {
    const index = this.levelIndex.get(name);
    if (!index) throw new RangeError(`levelCode: '${name}' is not a categorical input field of the pipeline`);
    const code = index.get(text);
    if (code !== undefined) return code;
    if (isMissingText(text)) return -1;
    this.unseen[name] = (this.unseen[name] ?? 0) + 1;
    return -1;
  }

  private numberAt(row: Readonly<Record<string, unknown>>, name: string, i: number): number {
    const v = row[name];
    if (typeof v === 'number' && v - v === 0) return v; // a finite number, the usual case
    if (v === undefined && !(name in row)) throw this.absent(row, name, i);
    const x = cellNumber(v);
    if (x !== null) return x;
    if (typeof v === 'number')
      throw new ScoringError('BAD_VALUE', `row ${i}, field '${name}': ${v} is not a finite number`);
    throw new ScoringError(
      'BAD_VALUE',
      `row ${i}, field '${name}': ${JSON.stringify(v)} is not a number; send a number, a numeric string, or empty / null / NA for missing`,
    );
  }

  /** A text field's value: the string, or null when missing (null, or a missing-value text). */
  private textAt(row: Readonly<Record<string, unknown>>, name: string, i: number): string | null {
    if (!(name in row)) throw this.absent(row, name, i);
    const v = row[name];
    const text = cellString(v);
    if (text === undefined)
      throw new ScoringError('BAD_VALUE', `row ${i}, field '${name}': ${JSON.stringify(v)} is not text; send a string`);
    return text;
  }

  private codeAt(row: Readonly<Record<string, unknown>>, name: string, i: number, index: Map<string, number>): number {
    const v = row[name];
    if (v === undefined && !(name in row)) throw this.absent(row, name, i);
    if (v === null || v === undefined) return -1;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ScoringError(
        'BAD_VALUE',
        `row ${i}, field '${name}': ${JSON.stringify(v)} is not a category; send text`,
      );
    }
    const text = String(v);
    const code = index.get(text);
    return code !== undefined ? code : this.levelCode(name, text);
  }

  private absent(row: Readonly<Record<string, unknown>>, name: string, i: number): ScoringError {
    const missing = this.fields.map((f) => f.name).filter((f) => !(f in row));
    return new ScoringError(
      'MISSING_FIELD',
      `row ${i} has no field '${name}'${missing.length > 1 ? ` (nor ${missing.filter((m) => m !== name).join(', ')})` : ''}; send every field the pipeline needs (null or empty for a missing value)`,
    );
  }
}

/**
 * The single-row path of {@link PipelineScorer.score}: the row's field values (numbers, or
 * categorical codes) in one array; per member, its feature values gathered from it (a member
 * without feature steps reads its features straight from the fields; one with steps runs them on
 * one-row columns), its model's `predictRow` (or `predict` of one row), its calibration, and the
 * weighted average in member order, exactly as {@link scoreMembers} computes a batch.
 */
class RowPlan {
  /** The row's field values in the pipeline's field order (categorical: codes, −1 missing). */
  readonly values: Float64Array;
  private readonly members: {
    m: ScoringMember;
    /** Per feature of a member without steps: its field's index in `values`; null with steps. */
    gather: Int32Array | null;
    x: Float64Array;
  }[];
  private readonly out: Float64Array;

  constructor(
    private readonly fields: readonly InputField[],
    members: readonly ScoringMember[],
    private readonly width: number,
  ) {
    this.values = new Float64Array(fields.length);
    this.out = new Float64Array(width);
    const index = new Map(fields.map((f, j) => [f.name, j]));
    this.members = members.map((m) => {
      const node = m.features.node;
      const gather =
        node.steps.length === 0 && !m.recode ? Int32Array.from(node.features, (name) => index.get(name)!) : null;
      return { m, gather, x: new Float64Array(node.features.length) };
    });
  }

  /** The predictions of the row in `values` (a reused array of `width`). */
  score(): Float64Array {
    const members = this.members;
    if (members.length === 1) return this.member(members[0]!);
    const out = this.out;
    out.fill(0);
    for (const mm of members) {
      const p = this.member(mm);
      const w = mm.m.weight;
      for (let j = 0; j < out.length; j++) out[j]! += w * p[j]!;
    }
    return out;
  }

  private member(mm: RowPlan['members'][number]): Float64Array {
    const { m, gather, x } = mm;
    let p: Float64Array;
    if (gather) {
      for (let j = 0; j < gather.length; j++) x[j] = this.values[gather[j]!]!;
      p = m.model.predictRow ? m.model.predictRow(x) : m.model.predict(columnsOf(x), 1);
    } else {
      const numeric: Record<string, Float64Array> = {};
      const categorical: Record<string, Int32Array> = {};
      this.fields.forEach((f, j) => {
        if (f.type === 'numeric') numeric[f.name] = Float64Array.of(this.values[j]!);
        else categorical[f.name] = Int32Array.of(this.values[j]!);
      });
      const cols = m.features.apply(memberInput(m, { nRows: 1, numeric, categorical }), false);
      if (m.model.predictRow) {
        for (let j = 0; j < cols.length; j++) x[j] = cols[j]![0]!;
        p = m.model.predictRow(x);
      } else p = m.model.predict(cols, 1);
    }
    if (m.calibration) {
      // Calibrated in a copy: predictRow's array belongs to the model.
      p = p.slice(0, this.width);
      calibrateInPlace(p, 1, this.width, m.calibration);
    }
    return p;
  }
}

function columnsOf(x: Float64Array): Float64Array[] {
  return Array.from(x, (v) => Float64Array.of(v));
}
