/**
 * The conformance fixture for other runtimes: pipelines/examples/ holds small pipelines, each
 * with input rows and the outputs this scorer gives for them. Six are fitted on the hydraulic
 * data with numeric inputs only (one per model family, an ensemble, and the numeric feature
 * steps). Three more add categorical inputs derived from it (`grade`, `site`), with every feature
 * step kind, every model kind, ensembles whose members read their own features (one with fewer
 * levels of a field than the pipeline), calibrated members, and each task: their input rows send
 * unseen levels, missing values in every form the scorer accepts, numbers as JSON numbers and as
 * text, and levels that need escaping in JSON and CSV. This test checks that the committed files
 * still load, match the JSON Schema, score to their expected outputs, and together cover every
 * step kind, model kind and task. To rebuild them after a deliberate format change:
 * `UPDATE_EXAMPLES=1 npx vitest run test/artifact/examples.test.ts`.
 *
 * `date-text` (format 2.2) is fitted on a small generated table instead: a date-time column with
 * time zones and a review column of tricky Unicode, through a `date` and a `text` step into a
 * GBDT, so that other runtimes check the date grammar, the tokeniser and the hash.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { labelColumns } from '../../recipes/index.js';
import { pipelineText } from '../../src/search/export.js';
import { mergedInputs } from '../../src/search/finalize.js';
import { fitCalibration } from '../../src/search/calibrate.js';
import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import type { FeaturePipelineNode, InputField } from '../../src/artifact/format/features.js';
import type { EnsembleNode, ModelNode, PipelineFile, PipelineTask } from '../../src/artifact/format/pipeline.js';
import { FEATURE_STEPS } from '../../src/artifact/steps/index.js';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { readCsv } from '../../src/data/csv.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { inferTarget } from '../../src/data/infer.js';
import { numericMatrix } from '../../src/data/matrix.js';
import { Table, type CategoricalColumn, type Column } from '../../src/data/table.js';
import { columnarInput } from '../../src/features/columnar-input.js';
import type { FeatureTarget } from '../../src/features/types.js';
import type { FitData, FittedModel } from '../../src/models/types.js';
import { fitForest } from '../../src/models/forest/forest.js';
import { fitGbdt } from '../../src/models/gbdt/gbdt.js';
import { fitGlm } from '../../src/models/glm/glm.js';
import { fitMlpAsync } from '../../src/models/mlp/mlp.js';
import { fitFeaturePipeline, type FittedFeaturePipeline } from '../../src/features/pipeline.js';
import { holdoutSplit } from '../../src/split/holdout.js';
import { Rng } from '../../src/util/random.js';
import { cellString } from '../../src/artifact/scorer.js';
import { python } from './python-steps.js';

const DIR = join(import.meta.dirname, '..', '..', 'pipelines', 'examples');
const PYTHON_RUNTIME = join(DIR, '..', 'runtimes', 'python');
/** The format's contract: every runtime reproduces the expected outputs to this, absolute. */
const TOLERANCE = 1e-9;
const HYDRAULIC = ['gbdt', 'random-forest', 'glm', 'mlp', 'ensemble', 'steps'] as const;
const CATEGORICAL = ['binary-categorical', 'multiclass-categorical', 'regression-categorical'] as const;
/** Examples fitted on generated data (built by {@link buildDateText}). */
const GENERATED = ['date-text'] as const;
const NAMES = [...HYDRAULIC, ...CATEGORICAL, ...GENERATED] as const;
const TARGET = 'cool_cond_y';
const EXPORTED = new Date('2026-01-01T00:00:00Z');

/** An input row as a client sends it: text, a JSON number, or null. */
type Cell = string | number | null;

