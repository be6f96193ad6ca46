/**
 * `values[rows[k]]` for each k, as a new Float64Array: what `Float64Array.from(rows, (i) =>
 * values[i])` computes, written as a plain loop, which V8 runs about ten times faster on large
 * arrays (the mapping form calls a closure per element).
 *
 * @example
 * gather(Float64Array.of(5, 6, 7), [2, 0]); // Float64Array [7, 5]
 */
export function gather(values: ArrayLike<number>, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]!]!;
  return out;
}
