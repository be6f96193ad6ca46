/**
 * Strict reading of a pipeline file's structure: every object the scorer reads may hold only the
 * members its format type defines (src/artifact/format/*.ts), and every `kind` must be one the
 * scorer knows. Anything else is refused, naming the member and where it is, never ignored: a
 * member this scorer does not know could change what a newer automl computes. `metrics` and
 * `provenance` are free-form and not checked.
 */
import { ScoringError } from './errors.js';
import type { FeaturePipelineNode, FeatureStep, InputField } from './format/features.js';
import type { LinearNode } from './format/linear.js';
import type { MlpLayerSerialization, MlpNode } from './format/mlp.js';
import {
  PIPELINE_FORMAT_VERSION,
  type Calibration,
  type DecisionThresholds,
  type EnsembleMember,
  type EnsembleNode,
  type ImportanceEntry,
  type ModelNode,
  type PipelineFile,
} from './format/pipeline.js';
import type { TreeEnsembleNode, TreeSerialization } from './format/tree-ensemble.js';

/** Every member of a format type, required or optional; the compiler keeps these lists complete. */
type Members<T> = { [K in keyof T]-?: object extends Pick<T, K> ? 'optional' : 'required' };

const FILE: Members<PipelineFile> = {
  format: 'required',
  formatVersion: 'required',
  pipelineId: 'required',
  name: 'required',
  target: 'required',
  task: 'required',
  classes: 'required',
  inputs: 'required',
  features: 'required',
  model: 'required',
  metrics: 'required',
  importance: 'required',
  thresholds: 'optional',
  provenance: 'required',
  checksum: 'required',
};
const INPUT: { [T in InputField['type']]: Members<Extract<InputField, { type: T }>> } = {
  numeric: { name: 'required', type: 'required' },
  categorical: { name: 'required', type: 'required', levels: 'required' },
  text: { name: 'required', type: 'required' },
};
const FEATURES: Members<FeaturePipelineNode> = {
  kind: 'required',
  inputs: 'required',
  steps: 'required',
  features: 'required',
};
const STEPS: { [K in FeatureStep['kind']]: Members<Extract<FeatureStep, { kind: K }>> } = {
  standardize: { kind: 'required', column: 'required', output: 'required', mean: 'required', std: 'required' },
  log: { kind: 'required', column: 'required', output: 'required', shift: 'required' },
  yeo_johnson: { kind: 'required', column: 'required', output: 'required', lambda: 'required' },
  quantile_bin: { kind: 'required', column: 'required', output: 'required', edges: 'required' },
  missing: { kind: 'required', column: 'required', output: 'required', indicator: 'required', fill: 'required' },
  interaction: { kind: 'required', op: 'required', columns: 'required', output: 'required' },
  one_hot: { kind: 'required', column: 'required', levels: 'required', outputs: 'required' },
  frequency: {
    kind: 'required',
    column: 'required',
    output: 'required',
    levels: 'required',
    frequencies: 'required',
    unseen: 'required',
  },
  target_encoding: {
    kind: 'required',
    column: 'required',
    outputs: 'required',
    levels: 'required',
    values: 'required',
    prior: 'required',
  },
  date: { kind: 'required', column: 'required', format: 'required', parts: 'required', outputs: 'required' },
  text: {
    kind: 'required',
    column: 'required',
    seed: 'required',
    buckets: 'required',
    wordNgrams: 'required',
    charNgrams: 'required',
    indices: 'required',
    idf: 'required',
    outputs: 'required',
  },
};
const MODELS: { [K in ModelNode['kind']]: Members<Extract<ModelNode, { kind: K }>> } = {
  tree_ensemble: {
    kind: 'required',
    nFeatures: 'required',
    nOutputs: 'required',
    aggregation: 'required',
    link: 'required',
    leafWidth: 'required',
    baseScore: 'required',
    trees: 'required',
  } satisfies Members<TreeEnsembleNode>,
  linear: {
    kind: 'required',
    link: 'required',
    nFeatures: 'required',
    nOutputs: 'required',
    center: 'required',
    indicators: 'required',
    weights: 'required',
    intercept: 'required',
  } satisfies Members<LinearNode>,
  mlp: {
    kind: 'required',
    nFeatures: 'required',
    means: 'required',
    stds: 'required',
    missingIndicators: 'required',
    layers: 'required',
    targetMean: 'required',
    targetStd: 'required',
  } satisfies Members<MlpNode>,
};
const TREE: Members<TreeSerialization> = {
  feature: 'required',
  threshold: 'required',
  missingLeft: 'required',
  left: 'required',
  right: 'required',
  value: 'required',
};
const MLP_LAYER: Members<MlpLayerSerialization> = {
  shape: 'required',
  weights: 'required',
  bias: 'required',
  activation: 'required',
};
const ENSEMBLE: Members<EnsembleNode> = { kind: 'required', members: 'required' };
const MEMBER: Members<EnsembleMember> = {
  weight: 'required',
  features: 'optional',
  model: 'required',
  calibration: 'optional',
};
const CALIBRATION: { [K in Calibration['kind']]: Members<Extract<Calibration, { kind: K }>> } = {
  temperature: { kind: 'required', temperature: 'required', floor: 'required' },
};
const THRESHOLDS: Members<DecisionThresholds> = { positiveClass: 'required', f1: 'required', mcc: 'required' };
const IMPORTANCE: Members<ImportanceEntry> = { feature: 'required', importance: 'required' };

