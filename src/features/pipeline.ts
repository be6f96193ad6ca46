import { prepareFeatureStep } from '../artifact/feature-scorer.js';
import type { FeaturePipelineNode, FeatureStep, InputField } from '../artifact/format/features.js';
import { cellText, type Column, type Table, unknownColumn } from '../data/table.js';
import { AutomlError } from '../util/errors.js';
import type { Rng } from '../util/random.js';
import { levelCounts } from './options.js';
import { transformByKind } from './registry.js';
import type { CategoricalValues, FeatureTarget, FitContext, TransformRequest } from './types.js';

/** What a feature pipeline is made of. */
export interface FeatureSpec {
  /** The transforms, fitted and applied in this order; each may read columns earlier ones made. */
  readonly transforms: readonly TransformRequest[];
  /** Numeric input columns that go into the model matrix unchanged, first, in this order. */
  readonly passthrough?: readonly string[];
}

/** A fitted feature pipeline. */
export interface FittedFeaturePipeline {
  /** The artifact node; {@link FeatureScorer} applies it. */
  readonly node: FeaturePipelineNode;
  /**
   * The training rows' model matrix, one column per `node.features` entry. It equals the
   * scorer's output on the same rows, except for target-encoding columns, which are out-of-fold
   * (and columns later steps compute from them, which are fitted on the out-of-fold values).
   */
  readonly trainMatrix: Float64Array[];
}

/**
 * Fits a feature pipeline on the training rows of `table`. The model matrix is the passthrough
 * columns, then the outputs of each transform in order (unless a request sets `feature: false`).
 * The node's inputs are the table columns read (passthrough or by a transform), in table order;
 * a categorical input keeps the levels present in the training rows. Each transform gets its own
 * RNG, `rng.fork(index)`, so the result is deterministic for a seed.
 *
 * Throws AutomlError for an unknown column (UNKNOWN_COLUMN), a column of the wrong type
 * (COLUMN_TYPE), an unknown kind (UNKNOWN_TRANSFORM), a bad option (BAD_TRANSFORM), two columns of
 * one name (DUPLICATE_COLUMN), and target encoding without a target (NO_TARGET).
 *
 * @example
 * const { node, trainMatrix } = fitFeaturePipeline(train, {
 *   passthrough: ['age'],
 *   transforms: [
 *     { kind: 'standardize', column: 'x' },
 *     { kind: 'one_hot', column: 'c', maxLevels: 20 },
 *     { kind: 'interaction', op: 'ratio', columns: ['a', 'b'] },
 *     { kind: 'target_encoding', column: 'c', folds: 5, smoothing: 10 },
 *   ],
 * }, { kind: 'binary', y, nClasses: 2 }, new Rng(42));
 * node.features; // ['age', 'z(x)', 'c=red', 'c=blue', 'a/b', 'te(c)']
 */
