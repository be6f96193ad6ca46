/**
 * The standalone application of a fitted feature pipeline: input fields in, the model matrix out.
 * It imports nothing but the format types: a deployed pipeline and the training code (which
 * computes its training matrix through {@link prepareFeatureStep}) run the same code.
 *
 * What each step does with a value, missing values included (NaN is missing in numeric columns,
 * code −1 is missing or unseen in categorical ones):
 * - `standardize`: `(x − mean) / std`; NaN stays NaN.
 * - `log`: `log(max(x + shift, 1))`. The shift makes the smallest training value ≥ 1, so
 *   training values map to ≥ 0; a value below that range is clamped to output 0 (never −∞ or
 *   NaN). NaN stays NaN.
 * - `yeo_johnson`: the Yeo–Johnson transform with the step's lambda; NaN stays NaN.
 * - `quantile_bin`: the number of edges the value is greater than (0 … edges.length); NaN stays NaN.
 * - `missing`: `output` is x, or `fill` where x is NaN; `indicator` is 1 where x is NaN, else 0.
 * - `interaction`: `a / b`, `a − b` or `a · b`. A ratio that is not finite (a denominator of 0,
 *   or an overflow) is NaN, i.e. missing. NaN in either input gives NaN.
 * - `one_hot`: 1 in the column of the value's level, 0 elsewhere; missing and unseen values (and
 *   levels the step dropped) are all zeros.
 * - `frequency`: the level's training share; missing and unseen values get `unseen`.
 * - `target_encoding`: the level's smoothed target statistics; missing and unseen values get the
 *   prior.
 */
import type { FeaturePipelineNode, FeatureStep, InputField } from './format/features.js';

/** The input fields of a batch of rows, column-major. */
export interface ColumnarInput {
  nRows: number;
  /** Numeric input fields: Float64Array, NaN = missing. */
  numeric: Readonly<Record<string, Float64Array>>;
  /** Categorical input fields: codes into the InputField's `levels`, −1 = missing or unseen. */
  categorical: Readonly<Record<string, Int32Array>>;
}

/**
 * One step, checked and packed for application: level maps built, parameters in typed arrays.
 * `run` reads the columns the step needs from the maps and returns its outputs, in the order of
 * `outputs`. Categorical codes index the levels the step was prepared with.
 */
export interface PreparedStep {
  readonly step: FeatureStep;
  /** The numeric columns the step reads. */
  readonly numericInputs: readonly string[];
  /** The categorical input fields the step reads. */
  readonly categoricalInputs: readonly string[];
  readonly outputs: readonly string[];
  run(numeric: ReadonlyMap<string, Float64Array>, categorical: ReadonlyMap<string, Int32Array>, nRows: number): Float64Array[];
}

/**
 * A fitted feature pipeline, validated once and ready to apply.
 *
 * @example
 * const scorer = new FeatureScorer(node);   // node: FeaturePipelineNode from the pipeline file
 * const matrix = scorer.apply({
 *   nRows: 2,
 *   numeric: { x: Float64Array.of(1.5, NaN) },
 *   categorical: { colour: Int32Array.of(0, -1) },   // codes into the input field's levels
 * });
 * matrix.length === node.features.length; // one Float64Array per feature, in order
 */
export class FeatureScorer {
  private readonly prepared: PreparedStep[];
  private readonly inputNames: ReadonlySet<string>;

