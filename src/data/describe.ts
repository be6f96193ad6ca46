import { median, sampleStandardDeviation } from 'simple-statistics';
import type { Column, Table } from './table.js';

export interface NumericSummary {
  name: string;
  type: 'numeric';
  missing: number;
  distinct: number;
  min: number | null;
  mean: number | null;
  median: number | null;
  max: number | null;
  std: number | null;
}

export interface CategoricalSummary {
  name: string;
  type: 'categorical';
  missing: number;
  distinct: number;
  /** The most frequent levels, most frequent first (ties in order of first appearance). */
  top: { level: string; count: number }[];
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

/**
 * What a user looks at before an experiment: per column its type, missing count, distinct
 * count, and min / mean / median / max / std or its most frequent levels.
 *
 * @example
 * describeTable(await readCsv('h.csv')).find((c) => c.name === 'psa_bar')?.mean;
 */
export function describeTable(table: Table, topLevels = 5): ColumnSummary[] {
  return table.columns.map((c) => describeColumn(c, topLevels));
}

export function describeColumn(c: Column, topLevels = 5): ColumnSummary {
  if (c.type === 'numeric') {
    const present: number[] = [];
    for (const v of c.values) if (!Number.isNaN(v)) present.push(v);
    const missing = c.values.length - present.length;
    if (present.length === 0) {
      return {
        name: c.name,
        type: 'numeric',
        missing,
        distinct: 0,
        min: null,
        mean: null,
        median: null,
        max: null,
        std: null,
      };
    }
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of present) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    return {
      name: c.name,
      type: 'numeric',
      missing,
      distinct: new Set(present).size,
      min,
      mean: sum / present.length,
      median: median(present),
      max,
      std: present.length > 1 ? sampleStandardDeviation(present) : 0,
    };
  }
  const counts = new Float64Array(c.levels.length);
  let missing = 0;
  for (const code of c.codes) {
    if (code < 0) missing++;
    else counts[code]!++;
  }
  const order = [...counts.keys()].filter((i) => counts[i]! > 0);
  order.sort((a, b) => counts[b]! - counts[a]! || a - b);
  return {
    name: c.name,
    type: 'categorical',
    missing,
    distinct: order.length,
    top: order.slice(0, topLevels).map((i) => ({ level: c.levels[i]!, count: counts[i]! })),
  };
}
