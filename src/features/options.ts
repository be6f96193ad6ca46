/**
 * Checks of a transform request's options, shared by the transforms (internal). A request comes
 * from a spec a user wrote, so a bad one is an AutomlError naming the transform and the option.
 */
import { AutomlError } from '../util/errors.js';

/** An AutomlError (code BAD_TRANSFORM) about one request. */
export function badTransform(kind: string, column: string | undefined, message: string): AutomlError {
  const of = column === undefined ? '' : ` of '${column}'`;
  return new AutomlError('BAD_TRANSFORM', `transform ${kind}${of}: ${message}`);
}

/** The request's `column`, checked to be a non-empty string. */
export function requestColumn(request: { kind: string; column?: unknown }): string {
  const c = request.column;
  if (typeof c !== 'string' || c === '')
    throw badTransform(
      request.kind,
      undefined,
      `'column' must be a column name, got ${JSON.stringify(c) ?? 'nothing'}`,
    );
  return c;
}

/** An optional integer option, at least `min`, or its default. */
export function intOption(
  kind: string,
  column: string,
  name: string,
  value: unknown,
  min: number,
  fallback: number,
): number {
  return boundedOption(kind, column, name, value, min, fallback, true);
}

/** An optional finite number option, at least `min`, or its default. */
export function numberOption(
  kind: string,
  column: string,
  name: string,
  value: unknown,
  min: number,
  fallback: number,
): number {
  return boundedOption(kind, column, name, value, min, fallback, false);
}

function boundedOption(
  kind: string,
  column: string,
  name: string,
  value: unknown,
  min: number,
  fallback: number,
  integer: boolean,
): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && (integer ? Number.isInteger(value) : Number.isFinite(value)) && value >= min;
  if (!ok)
    throw badTransform(
      kind,
      column,
      `'${name}' must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** The non-missing values of a column, sorted ascending. */
export function sortedValues(column: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < column.length; i++) if (column[i] === column[i]) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (v === v) out[j++] = v;
  }
  return out.sort();
}

/** How many rows have each code (missing rows, code −1, are not counted). */
export function levelCounts(codes: Int32Array, nLevels: number): Int32Array {
  const counts = new Int32Array(nLevels);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= 0 && c < nLevels) counts[c]!++;
  }
  return counts;
}
