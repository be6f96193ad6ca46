import { FeatureScorer } from '../../src/artifact/feature-scorer.js';
import type { FeaturePipelineNode, FeatureStep, InputField } from '../../src/artifact/format/features.js';
import { type Column, Table } from '../../src/data/table.js';

export function num(name: string, values: number[]): Column {
  return { name, type: 'numeric', values: Float64Array.from(values) };
}

/** A categorical column from texts; '' is missing. Levels in order of first appearance unless given. */
export function cat(name: string, texts: string[], levels?: string[]): Column {
  const lv = levels ?? [...new Set(texts.filter((t) => t !== ''))];
  return {
    name,
    type: 'categorical',
    levels: lv,
    codes: Int32Array.from(texts, (t) => (t === '' ? -1 : lv.indexOf(t))),
  };
}

export function table(...columns: Column[]): Table {
  const c = columns[0]!;
  return new Table(columns, c.type === 'numeric' ? c.values.length : c.codes.length);
}

/** Passes a node through JSON, as the pipeline file does. */
export function roundTrip<T>(node: T): T {
  return JSON.parse(JSON.stringify(node)) as T;
}

/** One step as a node, through JSON, applied by the scorer. */
export function applyStep(
  step: FeatureStep,
  inputs: InputField[],
  outputs: string[],
  data: { nRows: number; numeric?: Record<string, Float64Array>; categorical?: Record<string, Int32Array> },
): Float64Array[] {
  const node: FeaturePipelineNode = roundTrip({ kind: 'feature_pipeline', inputs, steps: [step], features: outputs });
  return new FeatureScorer(node).apply({
    nRows: data.nRows,
    numeric: data.numeric ?? {},
    categorical: data.categorical ?? {},
  });
}

/** Float64Array → plain array, with NaN kept (toEqual treats NaN as equal to NaN). */
export function arr(a: Float64Array | undefined): number[] {
  if (!a) throw new Error('no column');
  return Array.from(a);
}