export function fitFeaturePipeline(
  table: Table,
  spec: FeatureSpec,
  target: FeatureTarget | undefined,
  rng: Rng,
): FittedFeaturePipeline {
  if (!Array.isArray(spec?.transforms))
    throw new AutomlError('BAD_TRANSFORM', "a feature spec needs 'transforms', a list of transforms");
  if (target && target.y.length !== table.nRows) {
    throw new RangeError(`fitFeaturePipeline: the target has ${target.y.length} rows, the table ${table.nRows}`);
  }
  const used = new Set<string>();
  /** Input columns read as text (by date and text steps), with their values. */
  const usedText = new Map<string, (string | null)[]>();
  /** Numeric columns made by steps, on the training rows. */
  const made = new Map<string, Float64Array>();
  const names = (): string[] => [...table.names, ...made.keys()];

  const inputColumn = (name: string): Column => {
    if (!table.has(name)) throw unknownColumn(name, names(), table.source?.path);
    return table.column(name);
  };
  const numeric = (name: string, what: string): Float64Array => {
    const m = made.get(name);
    if (m) return m;
    const c = inputColumn(name);
    if (c.type !== 'numeric')
      throw new AutomlError('COLUMN_TYPE', `column '${name}' is categorical; ${what} needs a numeric column`);
    used.add(name);
    return c.values;
  };
  const categorical = (name: string, what: string): CategoricalValues => {
    if (made.has(name))
      throw new AutomlError(
        'COLUMN_TYPE',
        `column '${name}' is numeric (an earlier transform made it); ${what} needs a categorical column`,
      );
    const c = inputColumn(name);
    if (c.type !== 'categorical')
      throw new AutomlError('COLUMN_TYPE', `column '${name}' is numeric; ${what} needs a categorical column`);
    if (usedText.has(name))
      throw new AutomlError(
        'COLUMN_TYPE',
        `column '${name}' is read as text by an earlier transform; ${what} cannot read it too`,
      );
    used.add(name);
    return c;
  };
  const text = (name: string, what: string): (string | null)[] => {
    if (made.has(name))
      throw new AutomlError(
        'COLUMN_TYPE',
        `column '${name}' is numeric (an earlier transform made it); ${what} needs a column of text`,
      );
    const c = inputColumn(name);
    if (used.has(name))
      throw new AutomlError(
        'COLUMN_TYPE',
        `column '${name}' is read by an earlier transform as it is; ${what} cannot read it as text too`,
      );
    let values = usedText.get(name);
    if (!values) {
      values = new Array<string | null>(table.nRows);
      for (let r = 0; r < table.nRows; r++) {
        const t = cellText(c, r);
        values[r] = t === '' ? null : t;
      }
      usedText.set(name, values);
    }
    return values;
  };

  const passthrough = spec.passthrough ?? [];
  passthrough.forEach((name, i) => {
    if (passthrough.indexOf(name) !== i)
      throw new AutomlError('DUPLICATE_COLUMN', `passthrough lists column '${name}' twice`);
    numeric(name, 'passthrough (encode a categorical column with one_hot, frequency or target_encoding)');
  });

  const steps: FeatureStep[] = [];
  const features: string[] = [...passthrough];
  spec.transforms.forEach((request, index) => {
    const transform = transformByKind((request as { kind: string } | undefined)?.kind as string);
    const what = `transform ${request.kind}`;
    const ctx: FitContext = {
      nRows: table.nRows,
      numeric: (name) => numeric(name, what),
      categorical: (name) => categorical(name, what),
      text: (name) => text(name, what),
      target(step) {
        if (!target) throw new AutomlError('NO_TARGET', `${step} needs the target; give the target column to fit it`);
        return target;
      },
      rng: rng.fork(index),
    };
    const fitted = transform.fit(request as never, ctx);
    const prepared = prepareFeatureStep(
      fitted.step,
      (name) => {
        const c = table.has(name) ? table.column(name) : undefined;
        return c?.type === 'categorical' ? c.levels : undefined;
      },
      undefined,
      (name) => usedText.has(name),
    );
    for (const name of prepared.outputs) {
      if (made.has(name) || table.has(name)) {
        throw new AutomlError(
          'DUPLICATE_COLUMN',
          `transforms[${index}] (${request.kind}) makes column '${name}', which already exists; remove the repeated transform or rename the column`,
        );
      }
    }
    let train = fitted.train;
    if (!train) {
      const numericMap = new Map<string, Float64Array>();
      for (const name of prepared.numericInputs) numericMap.set(name, numeric(name, what));
      const categoricalMap = new Map<string, Int32Array>();
      for (const name of prepared.categoricalInputs) categoricalMap.set(name, categorical(name, what).codes);
      const textMap = new Map<string, (string | null)[]>();
      for (const name of prepared.textInputs ?? []) textMap.set(name, text(name, what));
      train = prepared.run(numericMap, categoricalMap, table.nRows, textMap);
    }
    prepared.outputs.forEach((name, k) => made.set(name, train[k]!));
    steps.push(fitted.step);
    if (request.feature !== false) features.push(...prepared.outputs);
  });

  const inputs: InputField[] = table.columns
    .filter((c) => used.has(c.name) || usedText.has(c.name))
    .map((c): InputField => {
      if (usedText.has(c.name)) return { name: c.name, type: 'text' };
      if (c.type === 'numeric') return { name: c.name, type: 'numeric' };
      const counts = levelCounts(c.codes, c.levels.length);
      return { name: c.name, type: 'categorical', levels: c.levels.filter((_, i) => counts[i]! > 0) };
    });
  const trainMatrix = features.map((name) => made.get(name) ?? table.numeric(name).values.slice());
  return { node: { kind: 'feature_pipeline', inputs, steps, features }, trainMatrix };
}