  /** Validates the node (a TypeError naming the step and field when it is malformed). */
  constructor(readonly node: FeaturePipelineNode) {
    if (node === null || typeof node !== 'object' || node.kind !== 'feature_pipeline') {
      throw new TypeError(`expected a feature_pipeline node, got ${describe(node)}`);
    }
    if (!Array.isArray(node.inputs)) throw new TypeError('feature pipeline: inputs must be an array');
    if (!Array.isArray(node.steps)) throw new TypeError('feature pipeline: steps must be an array');
    if (!Array.isArray(node.features)) throw new TypeError('feature pipeline: features must be an array');
    const inputs = new Map<string, InputField>();
    node.inputs.forEach((f, i) => checkInput(f, i, inputs));
    this.inputNames = new Set(inputs.keys());
    const numeric = new Set<string>([...inputs.values()].filter((f) => f.type === 'numeric').map((f) => f.name));
    const levelsOf = (name: string): readonly string[] | undefined => {
      const f = inputs.get(name);
      return f?.type === 'categorical' ? f.levels : undefined;
    };
    this.prepared = node.steps.map((step, i) => {
      const where = `feature pipeline: steps[${i}]${stepLabel(step)}`;
      const p = prepareFeatureStep(step, levelsOf, where);
      for (const name of p.numericInputs) {
        if (!numeric.has(name)) {
          const why = inputs.has(name) ? 'a categorical input field' : 'neither a numeric input field nor the output of an earlier step';
          throw new TypeError(`${where}: column '${name}' is ${why}`);
        }
      }
      for (const name of p.outputs) {
        if (inputs.has(name) || numeric.has(name)) throw new TypeError(`${where}: output '${name}' is already a column name`);
        numeric.add(name);
      }
      return p;
    });
    const seen = new Set<string>();
    node.features.forEach((name, j) => {
      if (typeof name !== 'string' || !numeric.has(name)) {
        throw new TypeError(`feature pipeline: features[${j}] '${String(name)}' is not a numeric input field or a step output`);
      }
      if (seen.has(name)) throw new TypeError(`feature pipeline: features[${j}] '${name}' is listed twice`);
      seen.add(name);
    });
  }

  /**
   * The model matrix: one Float64Array per entry of node.features, in order. An input field that is
   * itself a feature is copied, unless `copyInputs` is false (a caller that only reads the matrix
   * and drops it, as the scorer does, may share the input's arrays).
   */
  apply(input: ColumnarInput, copyInputs = true): Float64Array[] {
    const n = input?.nRows;
    if (!(Number.isInteger(n) && n >= 0)) throw new TypeError(`feature pipeline: nRows must be an integer >= 0, got ${String(n)}`);
    const numeric = new Map<string, Float64Array>();
    const categorical = new Map<string, Int32Array>();
    for (const f of this.node.inputs) {
      if (f.type === 'numeric') {
        const col = input.numeric?.[f.name];
        if (!(col instanceof Float64Array) || col.length !== n) {
          throw new TypeError(`feature pipeline: numeric input '${f.name}' must be a Float64Array of ${n} rows, got ${describeColumn(col)}`);
        }
        if (this.prepared.length === 0) continue; // no steps: the features are the inputs themselves
        numeric.set(f.name, col);
      } else {
        const col = input.categorical?.[f.name];
        if (!(col instanceof Int32Array) || col.length !== n) {
          throw new TypeError(`feature pipeline: categorical input '${f.name}' must be an Int32Array of ${n} rows, got ${describeColumn(col)}`);
        }
        const k = f.levels.length;
        for (let r = 0; r < n; r++) {
          const c = col[r]!;
          if (c < -1 || c >= k) throw new RangeError(`feature pipeline: categorical input '${f.name}' row ${r}: code ${c} is not in [-1, ${k})`);
        }
        categorical.set(f.name, col);
      }
    }
    for (const p of this.prepared) {
      const outs = p.run(numeric, categorical, n);
      p.outputs.forEach((name, k) => numeric.set(name, outs[k]!));
    }
    if (this.prepared.length === 0) return this.node.features.map((name) => (copyInputs ? input.numeric[name]!.slice() : input.numeric[name]!));
    const isInput = this.inputNames;
    return this.node.features.map((name) => {
      const col = numeric.get(name)!;
      return copyInputs && isInput.has(name) ? col.slice() : col;
    });
  }
}