async function buildHydraulic(): Promise<void> {
  const table = await readCsv(embeddedDataPath());
  const labels: readonly string[] = labelColumns('hydraulic');
  const features = table.names.filter((n) => !labels.includes(n));
  const info = inferTarget(table.column(TARGET));
  const isTrain = holdoutSplit(table.nRows, { ratio: 0.75, seed: 42 }, info.y);
  const tr: number[] = [];
  const te: number[] = [];
  isTrain.forEach((v, i) => (v ? tr : te).push(i));
  const data = { x: numericMatrix(table.take(tr), features), y: Float64Array.from(tr, (i) => info.y[i]!) };
  const opts = { kind: 'multiclass' as const, nClasses: 3, rng: new Rng(42) };
  const models: Record<string, ModelNode> = {
    gbdt: fitGbdt(data, { ...opts, params: { nRounds: 10, numLeaves: 7 } }).exportNode(),
    'random-forest': fitForest(data, { ...opts, params: { nTrees: 5, maxDepth: 4 } }).exportNode(),
    glm: fitGlm(data, opts).exportNode() as ModelNode,
    mlp: (await fitMlpAsync(data, { ...opts, params: { hiddenLayers: [8], epochs: 40 } })).exportNode() as ModelNode,
  };
  const ensemble: EnsembleNode = {
    kind: 'ensemble',
    members: [
      { weight: 0.5, model: models['gbdt']! },
      { weight: 0.3, model: models['random-forest']! },
      { weight: 0.2, model: models['glm']! },
    ],
  };
  const inputs: InputField[] = features.map((name) => ({ name, type: 'numeric' }));
  const node: FeaturePipelineNode = { kind: 'feature_pipeline', inputs, steps: [], features };
  // 'steps': a GLM behind numeric feature steps, so that other runtimes check those too.
  const stepped = fitFeaturePipeline(
    table.take(tr),
    {
      passthrough: features,
      transforms: [
        { kind: 'standardize', column: 'tsa_temp' },
        { kind: 'log', column: 'cool_pwr_pct' },
        { kind: 'yeo_johnson', column: 'vs_vib' },
        { kind: 'quantile_bin', column: 'pump_eff', bins: 8 },
        { kind: 'missing', column: 'psa_bar' },
        { kind: 'interaction', op: 'ratio', columns: ['psa_bar', 'psb_bar'] },
        { kind: 'interaction', op: 'difference', columns: ['tsa_temp', 'tsd_temp'] },
        { kind: 'interaction', op: 'product', columns: ['fsa_vol_flow', 'fsb_vol_flow'] },
      ],
    },
    undefined,
    new Rng(42),
  );
  models['steps'] = fitGlm(
    { x: { nRows: tr.length, columns: stepped.trainMatrix }, y: data.y },
    opts,
  ).exportNode() as ModelNode;
  // Ten held-out rows as a REST client sends them (numbers as strings), one with a missing value.
  const rows = te
    .slice(0, 10)
    .map((r, k) =>
      Object.fromEntries(features.map((f, j) => [f, k === 9 && j === 0 ? '' : String(table.numeric(f).values[r]!)])),
    );
  for (const name of HYDRAULIC) {
    const text = pipelineText({
      name: `hydraulic-${TARGET}-${name}`,
      target: TARGET,
      task: 'multiclass',
      classes: info.classes!,
      inputs: name === 'steps' ? stepped.node.inputs : inputs,
      features: name === 'steps' ? stepped.node : node,
      model: name === 'ensemble' ? ensemble : models[name]!,
      seed: 42,
      settings: { example: true },
      pipelineId: '00000000-0000-4000-8000-00000000000' + HYDRAULIC.indexOf(name),
      fittedAt: EXPORTED,
      exportedAt: EXPORTED,
    });
    writeExample(name, text, rows);
  }
}