/** The step kinds and the input field type that came with format 2.2. */
const SINCE_2_2 = new Set<string>(['date', 'text']);

/**
 * The lowest format version that holds a pipeline: 2.2 when it has a text input field or a date
 * or text step (at the top level or in an ensemble member), else 2.1. The exporter writes it, so
 * that a pipeline without the new kinds stays readable by a 2.1 scorer.
 */
export function formatVersionFor(parts: {
  inputs: readonly { type: string }[];
  features: FeaturePipelineNode;
  model: unknown;
}): string {
  return needs22(parts.inputs, parts.features, parts.model) ? '2.2' : '2.1';
}

function needs22(inputs: unknown, features: unknown, model: unknown): boolean {
  const hasText = (fields: unknown): boolean =>
    Array.isArray(fields) && fields.some((f) => (f as { type?: unknown } | null)?.type === 'text');
  const nodeNeeds = (node: unknown): boolean => {
    const n = node as { inputs?: unknown; steps?: unknown } | null;
    return (
      hasText(n?.inputs) ||
      (Array.isArray(n?.steps) && n.steps.some((s) => SINCE_2_2.has(String((s as { kind?: unknown } | null)?.kind))))
    );
  };
  if (hasText(inputs) || nodeNeeds(features)) return true;
  const members = (model as { members?: unknown } | null)?.members;
  return Array.isArray(members) && members.some((m) => nodeNeeds((m as { features?: unknown } | null)?.features));
}

/**
 * Checks the members and kinds of a pipeline object whose format and version were checked.
 * `source` names the file in messages.
 */
