/**
 * The conformance fixture for other runtimes: pipelines/examples/ holds one small pipeline per
 * model family and an ensemble, fitted on the hydraulic data, each with input rows and the
 * outputs this scorer gives for them. This test checks that the committed files still load,
 * match the JSON Schema and score to their expected outputs. To rebuild them after a deliberate
 * format change: `UPDATE_EXAMPLES=1 npx vitest run test/artifact/examples.test.ts`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { labelColumns } from '../../recipes/index.js';
import { pipelineText } from '../../src/search/export.js';
import type { FeaturePipelineNode, InputField } from '../../src/artifact/format/features.js';
import type { EnsembleNode, ModelNode } from '../../src/artifact/format/pipeline.js';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { readCsv } from '../../src/data/csv.js';
import { embeddedDataPath } from '../../src/cli/embedded.js';
import { inferTarget } from '../../src/data/infer.js';
import { numericMatrix } from '../../src/data/matrix.js';
import { fitForest } from '../../src/models/forest/forest.js';
import { fitGbdt } from '../../src/models/gbdt/gbdt.js';
import { fitGlm } from '../../src/models/glm/glm.js';
import { fitMlpAsync } from '../../src/models/mlp/mlp.js';
import { fitFeaturePipeline } from '../../src/features/pipeline.js';
import { holdoutSplit } from '../../src/split/holdout.js';
import { Rng } from '../../src/util/random.js';

const DIR = join(import.meta.dirname, '..', '..', 'pipelines', 'examples');
const NAMES = ['gbdt', 'random-forest', 'glm', 'mlp', 'ensemble', 'steps'] as const;
const TARGET = 'cool_cond_y';

async function build(): Promise<void> {
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
  mkdirSync(DIR, { recursive: true });
  for (const name of NAMES) {
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
      pipelineId: '00000000-0000-4000-8000-00000000000' + NAMES.indexOf(name),
      fittedAt: new Date('2026-01-01T00:00:00Z'),
      exportedAt: new Date('2026-01-01T00:00:00Z'),
    });
    writeFileSync(join(DIR, `${name}.pipeline.json`), text);
    writeFileSync(join(DIR, `${name}.inputs.json`), `${JSON.stringify(rows, null, 2)}\n`);
    const scorer = loadPipeline(text);
    const out = rows.map((row) => Object.fromEntries(scorer.score(row).map((p, k) => [scorer.outputNames[k]!, p])));
    writeFileSync(join(DIR, `${name}.expected.json`), `${JSON.stringify(out, null, 2)}\n`);
  }
}

describe('pipelines/examples: the conformance fixture', async () => {
  if (process.env['UPDATE_EXAMPLES'] === '1' || !existsSync(join(DIR, 'ensemble.expected.json'))) await build();
  const schema = JSON.parse(readFileSync(join(DIR, '..', 'pipeline.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ strict: true }).compile(schema);

  for (const name of NAMES) {
    it(`${name}: loads, matches the schema and scores its inputs to the expected outputs`, () => {
      const text = readFileSync(join(DIR, `${name}.pipeline.json`), 'utf8');
      expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
      const scorer = loadPipeline(join(DIR, `${name}.pipeline.json`));
      const rows = JSON.parse(readFileSync(join(DIR, `${name}.inputs.json`), 'utf8')) as Record<string, string>[];
      const expected = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')) as Record<string, number>[];
      expect(rows).toHaveLength(10);
      rows.forEach((row, i) => {
        const got = scorer.score(row);
        scorer.outputNames.forEach((col, k) => expect(got[k]).toBeCloseTo(expected[i]![col]!, 12));
        expect(got.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
      });
      expect(scorer.outputNames).toEqual(['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100']);
    });
  }
});
