/**
 * Pipelines with feature steps over numeric and categorical fields, for every model family and
 * an ensemble: the loaded file scores rows (given as a client sends them, with missing values and
 * categories never seen in training) exactly as the fitted pipeline does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { pipelineText } from '../../src/search/export.js';
import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import type { ModelNode } from '../../src/artifact/format/pipeline.js';
import { loadPipeline } from '../../src/artifact/scorer.js';
import { Table, type Column } from '../../src/data/table.js';
import { columnarInput } from '../../src/features/columnar-input.js';
import { fitFeaturePipeline } from '../../src/features/pipeline.js';
import { fitForest } from '../../src/models/forest/forest.js';
import { fitGbdt } from '../../src/models/gbdt/gbdt.js';
import { fitGlm } from '../../src/models/glm/glm.js';
import { fitMlpAsync } from '../../src/models/mlp/mlp.js';
import type { FittedModel } from '../../src/models/types.js';
import { Rng } from '../../src/util/random.js';

const LEVELS = ['red', 'green', 'blue', 'grey'];

/** num1 (10% missing), num2 > 0, colour (categorical, some missing), shop (categorical); y binary. */
function makeTable(n: number, seed: number, unseen: boolean): { table: Table; y: Float64Array } {
  const rng = new Rng(seed);
  const num1 = new Float64Array(n);
  const num2 = new Float64Array(n);
  const colour = new Int32Array(n);
  const shop = new Int32Array(n);
  const y = new Float64Array(n);
  const colourLevels = unseen ? [...LEVELS, 'violet'] : LEVELS;
  const shops = ['s1', 's2', 's3', 's4', 's5', 's6'];
  for (let i = 0; i < n; i++) {
    num1[i] = rng.next() < 0.1 ? NaN : rng.next() * 10 - 5;
    num2[i] = Math.exp(rng.next() * 3);
    colour[i] = rng.next() < 0.05 ? -1 : unseen && i % 10 === 0 ? 4 : rng.int(4);
    shop[i] = rng.int(6);
    const score =
      (Number.isNaN(num1[i]!) ? 2 : num1[i]! * 0.5) +
      Math.log(num2[i]!) +
      (colour[i] === 0 ? 1.5 : 0) +
      shop[i]! * 0.4 -
      2 +
      (rng.next() - 0.5);
    y[i] = score > 0 ? 1 : 0;
  }
  const columns: Column[] = [
    { name: 'num1', type: 'numeric', values: num1 },
    { name: 'num2', type: 'numeric', values: num2 },
    { name: 'colour', type: 'categorical', codes: colour, levels: colourLevels },
    { name: 'shop', type: 'categorical', codes: shop, levels: shops },
  ];
  return { table: new Table(columns, n), y };
}

describe('pipelines with feature steps: fit → export → load → the same scores', async () => {
  const { table: train, y } = makeTable(500, 1, false);
  const { table: test } = makeTable(120, 2, true);
  const fitted = fitFeaturePipeline(
    train,
    {
      passthrough: ['num1', 'num2'],
      transforms: [
        { kind: 'standardize', column: 'num1' },
        { kind: 'yeo_johnson', column: 'num2' },
        { kind: 'missing', column: 'num1' },
        { kind: 'interaction', op: 'ratio', columns: ['num1', 'num2'] },
        { kind: 'one_hot', column: 'colour' },
        { kind: 'frequency', column: 'colour' },
        { kind: 'target_encoding', column: 'shop', folds: 5, smoothing: 10 },
      ],
    },
    { kind: 'binary', y, nClasses: 2 },
    new Rng(3),
  );
  const node = fitted.node;
  const data = { x: { nRows: 500, columns: fitted.trainMatrix }, y };
  const opts = { kind: 'binary' as const, nClasses: 2, rng: new Rng(5) };
  const models: [string, FittedModel][] = [
    ['gbdt', fitGbdt(data, { ...opts, params: { nRounds: 20 } })],
    ['random forest', fitForest(data, { ...opts, params: { nTrees: 20 } })],
    ['glm', fitGlm(data, opts)],
    ['mlp', await fitMlpAsync(data, { ...opts, params: { epochs: 15 } })],
  ];
  const testMatrix = { nRows: 120, columns: new FeatureScorer(node).apply(columnarInput(test, node)) };
  // The test rows as a client sends them: text, empty for missing, an unseen colour in every tenth row.
  const rows = Array.from({ length: 120 }, (_, i) => ({
    num1: Number.isNaN(test.numeric('num1').values[i]!) ? '' : String(test.numeric('num1').values[i]),
    num2: test.numeric('num2').values[i]!,
    colour: (() => {
      const c = test.column('colour');
      return c.type === 'categorical' && c.codes[i]! >= 0 ? c.levels[c.codes[i]!]! : null;
    })(),
    shop: (() => {
      const c = test.column('shop');
      return c.type === 'categorical' ? c.levels[c.codes[i]!]! : '';
    })(),
    ignored: 'x',
  }));
  const unseenRows = rows.filter((r) => r.colour === 'violet').length;

  const schema = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'pipelines', 'pipeline.schema.json'), 'utf8'),
  ) as object;
  const validate = new Ajv({ strict: true }).compile(schema);
  const file = (model: ModelNode | { kind: 'ensemble'; members: { weight: number; model: ModelNode }[] }): string => {
    const text = pipelineText({
      name: 'shops',
      target: 'bought',
      task: 'binary',
      classes: ['no', 'yes'],
      inputs: node.inputs,
      features: node,
      model,
      seed: 5,
    });
    expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
    return text;
  };

  it('the node asks only for the fields it reads, with their training levels', () => {
    expect(node.inputs.map((f) => f.name)).toEqual(['num1', 'num2', 'colour', 'shop']);
    expect(node.inputs[2]).toEqual({ name: 'colour', type: 'categorical', levels: LEVELS });
    expect(unseenRows).toBe(12);
  });

  for (const [name, model] of models) {
    it(`${name}: rows with missing values and unseen categories score as the fitted pipeline`, () => {
      const scorer = loadPipeline(file(model.exportNode() as ModelNode));
      const got = scorer.scoreBatch(rows);
      expect(Array.from(got)).toEqual(Array.from(model.predict(testMatrix)));
      expect(scorer.unseen).toEqual({ colour: unseenRows, shop: 0 });
    });
  }

  it('an ensemble of all four scores their weighted mean', () => {
    const members = models.map(([, m], i) => ({
      weight: [0.4, 0.3, 0.2, 0.1][i]!,
      model: m.exportNode() as ModelNode,
    }));
    const got = loadPipeline(file({ kind: 'ensemble', members })).scoreBatch(rows);
    const preds = models.map(([, m]) => m.predict(testMatrix));
    for (let j = 0; j < got.length; j++)
      expect(got[j]).toBeCloseTo(
        preds.reduce((s, p, i) => s + members[i]!.weight * p[j]!, 0),
        12,
      );
  });
});