/** Writes an example's pipeline, its inputs and the outputs this scorer gives for them. */
function writeExample(name: string, text: string, rows: readonly Record<string, Cell>[]): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, `${name}.pipeline.json`), text);
  writeFileSync(join(DIR, `${name}.inputs.json`), `${JSON.stringify(rows, null, 2)}\n`);
  const scorer = loadPipeline(text);
  const out = rows.map((row) => Object.fromEntries(scorer.score(row).map((p, k) => [scorer.outputNames[k]!, p])));
  writeFileSync(join(DIR, `${name}.expected.json`), `${JSON.stringify(out, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The categorical examples.

/** The levels of `grade` (a quartile of tsa_temp) and `site` (a quintile of fsa_vol_flow, shifted every third row). */
const GRADES = ['low', 'mid, "quoted"', 'café', 'high 🚀'];
const SITES = ['7', 'north', 'south', 'Zürich \\ depot', 'east "yard"'];
/** Rare levels: a handful of training rows each (the GLM member of the binary example never sees them). */
const RARE_GRADE = 'Ω rare';
const RARE_SITE = 'rare, site';
/** The numeric fields of the categorical examples (pump_eff is the regression target). */
const NUMERIC = [
  'psa_bar',
  'psb_bar',
  'tsa_temp',
  'tsd_temp',
  'fsa_vol_flow',
  'fsb_vol_flow',
  'cool_pwr_pct',
  'vs_vib',
];

/** Each value's quantile group 0..k−1 over the whole column (edges at the k-quantiles of the sorted values). */
function quantileGroup(values: Float64Array, k: number): Int32Array {
  const sorted = Float64Array.from(values).sort();
  const edges = Array.from({ length: k - 1 }, (_, q) => sorted[Math.floor(((q + 1) * sorted.length) / k)]!);
  return Int32Array.from(values, (v) => edges.filter((e) => v >= e).length);
}

function categorical(name: string, codes: Int32Array, levels: readonly string[]): CategoricalColumn {
  return { name, type: 'categorical', codes, levels };
}

/**
 * The hydraulic table made into one with categorical inputs, deterministically from its rows:
 * the NUMERIC fields (psa_bar missing in every 41st row, vs_vib in every 19th), `grade` and
 * `site` (each with missing values and a rare level), and the target.
 */
function categoricalTable(hydraulic: Table, target: string): Table {
  const n = hydraulic.nRows;
  const numeric = NUMERIC.map((name): Column => {
    const values = hydraulic.numeric(name).values.slice();
    for (let i = 0; i < n; i++) {
      if ((name === 'psa_bar' && i % 41 === 0) || (name === 'vs_vib' && i % 19 === 4)) values[i] = NaN;
    }
    return { name, type: 'numeric', values };
  });
  const tempGroup = quantileGroup(hydraulic.numeric('tsa_temp').values, 4);
  const flowGroup = quantileGroup(hydraulic.numeric('fsa_vol_flow').values, 5);
  const grade = Int32Array.from(tempGroup, (g, i) => (i % 17 === 5 ? -1 : i % 157 === 11 ? GRADES.length : g));
  const site = Int32Array.from(flowGroup, (g, i) =>
    i % 29 === 7 ? -1 : i % 173 === 3 ? SITES.length : (g + (i % 3 === 0 ? 1 : 0)) % SITES.length,
  );
  return new Table(
    [
      ...numeric,
      categorical('grade', grade, [...GRADES, RARE_GRADE]),
      categorical('site', site, [...SITES, RARE_SITE]),
      hydraulic.column(target),
    ],
    n,
  );
}

/**
 * Fourteen input rows from held-out rows spread over the table, each overriding some values to exercise a reading rule:
 * numbers as text or JSON numbers, text with spaces, exponents, a sign and more than 17 digits;
 * missing values as "", null, NA, nan, NaN, ? and 'null'; unseen levels (an unknown word, case,
 * a leading space, the NFD spelling of a seen level, '7.0' for the level '7', 'None'); levels
 * with a quote, a comma, a backslash, non-ASCII letters and an emoji; the number 7 for the level '7'.
 */
function categoricalRows(table: Table, rows: readonly number[], fields: readonly InputField[]): Record<string, Cell>[] {
  const nums = fields.filter((f) => f.type === 'numeric').map((f) => f.name);
  const [a, b, c] = nums as [string, string, string];
  const overrides: Record<string, Cell>[] = [
    {},
    Object.fromEntries(nums.map((f) => [f, 'number'])),
    { grade: 'mid, "quoted"', site: '7' },
    { grade: 'café', site: 7 },
    { grade: 'high 🚀', site: 'Zürich \\ depot' },
    { grade: 'purple', site: 'Zu\u0308rich \\ depot' },
    { grade: '', site: null, [a]: null, [b]: '' },
    { grade: 'NA', site: ' na ', [a]: 'NA', [b]: 'nan' },
    { grade: 'low', site: 'east "yard"', [a]: 'spaces', [b]: 'exponent', [c]: 'plus' },
    { grade: RARE_GRADE, site: RARE_SITE, [a]: '?' },
    { grade: ' low', site: 'NORTH' },
    { grade: 'null', site: 'None', [b]: 'NaN' },
    Object.fromEntries(fields.map((f) => [f.name, null])),
    { grade: 'café', site: '7.0', [a]: 'long' },
  ];
  return overrides.map((over, k) => {
    const r = rows[Math.floor((k * rows.length) / overrides.length)]!;
    const row: Record<string, Cell> = {};
    for (const f of fields) {
      const col = table.column(f.name);
      let v: Cell;
      if (col.type === 'numeric') {
        const x = col.values[r]!;
        const how = over[f.name];
        if (how === 'number') v = Number.isNaN(x) ? null : x;
        else if (Number.isNaN(x)) v = '';
        else if (how === 'spaces') v = ` ${x} `;
        else if (how === 'exponent') v = x.toExponential();
        else if (how === 'plus') v = `+${x}`;
        else if (how === 'long') v = `${x.toPrecision(17)}0000000001`;
        else if (how !== undefined) v = how;
        else v = String(x);
      } else {
        const code = col.codes[r]!;
        v = f.name in over ? over[f.name]! : code < 0 ? '' : col.levels[code]!;
      }
      row[f.name] = v;
    }
    return row;
  });
}

interface Split {
  table: Table;
  train: Table;
  /** Held-out rows: calibrations are fitted on them, and the input rows are spread over them. */
  test: number[];
  y: Float64Array;
  yTest: Float64Array;
  target: FeatureTarget;
  classes: readonly string[] | null;
  task: PipelineTask;
}

function split(hydraulic: Table, targetName: string, task: PipelineTask): Split {
  const table = categoricalTable(hydraulic, targetName);
  const info = inferTarget(table.column(targetName), task);
  const isTrain = holdoutSplit(table.nRows, { ratio: 0.75, seed: 42 }, task === 'regression' ? undefined : info.y);
  const tr: number[] = [];
  const test: number[] = [];
  isTrain.forEach((v, i) => (v ? tr : test).push(i));
  const y = Float64Array.from(tr, (i) => info.y[i]!);
  const nClasses = info.classes?.length ?? 1;
  return {
    table,
    train: table.take(tr),
    test,
    y,
    yTest: Float64Array.from(test, (i) => info.y[i]!),
    target: { kind: task, y, nClasses, ...(info.classes ? { labels: info.classes } : {}) },
    classes: info.classes ?? null,
    task,
  };
}

function fitData(f: FittedFeaturePipeline, y: Float64Array): FitData {
  return { x: { nRows: y.length, columns: f.trainMatrix }, y };
}

/** A temperature calibration fitted on the model's probabilities of the held-out rows. */
function calibrationFor(s: Split, node: FeaturePipelineNode, model: FittedModel): ReturnType<typeof fitCalibration> {
  const held = s.table.take(s.test);
  const columns = new FeatureScorer(node).apply(columnarInput(held, node));
  const p = model.predict({ nRows: s.test.length, columns });
  return fitCalibration(p, s.yTest, s.classes!.length);
}

async function buildCategorical(): Promise<void> {
  const hydraulic = await readCsv(embeddedDataPath());
  const write = (
    name: (typeof CATEGORICAL)[number],
    s: Split,
    features: FeaturePipelineNode,
    members: FeaturePipelineNode[],
    model: ModelNode | EnsembleNode,
  ): void => {
    const inputs = mergedInputs(members);
    const text = pipelineText({
      name: `hydraulic-${s.target.kind}-${name}`,
      target: s.table.names[s.table.names.length - 1]!,
      task: s.task,
      classes: s.classes,
      inputs,
      features,
      model,
      seed: 42,
      settings: { example: true, categorical: 'grade, site derived from tsa_temp, fsa_vol_flow' },
      pipelineId: `00000000-0000-4000-8000-0000000000${10 + CATEGORICAL.indexOf(name)}`,
      fittedAt: EXPORTED,
      exportedAt: EXPORTED,
    });
    writeExample(name, text, categoricalRows(s.table, s.test, inputs));
  };

  // Binary (stable_y): an ensemble of a calibrated GBDT and a forest on the pipeline's features,
  // a GLM on its own features fitted without the rare levels, and an MLP on its own features.
  {
    const s = split(hydraulic, 'stable_y', 'binary');
    const opts = { kind: 'binary' as const, nClasses: 2 };
    const main = fitFeaturePipeline(
      s.train,
      {
        passthrough: ['psa_bar', 'tsa_temp', 'vs_vib', 'fsa_vol_flow'],
        transforms: [
          { kind: 'one_hot', column: 'grade' },
          { kind: 'frequency', column: 'site' },
          { kind: 'missing', column: 'vs_vib' },
        ],
      },
      s.target,
      new Rng(42),
    );
    const gbdt = fitGbdt(fitData(main, s.y), { ...opts, rng: new Rng(42), params: { nRounds: 8, numLeaves: 5 } });
    const forest = fitForest(fitData(main, s.y), { ...opts, rng: new Rng(43), params: { nTrees: 3, maxDepth: 3 } });
    const common: number[] = [];
    const grade = s.train.column('grade') as CategoricalColumn;
    const site = s.train.column('site') as CategoricalColumn;
    for (let i = 0; i < s.train.nRows; i++) {
      if (grade.levels[grade.codes[i]!] !== RARE_GRADE && site.levels[site.codes[i]!] !== RARE_SITE) common.push(i);
    }
    const yCommon = Float64Array.from(common, (i) => s.y[i]!);
    const glmSteps = fitFeaturePipeline(
      s.train.take(common),
      {
        transforms: [
          { kind: 'target_encoding', column: 'site', folds: 3, smoothing: 5 },
          { kind: 'target_encoding', column: 'grade' },
          { kind: 'standardize', column: 'psa_bar' },
          { kind: 'quantile_bin', column: 'tsa_temp', bins: 4 },
        ],
      },
      { ...s.target, y: yCommon },
      new Rng(44),
    );
    const glm = fitGlm(fitData(glmSteps, yCommon), { ...opts, rng: new Rng(44) });
    const mlpSteps = fitFeaturePipeline(
      s.train,
      {
        passthrough: ['psb_bar'],
        transforms: [
          { kind: 'one_hot', column: 'site', maxLevels: 4 },
          { kind: 'yeo_johnson', column: 'fsa_vol_flow' },
          { kind: 'interaction', op: 'ratio', columns: ['psa_bar', 'psb_bar'] },
        ],
      },
      s.target,
      new Rng(45),
    );
    const mlp = await fitMlpAsync(fitData(mlpSteps, s.y), {
      ...opts,
      rng: new Rng(45),
      params: { hiddenLayers: [4], epochs: 15 },
    });
    write('binary-categorical', s, main.node, [main.node, glmSteps.node, mlpSteps.node], {
      kind: 'ensemble',
      members: [
        { weight: 0.5, model: gbdt.exportNode(), calibration: calibrationFor(s, main.node, gbdt) },
        { weight: 0.125, model: forest.exportNode() },
        { weight: 0.25, features: glmSteps.node, model: glm.exportNode() },
        { weight: 0.125, features: mlpSteps.node, model: mlp.exportNode() },
      ],
    });
  }

  // Multiclass (valve_cond_y, four classes): one calibrated GBDT (a one-member ensemble, as
  // `automl run` writes a calibrated refit), with one-hot of the top levels, a multiclass target
  // encoding (one column per class) and frequency encoding.
  {
    const s = split(hydraulic, 'valve_cond_y', 'multiclass');
    const steps = fitFeaturePipeline(
      s.train,
      {
        passthrough: ['psa_bar', 'psb_bar', 'fsa_vol_flow', 'cool_pwr_pct'],
        transforms: [
          { kind: 'one_hot', column: 'grade', maxLevels: 3 },
          { kind: 'target_encoding', column: 'site', folds: 4, smoothing: 10 },
          { kind: 'frequency', column: 'grade' },
        ],
      },
      s.target,
      new Rng(42),
    );
    const gbdt = fitGbdt(fitData(steps, s.y), {
      kind: 'multiclass',
      nClasses: s.classes!.length,
      rng: new Rng(42),
      params: { nRounds: 5, numLeaves: 5 },
    });
    write('multiclass-categorical', s, steps.node, [steps.node], {
      kind: 'ensemble',
      members: [{ weight: 1, model: gbdt.exportNode(), calibration: calibrationFor(s, steps.node, gbdt) }],
    });
  }

  // Regression (pump_eff): a forest on the pipeline's features, an MLP and a ridge regression on
  // their own; the MLP standardises a ratio that is not itself a feature.
  {
    const s = split(hydraulic, 'pump_eff', 'regression');
    const opts = { kind: 'regression' as const, nClasses: 1 };
    const forestSteps = fitFeaturePipeline(
      s.train,
      {
        passthrough: ['psa_bar', 'psb_bar', 'tsa_temp', 'fsa_vol_flow'],
        transforms: [
          { kind: 'one_hot', column: 'site', maxLevels: 3 },
          { kind: 'frequency', column: 'grade' },
        ],
      },
      s.target,
      new Rng(42),
    );
    const forest = fitForest(fitData(forestSteps, s.y), {
      ...opts,
      rng: new Rng(42),
      params: { nTrees: 4, maxDepth: 4 },
    });
    const mlpSteps = fitFeaturePipeline(
      s.train,
      {
        transforms: [
          { kind: 'standardize', column: 'tsa_temp' },
          { kind: 'yeo_johnson', column: 'vs_vib' },
          { kind: 'log', column: 'cool_pwr_pct' },
          { kind: 'target_encoding', column: 'grade', folds: 5, smoothing: 20 },
          { kind: 'interaction', op: 'ratio', columns: ['fsa_vol_flow', 'fsb_vol_flow'], feature: false },
          { kind: 'standardize', column: 'fsa_vol_flow/fsb_vol_flow' },
        ],
      },
      s.target,
      new Rng(43),
    );
    const mlp = await fitMlpAsync(fitData(mlpSteps, s.y), {
      ...opts,
      rng: new Rng(43),
      params: { hiddenLayers: [6], epochs: 30 },
    });
    const linearSteps = fitFeaturePipeline(
      s.train,
      {
        transforms: [
          { kind: 'interaction', op: 'difference', columns: ['tsa_temp', 'tsd_temp'] },
          { kind: 'interaction', op: 'product', columns: ['psa_bar', 'fsa_vol_flow'] },
          { kind: 'quantile_bin', column: 'psb_bar', bins: 5 },
          { kind: 'missing', column: 'psa_bar', fill: 'mean' },
          { kind: 'target_encoding', column: 'site' },
        ],
      },
      s.target,
      new Rng(44),
    );
    const linear = fitGlm(fitData(linearSteps, s.y), { ...opts, rng: new Rng(44) });
    write('regression-categorical', s, forestSteps.node, [forestSteps.node, mlpSteps.node, linearSteps.node], {
      kind: 'ensemble',
      members: [
        { weight: 0.5, model: forest.exportNode() },
        { weight: 0.25, features: mlpSteps.node, model: mlp.exportNode() },
        { weight: 0.25, features: linearSteps.node, model: linear.exportNode() },
      ],
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The date-text example (format 2.2).

/** Words of the date-text example's reviews: plain, tricky for a tokeniser, and signal words. */
const GOOD = ['great', 'love', 'excellent', 'sehr gut', 'très bien', 'ΤΈΛΕΙΟΣ'];
const BAD = ['broken', 'refund', 'awful', 'kaputt', 'déçu', 'ΚΑΚΌΣ'];
const FILLER = [
  'the',
  'parcel',
  'İstanbul',
  'cafe\u0301',
  'Straße',
  'ﬁne',
  'Ｆｕｌｌ',
  '日本語',
  'हिन्दी',
  '😀',
  "don't",
  'x²',
  'ΣΟΦΟΣ',
];

/** The date-text example: 80 generated rows, 60 to fit, 10 of the others as inputs. */
async function buildDateText(): Promise<void> {
  const rng = new Rng(15);
  const n = 80;
  const dates: (string | null)[] = [];
  const reviews: (string | null)[] = [];
  const y = new Float64Array(n);
  const pad = (v: number): string => String(v).padStart(2, '0');
  for (let i = 0; i < n; i++) {
    const ms = Date.UTC(2022, 0, 1) + Math.floor(rng.next() * 900 * 86400) * 1000 + rng.int(1000);
    const off = rng.int(7) - 3;
    const local = new Date(ms + off * 3600_000).toISOString().slice(0, 23);
    const zone =
      off === 0
        ? rng.next() < 0.5
          ? 'Z'
          : ''
        : `${off < 0 ? '-' : '+'}${pad(Math.abs(off))}:${rng.next() < 0.5 ? '00' : '30'}`;
    dates.push(
      i % 17 === 5 ? null : i % 19 === 7 ? 'soon' : `${local.replace('T', rng.next() < 0.3 ? ' ' : 'T')}${zone}`,
    );
    const good = rng.next() < 0.5;
    const weekend = new Date(ms).getUTCDay() % 6 === 0;
    y[i] = good !== (weekend && rng.next() < 0.7) ? 1 : 0;
    const words = Array.from({ length: 2 + rng.int(5) }, () => FILLER[rng.int(FILLER.length)]!);
    const signal = good ? GOOD : BAD;
    words.splice(rng.int(words.length), 0, signal[rng.int(signal.length)]!);
    reviews.push(i % 13 === 4 ? null : words.join(rng.next() < 0.5 ? ' ' : ', '));
  }
  const coded = (name: string, values: (string | null)[]): CategoricalColumn => {
    const levels = [...new Set(values.filter((v): v is string => v !== null))];
    const index = new Map(levels.map((l, k) => [l, k]));
    return categorical(
      name,
      Int32Array.from(values, (v) => (v === null ? -1 : index.get(v)!)),
      levels,
    );
  };
  const amount = Float64Array.from({ length: n }, (_, i) => (i % 11 === 3 ? NaN : Math.round(rng.next() * 1000) / 10));
  const table = new Table(
    [coded('visited', dates), coded('review', reviews), { name: 'amount', type: 'numeric', values: amount }],
    n,
  );
  const tr = Array.from({ length: 60 }, (_, i) => i);
  const fitted = fitFeaturePipeline(
    table.take(tr),
    {
      passthrough: ['amount'],
      transforms: [
        { kind: 'date', column: 'visited', format: 'iso' },
        { kind: 'text', column: 'review', minDf: 1, wordNgrams: 2, charNgrams: 3, maxFeatures: 64 },
      ],
    },
    undefined,
    new Rng(15),
  );
  const yTrain = Float64Array.from(tr, (i) => y[i]!);
  const model = fitGbdt(
    { x: { nRows: tr.length, columns: fitted.trainMatrix }, y: yTrain },
    { kind: 'binary', nClasses: 2, rng: new Rng(15), params: { nRounds: 12, numLeaves: 5, minDataInLeaf: 3 } },
  ).exportNode();
  const rows = Array.from({ length: 10 }, (_, k) => {
    const i = 60 + k;
    return {
      visited: dates[i] ?? '',
      review: reviews[i] ?? '',
      amount: Number.isNaN(amount[i]!) ? '' : String(amount[i]),
    };
  });
  // The values that test a runtime the most, whatever the draws gave.
  rows[0]!.visited = '2024-03-01T01:30:00.25+02:00';
  rows[1]!.visited = '31/12/2024';
  rows[2]!.visited = '';
  rows[3]!.review = 'ΣΟΦΟΣ İstanbul cafe\u0301 Ｆｕｌｌ ﬁne — great, great!';
  rows[4]!.review = 'NA';
  rows[5]!.visited = '2023-12-31 23:59:59.999999999-12:00';
  const text = pipelineText({
    name: 'reviews-liked-date-text',
    target: 'liked',
    task: 'binary',
    classes: ['no', 'yes'],
    inputs: fitted.node.inputs,
    features: fitted.node,
    model,
    seed: 15,
    settings: { example: true },
    pipelineId: '00000000-0000-4000-8000-000000000010',
    fittedAt: EXPORTED,
    exportedAt: EXPORTED,
  });
  writeExample('date-text', text, rows);
}

/** Builds every example whose files are missing, or all of them with UPDATE_EXAMPLES=1. */
async function build(): Promise<void> {
  const update = process.env['UPDATE_EXAMPLES'] === '1';
  const missing = (name: string): boolean => update || !existsSync(join(DIR, `${name}.expected.json`));
  if (HYDRAULIC.some(missing)) await buildHydraulic();
  if (CATEGORICAL.some(missing)) await buildCategorical();
  if (GENERATED.some(missing)) await buildDateText();
}

// ---------------------------------------------------------------------------------------------

/** The step kinds (interactions by op), model kinds and tasks a pipeline file holds. */
function coverage(file: PipelineFile): Set<string> {
  const out = new Set<string>([`task:${file.task}`]);
  const features = (node: FeaturePipelineNode): void => {
    for (const step of node.steps) out.add(step.kind === 'interaction' ? `interaction:${step.op}` : step.kind);
    for (const f of node.inputs) out.add(`input:${f.type}`);
  };
  const model = (m: ModelNode): void => {
    out.add(m.kind === 'tree_ensemble' ? `tree_ensemble:${m.aggregation === 'sum' ? 'gbdt' : 'forest'}` : m.kind);
    out.add(`${m.kind}:${file.task}`);
  };
  features(file.features);
  if (file.model.kind === 'ensemble') {
    out.add('ensemble');
    for (const m of file.model.members) {
      model(m.model);
      if (m.features) {
        out.add('member features');
        features(m.features);
        const fewer = m.features.inputs.some((f) => {
          const p = file.inputs.find((g) => g.name === f.name);
          return f.type === 'categorical' && p?.type === 'categorical' && f.levels.length < p.levels.length;
        });
        if (fewer) out.add('member with fewer levels');
      }
      if (m.calibration) out.add(`calibration:${m.calibration.kind}`);
    }
  } else model(file.model);
  return out;
}

describe('pipelines/examples: the conformance fixture', async () => {
  await build();
  const schema = JSON.parse(readFileSync(join(DIR, '..', 'pipeline.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ strict: true }).compile(schema);
  const read = <T>(name: string, kind: string): T =>
    JSON.parse(readFileSync(join(DIR, `${name}.${kind}.json`), 'utf8')) as T;

  for (const name of NAMES) {
    it(`${name}: loads, matches the schema and scores its inputs to the expected outputs`, () => {
      const text = readFileSync(join(DIR, `${name}.pipeline.json`), 'utf8');
      expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
      const scorer = loadPipeline(join(DIR, `${name}.pipeline.json`));
      const rows = read<Record<string, Cell>[]>(name, 'inputs');
      const expected = read<Record<string, number>[]>(name, 'expected');
      expect(rows).toHaveLength(name.endsWith('categorical') ? 14 : 10);
      expect(expected).toHaveLength(rows.length);
      rows.forEach((row, i) => {
        const got = scorer.score(row);
        expect(Object.keys(expected[i]!)).toEqual(scorer.outputNames);
        scorer.outputNames.forEach((col, k) => expect(got[k]).toBeCloseTo(expected[i]![col]!, 12));
        if (scorer.classes) expect(got.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
      });
      if (name === 'date-text') expect(scorer.outputNames).toEqual(['liked.no', 'liked.yes']);
      else if (!name.endsWith('categorical'))
        expect(scorer.outputNames).toEqual(['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100']);
    });
  }

  it('date-text: the Python date and text steps give the feature matrix of the TypeScript scorer, bit for bit', () => {
    const file = JSON.parse(readFileSync(join(DIR, 'date-text.pipeline.json'), 'utf8')) as {
      features: FeaturePipelineNode;
    };
    const rows = JSON.parse(readFileSync(join(DIR, 'date-text.inputs.json'), 'utf8')) as Record<string, string>[];
    const node = file.features;
    const text: Record<string, (string | null)[]> = {};
    for (const f of node.inputs) if (f.type === 'text') text[f.name] = rows.map((r) => cellString(r[f.name]) ?? null);
    const numeric = { amount: Float64Array.from(rows, (r) => (r['amount'] === '' ? NaN : Number(r['amount']))) };
    const ts = new FeatureScorer(node).apply({ nRows: rows.length, numeric, categorical: {}, text }, false);
    const py = python<(number | null)[][]>(
      `[sum([d.date_outputs(d.text_value(row[s['column']]), s['format'], [d.DATE_PARTS.index(p) for p in s['parts']])
         if s['kind'] == 'date' else
         d.text_outputs(d.text_value(row[s['column']]), s['seed'], s['buckets'], s['wordNgrams'], s['charNgrams'],
                        {b: j for j, b in enumerate(s['indices'])}, s['idf'])
         for s in req['steps']], []) for row in req['rows']]`,
      { steps: node.steps, rows },
    );
    const stepOutputs = node.steps.flatMap((s) => ('outputs' in s ? s.outputs : []));
    expect(stepOutputs).toHaveLength(7 + 64);
    rows.forEach((_, r) =>
      stepOutputs.forEach((name, k) => {
        const want = ts[node.features.indexOf(name)]![r]!;
        const got = py[r]![k];
        expect(got === null ? NaN : got, `row ${r}, ${name}`).toBe(want);
      }),
    );
    // The rows hit the cases that matter: a zone, a fraction, DD/MM/YYYY (not ISO: missing), missing values.
    const month = ts[node.features.indexOf('month(visited)')]!;
    expect(Array.from(month.slice(0, 3))).toEqual([2, NaN, NaN]);
  });

  it('together they cover every feature step kind, model kind and task, calibration and members with own features', () => {
    const seen = new Set(NAMES.flatMap((name) => [...coverage(read<PipelineFile>(name, 'pipeline'))]));
    const wanted = [
      ...Object.keys(FEATURE_STEPS).filter((k) => k !== 'interaction'),
      'interaction:ratio',
      'interaction:difference',
      'interaction:product',
      'input:numeric',
      'input:categorical',
      'input:text',
      'tree_ensemble:gbdt',
      'tree_ensemble:forest',
      'linear',
      'mlp',
      'ensemble',
      'member features',
      'member with fewer levels',
      'calibration:temperature',
      'task:binary',
      'task:multiclass',
      'task:regression',
      ...['tree_ensemble', 'linear', 'mlp'].flatMap((m) => [`${m}:binary`, `${m}:multiclass`, `${m}:regression`]),
    ];
    expect(wanted.filter((w) => !seen.has(w))).toEqual([]);
  });

  it('the Python runtime reproduces every expected output within 1e-9 (its library, the JSON rows as they are)', () => {
    expect(existsSync(join(PYTHON_RUNTIME, 'automl_scorer.py')), `${PYTHON_RUNTIME}/automl_scorer.py is missing`).toBe(
      true,
    );
    // One python3 (standard library only) scores every example's input rows, read from the JSON
    // file itself: null, numbers and text reach it as they reach the TypeScript scorer.
    const script = [
      'import json, sys',
      'import automl_scorer',
      'out = {}',
      'for name in sys.argv[1:]:',
      `    p = automl_scorer.load(${JSON.stringify(DIR)} + '/' + name + '.pipeline.json')`,
      `    rows = json.load(open(${JSON.stringify(DIR)} + '/' + name + '.inputs.json', encoding='utf-8'))`,
      '    out[name] = {"outputs": p.output_names, "scores": p.score_batch(rows), "unseen": p.unseen}',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, ...NAMES], {
      cwd: PYTHON_RUNTIME,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: PYTHON_RUNTIME, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as Record<
      string,
      { outputs: string[]; scores: number[][]; unseen: Record<string, number> }
    >;
    let largest = 0;
    for (const name of NAMES) {
      const expected = read<Record<string, number>[]>(name, 'expected');
      const { outputs, scores, unseen } = got[name]!;
      expect(outputs).toEqual(Object.keys(expected[0]!));
      // Levels never seen in training are counted alike (the same texts are unseen).
      const scorer = loadPipeline(join(DIR, `${name}.pipeline.json`));
      scorer.scoreBatch(read<Record<string, Cell>[]>(name, 'inputs'));
      expect(unseen, name).toEqual(scorer.unseen);
      expect(scores).toHaveLength(expected.length);
      scores.forEach((row, i) =>
        row.forEach((x, k) => {
          const d = Math.abs(x - expected[i]![outputs[k]!]!);
          expect(d, `${name}: row ${i}, ${outputs[k]}: ${x} against ${expected[i]![outputs[k]!]}`).toBeLessThanOrEqual(
            TOLERANCE,
          );
          largest = Math.max(largest, d);
        }),
      );
    }
    console.log(`examples: the Python runtime's largest |difference| from the expected outputs: ${largest}`);
  });

  describe.each(CATEGORICAL)('%s: the input rows', (name) => {
    const scorer = loadPipeline(join(DIR, `${name}.pipeline.json`));
    const rows = read<Record<string, Cell>[]>(name, 'inputs');
    const expected = read<Record<string, number>[]>(name, 'expected');
    const values = (i: number): number[] => scorer.outputNames.map((c) => expected[i]![c]!);
    const levels = (field: string): readonly string[] => {
      const f = scorer.fields.find((x) => x.name === field);
      return f?.type === 'categorical' ? f.levels : [];
    };

    it('send levels that need escaping, unseen levels and every missing-value form', () => {
      const sent = rows.flatMap((r) => [r['grade'], r['site']]);
      for (const level of ['mid, "quoted"', 'café', 'high 🚀', 'Zürich \\ depot', 'east "yard"', 7, '7'])
        expect(sent).toContain(level);
      for (const missing of ['', null, 'NA', ' na ', 'null']) expect(sent).toContain(missing);
      const numbers = rows.flatMap((r) =>
        Object.entries(r)
          .filter(([k]) => k !== 'grade' && k !== 'site')
          .map(([, v]) => v),
      );
      for (const missing of ['', null, 'NA', 'nan', 'NaN', '?']) expect(numbers).toContain(missing);
      expect(numbers.some((v) => typeof v === 'number')).toBe(true);
      expect(numbers.some((v) => typeof v === 'string' && /^ .+ $/.test(v))).toBe(true);
      expect(numbers.some((v) => typeof v === 'string' && /e[+-]\d+$/.test(v))).toBe(true);
      // The unseen ones: none of these is a level of the pipeline.
      for (const unseen of ['purple', 'Zu\u0308rich \\ depot', ' low', 'NORTH', 'None', '7.0']) {
        expect(sent).toContain(unseen);
        expect([...levels('grade'), ...levels('site')]).not.toContain(unseen);
      }
    });

    it('count the unseen levels sent: purple and " low" of grade; the NFD Zürich, NORTH, None and 7.0 of site', () => {
      scorer.scoreBatch(rows);
      expect(scorer.unseen).toEqual({ grade: 2, site: 4 });
    });

    it('score an unseen level, a missing-value text and null as the same missing value', () => {
      // Row 6 sends grade "" and site null: with its other values and each of these instead, it
      // scores as it does (one-hot all zeros, frequency `unseen`, target encoding the prior).
      const base = rows[6]!;
      for (const [grade, site] of [
        ['purple', 'Zu\u0308rich \\ depot'],
        ['NA', ' na '],
        ['null', 'None'],
        [' low', 'NORTH'],
        [null, ''],
      ]) {
        expect(scorer.score({ ...base, grade, site })).toEqual(values(6));
      }
      // A seen level scores differently from missing (the encodings read it).
      expect(scorer.score({ ...base, grade: 'café', site: 'south' })).not.toEqual(values(6));
    });

    it('read 7 and "7" as the same level, and a numeric field as text or as a JSON number alike', () => {
      expect(scorer.score({ ...rows[3]!, site: '7' })).toEqual(values(3));
      expect(
        scorer.score({
          ...rows[1]!,
          ...Object.fromEntries(Object.entries(rows[1]!).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v])),
        }),
      ).toEqual(values(1));
    });
  });
});
