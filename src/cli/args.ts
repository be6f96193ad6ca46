import { AutomlError } from '../util/errors.js';
import { COLUMN_TYPES, type ColumnType } from '../data/table.js';
import type { Delimiter } from '../data/csv.js';

/** Options that take several values: a comma-separated list, the option repeated, or both. */
export function listOption(value: unknown): string[] {
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `--type a=numeric,b=categorical` into a map, with a clear error for a malformed entry. */
export function parseTypeOption(items: readonly string[] | undefined): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  for (const item of items ?? []) {
    const eq = item.lastIndexOf('=');
    const name = item.slice(0, eq);
    const type = item.slice(eq + 1);
    if (eq <= 0 || !(COLUMN_TYPES as readonly string[]).includes(type)) {
      throw new AutomlError('BAD_OPTION', `--type '${item}': write COLUMN=numeric or COLUMN=categorical`);
    }
    out[name] = type as ColumnType;
  }
  return out;
}

export function parseDelimiterOption(d: string | undefined): Delimiter | undefined {
  if (d === undefined) return undefined;
  return d === 'tab' ? '\t' : (d as Delimiter);
}

export { checkNumber, numberOption, numberRule, OPTION_NUMBERS, RUN_NUMBERS, type NumberSpec } from './numbers.js';
