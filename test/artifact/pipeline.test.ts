import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex, withChecksum } from '../../src/artifact/checksum.js';
import { pipelineText, writePipeline, type PipelineParts } from '../../src/artifact/export.js';
import type { FeaturePipelineNode, InputField } from '../../src/artifact/format/features.js';
import type { ModelNode } from '../../src/artifact/format/pipeline.js';
import { loadPipeline, ScoringError } from '../../src/artifact/scorer.js';
import { fitForest } from '../../src/models/forest/forest.js';
import { fitGbdt } from '../../src/models/gbdt/gbdt.js';
import { fitGlm } from '../../src/models/glm/glm.js';
import { fitMlpAsync } from '../../src/models/mlp/mlp.js';
import type { FitData, FittedModel, ProblemKind } from '../../src/models/types.js';
import { Rng } from '../../src/util/random.js';
import { makeData } from '../models/contract.js';

const dir = mkdtempSync(join(tmpdir(), 'automl-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'pipelines', 'pipeline.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function expectValid(text: string): void {
  const ok = validate(JSON.parse(text));
  if (!ok) throw new Error(`pipeline does not match pipelines/pipeline.schema.json: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
}

const FIELDS = ['a', 'b', 'c', 'd'];
const inputs: InputField[] = FIELDS.map((name) => ({ name, type: 'numeric' }));
/** No steps: the model reads the four numeric fields as they are. */
const passthrough: FeaturePipelineNode = { kind: 'feature_pipeline', inputs, steps: [], features: FIELDS };

function parts(kind: ProblemKind, model: ModelNode | { kind: 'ensemble'; members: { weight: number; model: ModelNode }[] }, extra: Partial<PipelineParts> = {}): PipelineParts {
  const classes = kind === 'binary' ? ['no', 'yes'] : kind === 'multiclass' ? ['low', 'mid', 'high'] : null;
  return { name: `test-${kind}`, target: 'y', task: kind, classes, inputs, features: passthrough, model, seed: 7, ...extra };
}

const FAMILIES: [string, (d: FitData, kind: ProblemKind, K: number) => Promise<FittedModel> | FittedModel][] = [
  ['gbdt', (d, kind, K) => fitGbdt(d, { kind, nClasses: K, rng: new Rng(1), params: { nRounds: 30 } })],
  ['random forest', (d, kind, K) => fitForest(d, { kind, nClasses: K, rng: new Rng(1), params: { nTrees: 30 } })],
  ['glm', (d, kind, K) => fitGlm(d, { kind, nClasses: K, rng: new Rng(1) })],
  ['mlp', (d, kind, K) => fitMlpAsync(d, { kind, nClasses: K, rng: new Rng(1), params: { epochs: 20 } })],
];

describe('pipeline file: fit → export → load → the same scores', () => {
  for (const kind of ['binary', 'multiclass', 'regression'] as const) {
    const train = makeData(kind, 400, 1);
    const test = makeData(kind, 120, 2);
    const K = train.nClasses;
    const models: FittedModel[] = [];

    for (const [name, fit] of FAMILIES) {
      it(`${kind}, ${name}: the loaded file scores held-out rows (missing values included) exactly as the fitted model`, async () => {
        const model = await fit(train, kind, K);
        models.push(model);
        const text = pipelineText(parts(kind, model.exportNode() as ModelNode));
        expectValid(text);
        const scorer = loadPipeline(text);
        const numeric = Object.fromEntries(FIELDS.map((f, j) => [f, test.x.columns[j]!]));
        expect(scorer.scoreColumns({ nRows: test.x.nRows, numeric, categorical: {} })).toEqual(model.predict(test.x));
        // The same rows as objects, with numbers as strings and missing values as null, '' or NA.
        const rows = Array.from({ length: 5 }, (_, i) =>
          Object.fromEntries(FIELDS.map((f, j) => {
            const v = test.x.columns[j]![i]!;
            return [f, Number.isNaN(v) ? [null, '', 'NA'][i % 3] : i % 2 ? String(v) : v];
          })),
        );
        const batch = scorer.scoreBatch(rows);
        const width = kind === 'regression' ? 1 : K;
        expect(Array.from(batch)).toEqual(Array.from(model.predict(test.x).subarray(0, 5 * width)));
        expect(scorer.score(rows[0]!)).toEqual(Array.from(batch.subarray(0, width)));
      });
    }

    it(`${kind}: an ensemble scores the weighted mean of its members`, async () => {
      while (models.length < FAMILIES.length) models.push(await FAMILIES[models.length]![1](train, kind, K));
      const weights = [0.4, 0.3, 0.2, 0.1];
      const text = pipelineText(parts(kind, { kind: 'ensemble', members: models.map((m, i) => ({ weight: weights[i]!, model: m.exportNode() as ModelNode })) }));
      expectValid(text);
      const numeric = Object.fromEntries(FIELDS.map((f, j) => [f, test.x.columns[j]!]));
      const got = loadPipeline(text).scoreColumns({ nRows: test.x.nRows, numeric, categorical: {} });
      const preds = models.map((m) => m.predict(test.x));
      for (let j = 0; j < got.length; j++) {
        const want = preds.reduce((s, p, i) => s + weights[i]! * p[j]!, 0);
        expect(got[j]).toBeCloseTo(want, 12);
      }
    });
  }
});

describe('pipeline file: integrity, versions, bad input', () => {
  const train = makeData('binary', 300, 3);
  const model = fitGbdt(train, { kind: 'binary', nClasses: 2, rng: new Rng(1), params: { nRounds: 5 } });
  const node = model.exportNode();

  it('names the output columns <target>.<class>, as the tutorial does', () => {
    expect(loadPipeline(pipelineText(parts('binary', node))).outputNames).toEqual(['y.no', 'y.yes']);
  });

  it('two exports differ only in id, times and checksum', () => {
    const a = JSON.parse(pipelineText(parts('binary', node))) as Record<string, unknown>;
    const b = JSON.parse(pipelineText(parts('binary', node, { exportedAt: new Date(Date.now() + 5000) }))) as Record<string, unknown>;
    for (const o of [a, b]) {
      delete o['pipelineId'];
      delete o['checksum'];
      const p = o['provenance'] as Record<string, unknown>;
      delete p['fittedAt'];
      delete p['exportedAt'];
    }
    expect(b).toEqual(a);
  });

  it('refuses a file changed after export, saying so', () => {
    const text = pipelineText(parts('binary', node));
    const tampered = text.replace(/"threshold": \[\n\s+(-?[\d.e-]+)/, (m, v: string) => m.replace(v, String(Number(v) + 1)));
    expect(tampered).not.toBe(text);
    expect(() => loadPipeline(tampered)).toThrow(ScoringError);
    expect(() => loadPipeline(tampered)).toThrow(/was changed after it was exported: its content does not match its checksum/);
    expect(() => loadPipeline(text.replace(/,\n {2}"checksum": "[0-9a-f]+"/, ''))).toThrow(/has no "checksum"/);
    const obj = JSON.parse(text) as { name: string };
    obj.name = 'renamed';
    expect(() => loadPipeline(obj as never)).toThrow(/was changed after it was exported/);
  });

  it('reads any 1.x file and refuses another major version, naming both', () => {
    const body = (version: string): string => {
      const o = JSON.parse(pipelineText(parts('binary', node))) as Record<string, unknown>;
      delete o['checksum'];
      o['formatVersion'] = version;
      return withChecksum(JSON.stringify(o, null, 2));
    };
    expect(loadPipeline(body('1.7')).outputNames).toEqual(['y.no', 'y.yes']);
    expect(() => loadPipeline(body('2.0'))).toThrow(/is format version 2\.0, and this scorer reads version 1\.x files \(it writes 1\.1\); use a newer automl/);
    expect(() => loadPipeline('{"format": "something-else"}')).toThrow(/not a pipeline file/);
    expect(() => loadPipeline('{not json')).toThrow(/not valid JSON/);
    expect(() => loadPipeline(join(dir, 'nope.pipeline.json'))).toThrow(/no such pipeline file/);
  });

  it('writes a binary pipeline\'s decision thresholds after importance, when given, and the scorer reads them', () => {
    const thresholds = { positiveClass: 'yes', f1: 0.375, mcc: 0.625 };
    const text = pipelineText(parts('binary', node, { thresholds }));
    expectValid(text);
    const o = JSON.parse(text) as Record<string, unknown>;
    expect(o['formatVersion']).toBe('1.1');
    expect(o['thresholds']).toEqual(thresholds);
    const keys = Object.keys(o);
    expect(keys.slice(keys.indexOf('importance'))).toEqual(['importance', 'thresholds', 'provenance', 'checksum']);
    expect(loadPipeline(text).thresholds).toEqual(thresholds);
    // Without them: no member at all, and the scorer says null.
    const plain = pipelineText(parts('binary', node));
    expect(Object.keys(JSON.parse(plain) as object)).not.toContain('thresholds');
    expect(loadPipeline(plain).thresholds).toBeNull();
    // Only a binary pipeline's second class, and only probabilities.
    expect(() => pipelineText(parts('binary', node, { thresholds: { ...thresholds, positiveClass: 'no' } }))).toThrow(RangeError);
    expect(() => pipelineText(parts('binary', node, { thresholds: { ...thresholds, f1: 1.5 } }))).toThrow(/must be a probability in \[0, 1\]/);
    expect(() => pipelineText(parts('multiclass', node, { thresholds }))).toThrow(/thresholds apply to a binary pipeline/);
  });

  it('the schema refuses thresholds that are not probabilities, incomplete, or on a non-binary pipeline', () => {
    const base = JSON.parse(pipelineText(parts('binary', node, { thresholds: { positiveClass: 'yes', f1: 0.5, mcc: 0.5 } }))) as Record<string, unknown>;
    expect(validate(base)).toBe(true);
    const bad = (change: (o: Record<string, unknown>) => void): boolean => {
      const o = structuredClone(base);
      change(o);
      return validate(o);
    };
    expect(bad((o) => (o['thresholds'] = { positiveClass: 'yes', f1: 1.2, mcc: 0.5 }))).toBe(false);
    expect(bad((o) => (o['thresholds'] = { positiveClass: 'yes', f1: 0.5, mcc: -0.1 }))).toBe(false);
    expect(bad((o) => (o['thresholds'] = { positiveClass: 'yes', f1: 0.5 }))).toBe(false);
    expect(bad((o) => (o['thresholds'] = { positiveClass: 'yes', f1: 0.5, mcc: 0.5, extra: 1 }))).toBe(false);
    expect(bad((o) => (o['task'] = 'multiclass'))).toBe(false);
    expect(bad((o) => delete o['thresholds'])).toBe(true);
  });

  it('refuses rows without a needed field, or with a value that is not a number', () => {
    const scorer = loadPipeline(pipelineText(parts('binary', node)));
    expect(() => scorer.score({ a: 1, b: 2, c: 3 })).toThrow(/row 0 has no field 'd'; send every field/);
    expect(() => scorer.score({ a: 1, b: 'abc', c: 3, d: 4 })).toThrow(/row 0, field 'b': "abc" is not a number/);
    expect(() => scorer.score({ a: 1, b: Infinity, c: 3, d: 4 })).toThrow(/is not a finite number/);
    expect(scorer.score({ a: 1, b: 2, c: 3, d: 4, extra: 'ignored' })).toHaveLength(2);
  });

  it('writes the file atomically, and the checksum is sha256 of the text without its last member', async () => {
    const path = join(dir, 'out', 'model.pipeline.json');
    const text = await writePipeline(path, parts('binary', node));
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readdirSync(dirname(path))).toEqual(['model.pipeline.json']);
    const stated = (JSON.parse(text) as { checksum: string }).checksum;
    expect(sha256Hex(text.slice(0, text.lastIndexOf(',\n  "checksum"')) + '\n}')).toBe(stated);
    expect(loadPipeline(path).outputNames).toEqual(['y.no', 'y.yes']);
  });
});

describe('the standalone scorer', () => {
  it('imports nothing outside src/artifact but Node built-ins', () => {
    const root = resolve(import.meta.dirname, '..', '..', 'src', 'artifact');
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        expect(spec.startsWith('.'), `${file} imports the package '${spec}'`).toBe(true);
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        expect(target.startsWith(root), `${file} imports ${target}, outside src/artifact`).toBe(true);
        visit(target);
      }
    };
    visit(join(root, 'scorer.ts'));
    expect(seen.size).toBeGreaterThan(5);
  });
});