export function checkStructure(file: Record<string, unknown>, source: string): void {
  const stated = String(file['formatVersion']);
  const minor = (v: string): number => Number(v.split('.')[1]);
  const NEWER =
    minor(stated) > minor(PIPELINE_FORMAT_VERSION)
      ? `the file is format ${stated}, newer than this automl's ${PIPELINE_FORMAT_VERSION}: score it with a newer automl (a pipeline file's members are never ignored)`
      : `it needs a newer format version than ${PIPELINE_FORMAT_VERSION}, so a newer automl may read it (a pipeline file's members are never ignored)`;
  const at = (where: string): string => (where ? ` in ${where}` : ' at its top level');
  const object = (v: unknown, where: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new ScoringError('PIPELINE_FORMAT', `${source}: ${where} is not a JSON object`);
    return v as Record<string, unknown>;
  };
  const array = (v: unknown, where: string): unknown[] => {
    if (!Array.isArray(v)) throw new ScoringError('PIPELINE_FORMAT', `${source}: ${where} is not an array`);
    return v;
  };
  const members = (o: Record<string, unknown>, known: Record<string, 'required' | 'optional'>, where: string): void => {
    for (const key of Object.keys(o)) {
      if (!Object.hasOwn(known, key)) {
        throw new ScoringError(
          'PIPELINE_FORMAT',
          `${source} has a member ${JSON.stringify(key)}${at(where)} that format ${PIPELINE_FORMAT_VERSION} does not define; ${NEWER}`,
        );
      }
    }
    for (const [key, presence] of Object.entries(known)) {
      if (presence === 'required' && o[key] === undefined) {
        throw new ScoringError(
          'PIPELINE_FORMAT',
          `${source} has no ${JSON.stringify(key)}${where ? ` in ${where}` : ''}; it is not a complete pipeline file`,
        );
      }
    }
  };
  const unknownKind = (what: string, kind: unknown, where: string, known: readonly string[]): ScoringError =>
    new ScoringError(
      'PIPELINE_FORMAT',
      `${source} has ${what} ${JSON.stringify(kind)} in ${where}, which format ${PIPELINE_FORMAT_VERSION} does not define (it knows ${known.join(', ')}); ${NEWER}`,
    );
  const inputs = (v: unknown, where: string): void => {
    array(v, where).forEach((x, i) => {
      const o = object(x, `${where}[${i}]`);
      const type = o['type'];
      if (type !== 'numeric' && type !== 'categorical' && type !== 'text')
        throw unknownKind('an input field of type', type, `${where}[${i}]`, Object.keys(INPUT));
      members(o, INPUT[type], `${where}[${i}]`);
    });
  };
  const features = (v: unknown, where: string): void => {
    const o = object(v, where);
    if (o['kind'] !== 'feature_pipeline')
      throw unknownKind('a feature node of kind', o['kind'], where, ['feature_pipeline']);
    members(o, FEATURES, where);
    inputs(o['inputs'], `${where}.inputs`);
    array(o['steps'], `${where}.steps`).forEach((x, i) => {
      const s = object(x, `${where}.steps[${i}]`);
      const kind = s['kind'];
      if (typeof kind !== 'string' || !Object.hasOwn(STEPS, kind))
        throw unknownKind('a feature step of kind', kind, `${where}.steps[${i}]`, Object.keys(STEPS));
      members(s, STEPS[kind as FeatureStep['kind']], `${where}.steps[${i}]`);
    });
  };
  const model = (v: unknown, where: string, inEnsemble: boolean): void => {
    const o = object(v, where);
    const kind = o['kind'];
    if (kind === 'ensemble' && !inEnsemble) {
      members(o, ENSEMBLE, where);
      array(o['members'], `${where}.members`).forEach((x, i) => {
        const m = object(x, `${where}.members[${i}]`);
        members(m, MEMBER, `${where}.members[${i}]`);
        if (m['features'] !== undefined) features(m['features'], `${where}.members[${i}].features`);
        if (m['calibration'] !== undefined) {
          // Calibrations came with format 2.1: a file that says 2.0 cannot hold one.
          if (minor(stated) < 1)
            throw new ScoringError(
              'PIPELINE_FORMAT',
              `${source}: ${where}.members[${i}] has a calibration, which format ${stated} does not have (it came with 2.1): the file's formatVersion is wrong, or the file was edited`,
            );
          const c = object(m['calibration'], `${where}.members[${i}].calibration`);
          const ckind = c['kind'];
          if (typeof ckind !== 'string' || !Object.hasOwn(CALIBRATION, ckind))
            throw unknownKind(
              'a calibration of kind',
              ckind,
              `${where}.members[${i}].calibration`,
              Object.keys(CALIBRATION),
            );
          members(c, CALIBRATION[ckind as Calibration['kind']], `${where}.members[${i}].calibration`);
        }
        model(m['model'], `${where}.members[${i}].model`, true);
      });
      return;
    }
    if (typeof kind !== 'string' || !Object.hasOwn(MODELS, kind)) {
      throw unknownKind('a model of kind', kind, where, [...Object.keys(MODELS), ...(inEnsemble ? [] : ['ensemble'])]);
    }
    members(o, MODELS[kind as ModelNode['kind']], where);
    if (kind === 'tree_ensemble')
      array(o['trees'], `${where}.trees`).forEach((t, i) =>
        members(object(t, `${where}.trees[${i}]`), TREE, `${where}.trees[${i}]`),
      );
    if (kind === 'mlp')
      array(o['layers'], `${where}.layers`).forEach((l, i) =>
        members(object(l, `${where}.layers[${i}]`), MLP_LAYER, `${where}.layers[${i}]`),
      );
  };

  members(file, FILE, '');
  if (minor(stated) < 2 && needs22(file['inputs'], file['features'], file['model']))
    throw new ScoringError(
      'PIPELINE_FORMAT',
      `${source} has a text input field or a date or text step, which format ${stated} does not have (they came with 2.2): the file's formatVersion is wrong, or the file was edited`,
    );
  inputs(file['inputs'], 'inputs');
  features(file['features'], 'features');
  model(file['model'], 'model', false);
  array(file['importance'], 'importance').forEach((x, i) =>
    members(object(x, `importance[${i}]`), IMPORTANCE, `importance[${i}]`),
  );
  if (file['thresholds'] !== undefined) members(object(file['thresholds'], 'thresholds'), THRESHOLDS, 'thresholds');
  object(file['metrics'], 'metrics');
  object(file['provenance'], 'provenance');
}
