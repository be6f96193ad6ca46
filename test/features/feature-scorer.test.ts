import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import type { FeaturePipelineNode, FeatureStep } from '../../src/artifact/format/features.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The module specifiers a file imports (static, dynamic and re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
  specs.push(...[...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!));
  specs.push(...[...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!));
  return specs;
}

describe('feature scorer imports', () => {
  it('imports nothing outside src/artifact/ (no training code, no package)', () => {
    const file = resolve(ROOT, 'src/artifact/feature-scorer.ts');
    const specs = importsOf(file);
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) {
      expect(spec.startsWith('.'), `'${spec}' is a package`).toBe(true);
      const target = resolve(dirname(file), spec);
      expect(target.startsWith(resolve(ROOT, 'src/artifact') + '/'), `'${spec}' is outside src/artifact`).toBe(true);
    }
    // And what it imports is the format, which is types only, and the step files (one per kind).
    expect(specs.every((s) => s.startsWith('./format/') || s.startsWith('./steps/'))).toBe(true);
  });
});

const BASE: FeaturePipelineNode = {
  kind: 'feature_pipeline',
  inputs: [
    { name: 'x', type: 'numeric' },
    { name: 'c', type: 'categorical', levels: ['p', 'q'] },
  ],
  steps: [
    { kind: 'standardize', column: 'x', output: 'z(x)', mean: 1, std: 2 },
    { kind: 'one_hot', column: 'c', levels: ['q'], outputs: ['c=q'] },
  ],
  features: ['x', 'z(x)', 'c=q'],
};

function withStep(step: unknown, features = BASE.features): FeaturePipelineNode {
  return { ...BASE, steps: [BASE.steps[0]!, step as FeatureStep], features };
}

describe('FeatureScorer', () => {
  it('applies, and does not hand out the input arrays themselves', () => {
    const x = Float64Array.of(3, NaN);
    const out = new FeatureScorer(BASE).apply({ nRows: 2, numeric: { x }, categorical: { c: Int32Array.of(1, 0) } });
    expect(out.map((c) => Array.from(c))).toEqual([
      [3, NaN],
      [1, NaN],
      [1, 0],
    ]);
    expect(out[0]).not.toBe(x);
  });

  it('refuses a malformed node with a TypeError naming the step and field', () => {
    const bad = (node: unknown, message: RegExp) =>
      expect(() => new FeatureScorer(node as FeaturePipelineNode)).toThrow(message);
    bad({ kind: 'linear' }, /expected a feature_pipeline node, got/);
    bad(
      withStep({ kind: 'standardize', column: 'x', output: 's', mean: 0, std: 0 }),
      /steps\[1\] \(standardize of 'x'\): std must be a finite number > 0, got 0/,
    );
    bad(
      withStep({ kind: 'log', column: 'x', output: 'l', shift: null }),
      /steps\[1\] \(log of 'x'\): shift must be a finite number, got null/,
    );
    bad(
      withStep({ kind: 'log', column: 'c', output: 'l', shift: 0 }),
      /steps\[1\] \(log of 'c'\): column 'c' is a categorical input field/,
    );
    bad(
      withStep({ kind: 'log', column: 'w', output: 'l', shift: 0 }),
      /column 'w' is neither a numeric input field nor the output of an earlier step/,
    );
    bad(
      withStep({ kind: 'quantile_bin', column: 'x', output: 'b', edges: [2, 1] }),
      /edges must be strictly ascending/,
    );
    bad(
      withStep({ kind: 'one_hot', column: 'c', levels: ['r'], outputs: ['c=r'] }),
      /level 'r' is not among the levels of input field 'c'/,
    );
    bad(
      withStep({ kind: 'one_hot', column: 'c', levels: ['p', 'q'], outputs: ['c=p'] }),
      /outputs has 1 entries, expected 2/,
    );
    bad(
      withStep({ kind: 'one_hot', column: 'x', levels: [], outputs: [] }),
      /column 'x' is not a categorical input field/,
    );
    bad(
      withStep({ kind: 'target_encoding', column: 'c', outputs: ['t'], levels: ['p'], values: [1, 2], prior: [0] }),
      /values has 2 entries, expected 1/,
    );
    bad(
      withStep({ kind: 'interaction', op: 'sum', columns: ['x', 'z(x)'], output: 'i' }),
      /op must be one of ratio, difference, product/,
    );
    bad(
      withStep({ kind: 'standardize', column: 'x', output: 'x', mean: 0, std: 1 }),
      /output 'x' is already a column name/,
    );
    bad(withStep({ kind: 'pca', column: 'x' }), /steps\[1\] \(pca of 'x'\): unknown step kind 'pca'/);
    bad(withStep(BASE.steps[1], ['x', 'nope']), /features\[1\] 'nope' is not a numeric input field or a step output/);
    bad(
      { ...BASE, inputs: [...BASE.inputs, { name: 'x', type: 'numeric' }] },
      /inputs\[2\]: input field 'x' is listed twice/,
    );
  });

  it('refuses missing or mis-sized inputs and out-of-range codes', () => {
    const s = new FeatureScorer(BASE);
    expect(() => s.apply({ nRows: 1, numeric: {}, categorical: { c: Int32Array.of(0) } })).toThrow(
      /numeric input 'x' must be a Float64Array of 1 rows, got nothing/,
    );
    expect(() =>
      s.apply({ nRows: 2, numeric: { x: Float64Array.of(1) }, categorical: { c: Int32Array.of(0, 0) } }),
    ).toThrow(/Float64Array of 1 rows/);
    expect(() =>
      s.apply({ nRows: 1, numeric: { x: Float64Array.of(1) }, categorical: { c: Int32Array.of(2) } }),
    ).toThrow(/row 0: code 2 is not in \[-1, 2\)/);
  });
});
