import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/artifact/canonical-json.js';
import { contentChecksum, sha256Hex, withChecksum } from '../../src/artifact/checksum.js';
import { fileJson, pipelineText, writePipeline, type PipelineParts } from '../../src/search/export.js';
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

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'pipelines', 'pipeline.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

function expectValid(text: string): void {
  const ok = validate(JSON.parse(text));
  if (!ok)
    throw new Error(
      `pipeline does not match pipelines/pipeline.schema.json: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
}

const FIELDS = ['a', 'b', 'c', 'd'];
const inputs: InputField[] = FIELDS.map((name) => ({ name, type: 'numeric' }));
/** No steps: the model reads the four numeric fields as they are. */
const passthrough: FeaturePipelineNode = { kind: 'feature_pipeline', inputs, steps: [], features: FIELDS };

function parts(
  kind: ProblemKind,
  model: ModelNode | { kind: 'ensemble'; members: { weight: number; model: ModelNode }[] },
  extra: Partial<PipelineParts> = {},
): PipelineParts {
  const classes = kind === 'binary' ? ['no', 'yes'] : kind === 'multiclass' ? ['low', 'mid', 'high'] : null;
  return {
    name: `test-${kind}`,
    target: 'y',
    task: kind,
    classes,
    inputs,
    features: passthrough,
    model,
    seed: 7,
    ...extra,
  };
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
          Object.fromEntries(
            FIELDS.map((f, j) => {
              const v = test.x.columns[j]![i]!;
              return [f, Number.isNaN(v) ? [null, '', 'NA'][i % 3] : i % 2 ? String(v) : v];
            }),
          ),
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
      const text = pipelineText(
        parts(kind, {
          kind: 'ensemble',
          members: models.map((m, i) => ({ weight: weights[i]!, model: m.exportNode() as ModelNode })),
        }),
      );
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
    const b = JSON.parse(pipelineText(parts('binary', node, { exportedAt: new Date(Date.now() + 5000) }))) as Record<
      string,
      unknown
    >;
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
    const tampered = text.replace(/"threshold": \[(-?[\d.e-]+)/, (m, v: string) => m.replace(v, String(Number(v) + 1)));
    expect(tampered).not.toBe(text);
    expect(() => loadPipeline(tampered)).toThrow(ScoringError);
    expect(() => loadPipeline(tampered)).toThrow(
      /was changed after it was exported: its content does not match its checksum/,
    );
    expect(() => loadPipeline(text.replace(/,\n {2}"checksum": "[0-9a-f]+"/, ''))).toThrow(/has no "checksum"/);
    const obj = JSON.parse(text) as { name: string };
    obj.name = 'renamed';
    expect(() => loadPipeline(obj as never)).toThrow(/was changed after it was exported/);
  });

  it('reads any 2.x file and refuses another major version, naming both', () => {
    const body = (version: string): string => {
      const o = JSON.parse(pipelineText(parts('binary', node))) as Record<string, unknown>;
      delete o['checksum'];
      o['formatVersion'] = version;
      return withChecksum(JSON.stringify(o, null, 2));
    };
    expect(loadPipeline(body('2.7')).outputNames).toEqual(['y.no', 'y.yes']);
    expect(() => loadPipeline(body('3.0'))).toThrow(
      /is format version 3\.0, and this scorer reads version 2\.x files \(it writes 2\.2\); use a newer automl/,
    );
    // A 1.x file (its checksum was over the text) is refused before its checksum is read.
    const old = pipelineText(parts('binary', node)).replace('"formatVersion": "2.1"', '"formatVersion": "1.1"');
    expect(() => loadPipeline(old)).toThrow(
      /is format version 1\.1, and this scorer reads version 2\.x files \(it writes 2\.2\); export the pipeline again with this automl/,
    );
    expect(() => loadPipeline('{"format": "something-else"}')).toThrow(/not a pipeline file/);
    expect(() => loadPipeline('{not json')).toThrow(/not valid JSON/);
    expect(() => loadPipeline(join(dir, 'nope.pipeline.json'))).toThrow(/no such pipeline file/);
  });

  it("writes a binary pipeline's decision thresholds after importance, when given, and the scorer reads them", () => {
    const thresholds = { positiveClass: 'yes', f1: 0.375, mcc: 0.625 };
    const text = pipelineText(parts('binary', node, { thresholds }));
    expectValid(text);
    const o = JSON.parse(text) as Record<string, unknown>;
    expect(o['formatVersion']).toBe('2.1');
    expect(o['thresholds']).toEqual(thresholds);
    const keys = Object.keys(o);
    expect(keys.slice(keys.indexOf('importance'))).toEqual(['importance', 'thresholds', 'provenance', 'checksum']);
    expect(loadPipeline(text).thresholds).toEqual(thresholds);
    // Without them: no member at all, and the scorer says null.
    const plain = pipelineText(parts('binary', node));
    expect(Object.keys(JSON.parse(plain) as object)).not.toContain('thresholds');
    expect(loadPipeline(plain).thresholds).toBeNull();
    // Only a binary pipeline's second class, and only probabilities.
    expect(() => pipelineText(parts('binary', node, { thresholds: { ...thresholds, positiveClass: 'no' } }))).toThrow(
      RangeError,
    );
    expect(() => pipelineText(parts('binary', node, { thresholds: { ...thresholds, f1: 1.5 } }))).toThrow(
      /must be a probability in \[0, 1\]/,
    );
    expect(() => pipelineText(parts('multiclass', node, { thresholds }))).toThrow(
      /thresholds apply to a binary pipeline/,
    );
  });

  it('the schema refuses thresholds that are not probabilities, incomplete, or on a non-binary pipeline', () => {
    const base = JSON.parse(
      pipelineText(parts('binary', node, { thresholds: { positiveClass: 'yes', f1: 0.5, mcc: 0.5 } })),
    ) as Record<string, unknown>;
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

  it('writes the file atomically, indented (arrays of numbers on one line) with the checksum last: sha256 of the canonical JSON without it', async () => {
    const path = join(dir, 'out', 'model.pipeline.json');
    const text = await writePipeline(path, parts('binary', node));
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readdirSync(dirname(path))).toEqual(['model.pipeline.json']);
    const { checksum: stated, ...body } = JSON.parse(text) as Record<string, unknown>;
    expect(text).toBe(`${fileJson({ ...body, checksum: stated })}\n`);
    expect(text).toMatch(/"threshold": \[-?\d/);
    expect(Object.keys(JSON.parse(text) as object).at(-1)).toBe('checksum');
    expect(sha256Hex(canonicalJson(body))).toBe(stated);
    expect(loadPipeline(path).outputNames).toEqual(['y.no', 'y.yes']);
  });
});

describe('pipeline file: formatting changes nothing, loading is strict', () => {
  const train = makeData('binary', 300, 4);
  const test = makeData('binary', 50, 5);
  const gbdt = fitGbdt(train, {
    kind: 'binary',
    nClasses: 2,
    rng: new Rng(2),
    params: { nRounds: 5 },
  }).exportNode() as ModelNode;
  const glm = fitGlm(train, { kind: 'binary', nClasses: 2, rng: new Rng(2) }).exportNode() as ModelNode;
  const text = pipelineText(parts('binary', gbdt));
  const numeric = Object.fromEntries(FIELDS.map((f, j) => [f, test.x.columns[j]!]));
  const scores = (source: string | Record<string, unknown>): Float64Array =>
    loadPipeline(source as never).scoreColumns({ nRows: test.x.nRows, numeric, categorical: {} });
  type Json = Record<string, unknown>;
  /** The file changed by `change`; with `resum`, its checksum made anew (as a newer automl would write it). */
  const edited = (source: string, change: (o: Json) => void, resum = true): string => {
    const o = JSON.parse(source) as Json;
    change(o);
    if (resum) {
      delete o['checksum'];
      o['checksum'] = contentChecksum(o);
    }
    return JSON.stringify(o, null, 2);
  };
  const refusal = (source: string | Json): ScoringError => {
    try {
      loadPipeline(source as never);
    } catch (e) {
      expect(e).toBeInstanceOf(ScoringError);
      return e as ScoringError;
    }
    throw new Error('the pipeline was not refused');
  };

  it('a file re-indented with 4 spaces, written compactly (jq -c), or with its members reordered loads and scores the same', () => {
    const want = scores(text);
    const o = JSON.parse(text) as Json;
    const reordered = Object.fromEntries(Object.entries(o).reverse());
    for (const variant of [
      JSON.stringify(o, null, 4),
      JSON.stringify(o),
      JSON.stringify(reordered, null, '\t'),
      text.replace(/\n/g, '\r\n'),
    ]) {
      expect(variant).not.toBe(text);
      expect(scores(variant)).toEqual(want);
    }
    // The same from a path and from the parsed object.
    const path = join(dir, 'reindented.pipeline.json');
    writeFileSync(path, JSON.stringify(o, null, 4));
    expect(scores(path)).toEqual(want);
    expect(scores(JSON.parse(JSON.stringify(o, null, 4)) as Json)).toEqual(want);
  });

  it('a changed number is refused (PIPELINE_CHANGED) from text, a re-indented text, a path and an object', () => {
    const change = (o: Json): void => {
      const tree = ((o['model'] as Json)['trees'] as { threshold: number[] }[])[0]!;
      tree.threshold[0] = tree.threshold[0]! + 1e-9;
    };
    const changed = edited(text, change, false);
    const path = join(dir, 'changed.pipeline.json');
    writeFileSync(path, changed);
    const o = JSON.parse(text) as Json;
    change(o);
    for (const source of [changed, JSON.stringify(JSON.parse(changed), null, 4), path, o]) {
      const e = refusal(source);
      expect(e.code).toBe('PIPELINE_CHANGED');
      expect(e.message).toMatch(/was changed after it was exported: its content does not match its checksum/);
    }
    // Only a value counts: 0.5 and 5e-1 are the same number, and a string "1" is not the number 1.
    const o2 = JSON.parse(text) as Json;
    expect(loadPipeline(text.replace('"seed": 7', '"seed": 7.0')).outputNames).toEqual(['y.no', 'y.yes']);
    (o2['provenance'] as Json)['seed'] = '7';
    expect(refusal(o2).code).toBe('PIPELINE_CHANGED');
  });

  it('an unknown top-level member is refused, naming it, whether its checksum was made anew or not', () => {
    for (const resum of [true, false]) {
      const e = refusal(edited(text, (o) => (o['recalibration'] = { method: 'isotonic' }), resum));
      expect(e.code).toBe('PIPELINE_FORMAT');
      expect(e.message).toMatch(
        /has a member "recalibration" at its top level that format 2\.2 does not define; it needs a newer format version than 2\.2, so a newer automl may read it/,
      );
    }
    // A file of a newer minor version is read, but not a member this automl does not know.
    const newer = refusal(edited(text, (o) => ((o['formatVersion'] = '2.3'), (o['recalibration'] = {}))));
    expect(newer.message).toMatch(
      /has a member "recalibration" at its top level that format 2\.2 does not define; the file is format 2\.3, newer than this automl's 2\.2: score it with a newer automl/,
    );
    expect(loadPipeline(edited(text, (o) => (o['formatVersion'] = '2.3'))).outputNames).toHaveLength(2);
    // provenance and metrics are free-form; thresholds is a known optional member.
    expect(loadPipeline(edited(text, (o) => ((o['provenance'] as Json)['host'] = 'ci'))).outputNames).toHaveLength(2);
    expect(loadPipeline(edited(text, (o) => ((o['metrics'] as Json)['auc'] = 0.9))).outputNames).toHaveLength(2);
    expect(
      loadPipeline(edited(text, (o) => (o['thresholds'] = { positiveClass: 'yes', f1: 0.4, mcc: 0.5 }))).thresholds,
    ).toEqual({ positiveClass: 'yes', f1: 0.4, mcc: 0.5 });
  });

  it('an unknown member inside a tree, a model node, a feature step, an input field or thresholds is refused, naming where', () => {
    const steps: FeaturePipelineNode = {
      kind: 'feature_pipeline',
      inputs,
      steps: [{ kind: 'standardize', column: 'a', output: 'a_std', mean: 0.5, std: 2 }],
      features: ['a_std', 'b', 'c', 'd'],
    };
    const stepped = pipelineText(parts('binary', gbdt, { features: steps }));
    expect(loadPipeline(stepped).outputNames).toEqual(['y.no', 'y.yes']);
    const cases: [string, (o: Json) => void, RegExp][] = [
      [
        text,
        (o) => (((o['model'] as Json)['trees'] as Json[])[1]!['gain'] = [1]),
        /has a member "gain" in model\.trees\[1\] that format 2\.2 does not define/,
      ],
      [
        text,
        (o) => ((o['model'] as Json)['learningRate'] = 0.1),
        /has a member "learningRate" in model that format 2\.2 does not define/,
      ],
      [
        stepped,
        (o) => (((o['features'] as Json)['steps'] as Json[])[0]!['clip'] = 3),
        /has a member "clip" in features\.steps\[0\] that format 2\.2 does not define/,
      ],
      [
        text,
        (o) => ((o['features'] as Json)['version'] = 2),
        /has a member "version" in features that format 2\.2 does not define/,
      ],
      [
        text,
        (o) => ((o['inputs'] as Json[])[2]!['unit'] = 'bar'),
        /has a member "unit" in inputs\[2\] that format 2\.2 does not define/,
      ],
      [
        text,
        (o) => (o['thresholds'] = { positiveClass: 'yes', f1: 0.4, mcc: 0.5, youden: 0.3 }),
        /has a member "youden" in thresholds/,
      ],
      [
        text,
        (o) =>
          (((o['importance'] as Json[])[0] ?? ((o['importance'] as Json[])[0] = { feature: 'a', importance: 1 }))[
            'sign'
          ] = 1),
        /has a member "sign" in importance\[0\]/,
      ],
    ];
    for (const [source, change, message] of cases) {
      const e = refusal(edited(source, change));
      expect(e.code).toBe('PIPELINE_FORMAT');
      expect(e.message).toMatch(message);
      expect(e.message).toMatch(/a newer automl may read it/);
    }
    // A missing member is named too.
    expect(
      refusal(edited(stepped, (o) => delete ((o['features'] as Json)['steps'] as Json[])[0]!['std'])).message,
    ).toMatch(/has no "std" in features\.steps\[0\]/);
  });

  it('an ensemble: an unknown member in a member or its model is refused, naming model.members[i]…', () => {
    const ens = pipelineText(
      parts('binary', {
        kind: 'ensemble',
        members: [
          { weight: 0.6, model: gbdt },
          { weight: 0.4, model: glm },
        ],
      }),
    );
    expect(loadPipeline(ens).outputNames).toEqual(['y.no', 'y.yes']);
    const member = (o: Json, i: number): Json => ((o['model'] as Json)['members'] as Json[])[i]!;
    for (const [change, message] of [
      [
        (o: Json) => ((member(o, 1)['model'] as Json)['l2'] = 0.1),
        /has a member "l2" in model\.members\[1\]\.model that format 2\.2 does not define/,
      ],
      [
        (o: Json) => (member(o, 0)['name'] = 'gbdt'),
        /has a member "name" in model\.members\[0\] that format 2\.2 does not define/,
      ],
      [
        (o: Json) => ((o['model'] as Json)['method'] = 'stacking'),
        /has a member "method" in model that format 2\.2 does not define/,
      ],
      [
        (o: Json) => (member(o, 1)['model'] = { kind: 'svm' }),
        /has a model of kind "svm" in model\.members\[1\]\.model, which format 2\.2 does not define \(it knows tree_ensemble, linear, mlp\)/,
      ],
    ] as const) {
      const e = refusal(edited(ens, change));
      expect(e.code).toBe('PIPELINE_FORMAT');
      expect(e.message).toMatch(message);
    }
  });

  it('an unknown model kind or feature step kind is refused, naming it', () => {
    const e = refusal(edited(text, (o) => ((o['model'] as Json)['kind'] = 'xgboost')));
    expect(e.code).toBe('PIPELINE_FORMAT');
    expect(e.message).toMatch(
      /has a model of kind "xgboost" in model, which format 2\.2 does not define \(it knows tree_ensemble, linear, mlp, ensemble\); it needs a newer format version/,
    );
    const step = refusal(
      edited(text, (o) => ((o['features'] as Json)['steps'] = [{ kind: 'pca', column: 'a', output: 'pc1' }])),
    );
    expect(step.message).toMatch(
      /has a feature step of kind "pca" in features\.steps\[0\], which format 2\.2 does not define/,
    );
  });

  it('a 1.x file is refused with a message saying to export it again with this automl', () => {
    for (const version of ['1.0', '1.1']) {
      const e = refusal(edited(text, (o) => (o['formatVersion'] = version), false));
      expect(e.code).toBe('PIPELINE_VERSION');
      expect(e.message).toMatch(
        new RegExp(
          `is format version ${version.replace('.', '\\.')}, and this scorer reads version 2\\.x files \\(it writes 2\\.2\\); export the pipeline again with this automl`,
        ),
      );
    }
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
