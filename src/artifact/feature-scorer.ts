/**
 * The standalone application of a fitted feature pipeline: input fields in, the model matrix out.
 * It imports nothing but the format types and the step files: a deployed pipeline and the training
 * code (which computes its training matrix through {@link prepareFeatureStep}) run the same code.
 *
 * Missing values: NaN is missing in numeric columns, code −1 is missing or unseen in categorical
 * ones, null in text ones. What each step kind does with a value, missing values included, is said at the top of its
 * own file under `steps/` (one file per kind; `steps/index.ts` maps kind → function, in the order
 * of the `FeatureStep` union). This file holds the pipeline-level checks (inputs, column names,
 * features) and the apply loop.
 */
import type { FeaturePipelineNode, FeatureStep, InputField } from './format/features.js';
import { describe, featureStepPreparer, stepCheck, type PreparedStep } from './steps/index.js';

export type { PreparedStep } from './steps/index.js';
export { yeoJohnson } from './steps/index.js';

/** The input fields of a batch of rows, column-major. */
export interface ColumnarInput {
  nRows: number;
  /** Numeric input fields: Float64Array, NaN = missing. */
  numeric: Readonly<Record<string, Float64Array>>;
  /** Categorical input fields: codes into the InputField's `levels`, −1 = missing or unseen. */
  categorical: Readonly<Record<string, Int32Array>>;
  /** Text input fields (read by `date` and `text` steps): the values as strings, null = missing. */
  text?: Readonly<Record<string, readonly (string | null)[]>>;
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
    const isText = (name: string): boolean => inputs.get(name)?.type === 'text';
    this.prepared = node.steps.map((step, i) => {
      const where = `feature pipeline: steps[${i}]${stepLabel(step)}`;
      const p = prepareFeatureStep(step, levelsOf, where, isText);
      for (const name of p.numericInputs) {
        if (!numeric.has(name)) {
          const why = inputs.has(name)
            ? `a ${inputs.get(name)!.type} input field`
            : 'neither a numeric input field nor the output of an earlier step';
          throw new TypeError(`${where}: column '${name}' is ${why}`);
        }
      }
      for (const name of p.outputs) {
        if (inputs.has(name) || numeric.has(name))
          throw new TypeError(`${where}: output '${name}' is already a column name`);
        numeric.add(name);
      }
      return p;
    });
    const seen = new Set<string>();
    node.features.forEach((name, j) => {
      if (typeof name !== 'string' || !numeric.has(name)) {
        throw new TypeError(
          `feature pipeline: features[${j}] '${String(name)}' is not a numeric input field or a step output`,
        );
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
    if (!(Number.isInteger(n) && n >= 0))
      throw new TypeError(`feature pipeline: nRows must be an integer >= 0, got ${String(n)}`);
    const numeric = new Map<string, Float64Array>();
    const categorical = new Map<string, Int32Array>();
    const text = new Map<string, readonly (string | null)[]>();
    for (const f of this.node.inputs) {
      if (f.type === 'text') {
        const col = input.text?.[f.name];
        if (!Array.isArray(col) || col.length !== n) {
          throw new TypeError(
            `feature pipeline: text input '${f.name}' must be an array of ${n} strings or nulls, got ${describeColumn(col)}`,
          );
        }
        text.set(f.name, col);
        continue;
      }
      if (f.type === 'numeric') {
        const col = input.numeric?.[f.name];
        if (!(col instanceof Float64Array) || col.length !== n) {
          throw new TypeError(
            `feature pipeline: numeric input '${f.name}' must be a Float64Array of ${n} rows, got ${describeColumn(col)}`,
          );
        }
        if (this.prepared.length === 0) continue; // no steps: the features are the inputs themselves
        numeric.set(f.name, col);
      } else {
        const col = input.categorical?.[f.name];
        if (!(col instanceof Int32Array) || col.length !== n) {
          throw new TypeError(
            `feature pipeline: categorical input '${f.name}' must be an Int32Array of ${n} rows, got ${describeColumn(col)}`,
          );
        }
        const k = f.levels.length;
        for (let r = 0; r < n; r++) {
          const c = col[r]!;
          if (c < -1 || c >= k)
            throw new RangeError(
              `feature pipeline: categorical input '${f.name}' row ${r}: code ${c} is not in [-1, ${k})`,
            );
        }
        categorical.set(f.name, col);
      }
    }
    for (const p of this.prepared) {
      const outs = p.run(numeric, categorical, n, text);
      p.outputs.forEach((name, k) => numeric.set(name, outs[k]!));
    }
    if (this.prepared.length === 0)
      return this.node.features.map((name) => (copyInputs ? input.numeric[name]!.slice() : input.numeric[name]!));
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
  isText: (name: string) => boolean = () => false,
): PreparedStep {
  if (step === null || typeof step !== 'object')
    throw new TypeError(`${where}: expected a step object, got ${describe(step)}`);
  const prepare = featureStepPreparer(step.kind);
  if (prepare === undefined)
    throw new TypeError(`${where}: unknown step kind ${describe((step as { kind?: unknown }).kind)}`);
  return prepare(step, stepCheck(step, where, levelsOf, isText));
}

function checkInput(f: InputField, i: number, seen: Map<string, InputField>): void {
  const where = `feature pipeline: inputs[${i}]`;
  if (f === null || typeof f !== 'object') throw new TypeError(`${where}: expected an input field, got ${describe(f)}`);
  if (typeof f.name !== 'string' || f.name === '')
    throw new TypeError(`${where}: name must be a non-empty string, got ${describe(f.name)}`);
  if (seen.has(f.name)) throw new TypeError(`${where}: input field '${f.name}' is listed twice`);
  if (f.type === 'categorical') {
    const levels: unknown = f.levels;
    if (!Array.isArray(levels) || levels.some((l) => typeof l !== 'string')) {
      throw new TypeError(`${where} ('${f.name}'): levels must be an array of strings`);
    }
    const dup = levels.find((l, j) => levels.indexOf(l) !== j);
    if (dup !== undefined) throw new TypeError(`${where} ('${f.name}'): level '${String(dup)}' is listed twice`);
  } else if (f.type !== 'numeric' && f.type !== 'text') {
    throw new TypeError(
      `${where} ('${(f as { name: string }).name}'): type must be numeric, categorical or text, got ${describe((f as { type?: unknown }).type)}`,
    );
  }
  seen.set(f.name, f);
}

function stepLabel(step: unknown): string {
  if (step === null || typeof step !== 'object') return '';
  const s = step as Record<string, unknown>;
  const of =
    typeof s.column === 'string'
      ? ` of '${s.column}'`
      : Array.isArray(s.columns)
        ? ` of ${s.columns.map((c) => `'${String(c)}'`).join(', ')}`
        : '';
  return ` (${String(s.kind)}${of})`;
}

function describeColumn(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of ${(v as unknown as ArrayLike<unknown>).length} rows`;
  return describe(v);
}
