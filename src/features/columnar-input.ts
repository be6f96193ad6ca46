import type { ColumnarInput } from '../artifact/feature-scorer.js';
import type { FeaturePipelineNode } from '../artifact/format/features.js';
import { cellText, type Table } from '../data/table.js';
import { AutomlError } from '../util/errors.js';

/**
 * The input fields a feature pipeline needs, read from a table: numeric columns as they are,
 * categorical codes re-coded by level text into the input field's levels (a level the pipeline
 * did not see in training becomes −1, unseen), text fields as each row's text (null: missing). Throws AutomlError for a missing column or one of
 * the wrong type.
 *
 * @example
 * const matrix = new FeatureScorer(node).apply(columnarInput(testTable, node));
 */
export function columnarInput(table: Table, node: Pick<FeaturePipelineNode, 'inputs'>): ColumnarInput {
  const numeric: Record<string, Float64Array> = {};
  const categorical: Record<string, Int32Array> = {};
  const text: Record<string, (string | null)[]> = {};
  for (const field of node.inputs) {
    const col = table.column(field.name);
    if (field.type === 'text') {
      const values = new Array<string | null>(table.nRows);
      for (let r = 0; r < table.nRows; r++) {
        const t = cellText(col, r);
        values[r] = t === '' ? null : t;
      }
      text[field.name] = values;
      continue;
    }
    if (field.type === 'numeric') {
      numeric[field.name] = table.numeric(field.name).values;
      continue;
    }
    if (col.type !== 'categorical') {
      throw new AutomlError('COLUMN_TYPE', `column '${field.name}' is numeric; the pipeline reads it as categorical`);
    }
    const index = new Map(field.levels.map((l, i) => [l, i]));
    const recode = Int32Array.from(col.levels, (l) => index.get(l) ?? -1);
    const codes = new Int32Array(table.nRows);
    for (let r = 0; r < table.nRows; r++) {
      const c = col.codes[r]!;
      codes[r] = c >= 0 ? recode[c]! : -1;
    }
    categorical[field.name] = codes;
  }
  return { nRows: table.nRows, numeric, categorical, text };
}
