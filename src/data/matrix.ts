import type { Matrix } from '../models/types.js';
import type { Table } from './table.js';
import { AutomlError } from '../util/errors.js';

/**
 * The model matrix of numeric feature columns, column-major, sharing the table's arrays.
 * Categorical columns need an encoding first (the feature transforms).
 */
export function numericMatrix(table: Table, features: readonly string[]): Matrix {
  const columns = features.map((name) => {
    const c = table.column(name);
    if (c.type !== 'numeric') {
      throw new AutomlError(
        'COLUMN_TYPE',
        `feature '${name}' is categorical; encode it first (one-hot, frequency or target encoding)`,
      );
    }
    return c.values;
  });
  return { nRows: table.nRows, columns };
}
