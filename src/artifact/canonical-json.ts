/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one text of a JSON value that the pipeline
 * file's checksum is computed over, so that re-indenting or re-ordering a file changes nothing.
 *
 * - no whitespace; object members sorted by their keys' UTF-16 code units (JavaScript's default
 *   string order), arrays in order;
 * - strings as `JSON.stringify` writes them (RFC 8785 §3.2.2.2);
 * - numbers in ECMAScript's shortest round-trip form, `String(x)` (`1e-7`, `1e+21`, `4.5`; `-0`
 *   as `0`); a non-finite number is not JSON and is refused.
 *
 * Members whose value is `undefined` are left out, as `JSON.stringify` leaves them out.
 *
 * @example
 * canonicalJson({ b: [1e21, -0, 'é'], a: { y: null, x: 0.5 } }); // '{"a":{"x":0.5,"y":null},"b":[1e+21,0,"é"]}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`canonicalJson: ${value} is not a JSON number`);
      return String(value); // String(-0) is '0'
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not a JSON value`);
  }
}