/**
 * Checks one step and packs it for application. `levelsOf` gives the levels that the codes of a
 * categorical column index (undefined when there is no such categorical column). Throws a
 * TypeError that starts with `where` when the step is malformed.
 */
export function prepareFeatureStep(
  step: FeatureStep,
  levelsOf: (name: string) => readonly string[] | undefined,
  where = `feature step${stepLabel(step)}`,
): PreparedStep {
  if (step === null || typeof step !== 'object') throw new TypeError(`${where}: expected a step object, got ${describe(step)}`);
  const s = step as unknown as Record<string, unknown>;
  const str = (field: string): string => {
    const v = s[field];
    if (typeof v !== 'string' || v === '') throw new TypeError(`${where}: ${field} must be a non-empty string, got ${describe(v)}`);
    return v;
  };
  const num = (field: string, ok: (v: number) => boolean = () => true, what = 'a finite number'): number => {
    const v = s[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new TypeError(`${where}: ${field} must be ${what}, got ${describe(v)}`);
    return v;
  };
  const strings = (field: string, length?: number): string[] => {
    const v = s[field];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new TypeError(`${where}: ${field} must be an array of strings`);
    if (length !== undefined && v.length !== length) throw new TypeError(`${where}: ${field} has ${v.length} entries, expected ${length}`);
    const dup = v.find((x, i) => v.indexOf(x) !== i);
    if (dup !== undefined) throw new TypeError(`${where}: ${field} lists '${dup}' twice`);
    return v as string[];
  };
  const numbers = (field: string, length: number): Float64Array => {
    const v = s[field];
    if (!Array.isArray(v)) throw new TypeError(`${where}: ${field} must be an array of numbers`);
    if (v.length !== length) throw new TypeError(`${where}: ${field} has ${v.length} entries, expected ${length}`);
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`${where}: ${field}[${i}] must be a finite number, got ${describe(x)}`);
    });
    return Float64Array.from(v as number[]);
  };
  const numericStep = (run: (x: Float64Array, out: Float64Array, n: number) => void): PreparedStep => {
    const column = str('column');
    const output = str('output');
    return {
      step,
      numericInputs: [column],
      categoricalInputs: [],
      outputs: [output],
      run(numeric, _categorical, n) {
        const out = new Float64Array(n);
        run(numeric.get(column)!, out, n);
        return [out];
      },
    };
  };
  /** Code of the input field → index into the step's own levels (−1: not kept by the step). */
  const levelMap = (column: string, levels: readonly string[]): Int32Array => {
    const input = levelsOf(column);
    if (input === undefined) throw new TypeError(`${where}: column '${column}' is not a categorical input field`);
    const index = new Map(input.map((l, i) => [l, i]));
    const map = new Int32Array(input.length).fill(-1);
    levels.forEach((l, j) => {
      const code = index.get(l);
      if (code === undefined) throw new TypeError(`${where}: level '${l}' is not among the levels of input field '${column}'`);
      map[code] = j;
    });
    return map;
  };
  const categoricalStep = (
    column: string,
    outputs: string[],
    fill: number | Float64Array,
    run: (codes: Int32Array, outs: Float64Array[], n: number) => void,
  ): PreparedStep => ({
    step,
    numericInputs: [],
    categoricalInputs: [column],
    outputs,
    run(_numeric, categorical, n) {
      const outs = outputs.map((_, k) => new Float64Array(n).fill(typeof fill === 'number' ? fill : fill[k]!));
      run(categorical.get(column)!, outs, n);
      return outs;
    },
  });

  switch (step.kind) {
    case 'standardize': {
      const mean = num('mean');
      const std = num('std', (v) => v > 0, 'a finite number > 0');
      return numericStep((x, out, n) => {
        for (let r = 0; r < n; r++) out[r] = (x[r]! - mean) / std;
      });
    }
    case 'log': {
      const shift = num('shift');
      return numericStep((x, out, n) => {
        for (let r = 0; r < n; r++) {
          const v = x[r]! + shift;
          out[r] = v < 1 ? 0 : Math.log(v);
        }
      });
    }
    case 'yeo_johnson': {
      const lambda = num('lambda');
      return numericStep((x, out, n) => {
        for (let r = 0; r < n; r++) out[r] = yeoJohnson(x[r]!, lambda);
      });
    }
    case 'quantile_bin': {
      const v = s.edges;
      const edges = numbers('edges', Array.isArray(v) ? v.length : -1);
      for (let i = 1; i < edges.length; i++) {
        if (!(edges[i]! > edges[i - 1]!)) throw new TypeError(`${where}: edges must be strictly ascending; edges[${i}] = ${edges[i]} follows ${edges[i - 1]}`);
      }
      const k = edges.length;
      return numericStep((x, out, n) => {
        for (let r = 0; r < n; r++) {
          const value = x[r]!;
          if (value !== value) {
            out[r] = NaN;
            continue;
          }
          let lo = 0;
          let hi = k;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (edges[mid]! < value) lo = mid + 1;
            else hi = mid;
          }
          out[r] = lo;
        }
      });
    }
    case 'missing': {
      const column = str('column');
      const output = str('output');
      const indicator = str('indicator');
      if (indicator === output) throw new TypeError(`${where}: output and indicator are both '${output}'`);
      const fill = num('fill');
      return {
        step,
        numericInputs: [column],
        categoricalInputs: [],
        outputs: [output, indicator],
        run(numeric, _categorical, n) {
          const x = numeric.get(column)!;
          const out = new Float64Array(n);
          const ind = new Float64Array(n);
          for (let r = 0; r < n; r++) {
            const v = x[r]!;
            if (v === v) out[r] = v;
            else {
              out[r] = fill;
              ind[r] = 1;
            }
          }
          return [out, ind];
        },
      };
    }
    case 'interaction': {
      const columns = strings('columns', 2);
      if (columns[0] === columns[1]) throw new TypeError(`${where}: columns must be two different columns, got '${columns[0]}' twice`);
      const [a, b] = columns as [string, string];
      const output = str('output');
      const op = step.op;
      if (op !== 'ratio' && op !== 'difference' && op !== 'product') {
        throw new TypeError(`${where}: op must be one of ratio, difference, product, got ${describe(op)}`);
      }
      return {
        step,
        numericInputs: [a, b],
        categoricalInputs: [],
        outputs: [output],
        run(numeric, _categorical, n) {
          const x = numeric.get(a)!;
          const y = numeric.get(b)!;
          const out = new Float64Array(n);
          if (op === 'ratio') {
            for (let r = 0; r < n; r++) {
              const q = x[r]! / y[r]!;
              out[r] = q - q === 0 ? q : NaN;
            }
          } else if (op === 'difference') {
            for (let r = 0; r < n; r++) out[r] = x[r]! - y[r]!;
          } else {
            for (let r = 0; r < n; r++) out[r] = x[r]! * y[r]!;
          }
          return [out];
        },
      };
    }
    case 'one_hot': {
      const column = str('column');
      const levels = strings('levels');
      const outputs = strings('outputs', levels.length);
      const map = levelMap(column, levels);
      return categoricalStep(column, outputs, 0, (codes, outs, n) => {
        for (let r = 0; r < n; r++) {
          const c = codes[r]!;
          if (c < 0) continue;
          const j = map[c]!;
          if (j >= 0) outs[j]![r] = 1;
        }
      });
    }
    case 'frequency': {
      const column = str('column');
      const output = str('output');
      const levels = strings('levels');
      const frequencies = numbers('frequencies', levels.length);
      const unseen = num('unseen');
      const map = levelMap(column, levels);
      return categoricalStep(column, [output], unseen, (codes, outs, n) => {
        const out = outs[0]!;
        for (let r = 0; r < n; r++) {
          const c = codes[r]!;
          if (c < 0) continue;
          const j = map[c]!;
          if (j >= 0) out[r] = frequencies[j]!;
        }
      });
    }
    case 'target_encoding': {
      const column = str('column');
      const outputs = strings('outputs');
      if (outputs.length === 0) throw new TypeError(`${where}: outputs must not be empty`);
      const levels = strings('levels');
      const k = outputs.length;
      const values = numbers('values', levels.length * k);
      const prior = numbers('prior', k);
      const map = levelMap(column, levels);
      return categoricalStep(column, outputs, prior, (codes, outs, n) => {
        for (let o = 0; o < k; o++) {
          const out = outs[o]!;
          for (let r = 0; r < n; r++) {
            const c = codes[r]!;
            if (c < 0) continue;
            const j = map[c]!;
            if (j >= 0) out[r] = values[j * k + o]!;
          }
        }
      });
    }
    default:
      throw new TypeError(`${where}: unknown step kind ${describe((step as { kind?: unknown }).kind)}`);
  }
}

