/**
 * RFC 8785 (JSON Canonicalization Scheme): the text the pipeline file's checksum is computed over.
 * The expected texts are the RFC's own examples (§3.2.2, §3.2.3, Appendix B).
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/artifact/canonical-json.js';

/** The double with these IEEE 754 bits. */
function double(hex: string): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, BigInt(`0x${hex}`));
  return v.getFloat64(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it('the RFC §3.2.2 example: no whitespace, sorted members, numbers and strings in ECMAScript form', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const want = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(canonicalJson(JSON.parse(input))).toBe(want);
  });

  it('sorts members by UTF-16 code units, not code points or locale, recursively (RFC §3.2.3)', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    const value = JSON.parse(input) as Record<string, string>;
    // The emoji (U+1F600, the surrogates D83D DE00) sorts before U+FB33.
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\u{1f600}', '\ufb33'];
    expect(canonicalJson(value)).toBe(
      `{${order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k])}`).join(',')}}`,
    );
    expect(canonicalJson(value)).toMatch(/^\{"\\r":"Carriage Return","1":"One",/);
    expect(canonicalJson({ b: { z: 1, Z: 2, é: 3, e: 4 }, a: [{ y: 1, x: 2 }], B: null })).toBe(
      '{"B":null,"a":[{"x":2,"y":1}],"b":{"Z":2,"e":4,"z":1,"é":3}}',
    );
  });

  it("writes numbers in ECMAScript's shortest round-trip form (RFC Appendix B)", () => {
    const cases: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'], // -0
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of cases) expect(canonicalJson(double(bits)), bits).toBe(text);
    // The shapes around the switches to exponent notation (|x| < 1e-6, |x| ≥ 1e21).
    const shapes: [number, string][] = [
      [1e30, '1e+30'],
      [4.5, '4.5'],
      [0.002, '0.002'],
      [1e-7, '1e-7'],
      [-0, '0'],
      [333333333.3333333, '333333333.3333333'],
      [1e21, '1e+21'],
      [1e20, '100000000000000000000'],
      [1.5e21, '1.5e+21'],
      [1e-6, '0.000001'],
      [1.25e-7, '1.25e-7'],
      [-2.5e-8, '-2.5e-8'],
      [100, '100'],
      [-17, '-17'],
      [0.1, '0.1'],
      [1 / 3, '0.3333333333333333'],
    ];
    for (const [x, text] of shapes) expect(canonicalJson(x), text).toBe(text);
    expect(canonicalJson(JSON.parse('[1E21, 1e+21, 10e20, 1.0, -0.0, 5e-1, 2e-7]'))).toBe(
      '[1e+21,1e+21,1e+21,1,0,0.5,2e-7]',
    );
  });

  it('escapes strings as JSON.stringify does, leaves out undefined members, refuses what is not JSON', () => {
    expect(canonicalJson('tab\t"q" \\ \u0001 \u007f é \u2028 😀')).toBe(
      '"tab\\t\\"q\\" \\\\ \\u0001 \u007f é \u2028 😀"',
    );
    expect(canonicalJson({ a: undefined, b: [undefined], c: '' })).toBe('{"b":[null],"c":""}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(() => canonicalJson(NaN)).toThrow(RangeError);
    expect(() => canonicalJson({ x: [Infinity] })).toThrow(/Infinity is not a JSON number/);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });

  it('gives the same text for every formatting of the same value', () => {
    const value = { z: [1.5, { q: null, p: 'x' }], a: { c: 1e-7, b: true } };
    const texts = [JSON.stringify(value), JSON.stringify(value, null, 4), JSON.stringify(value, null, '\t')];
    const canon = texts.map((t) => canonicalJson(JSON.parse(t)));
    expect(new Set(canon).size).toBe(1);
    expect(canon[0]).toBe('{"a":{"b":true,"c":1e-7},"z":[1.5,{"p":"x","q":null}]}');
  });
});
