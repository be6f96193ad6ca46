/**
 * A member's calibration (format 2.1): calibrateInPlace's arithmetic, the scorer applying it per
 * member before the weighted average, the refusal of calibrations it cannot apply, and the
 * re-coding of categorical levels for a member whose features list them differently. The models
 * are hand-made linear nodes, so that every expected number is computed here.
 */
import { describe, expect, it } from 'vitest';
import { calibrateInPlace } from '../../src/artifact/calibration.js';
import { withChecksum } from '../../src/artifact/checksum.js';
import type { FeaturePipelineNode, InputField } from '../../src/artifact/format/features.js';
import type { LinearNode } from '../../src/artifact/format/linear.js';
import type { Calibration, EnsembleNode, ModelNode } from '../../src/artifact/format/pipeline.js';
import { loadPipeline, ScoringError } from '../../src/artifact/scorer.js';
import { pipelineText, type PipelineParts } from '../../src/search/export.js';

type Json = Record<string, unknown>;

const T = (temperature: number, floor: number): Calibration => ({ kind: 'temperature', temperature, floor });

function calibratedCopy(p: ArrayLike<number>, nRows: number, width: number, c: Calibration): Float64Array {
  const out = Float64Array.from(p);
  calibrateInPlace(out, nRows, width, c);
  return out;
}