/**
 * The Yeo–Johnson transform of one value (NaN stays NaN):
 * x ≥ 0: ((x + 1)^λ − 1) / λ, or log(1 + x) when λ = 0;
 * x < 0: −((1 − x)^(2 − λ) − 1) / (2 − λ), or −log(1 − x) when λ = 2.
 * Computed as expm1(λ · log1p(x)) / λ, which is exact near λ = 0.
 *
 * @example
 * yeoJohnson(3, 0.5); // 2
 */
export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) {
    return Math.abs(lambda) < EPS ? Math.log1p(x) : Math.expm1(lambda * Math.log1p(x)) / lambda;
  }
  if (x < 0) {
    const l2 = 2 - lambda;
    return Math.abs(l2) < EPS ? -Math.log1p(-x) : -Math.expm1(l2 * Math.log1p(-x)) / l2;
  }
  return NaN;
}

/** numpy's spacing(1.0), the threshold scikit-learn uses for λ = 0 and λ = 2. */
const EPS = 2.220446049250313e-16;

function checkInput(f: InputField, i: number, seen: Map<string, InputField>): void {
  const where = `feature pipeline: inputs[${i}]`;
  if (f === null || typeof f !== 'object') throw new TypeError(`${where}: expected an input field, got ${describe(f)}`);
  if (typeof f.name !== 'string' || f.name === '') throw new TypeError(`${where}: name must be a non-empty string, got ${describe(f.name)}`);
  if (seen.has(f.name)) throw new TypeError(`${where}: input field '${f.name}' is listed twice`);
  if (f.type === 'categorical') {
    const levels: unknown = f.levels;
    if (!Array.isArray(levels) || levels.some((l) => typeof l !== 'string')) {
      throw new TypeError(`${where} ('${f.name}'): levels must be an array of strings`);
    }
    const dup = levels.find((l, j) => levels.indexOf(l) !== j);
    if (dup !== undefined) throw new TypeError(`${where} ('${f.name}'): level '${String(dup)}' is listed twice`);
  } else if (f.type !== 'numeric') {
    throw new TypeError(`${where} ('${(f as { name: string }).name}'): type must be numeric or categorical, got ${describe((f as { type?: unknown }).type)}`);
  }
  seen.set(f.name, f);
}

function stepLabel(step: unknown): string {
  if (step === null || typeof step !== 'object') return '';
  const s = step as Record<string, unknown>;
  const of = typeof s.column === 'string' ? ` of '${s.column}'` : Array.isArray(s.columns) ? ` of ${s.columns.map((c) => `'${String(c)}'`).join(', ')}` : '';
  return ` (${String(s.kind)}${of})`;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return 'an array';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

function describeColumn(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of ${(v as unknown as ArrayLike<unknown>).length} rows`;
  return describe(v);
}
