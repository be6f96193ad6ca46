import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA_FILE = join(ROOT, 'pipelines', 'pipeline.schema.json');
const committed = readFileSync(SCHEMA_FILE, 'utf8');
const schema = JSON.parse(committed) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
const EXAMPLES = join(ROOT, 'pipelines', 'examples');

type Json = Record<string, unknown>;
const example = (name: string): Json =>
  JSON.parse(readFileSync(join(EXAMPLES, `${name}.pipeline.json`), 'utf8')) as Json;

/** The gbdt example (multiclass) changed by `edit`; the checksum does not matter to the schema. */
function variant(edit: (file: Json) => void): Json {
  const file = example('gbdt');
  edit(file);
  return file;
}

/** A binary pipeline: the gbdt example's first two classes, with thresholds. */
function binary(): Json {
  return variant((f) => {
    f['task'] = 'binary';
    f['classes'] = ['3', '20'];
    f['thresholds'] = { positiveClass: '20', f1: 0.4, mcc: 0.55 };
  });
}

describe('pipelines/pipeline.schema.json, generated from src/artifact/format/*.ts', () => {
  it('is what `npm run schema` generates from the format types', () => {
    const generated = execFileSync(process.execPath, [join(ROOT, 'scripts', 'pipeline-schema.mjs'), '--stdout'], {
      encoding: 'utf8',
    });
    if (generated !== committed) {
      throw new Error(
        'pipelines/pipeline.schema.json is out of date with src/artifact/format/*.ts: run `npm run schema` and commit the result.',
      );
    }
  }, 60_000);

  it('is a draft-07 schema with its id, title and description', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['$id']).toBe('https://automl.invalid/pipeline-2.schema.json');
    expect(schema['title']).toBe('automl pipeline file, format version 2.x');
    expect(schema['description']).toMatch(/^One portable JSON scoring pipeline/);
    expect(schema['additionalProperties']).toBe(false);
  });

  it('accepts every example pipeline, and a binary one with thresholds', () => {
    const names = readdirSync(EXAMPLES).filter((f) => f.endsWith('.pipeline.json'));
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const file = JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8')) as Json;
      expect(validate(file), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate(binary()), JSON.stringify(validate.errors)).toBe(true);
  });

  const model = (f: Json): Json => f['model'] as Json;
  const tree = (f: Json): Json => (model(f)['trees'] as Json[])[0]!;
  const provenance = (f: Json): Json => f['provenance'] as Json;
  const refused: [string, () => Json][] = [
    ['a member the format does not have', () => variant((f) => (f['extra'] = 1))],
    ['a missing required member', () => variant((f) => delete f['checksum'])],
    ['format version 3.0 (the schema covers 2.x)', () => variant((f) => (f['formatVersion'] = '3.0'))],
    ['a pipelineId that is not a UUID', () => variant((f) => (f['pipelineId'] = 'not-a-uuid'))],
    ['a checksum that is not 64 hex digits', () => variant((f) => (f['checksum'] = 'ABC'))],
    ['one class', () => variant((f) => (f['classes'] = ['3']))],
    [
      'thresholds on a multiclass pipeline',
      () => variant((f) => (f['thresholds'] = { positiveClass: '20', f1: 0.4, mcc: 0.5 })),
    ],
    [
      'a threshold above 1',
      () => {
        const f = binary();
        (f['thresholds'] as Json)['f1'] = 1.5;
        return f;
      },
    ],
    [
      'a threshold below 0',
      () => {
        const f = binary();
        (f['thresholds'] as Json)['mcc'] = -0.1;
        return f;
      },
    ],
    ['a fractional nFeatures', () => variant((f) => (model(f)['nFeatures'] = 2.5))],
    ['nOutputs 0', () => variant((f) => (model(f)['nOutputs'] = 0))],
    ['leafWidth 0', () => variant((f) => (model(f)['leafWidth'] = 0))],
    ['a fractional tree node index', () => variant((f) => ((tree(f)['left'] as number[])[0] = 0.5))],
    ['missingLeft 2', () => variant((f) => ((tree(f)['missingLeft'] as number[])[0] = 2))],
    ['an unknown model kind', () => variant((f) => (model(f)['kind'] = 'svm'))],
    ['a fractional seed', () => variant((f) => (provenance(f)['seed'] = 1.5))],
    ['a dataSha256 that is not 64 hex digits', () => variant((f) => (provenance(f)['dataSha256'] = 'xyz'))],
    ['a fittedAt that is not ISO 8601 UTC', () => variant((f) => (provenance(f)['fittedAt'] = '2026-01-01 00:00'))],
  ];
  it.each(refused)('refuses %s', (_what, make) => {
    expect(validate(make())).toBe(false);
  });

  it('refuses an ensemble with no member, a negative weight, or an MLP with no layer or a 0-wide layer', () => {
    const ensemble = example('ensemble');
    const members = model(ensemble)['members'] as Json[];
    expect(validate({ ...ensemble, model: { kind: 'ensemble', members: [] } })).toBe(false);
    expect(validate({ ...ensemble, model: { kind: 'ensemble', members: [{ ...members[0]!, weight: -0.5 }] } })).toBe(
      false,
    );
    const mlp = example('mlp');
    const layers = model(mlp)['layers'] as Json[];
    expect(validate({ ...mlp, model: { ...model(mlp), layers: [] } })).toBe(false);
    expect(
      validate({ ...mlp, model: { ...model(mlp), layers: [{ ...layers[0]!, shape: [0, 3] }, ...layers.slice(1)] } }),
    ).toBe(false);
    expect(
      validate({ ...mlp, model: { ...model(mlp), layers: [{ ...layers[0]!, shape: [4, 3, 1] }, ...layers.slice(1)] } }),
    ).toBe(false);
  });
});
