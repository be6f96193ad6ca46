/**
 * The conformance fixture for other runtimes: pipelines/examples/ holds one small pipeline per
 * model family and an ensemble, fitted on the hydraulic data, each with input rows and the
 * outputs this scorer gives for them. This test checks that the committed files still load,
 * match the JSON Schema and score to their expected outputs. To rebuild them after a deliberate
 * format change: `UPDATE_EXAMPLES=1 npx vitest run test/artifact/examples.test.ts`.
 *
 * `date-text` (format 2.2) is fitted on a small generated table instead: a date-time column with
 * time zones and a review column of tricky Unicode, through a `date` and a `text` step into a
 * GBDT, so that other runtimes check the date grammar, the tokeniser and the hash.
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
import { Table } from '../../src/data/table.js';
import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import { cellString } from '../../src/artifact/scorer.js';
import { python } from './python-steps.js';

const DIR = join(import.meta.dirname, '..', '..', 'pipelines', 'examples');
const NAMES = ['gbdt', 'random-forest', 'glm', 'mlp', 'ensemble', 'steps'] as const;
const TARGET = 'cool_cond_y';
/** Examples fitted on generated data (built by {@link buildDateText}), with their output names. */
const GENERATED: Record<string, readonly string[]> = { 'date-text': ['liked.no', 'liked.yes'] };

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
  const categorical = (name: string, values: (string | null)[]) => {
    const levels = [...new Set(values.filter((v): v is string => v !== null))];
    const index = new Map(levels.map((l, k) => [l, k]));
    return {
      name,
      type: 'categorical' as const,
      levels,
      codes: Int32Array.from(values, (v) => (v === null ? -1 : index.get(v)!)),
    };
  };
  const amount = Float64Array.from({ length: n }, (_, i) => (i % 11 === 3 ? NaN : Math.round(rng.next() * 1000) / 10));
  const table = new Table(
    [
      categorical('visited', dates),
      categorical('review', reviews),
      { name: 'amount', type: 'numeric', values: amount },
    ],
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
    fittedAt: new Date('2026-01-01T00:00:00Z'),
    exportedAt: new Date('2026-01-01T00:00:00Z'),
  });
  writeFileSync(join(DIR, 'date-text.pipeline.json'), text);
  writeFileSync(join(DIR, 'date-text.inputs.json'), `${JSON.stringify(rows, null, 2)}\n`);
  const scorer = loadPipeline(text);
  const out = rows.map((row) => Object.fromEntries(scorer.score(row).map((p, k) => [scorer.outputNames[k]!, p])));
  writeFileSync(join(DIR, 'date-text.expected.json'), `${JSON.stringify(out, null, 2)}\n`);
}

describe('pipelines/examples: the conformance fixture', async () => {
  if (process.env['UPDATE_EXAMPLES'] === '1' || !existsSync(join(DIR, 'ensemble.expected.json'))) await build();
  if (process.env['UPDATE_EXAMPLES'] === '1' || !existsSync(join(DIR, 'date-text.expected.json')))
    await buildDateText();
  const schema = JSON.parse(readFileSync(join(DIR, '..', 'pipeline.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ strict: true }).compile(schema);

  for (const name of [...NAMES, ...Object.keys(GENERATED)]) {
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
      expect(scorer.outputNames).toEqual(GENERATED[name] ?? ['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100']);
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
});