describe('calibrateInPlace', () => {
  const rows = Float64Array.of(0.9, 0.1, 0.5, 0.5, 0.2, 0.8, 0.999, 0.001);

  it('temperature 1 and floor 0 leave the probabilities as they are', () => {
    const q = calibratedCopy(rows, 4, 2, T(1, 0));
    rows.forEach((v, j) => expect(Math.abs(q[j]! - v)).toBeLessThan(1e-15));
    const three = Float64Array.of(0.7, 0.2, 0.1, 1 / 3, 1 / 3, 1 / 3, 0, 0.25, 0.75);
    const q3 = calibratedCopy(three, 3, 3, T(1, 0));
    three.forEach((v, j) => expect(Math.abs(q3[j]! - v)).toBeLessThan(1e-15));
    expect(q3[6]).toBe(0); // log 0 = −∞ stays 0
  });

  it('temperature 2 takes the square root: [0.9, 0.1] → [0.75, 0.25]; a floor of 0.01 then gives 0.98·q + 0.01', () => {
    const q = calibratedCopy([0.9, 0.1], 1, 2, T(2, 0));
    expect(Math.abs(q[0]! - 0.75)).toBeLessThan(1e-12);
    expect(Math.abs(q[1]! - 0.25)).toBeLessThan(1e-12);
    const f = calibratedCopy([0.9, 0.1], 1, 2, T(2, 0.01));
    expect(Math.abs(f[0]! - (0.98 * 0.75 + 0.01))).toBeLessThan(1e-12); // 0.745
    expect(Math.abs(f[1]! - (0.98 * 0.25 + 0.01))).toBeLessThan(1e-12); // 0.255
    // The floor alone (temperature 1): exactly (1 − K·floor)·q + floor of the same q.
    const g = calibratedCopy([0.9, 0.1], 1, 2, T(1, 0.01));
    const q1 = calibratedCopy([0.9, 0.1], 1, 2, T(1, 0));
    const keep = 1 - 2 * 0.01;
    expect(Array.from(g)).toEqual([keep * q1[0]! + 0.01, keep * q1[1]! + 0.01]);
    // Temperature 0.5 squares: [0.9, 0.1] → [0.81, 0.01] / 0.82.
    const s = calibratedCopy([0.9, 0.1], 1, 2, T(0.5, 0));
    expect(Math.abs(s[0]! - 0.81 / 0.82)).toBeLessThan(1e-12);
    expect(Math.abs(s[1]! - 0.01 / 0.82)).toBeLessThan(1e-12);
  });

  it('a zero probability becomes exactly the floor, whatever the temperature; every row sums to 1', () => {
    for (const temperature of [0.25, 1, 3]) {
      const q = calibratedCopy([1, 0, 0, 0.6, 0.4, 0, 0.2, 0.3, 0.5], 3, 3, T(temperature, 0.02));
      expect(q[1]).toBe(0.02);
      expect(q[2]).toBe(0.02);
      expect(q[5]).toBe(0.02);
      expect(q[0]).toBeCloseTo(1 - 2 * 0.02, 15); // (1 − 3·0.02)·1 + 0.02
      for (let i = 0; i < 3; i++) expect(q[3 * i]! + q[3 * i + 1]! + q[3 * i + 2]!).toBeCloseTo(1, 14);
      for (const v of q) expect(v).toBeGreaterThanOrEqual(0.02);
    }
    // Many random-ish rows of 4 classes: sums 1, each at least the floor, order kept.
    const n = 50;
    const p = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      const raw = [1 + (i % 7), 1 + ((i * 3) % 5), 0.5 + ((i * 11) % 13), i % 4 === 0 ? 0 : 2];
      const t = raw.reduce((a, b) => a + b, 0);
      raw.forEach((v, k) => (p[i * 4 + k] = v / t));
    }
    const q = calibratedCopy(p, n, 4, T(1.7, 0.005));
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) {
        sum += q[i * 4 + k]!;
        expect(q[i * 4 + k]).toBeGreaterThanOrEqual(0.005);
        for (let l = 0; l < 4; l++)
          if (p[i * 4 + k]! > p[i * 4 + l]!) expect(q[i * 4 + k]).toBeGreaterThan(q[i * 4 + l]!);
      }
      expect(sum).toBeCloseTo(1, 14);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Pipelines of hand-made linear models (3 classes)
// ---------------------------------------------------------------------------------------------

const CLASSES = ['a', 'b', 'c'];
const COLOUR: InputField = { name: 'colour', type: 'categorical', levels: ['red', 'green', 'blue'] };
const X: InputField = { name: 'x', type: 'numeric' };
const Z: InputField = { name: 'z', type: 'numeric' };

/** The pipeline's features: x, z and colour one-hot in the pipeline's level order. */
const mainFeatures: FeaturePipelineNode = {
  kind: 'feature_pipeline',
  inputs: [X, Z, COLOUR],
  steps: [
    { kind: 'one_hot', column: 'colour', levels: ['red', 'green', 'blue'], outputs: ['c_red', 'c_green', 'c_blue'] },
  ],
  features: ['x', 'z', 'c_red', 'c_green', 'c_blue'],
};
/** A member's own features: its colour field lists the levels in another order, without green. */
const otherFeatures: FeaturePipelineNode = {
  kind: 'feature_pipeline',
  inputs: [X, { name: 'colour', type: 'categorical', levels: ['blue', 'red'] }],
  steps: [{ kind: 'one_hot', column: 'colour', levels: ['blue', 'red'], outputs: ['d_blue', 'd_red'] }],
  features: ['x', 'd_blue', 'd_red'],
};

function softmax(weights: number[], intercept: number[], nFeatures: number, center?: number[]): LinearNode {
  return {
    kind: 'linear',
    link: 'softmax',
    nFeatures,
    nOutputs: 3,
    center: center ?? new Array<number>(nFeatures).fill(0),
    indicators: [],
    weights,
    intercept,
  };
}
const modelA = softmax([1.5, -0.3, 2, 0, -1, -0.5, 0.8, 0, 1.5, 0, 0, -0.4, -1, 0, 2], [0.1, 0, -0.2], 5);
const modelB = softmax(
  [-0.2, 1.1, 0.3, 0.2, -0.7, 0.9, 0.1, 0, 0, -1, 0.6, 0.4, -0.9, 1.2, -0.5],
  [0, 0.4, -0.1],
  5,
  [0.5, -1, 0, 0, 0],
);
const modelC = softmax([0.8, 1, -1, 0, 0, 0.5, -0.6, -0.5, 1], [0, 0.3, 0], 3);

function parts(model: ModelNode | EnsembleNode, extra: Partial<PipelineParts> = {}): PipelineParts {
  return {
    name: 'calibrated',
    target: 'y',
    task: 'multiclass',
    classes: CLASSES,
    inputs: [X, Z, COLOUR],
    features: mainFeatures,
    model,
    seed: 7,
    ...extra,
  };
}

/** Rows as text and as columns (pipeline codes: red 0, green 1, blue 2, missing −1). */
const ROWS: { x: number; z: number; colour: string }[] = [
  { x: 0.3, z: -1.2, colour: 'red' },
  { x: -1.7, z: 0.4, colour: 'green' },
  { x: 2.2, z: 2.5, colour: 'blue' },
  { x: 0, z: 0, colour: '' },
  { x: 4.5, z: -3, colour: 'red' },
  { x: -0.05, z: 1, colour: 'green' },
  { x: 1.25, z: -0.75, colour: 'blue' },
  { x: -6, z: 8, colour: 'purple' }, // unseen: missing for every member
];
const N = ROWS.length;
const codeIn = (levels: readonly string[], text: string): number => levels.indexOf(text);
function columns(levels: readonly string[]): {
  nRows: number;
  numeric: Record<string, Float64Array>;
  categorical: Record<string, Int32Array>;
} {
  return {
    nRows: N,
    numeric: { x: Float64Array.from(ROWS, (r) => r.x), z: Float64Array.from(ROWS, (r) => r.z) },
    categorical: { colour: Int32Array.from(ROWS, (r) => codeIn(levels, r.colour)) },
  };
}

/** One model scored alone through a pipeline of its own features (no calibration). */
function alone(model: ModelNode, features: FeaturePipelineNode): Float64Array {
  const scorer = loadPipeline(pipelineText(parts(model, { inputs: features.inputs, features })));
  const levels = (features.inputs.find((f) => f.name === 'colour') as { levels: string[] }).levels;
  return scorer.scoreColumns(columns(levels));
}

/** The weighted average, accumulated in member order as the scorer does. */
function average(ps: { weight: number; p: Float64Array }[]): Float64Array {
  const out = new Float64Array(ps[0]!.p.length);
  for (const { weight, p } of ps) for (let j = 0; j < out.length; j++) out[j]! += weight * p[j]!;
  return out;
}

function refusal(source: string | Json): ScoringError {
  try {
    loadPipeline(source as never);
  } catch (e) {
    expect(e).toBeInstanceOf(ScoringError);
    return e as ScoringError;
  }
  throw new Error('the pipeline was loaded; a refusal was expected');
}

describe('scorer: calibrated ensemble members', () => {
  const calA = T(1.8, 0.01);
  const calB = T(0.6, 0.002);
  const ensemble: EnsembleNode = {
    kind: 'ensemble',
    members: [
      { weight: 0.65, model: modelA, calibration: calA },
      { weight: 0.35, model: modelB, calibration: calB },
    ],
  };
  const text = pipelineText(parts(ensemble));

  it('scores each member alone, calibrated by hand, then their weighted average: exactly', () => {
    const pA = alone(modelA, mainFeatures);
    const pB = alone(modelB, mainFeatures);
    // The models differ, and calibration changes what they say.
    expect(Array.from(pA)).not.toEqual(Array.from(pB));
    const qA = calibratedCopy(pA, N, 3, calA);
    const qB = calibratedCopy(pB, N, 3, calB);
    expect(Math.max(...qA.map((v, j) => Math.abs(v - pA[j]!)))).toBeGreaterThan(0.01);
    const want = average([
      { weight: 0.65, p: qA },
      { weight: 0.35, p: qB },
    ]);
    const scorer = loadPipeline(text);
    expect(Array.from(scorer.scoreColumns(columns(COLOUR.levels)))).toEqual(Array.from(want));
    // The same rows as objects with text values.
    const batch = scorer.scoreBatch(ROWS.map((r) => ({ x: String(r.x), z: r.z, colour: r.colour })));
    expect(Array.from(batch)).toEqual(Array.from(want));
    expect(scorer.unseen).toEqual({ colour: 1 });
    // Not what the uncalibrated average would be.
    const raw = average([
      { weight: 0.65, p: pA },
      { weight: 0.35, p: pB },
    ]);
    expect(Math.max(...want.map((v, j) => Math.abs(v - raw[j]!)))).toBeGreaterThan(0.01);
    // Every class keeps at least the weighted floors.
    for (const v of want) expect(v).toBeGreaterThanOrEqual(0.65 * 0.01 + 0.35 * 0.002 - 1e-15);
  });

  it('a single calibrated model is a one-member ensemble, scored calibrated', () => {
    const one = loadPipeline(
      pipelineText(parts({ kind: 'ensemble', members: [{ weight: 1, model: modelA, calibration: calA }] })),
    );
    expect(Array.from(one.scoreColumns(columns(COLOUR.levels)))).toEqual(
      Array.from(calibratedCopy(alone(modelA, mainFeatures), N, 3, calA)),
    );
  });

  it('a file with calibrations is written and read as format 2.1', () => {
    const o = JSON.parse(text) as { formatVersion: string; model: { members: { calibration: Calibration }[] } };
    expect(o.formatVersion).toBe('2.1');
    expect(o.model.members.map((m) => m.calibration)).toEqual([calA, calB]);
    expect(loadPipeline(text).file.formatVersion).toBe('2.1');
    expect((loadPipeline(text).file.model as EnsembleNode).members[1]!.calibration).toEqual(calB);
  });

  it('refuses a file that says format 2.0 but holds a calibration (they came with 2.1), naming the member', () => {
    const o = JSON.parse(text) as Json;
    o['formatVersion'] = '2.0';
    delete o['checksum'];
    const e = refusal(withChecksum(JSON.stringify(o, null, 2)));
    expect(e.code).toBe('PIPELINE_FORMAT');
    expect(e.message).toMatch(
      /model\.members\[0\] has a calibration, which format 2\.0 does not have \(it came with 2\.1\)/,
    );
    // Without calibrations, a 2.0 file still loads.
    for (const m of (o['model'] as { members: Record<string, unknown>[] }).members) delete m['calibration'];
    expect(loadPipeline(withChecksum(JSON.stringify(o, null, 2))).file.formatVersion).toBe('2.0');
  });

  /** The file with member `i`'s calibration replaced (the checksum made anew). */
  const withCalibration = (i: number, c: unknown, extra: Partial<PipelineParts> = {}): string => {
    const members = ensemble.members.map((m, j) => (j === i ? { ...m, calibration: c as Calibration } : m));
    return pipelineText(parts({ kind: 'ensemble', members }, extra));
  };

  it('refuses a calibration of an unknown kind, or with a member it does not know, naming where', () => {
    const kind = refusal(withCalibration(1, { kind: 'platt', temperature: 1, floor: 0 }));
    expect(kind.code).toBe('PIPELINE_FORMAT');
    expect(kind.message).toMatch(
      /has a calibration of kind "platt" in model\.members\[1\]\.calibration, which format 2\.2 does not define \(it knows temperature\)/,
    );
    const noKind = refusal(withCalibration(0, { temperature: 1, floor: 0 }));
    expect(noKind.message).toMatch(/has a calibration of kind undefined in model\.members\[0\]\.calibration/);
    const extra = refusal(withCalibration(0, { kind: 'temperature', temperature: 1.5, floor: 0.01, bias: [0, 0, 0] }));
    expect(extra.code).toBe('PIPELINE_FORMAT');
    expect(extra.message).toMatch(
      /has a member "bias" in model\.members\[0\]\.calibration that format 2\.2 does not define/,
    );
    const missing = refusal(withCalibration(1, { kind: 'temperature', temperature: 1.5 }));
    expect(missing.message).toMatch(
      /has no "floor" in model\.members\[1\]\.calibration; it is not a complete pipeline file/,
    );
    const notObject = refusal(withCalibration(0, 2));
    expect(notObject.message).toMatch(/model\.members\[0\]\.calibration is not a JSON object/);
  });

  it('refuses a temperature that is not above 0, and a floor below 0 or at least 1/K, naming the member', () => {
    for (const t of [0, -1]) {
      const e = refusal(withCalibration(1, T(t, 0.01)));
      expect(e.code).toBe('PIPELINE_FORMAT');
      expect(e.message).toBe(`model.members[1]: calibration temperature must be a number > 0, got ${t}`);
    }
    // floor · K = 1 (exactly 1/3 of three classes) and above; a negative floor.
    for (const f of [1 / 3, 0.34, 0.5, -0.001]) {
      const e = refusal(withCalibration(0, T(1.2, f)));
      expect(e.code).toBe('PIPELINE_FORMAT');
      expect(e.message).toBe(
        `model.members[0]: calibration floor must be >= 0 and below 1/3 (the classes' count), got ${f}`,
      );
    }
    // Just below 1/K is a (useless but valid) floor: every class gets nearly 1/3.
    const near = loadPipeline(withCalibration(0, T(1, 0.333)));
    expect(near.scoreColumns(columns(COLOUR.levels))).toHaveLength(3 * N);
    // Binary: K = 2, so a floor of 0.5 is refused, 0.49 is not.
    const binary = (floor: number): string =>
      pipelineText(
        parts(
          {
            kind: 'ensemble',
            members: [
              {
                weight: 1,
                model: {
                  kind: 'linear',
                  link: 'sigmoid',
                  nFeatures: 1,
                  nOutputs: 1,
                  center: [0],
                  indicators: [],
                  weights: [1],
                  intercept: [0],
                },
                calibration: T(1, floor),
              },
            ],
          },
          { task: 'binary', classes: ['no', 'yes'] },
        ),
      );
    expect(refusal(binary(0.5)).message).toBe(
      "model.members[0]: calibration floor must be >= 0 and below 1/2 (the classes' count), got 0.5",
    );
    expect(loadPipeline(binary(0.49)).score({ x: 0, z: 0, colour: 'red' })).toEqual([0.5, 0.5]);
  });

  it('refuses a calibration on a regression pipeline', () => {
    const reg: LinearNode = {
      kind: 'linear',
      link: 'identity',
      nFeatures: 5,
      nOutputs: 1,
      center: [0, 0, 0, 0, 0],
      indicators: [],
      weights: [1, 2, 0, 0, 0],
      intercept: [3],
    };
    const text2 = pipelineText(
      parts(
        {
          kind: 'ensemble',
          members: [
            { weight: 0.5, model: reg },
            { weight: 0.5, model: reg, calibration: T(1, 0) },
          ],
        },
        { task: 'regression', classes: null },
      ),
    );
    const e = refusal(text2);
    expect(e.code).toBe('PIPELINE_FORMAT');
    expect(e.message).toBe('model.members[1]: a calibration applies to class probabilities, not to a regression');
    // Without it, the same pipeline loads: 3 + x + 2z.
    const ok = pipelineText(
      parts(
        {
          kind: 'ensemble',
          members: [
            { weight: 0.5, model: reg },
            { weight: 0.5, model: reg },
          ],
        },
        { task: 'regression', classes: null },
      ),
    );
    expect(loadPipeline(ok).score({ x: 1, z: 2, colour: 'red' })).toEqual([8]);
  });

  it('a changed calibration breaks the checksum; with the checksum made anew, it is what is scored', () => {
    const o = JSON.parse(text) as Json & { model: { members: { calibration: Calibration }[] } };
    o.model.members[0]!.calibration.temperature = 2;
    expect(refusal(o).code).toBe('PIPELINE_CHANGED');
    delete o['checksum'];
    const resummed = loadPipeline(withChecksum(JSON.stringify(o, null, 2)));
    const want = average([
      { weight: 0.65, p: calibratedCopy(alone(modelA, mainFeatures), N, 3, T(2, 0.01)) },
      { weight: 0.35, p: calibratedCopy(alone(modelB, mainFeatures), N, 3, calB) },
    ]);
    expect(Array.from(resummed.scoreColumns(columns(COLOUR.levels)))).toEqual(Array.from(want));
  });
});

describe("scorer: a member whose categorical levels differ from the pipeline's", () => {
  const calC = T(1.3, 0.004);

  it('a one-member ensemble with its own features (levels [blue, red]) scores as the member does with its own level codes', () => {
    const text = pipelineText(
      parts({ kind: 'ensemble', members: [{ weight: 1, features: otherFeatures, model: modelC, calibration: calC }] }),
    );
    const scorer = loadPipeline(text);
    // The member alone, given codes into its own levels: blue 0, red 1, green and purple −1.
    const own = columns(['blue', 'red']);
    expect(Array.from(own.categorical['colour']!)).toEqual([1, -1, 0, -1, 1, -1, 0, -1]);
    const direct = calibratedCopy(alone(modelC, otherFeatures), N, 3, calC);
    // The pipeline, given codes into the pipeline's levels: red 0, green 1, blue 2.
    const viaPipeline = scorer.scoreColumns(columns(COLOUR.levels));
    expect(Array.from(viaPipeline)).toEqual(Array.from(direct));
    expect(Array.from(scorer.scoreBatch(ROWS))).toEqual(Array.from(direct));
    // Red and blue rows differ (the re-coding reached the one-hot step), green is scored as missing.
    const row = (i: number): number[] => Array.from(direct.subarray(3 * i, 3 * i + 3));
    const same = (x: number): { x: number; z: number; colour: string }[] =>
      ['red', 'blue', 'green', ''].map((colour) => ({ x, z: 0, colour }));
    const four = scorer.scoreBatch(same(0.7));
    expect(Array.from(four.subarray(0, 3))).not.toEqual(Array.from(four.subarray(3, 6)));
    expect(Array.from(four.subarray(6, 9))).toEqual(Array.from(four.subarray(9, 12)));
    expect(row(1)).not.toEqual(row(0));
  });

  it("an ensemble of a member on the pipeline's levels and one on its own: the weighted average of each scored directly", () => {
    const calA = T(2.5, 0.03);
    const text = pipelineText(
      parts({
        kind: 'ensemble',
        members: [
          { weight: 0.3, model: modelA, calibration: calA },
          { weight: 0.7, features: otherFeatures, model: modelC, calibration: calC },
        ],
      }),
    );
    const want = average([
      { weight: 0.3, p: calibratedCopy(alone(modelA, mainFeatures), N, 3, calA) },
      { weight: 0.7, p: calibratedCopy(alone(modelC, otherFeatures), N, 3, calC) },
    ]);
    const scorer = loadPipeline(text);
    expect(Array.from(scorer.scoreColumns(columns(COLOUR.levels)))).toEqual(Array.from(want));
    expect(Array.from(scorer.scoreBatch(ROWS))).toEqual(Array.from(want));
  });

  it('refuses a member that reads a field the pipeline does not list, or lists as another type', () => {
    const w: FeaturePipelineNode = {
      ...otherFeatures,
      inputs: [{ name: 'w', type: 'numeric' }, otherFeatures.inputs[1]!],
      features: ['w', 'd_blue', 'd_red'],
    };
    const e = refusal(
      pipelineText(
        parts({
          kind: 'ensemble',
          members: [
            { weight: 0.5, model: modelA },
            { weight: 0.5, features: w, model: modelC },
          ],
        }),
      ),
    );
    expect(e.message).toBe(
      "model.members[1]: its features read numeric field 'w', which the pipeline's inputs do not list",
    );
    const asNumber: FeaturePipelineNode = {
      kind: 'feature_pipeline',
      inputs: [X, { name: 'z', type: 'categorical', levels: ['1'] }],
      steps: [{ kind: 'one_hot', column: 'z', levels: ['1'], outputs: ['z1'] }],
      features: ['x', 'z1'],
    };
    const e2 = refusal(
      pipelineText(parts({ kind: 'ensemble', members: [{ weight: 1, features: asNumber, model: modelC }] })),
    );
    expect(e2.message).toBe(
      "model.members[0]: its features read categorical field 'z', which the pipeline's inputs list as numeric",
    );
  });
});
