/**
 * What every feature step file shares: the prepared-step shape, and the checks of a step's
 * members. {@link stepCheck} binds them to one step and the `where` that starts its errors.
 */
import type { FeatureStep } from '../format/features.js';

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
  /** The text input fields the step reads (`date` and `text` steps); none when absent. */
  readonly textInputs?: readonly string[];
  readonly outputs: readonly string[];
  run(
    numeric: ReadonlyMap<string, Float64Array>,
    categorical: ReadonlyMap<string, Int32Array>,
    nRows: number,
    text?: ReadonlyMap<string, readonly (string | null)[]>,
  ): Float64Array[];
}

/** The checks of one step's members; each throws a TypeError that starts with `where`. */
export interface StepCheck {
  readonly where: string;
  /** The step's members, unchecked. */
  readonly members: Readonly<Record<string, unknown>>;
  str(field: string): string;
  num(field: string, ok?: (v: number) => boolean, what?: string): number;
  strings(field: string, length?: number): string[];
  numbers(field: string, length: number): Float64Array;
  /** A step that reads the numeric `column` and writes the one column `output`. */
  numericStep(run: (x: Float64Array, out: Float64Array, n: number) => void): PreparedStep;
  /** The step's `field`, checked to name a text input field. */
  textField(field: string): string;
  /**
   * A step that reads the text `column`; its outputs start as `fill`, and `row` sees each row's
   * value that is not missing.
   */
  textStep(
    column: string,
    outputs: string[],
    fill: number,
    row: (value: string, r: number, outs: Float64Array[]) => void,
  ): PreparedStep;
  /** Code of the input field → index into the step's own levels (−1: not kept by the step). */
  levelMap(column: string, levels: readonly string[]): Int32Array;
  /** A step that reads the categorical `column`; its outputs start as `fill` (one value, or one per output). */
  categoricalStep(
    column: string,
    outputs: string[],
    fill: number | Float64Array,
    run: (codes: Int32Array, outs: Float64Array[], n: number) => void,
  ): PreparedStep;
}

/** Prepares one step of its kind (the step object is known to be an object of that kind). */
export type PrepareStep<S extends FeatureStep> = (step: S, check: StepCheck) => PreparedStep;

/**
 * The checks bound to one step. `levelsOf` gives the levels that the codes of a categorical column
 * index (undefined when there is no such categorical column).
 */
export function stepCheck(
  step: FeatureStep,
  where: string,
  levelsOf: (name: string) => readonly string[] | undefined,
  isText: (name: string) => boolean = () => false,
): StepCheck {
  const s = step as unknown as Record<string, unknown>;
  const str = (field: string): string => {
    const v = s[field];
    if (typeof v !== 'string' || v === '')
      throw new TypeError(`${where}: ${field} must be a non-empty string, got ${describe(v)}`);
    return v;
  };
  const num = (field: string, ok: (v: number) => boolean = () => true, what = 'a finite number'): number => {
    const v = s[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v))
      throw new TypeError(`${where}: ${field} must be ${what}, got ${describe(v)}`);
    return v;
  };
  const strings = (field: string, length?: number): string[] => {
    const v = s[field];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw new TypeError(`${where}: ${field} must be an array of strings`);
    if (length !== undefined && v.length !== length)
      throw new TypeError(`${where}: ${field} has ${v.length} entries, expected ${length}`);
    const dup = v.find((x, i) => v.indexOf(x) !== i);
    if (dup !== undefined) throw new TypeError(`${where}: ${field} lists '${dup}' twice`);
    return v as string[];
  };
  const numbers = (field: string, length: number): Float64Array => {
    const v = s[field];
    if (!Array.isArray(v)) throw new TypeError(`${where}: ${field} must be an array of numbers`);
    if (v.length !== length) throw new TypeError(`${where}: ${field} has ${v.length} entries, expected ${length}`);
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x))
        throw new TypeError(`${where}: ${field}[${i}] must be a finite number, got ${describe(x)}`);
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
  const textField = (field: string): string => {
    const column = str(field);
    if (!isText(column)) throw new TypeError(`${where}: ${field} '${column}' is not a text input field`);
    return column;
  };
  const levelMap = (column: string, levels: readonly string[]): Int32Array => {
    const input = levelsOf(column);
    if (input === undefined) throw new TypeError(`${where}: column '${column}' is not a categorical input field`);
    const index = new Map(input.map((l, i) => [l, i]));
    const map = new Int32Array(input.length).fill(-1);
    levels.forEach((l, j) => {
      const code = index.get(l);
      if (code === undefined)
        throw new TypeError(`${where}: level '${l}' is not among the levels of input field '${column}'`);
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
  const textStep = (
    column: string,
    outputs: string[],
    fill: number,
    row: (value: string, r: number, outs: Float64Array[]) => void,
  ): PreparedStep => ({
    step,
    numericInputs: [],
    categoricalInputs: [],
    textInputs: [column],
    outputs,
    run(_numeric, _categorical, n, text) {
      const values = text?.get(column);
      if (!values) throw new TypeError(`${where}: no values for text input field '${column}'`);
      const outs = outputs.map(() => new Float64Array(n).fill(fill));
      for (let r = 0; r < n; r++) {
        const v = values[r];
        if (v !== null && v !== undefined) row(v, r, outs);
      }
      return outs;
    },
  });
  return {
    where,
    members: s,
    str,
    num,
    strings,
    numbers,
    numericStep,
    textField,
    levelMap,
    categoricalStep,
    textStep,
  };
}

/** A value as an error message shows it. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return 'an array';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}
